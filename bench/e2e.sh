#!/usr/bin/env bash
# End to end: a JSONL file dropped into inbox/ of a running system, until every total is applied exactly.
# usage: bench/e2e.sh [EVENTS=1000000] [USERS=10000] [SEED=1] [--cents]
#        BENCH_WARMUP=N first applies N other events (users "warm…") to measure a warm process
source "$(dirname "$0")/lib.sh"
EVENTS=${1:-1000000}; USERS=${2:-10000}; SEED=${3:-1}; CENTS=${4:-}
WORK=$(mktemp -d /tmp/bench-e2e.XXXX)
build
machine
python3 "$ROOT/bench/gen.py" "$EVENTS" "$USERS" "$SEED" "$WORK/events.jsonl" "$WORK/expected.tsv" $CENTS
start "$WORK/app" ${BENCH_JAVA_OPTS:-}
warm_up "$WORK" "${BENCH_WARMUP:-0}"
mkdir -p "$WORK/app/inbox"
cpu0=$(cpu_seconds "$APP_PID"); t0=$(date +%s.%N)
mv "$WORK/events.jsonl" "$WORK/app/inbox/bench.jsonl"
wait_totals "$WORK/app" "$WORK/expected.tsv" 600
t1=$(date +%s.%N)
rss=$(peak_rss_mb "$APP_PID"); cpu1=$(cpu_seconds "$APP_PID")
stop
secs=$(echo "$t1 - $t0" | bc -l)
printf 'e2e: %d events, %d users, seed %s%s%s: %.2f s, %.0f events/s, JVM CPU %.1f s, peak RSS %s MB, totals exact\n' \
  "$EVENTS" "$USERS" "$SEED" "${CENTS:+ (2-decimal values)}" "${BENCH_WARMUP:+, after a warm-up of $BENCH_WARMUP events}" "$secs" "$(echo "$EVENTS / $secs" | bc -l)" "$(echo "$cpu1 - $cpu0" | bc -l)" "$rss"
[ -n "${BENCH_KEEP:-}" ] && echo "kept $WORK" || rm -rf "$WORK"
