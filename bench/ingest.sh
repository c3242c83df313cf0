#!/usr/bin/env bash
# Ingest: single-event POST /liveEvent under load from wrk (32 connections, 10 s), every 200 forced to disk;
# then checks that every 200 was applied (the sum of all totals equals the number of 200s).
# usage: bench/ingest.sh [CONNECTIONS=32] [SECONDS=10]; with ETL_KAFKA_BOOTSTRAP=embedded, in Kafka mode
source "$(dirname "$0")/lib.sh"
CONNS=${1:-32}; SECS=${2:-10}
command -v wrk > /dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
WORK=$(mktemp -d /tmp/bench-ingest.XXXX)
build
machine
ETL_ROLES=server,processor start "$WORK/app" ${BENCH_JAVA_OPTS:-}
export BENCH_PREFIX="ingest$RANDOM"
# warm-up, not counted
BENCH_PREFIX=warmup wrk -t2 -c"$CONNS" -d3s -s "$ROOT/bench/ingest.lua" "http://localhost:$PORT" > /dev/null
out=$(wrk -t2 -c"$CONNS" -d"${SECS}s" --latency -s "$ROOT/bench/ingest.lua" "http://localhost:$PORT")
echo "$out" | grep -E "Requests/sec|Latency|99%|50%"
line=$(echo "$out" | grep '^WRK ')
req=$(echo "$line" | sed 's/.*requests=\([0-9]*\).*/\1/')
bad=$(echo "$line" | sed 's/.*errors_status=\([0-9]*\).*/\1/')
p50=$(echo "$line" | sed 's/.*p50_us=\([0-9]*\).*/\1/')
p99=$(echo "$line" | sed 's/.*p99_us=\([0-9]*\).*/\1/')
p999=$(echo "$line" | sed 's/.*p999_us=\([0-9]*\).*/\1/')
ok=$((req - bad))
# every 200 must be applied: wait until the outbox is drained, then the run's users must add up to at least the
# number of 200s (and at most that plus the connections: requests cut by the end of the run may have been accepted
# without wrk counting their answer)
for _ in $(seq 1 600); do
  ls "$WORK/app/outbox/"*.jsonl > /dev/null 2>&1 || break
  sleep 0.1
done
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
printf 'ingest: %d connections, %d s: %d requests answered 200 (%d other), %.0f requests/s, p50 %.1f ms, p99 %.1f ms, p99.9 %.1f ms, %d outbox files; applied %s (every 200, plus requests cut by the end of the run)\n' \
  "$CONNS" "$SECS" "$ok" "$bad" "$(echo "$req / $SECS" | bc -l)" "$(echo "$p50 / 1000" | bc -l)" "$(echo "$p99 / 1000" | bc -l)" "$(echo "$p999 / 1000" | bc -l)" "$files" "$applied"
if [ "$applied" -lt "$ok" ] || [ "$applied" -gt $((ok + CONNS)) ]; then
  echo "NOT every 200 was applied exactly once" >&2; exit 1
fi
[ -n "${BENCH_KEEP:-}" ] && echo "kept $WORK" || rm -rf "$WORK"
