#!/usr/bin/env bash
# Ingest: single-event POST /liveEvent under load from wrk (32 connections), every 200 forced to disk; then checks
# that every 200 was applied (the sum of all totals equals the number of 200s).
#
# One process is measured twice: a 3 s warm-up and SECONDS measured ("first"), then more load until it has run 40 s
# and SECONDS measured again ("steady"). On two cores the JIT compiler's threads take 0.7 of a core for the first
# 15-20 s under this load (per-thread CPU from /proc/<pid>/task), so the first window measures mostly the warm-up; a
# server runs for days, and the steady window is its figure. bench/peers.sh measures peer A's server the same way.
#
# usage: bench/ingest.sh [CONNECTIONS=32] [SECONDS=10]
#   INGEST_ROLES=server  the server alone during the load, as peer A's server is measured; the processor is started
#                        after it on the same folders to apply the outbox and check it (default: server,processor,
#                        the processor applying while the server takes the load)
#   with ETL_KAFKA_BOOTSTRAP=embedded, in Kafka mode
source "$(dirname "$0")/lib.sh"
CONNS=${1:-32}; SECS=${2:-10}
ROLES=${INGEST_ROLES:-server,processor}
command -v wrk > /dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
WORK=$(mktemp -d /tmp/bench-ingest.XXXX)
build
machine
ETL_ROLES=$ROLES start "$WORK/app" ${BENCH_JAVA_OPTS:-}
export BENCH_PREFIX="ingest$RANDOM"
URL="http://localhost:$PORT"

# window NAME: SECS of measured load; prints wrk's figures and the CPU split, sets NAME_ok, NAME_rps, NAME_p50 …
window() {
  local name=$1 out line req bad cpu0 cpu1 pid t0 t1 w0
  # the CPU split is sampled while wrk runs (from 1 s in to 1 s before its end: a process that ended leaves no figure),
  # over the time that really passed between the two samples
  w0=$(date +%s.%N)
  wrk -t2 -c"$CONNS" -d"${SECS}s" --latency -s "$ROOT/bench/ingest.lua" "$URL" > "$WORK/wrk.out" &
  pid=$!
  sleep 1; t0=$(date +%s.%N); cpu0=$(cpu_by_command)
  sleep "$(echo "$w0 + $SECS - 1 - $(date +%s.%N)" | bc -l | sed 's/^-.*/0/')"
  t1=$(date +%s.%N); cpu1=$(cpu_by_command)
  wait $pid
  out=$(cat "$WORK/wrk.out"); line=$(echo "$out" | grep '^WRK ')
  req=$(wrk_field "$line" requests); bad=$(wrk_field "$line" errors_status)
  printf -v "${name}_ok" '%d' $((req - bad)); printf -v "${name}_bad" '%d' "$bad"
  printf -v "${name}_rps" '%.0f' "$(echo "$req / $SECS" | bc -l)"
  local q
  for q in p50 p99 p999; do
    printf -v "${name}_$q" '%.1f' "$(echo "$(wrk_field "$line" "${q}_us") / 1000" | bc -l)"
  done
  printf -v "${name}_cpu" '%s' "$(cpu_split "$cpu0" "$cpu1" "$(echo "$t1 - $t0" | bc -l)")"
}

t_start=$(date +%s)
BENCH_PREFIX=warmup wrk -t2 -c"$CONNS" -d3s -s "$ROOT/bench/ingest.lua" "$URL" > /dev/null
window first
more=$((40 - $(date +%s) + t_start)); [ "$more" -gt 0 ] || more=1
BENCH_PREFIX=warmup wrk -t2 -c"$CONNS" -d"${more}s" -s "$ROOT/bench/ingest.lua" "$URL" > /dev/null
window steady
ok=$((first_ok + steady_ok))

if [[ $ROLES != *processor* ]] && [ -z "${ETL_KAFKA_BOOTSTRAP:-}" ]; then
  # the server's outbox, applied by a processor-only process on the same folders
  stop
  ETL_ROLES=processor start_noport "$WORK/app" ${BENCH_JAVA_OPTS:-}
fi
# every 200 must be applied: wait until the outbox is drained, then the run's users must add up to at least the
# number of 200s (and at most that plus the connections: requests cut by the end of a window may have been accepted
# without wrk counting their answer)
wait_drained "$WORK/app"
sleep 0.5
# and until the totals hold every 200 (in Kafka mode there is no outbox to drain: the processor's lag is on the topic)
for _ in $(seq 1 600); do
  applied=$(sql "$WORK/app" "SELECT COALESCE(SUM(revenue),0)::bigint FROM users_revenue WHERE user_id LIKE '$BENCH_PREFIX-%'")
  [ "$applied" -ge "$ok" ] && break
  sleep 0.1
done
sleep 0.5
applied=$(sql "$WORK/app" "SELECT COALESCE(SUM(revenue),0)::bigint FROM users_revenue WHERE user_id LIKE '$BENCH_PREFIX-%'")
files=$( (ls "$WORK/app/outbox/.done" 2>/dev/null || true) | wc -l)
stop
for w in first steady; do
  v() { local n="${w}_$1"; echo "${!n}"; }
  printf 'ingest %s: roles %s, %d connections, %d s: %d requests answered 200 (%d other), %d requests/s, p50 %s ms, p99 %s ms, p99.9 %s ms; CPU %s\n' \
    "$w" "$ROLES" "$CONNS" "$SECS" "$(v ok)" "$(v bad)" "$(v rps)" "$(v p50)" "$(v p99)" "$(v p999)" "$(v cpu)"
done
printf 'ingest: %d outbox files in all; applied %s of the measured windows'"'"' %d 200s (every 200, plus requests cut by the end of a window)\n' \
  "$files" "$applied" "$ok"
if [ "$applied" -lt "$ok" ] || [ "$applied" -gt $((ok + 2 * CONNS)) ]; then
  echo "NOT every 200 was applied exactly once" >&2; exit 1
fi
[ -n "${BENCH_KEEP:-}" ] && echo "kept $WORK" || rm -rf "$WORK"
