#!/usr/bin/env bash
# Records the class archive (JDK application class-data sharing, a "dynamic CDS archive") that `mvn package` puts next
# to the jar: target/revenue-etl.jsa. Started with it (README: `java -XX:SharedArchiveFile=target/revenue-etl.jsa -jar
# target/revenue-etl.jar`), the JVM maps the classes this run loaded, already parsed, verified and linked, and the
# lambdas it spun, instead of reading them from the 190 MB jar again: on two cores a cold start (external database, to
# the first answer) went from 3.07-4.14 s to 2.20-2.25 s, most of it compiler time no longer spent on class loading and
# the bytecode spinner (see docs/BENCHMARKS.md).
#
# The run that records it: the packaged jar in a temporary folder (embedded PostgreSQL, free ports), all roles, one
# GET, one POST, until the event is applied; then a normal stop, at which the JVM writes the archive
# (-XX:ArchiveClassesAtExit). Why a script and not a Camel option: the archive is a JVM matter (Camel Main has no
# training mode), and it must be recorded by a separate JVM started with that option.
#
# The archive belongs to this jar and this JDK: a rebuilt jar or another JDK makes the JVM print one warning line and
# start as it would without it. Anything that goes wrong here leaves no archive and does not fail the build (the jar runs
# the same without it); -Dclass-archive.skip=true skips it.
#
# usage: class-archive.sh JAR ARCHIVE [JAVA]
set -uo pipefail
JAR=$1; ARCHIVE=$2; JAVA=${3:-java}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/revenue-etl-class-archive.XXXXXX")
PID=
finish() {
  [ -z "$PID" ] || { kill -9 "$PID" 2> /dev/null; wait "$PID" 2> /dev/null; }
  rm -rf "$WORK"
}
trap finish EXIT
give_up() {
  echo "class archive: not made ($1); the jar runs the same without it, only its start is slower" >&2
  [ -f "$WORK/app.log" ] && tail -5 "$WORK/app.log" >&2
  rm -f "$ARCHIVE"
  exit 0
}
command -v curl > /dev/null || give_up "curl is not installed"
rm -f "$ARCHIVE"

# port 0: the HTTP and management servers take free ports (the HTTP one is read from the log); no inbox client (it
# would need the server's address before it is known)
(cd "$WORK" && ETL_HTTP_PORT=0 ETL_MANAGEMENT_PORT=0 ETL_ROLES=server,processor \
   exec "$JAVA" -XX:ArchiveClassesAtExit="$ARCHIVE" -jar "$JAR" > "$WORK/app.log" 2>&1) &
PID=$!
PORT=
for _ in $(seq 1 600); do
  kill -0 "$PID" 2> /dev/null || give_up "the application stopped while starting"
  PORT=$(sed -n 's/.*HttpServer started on 0\.0\.0\.0:\([0-9]*\).*/\1/p' "$WORK/app.log" | head -1)
  if [ -n "$PORT" ] && curl -s -m 5 "localhost:$PORT/userEvents/training" 2> /dev/null | grep -q 'no event'; then break; fi
  PORT=
  sleep 0.1
done
[ -n "$PORT" ] || give_up "the application did not answer within 60 s"

curl -s -m 10 -o /dev/null -H 'Authorization: secret' -H 'Content-Type: application/json' \
  -d '{"userId": "training", "name": "add_revenue", "value": 100}' "localhost:$PORT/liveEvent" \
  || give_up "POST /liveEvent failed"
for _ in $(seq 1 300); do
  curl -s -m 5 "localhost:$PORT/userEvents/training" | grep -q '"revenue"' && break
  sleep 0.1
done

# a normal stop (SIGTERM): Camel stops, the embedded PostgreSQL too, and the JVM writes the archive as it exits
kill "$PID"
for _ in $(seq 1 600); do
  kill -0 "$PID" 2> /dev/null || break
  sleep 0.1
done
kill -0 "$PID" 2> /dev/null && give_up "the application did not stop within 60 s"
wait "$PID" 2> /dev/null
PID=
[ -s "$ARCHIVE" ] || give_up "the JVM wrote no archive"
echo "class archive: $ARCHIVE ($(( $(stat -c %s "$ARCHIVE") / 1048576 )) MB), for $JAR on $("$JAVA" -version 2>&1 | head -1)"
