#!/usr/bin/env bash
# End to end: a JSONL file dropped into inbox/ of a running system, until every total is applied exactly.
# usage: bench/e2e.sh [EVENTS=1000000] [USERS=10000] [SEED=1] [--cents]
#        BENCH_WARMUP=N first applies N other events (users "warm…", BENCH_WARMUP_USERS of them, default 1000) to
#        measure a warm process
source "$(dirname "$0")/lib.sh"
EVENTS=${1:-1000000}; USERS=${2:-10000}; SEED=${3:-1}; CENTS=${4:-}
WORK=$(mktemp -d /tmp/bench-e2e.XXXX)
build
machine
python3 "$ROOT/bench/gen.py" "$EVENTS" "$USERS" "$SEED" "$WORK/events.jsonl" "$WORK/expected.tsv" $CENTS
start "$WORK/app" ${BENCH_JAVA_OPTS:-}
warm_up "$WORK" "${BENCH_WARMUP:-0}"
mkdir -p "$WORK/app/inbox"
feed() { mv "$WORK/events.jsonl" "$WORK/app/inbox/bench.jsonl"; }
# (Kafka mode spools nothing into outbox/: there the totals decide)
[ -n "${ETL_KAFKA_BOOTSTRAP:-}" ] || drained() { wait_drained "$WORK/app" bench.jsonl; }
measure e2e "$EVENTS events, $USERS users, seed $SEED${CENTS:+ (2-decimal values)}${BENCH_WARMUP:+, after a warm-up of $BENCH_WARMUP events}"
