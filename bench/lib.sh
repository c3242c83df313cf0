# Helpers for the benchmarks: start the packaged system in a fresh folder, query its database, compare totals.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
JAR="${BENCH_JAR:-$ROOT/target/revenue-etl.jar}"
# the options of the README's command (java -Xmx2g -XX:SharedArchiveFile=… -jar …): its heap, unless the benchmark's
# own options set one (BENCH_JAVA_OPTS=-Xmx6g measures the JVM's default on these machines, a quarter of their memory),
# and the class archive that `mvn package` records beside the jar (BENCH_CDS=0 starts without it)
ARCHIVE="${JAR%.jar}.jsa"
cds_options() { # the java options that follow
  CDS=()
  [[ " $* " == *" -Xmx"* || " $* " == *" -XX:MaxHeapSize="* ]] || CDS+=("-Xmx2g")
  if [ "${BENCH_CDS:-1}" != 0 ] && [ -f "$ARCHIVE" ]; then
    if archive_fits; then CDS+=("-XX:SharedArchiveFile=$ARCHIVE")
    else echo "note: $ARCHIVE was recorded for another jar than $JAR: started without a class archive" >&2; fi
  fi
}
# archive_fits: whether the class archive belongs to $JAR. An archive is bound to the path, size and time of the jar it
# was recorded with: given a copy of the jar (BENCH_JAR=/tmp/x.jar with its .jsa beside it), the JVM starts without it
# with one warning line in the application log, which no benchmark printed (two bench/peers.sh runs were so measured
# without their archive)
archive_fits() {
  java -XX:SharedArchiveFile="$ARCHIVE" -Xshare:on -cp "$JAR" -version > /dev/null 2>&1
}
PORT=${BENCH_PORT:-18500}

# tick SECONDS: a pause that starts no process (read's timeout on a pipe that never has data), for the loops that wait
# while a run is measured. A loop of `sleep 0.01` and `date +%s` started two processes every 10 ms: 200 rounds took
# 4.0 s and 2.0 CPU seconds, half of one of the two cores taken from the system it timed; with tick and $SECONDS, 2.07 s
# and 0.03 CPU seconds.
exec {TICK_FD}<> <(:)
tick() {
  read -r -t "$1" -u "$TICK_FD" || true
}

# answers PORT PATH TEXT: whether GET PATH on 127.0.0.1:PORT answers with TEXT, without starting a process (bash's
# /dev/tcp): the cold start's wait for the first answer ran curl and sleep every 20 ms beside the starting JVM
answers() {
  local fd line reply=""
  { exec {fd}<>"/dev/tcp/127.0.0.1/$1"; } 2> /dev/null || return 1
  printf 'GET %s HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n' "$2" >&"$fd"
  while IFS= read -r -t 5 -u "$fd" line || [ -n "$line" ]; do reply+=$line; line=""; done
  exec {fd}>&-
  [[ $reply == *"$3"* ]]
}

machine() {
  echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(java -version 2>&1 | head -1)"
}

build() {
  [ -f "$JAR" ] || (cd "$ROOT" && mvn -B -q -DskipTests package)
}

# start WORKDIR [java options...]: starts the system with its own data/, inbox/ and outbox/ in WORKDIR
start() {
  local work=$1; shift
  mkdir -p "$work"
  cds_options "$@"
  (cd "$work" && ETL_HTTP_PORT=$PORT ETL_SERVER_URL=http://localhost:$PORT \
     exec java "${CDS[@]}" "$@" -jar "$JAR" > "$work/app.log" 2>&1) &
  APP_PID=$!
  for _ in $(seq 1 300); do
    # a 404 for an unknown user: the API is in place (while it starts, the answer is a 503, with an error too)
    if curl -s "localhost:$PORT/userEvents/ping" 2>/dev/null | grep -q "no event"; then return 0; fi
    sleep 0.1
  done
  echo "the system did not start; see $work/app.log" >&2; return 1
}

# start_noport WORKDIR [java options...]: starts a process without the server role; ready when its outbox exists
start_noport() {
  local work=$1; shift
  mkdir -p "$work"
  cds_options "$@"
  (cd "$work" && exec java "${CDS[@]}" "$@" -jar "$JAR" > "$work/app.log" 2>&1) &
  APP_PID=$!
  for _ in $(seq 1 300); do
    if grep -q "started in" "$work/app.log" 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  echo "the system did not start; see $work/app.log" >&2; return 1
}

stop() {
  [ -n "${APP_PID:-}" ] || return 0
  kill "$APP_PID" 2>/dev/null || true
  wait "$APP_PID" 2>/dev/null || true
  APP_PID=
}
# a benchmark that fails half-way (set -e) stops its system too: one left running kept the ports, and every later
# benchmark failed with "the system did not start" (bench/peers.sh sets a trap of its own, and starts no system here)
trap stop EXIT

# sql WORKDIR QUERY: runs a query on the embedded PostgreSQL of WORKDIR
sql() {
  local port
  port=$(sed -n 4p "$1/data/pg/postmaster.pid")
  psql -h localhost -p "$port" -U postgres -d postgres -At -F $'\t' -c "$2"
}

# wait_totals WORKDIR EXPECTED.tsv TIMEOUT_S: waits until users_revenue equals the expected totals exactly
wait_totals() {
  local work=$1 expected=$2 timeout=$3 t0
  t0=$(date +%s)
  while :; do
    if [ "$(sql "$work" "SELECT count(*) FROM users_revenue WHERE user_id NOT LIKE 'warm%'")" = "$(wc -l < "$expected")" ] && \
       diff -q <(sql "$work" "SELECT user_id, revenue FROM users_revenue WHERE user_id NOT LIKE 'warm%' ORDER BY user_id COLLATE \"C\"") \
               <(LC_ALL=C sort "$expected") > /dev/null; then
      return 0
    fi
    if [ $(( $(date +%s) - t0 )) -ge "$timeout" ]; then
      echo "totals differ after ${timeout}s:" >&2
      diff <(sql "$work" "SELECT user_id, revenue FROM users_revenue WHERE user_id NOT LIKE 'warm%' ORDER BY user_id COLLATE \"C\"") \
           <(LC_ALL=C sort "$expected") | head >&2
      return 1
    fi
    sleep 0.05
  done
}

# wait_drained WORKDIR [INBOXFILE]: until the inbox file (if named) is in inbox/.done/ and no *.jsonl is left in
# outbox/, sealed or still open (.*.jsonl.open). A spool file leaves outbox/ only after the transaction that applied it
# committed, and an inbox file moves to .done/ only after every chunk was acknowledged (each spooled before its 200), so
# then every event is applied. It
# looks at two folders every 10 ms, without starting a process (tick); wait_totals, run every 50 ms meanwhile, started
# two psql processes each time and took CPU from the system it was timing (two cores).
wait_drained() {
  local work=$1 inboxfile=${2:-} end=$((SECONDS + 600))
  while :; do
    if { [ -z "$inboxfile" ] || [ -f "$work/inbox/.done/$inboxfile" ]; } && \
       ! compgen -G "$work/outbox/*.jsonl" > /dev/null && ! compgen -G "$work/outbox/.*.jsonl.open" > /dev/null; then
      return 0
    fi
    if [ "$SECONDS" -ge "$end" ]; then echo "not drained after 600 s" >&2; return 1; fi
    tick 0.01
  done
}

# measure NAME DESCRIPTION: runs the function "feed" (which hands the data to the system), waits until every event is
# applied (the function "drained" when the script defines one, else until every total is exact), stops the clock,
# checks that every total is exact, stops the system, and prints the figures; keeps the work folder when BENCH_KEEP
# is set
measure() {
  local name=$1 description=$2 cpu0 cpu1 t0 t1 rss secs
  # the samples are taken before the clock starts (and after it stops): taken after, with a process per thread, they
  # added about a second of an idle system to every BENCH_THREADS=1 run and shrank its CPU shares by as much
  # the disk quiet before the clock starts (bench/peers.sh gives peer B's processor the same): the data generated just
  # before, and the work folders that earlier runs deleted (on a file system mounted with online discard), are otherwise
  # still being written back and trimmed while the run's own fsyncs and commits wait behind them
  sync; tick 2
  [ -z "${BENCH_THREADS:-}" ] || { thread_cpu "$APP_PID" > "$WORK/threads.0"; all0=$(cpu_by_command); }
  cpu0=$(cpu_seconds "$APP_PID"); mem0=$(memory_faults "$APP_PID"); t0=$(date +%s.%N)
  feed
  if declare -F drained > /dev/null; then drained; else wait_totals "$WORK/app" "$WORK/expected.tsv" 600; fi
  t1=$(date +%s.%N); cpu1=$(cpu_seconds "$APP_PID"); mem1=$(memory_faults "$APP_PID")
  [ -z "${BENCH_THREADS:-}" ] || { all1=$(cpu_by_command); thread_cpu "$APP_PID" > "$WORK/threads.1"; }
  wait_totals "$WORK/app" "$WORK/expected.tsv" 5
  rss=$(peak_rss_mb "$APP_PID")
  if [ -n "${BENCH_THREADS:-}" ]; then
    echo "CPU while measured: $(cpu_split "$all0" "$all1" "$(echo "$t1 - $t0" | bc -l)")"
    echo "CPU seconds by thread (digits in names as N), while measured:"
    join -t $'\t' "$WORK/threads.0" "$WORK/threads.1" | awk -F'\t' '$3 - $2 >= 0.05 {printf "  %6.2f %s\n", $3 - $2, $1}' | sort -nr
  fi
  stop
  secs=$(echo "$t1 - $t0" | bc -l)
  printf '%s: %s: %.2f s, %.0f events/s, JVM CPU %.1f s (%s), peak RSS %s MB, totals exact\n' "$name" \
    "$description" "$secs" "$(echo "$EVENTS / $secs" | bc -l)" "$(echo "$cpu1 - $cpu0" | bc -l)" \
    "$(faults_between "$mem0" "$mem1")" "$rss"
  if [ -n "${BENCH_KEEP:-}" ]; then echo "kept $WORK"; else rm -rf "$WORK"; fi
}

# thread_cpu PID: "name<TAB>seconds" per thread name (digits as N, the kernel's 15-character names), sorted by name;
# BENCH_THREADS=1 makes measure print what each used while it measured
thread_cpu() {
  local hz; hz=$(getconf CLK_TCK)
  cat /proc/"$1"/task/*/stat 2>/dev/null | awk -v hz="$hz" '
    /\(/ { i = index($0, ") "); c = substr($0, index($0, "(") + 1, i - index($0, "(") - 1); gsub(/[0-9]+/, "N", c)
      n = split(substr($0, i + 2), a, " "); if (n < 13) next; cpu[c] += (a[12] + a[13]) / hz }
    END { for (c in cpu) printf "%s\t%.2f\n", c, cpu[c] }' | LC_ALL=C sort
}

# cpu_seconds PID: user+system CPU time the process has used so far
cpu_seconds() {
  awk -v hz="$(getconf CLK_TCK)" '{printf "%.2f", ($14 + $15) / hz}' "/proc/$1/stat" 2>/dev/null || echo "?"
}

# memory_faults PID: "minor-faults system-seconds" so far. A page of memory the process touches for the first time
# costs a fault, and on these machines (virtual, 2 cores) a fault cost about 11 µs (2.9 ms a MB, a throw-away Python
# loop over 400 MB of fresh memory; touched again: 0.06 ms a MB), so a run that spreads its allocations over fresh
# memory pays for it in system time
memory_faults() {
  awk -v hz="$(getconf CLK_TCK)" '{printf "%d %.2f", $10, $15 / hz}' "/proc/$1/stat" 2>/dev/null || echo "0 0"
}
faults_between() { # BEFORE AFTER (memory_faults lines): "of which system 0.12 s, 11,000 page faults"
  awk -v b="$1" -v a="$2" 'BEGIN { split(b, x, " "); split(a, y, " ")
    printf "of which system %.2f s, %d page faults", y[2] - x[2], y[1] - x[1] }'
}

# warm_up WORKDIR EVENTS: drops a file of EVENTS events for users "warm…" and waits until it is applied, so that the
# measured run sees a JIT-compiled process (BENCH_WARMUP=N in e2e.sh; 0 measures a cold process)
warm_up() {
  local work=$1 events=$2
  [ "$events" -gt 0 ] || return 0
  python3 "$ROOT/bench/gen.py" "$events" "${BENCH_WARMUP_USERS:-1000}" 99 "$work/warm.part" "$work/warm.tsv" --prefix warm
  mkdir -p "$work/app/inbox"
  mv "$work/warm.part" "$work/app/inbox/warm.jsonl"
  for _ in $(seq 1 600); do
    [ -f "$work/app/inbox/.done/warm.jsonl" ] && [ -z "$(ls "$work/app/outbox/" 2>/dev/null | grep jsonl)" ] && return 0
    sleep 0.1
  done
}

# wrk_field WRK_LINE NAME: the number after NAME= in the WRK line that bench/ingest.lua prints (requests, p99_us …)
wrk_field() {
  echo "$1" | sed "s/.* $2=\([0-9]*\).*/\1/"
}

# cpu_by_command: "java 12.34 postgres 5.67 wrk 1.23 other 0.45": CPU seconds (user+system) used so far by every
# process of those commands, summed (the kernel's threads and the rest under "other")
cpu_by_command() {
  local hz; hz=$(getconf CLK_TCK)
  # one cat for all processes (a process that ended meanwhile is skipped): a cat per process took 0.5 s idle and
  # over a second under load, so that a sample meant for the end of a wrk window came after wrk had ended
  cat /proc/[0-9]*/stat 2>/dev/null | awk -v hz="$hz" '
    /\(/ { i = index($0, ") "); c = substr($0, index($0, "(") + 1, i - index($0, "(") - 1); n = split(substr($0, i + 2), a, " ")
      if (n < 13) next; t = (a[12] + a[13]) / hz
      if (c == "java" || c == "postgres" || c == "wrk") cpu[c] += t; else cpu["other"] += t }
    END { printf "java %.2f postgres %.2f wrk %.2f other %.2f\n", cpu["java"], cpu["postgres"], cpu["wrk"], cpu["other"] }'
}

# cpu_split BEFORE AFTER SECONDS: what share of the machine's cores each command used between two cpu_by_command lines
cpu_split() {
  awk -v b="$1" -v a="$2" -v s="$3" -v cores="$(nproc)" 'BEGIN { n = split(b, x, " "); split(a, y, " ")
    for (i = 1; i < n; i += 2) printf "%s%s %.0f%%", (i > 1 ? ", " : ""), x[i], 100 * (y[i + 1] - x[i + 1]) / (s * cores)
    printf " of %d cores\n", cores }'
}

peak_rss_mb() {
  awk '/VmHWM/{print int($2/1024)}' "/proc/$1/status" 2>/dev/null || echo "?"
}
