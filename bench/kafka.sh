#!/usr/bin/env bash
# Kafka mode beside the default mode, on this machine, one after the other: single-event ingest (wrk, 32 connections,
# 10 s; every 200 applied) and a 1M-line inbox file until every total is applied, each first in the default mode
# (the outbox folder, fsync per group commit), then in Kafka mode with the embedded single-node broker (acks=all from
# its page cache: see docs/EXACTLY_ONCE.md for what a 200 means there).
# usage: bench/kafka.sh [EVENTS=1000000]
set -euo pipefail
here=$(dirname "$0")
EVENTS=${1:-1000000}
echo "== default mode (outbox/)"
"$here/ingest.sh" 32 10 | grep "^ingest steady:"
"$here/e2e.sh" "$EVENTS" | tail -1
echo "== Kafka mode (ETL_KAFKA_BOOTSTRAP=embedded, 12 partitions)"
export ETL_KAFKA_BOOTSTRAP=embedded ETL_KAFKA_EMBEDDED_PORT=${ETL_KAFKA_EMBEDDED_PORT:-19500}
"$here/ingest.sh" 32 10 | grep "^ingest steady:"
"$here/e2e.sh" "$EVENTS" | tail -1
