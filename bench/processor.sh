#!/usr/bin/env bash
# Processor: one million events placed in outbox/ of a running system (as the server spools them: files of requests
# of 5,000 events), until every total is applied exactly.
# usage: bench/processor.sh [EVENTS=1000000] [USERS=10000] [SEED=1] [--cents]
source "$(dirname "$0")/lib.sh"
EVENTS=${1:-1000000}; USERS=${2:-10000}; SEED=${3:-1}; CENTS=${4:-}
WORK=$(mktemp -d /tmp/bench-processor.XXXX)
build
machine
# BENCH_GEN_OPTS=--json-spool writes the spool lines in the JSON form (for a build from before the compact form)
python3 "$ROOT/bench/gen.py" "$EVENTS" "$USERS" "$SEED" "$WORK/spool.jsonl" "$WORK/expected.tsv" $CENTS --spool 5000 \
  ${BENCH_GEN_OPTS:-}
# ten requests (50,000 events) a file, as a busy server's group commit would write them, named as the server names them
mkdir -p "$WORK/parts" && split -l 10 -d -a 4 --additional-suffix=.jsonl "$WORK/spool.jsonl" "$WORK/parts/0000000000000-bench-"
ETL_ROLES=processor start_noport "$WORK/app" ${BENCH_JAVA_OPTS:-}
# one mv for all of them (renames on one file system): a mv per file, a process each, took 70-100 ms of the clock
feed() { mv "$WORK"/parts/*.jsonl "$WORK/app/outbox/"; }
drained() { wait_drained "$WORK/app"; }
measure processor "$EVENTS events, $USERS users, seed $SEED${CENTS:+ (2-decimal values)}"
