#!/usr/bin/env bash
# Records the class archive (JDK application class-data sharing, a "dynamic CDS archive") that `mvn package` puts next
# to the jar: target/revenue-etl.jsa. Started with it (README: `java -XX:SharedArchiveFile=target/revenue-etl.jsa -jar
# target/revenue-etl.jar`), the JVM maps the classes this run loaded, already parsed, verified and linked, and the
# lambdas it spun, instead of reading them from the 190 MB jar again: on two cores a cold start (external database, to
# the first answer) went from 3.07-4.14 s to 2.20-2.25 s, most of it compiler time no longer spent on class loading and
# the bytecode spinner (see docs/BENCHMARKS.md).
#
# The run that records it: the packaged jar in a temporary folder (embedded PostgreSQL, free ports), all roles, one
# GET, one POST, until the event is applied, then a JSON Lines file dropped into its inbox, until applied; then a
# normal stop, at which the JVM writes the archive (-XX:ArchiveClassesAtExit). Why a script and not a Camel option: the archive is a JVM matter (Camel Main has no
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

# a free port for the HTTP server (the inbox client must be told where it is before the start); the management server
# takes any free port
free_port() {
  local p
  for _ in $(seq 1 50); do
    p=$(( 20000 + RANDOM % 40000 ))
    (exec 3<> "/dev/tcp/127.0.0.1/$p") 2> /dev/null || { echo "$p"; return 0; }
  done
  return 1
}
PORT=$(free_port) || give_up "no free port found"
(cd "$WORK" && ETL_HTTP_PORT=$PORT ETL_SERVER_URL="http://localhost:$PORT" ETL_MANAGEMENT_PORT=0 \
   exec "$JAVA" -XX:ArchiveClassesAtExit="$ARCHIVE" -jar "$JAR" > "$WORK/app.log" 2>&1) &
PID=$!
up=
for _ in $(seq 1 600); do
  kill -0 "$PID" 2> /dev/null || give_up "the application stopped while starting"
  if curl -s -m 5 "localhost:$PORT/userEvents/training" 2> /dev/null | grep -q 'no event'; then up=1; break; fi
  sleep 0.1
done
[ -n "$up" ] || give_up "the application did not answer within 60 s"

curl -s -m 10 -o /dev/null -H 'Authorization: secret' -H 'Content-Type: application/json' \
  -d '{"userId": "training", "name": "add_revenue", "value": 100}' "localhost:$PORT/liveEvent" \
  || give_up "POST /liveEvent failed"
for _ in $(seq 1 300); do
  curl -s -m 5 "localhost:$PORT/userEvents/training" | grep -q '"revenue"' && break
  sleep 0.1
done

# the inbox client's path (a JSON Lines file read in chunks, sent to POST /liveEvent as JSON Lines, an invalid line
# quarantined) and the processor's reading of a spool file of several requests: classes that the first dropped file
# would otherwise load from the jar, and lambdas it would spin, while it is being read (2.1 of a cold 1M-line file's
# 4.6 CPU s were the compiler's, a tenth of it on the bytecode spinner; docs/BENCHMARKS.md)
mkdir -p "$WORK/inbox"
{
  for i in $(seq 1 12000); do
    echo "{\"userId\": \"training$(( i % 7 ))\", \"name\": \"add_revenue\", \"value\": $(( i % 100 )).5}"
  done
  echo 'not an event'
} > "$WORK/training.part"
mv "$WORK/training.part" "$WORK/inbox/training.jsonl"
for _ in $(seq 1 300); do
  [ -f "$WORK/inbox/.done/training.jsonl" ] && ! compgen -G "$WORK/outbox/*.jsonl" > /dev/null && break
  sleep 0.1
done
[ -f "$WORK/inbox/.done/training.jsonl" ] || give_up "the inbox file was not read within 30 s"

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
