#!/usr/bin/env bash
# The jobs (issue 12), on one machine, one after the other:
#  1. a 1M-line JSONL file dropped into inbox/ of a fresh system, until every total is applied (the inbox figure);
#  2. the same file uploaded through POST /imports to a fresh system, from the first byte sent until every total is
#     applied (target: within 1.5x of 1.);
#  3. the audit of those million events (POST /audits until completed);
#  4. a CSV export of one million totals (1M users put into users_revenue first), its time and the process's memory
#     before and during it (target: flat).
# usage: bench/jobs.sh [EVENTS=1000000] [USERS=10000] [SEED=1]
source "$(dirname "$0")/lib.sh"
EVENTS=${1:-1000000}; USERS=${2:-10000}; SEED=${3:-1}
WORK=$(mktemp -d /tmp/bench-jobs.XXXX)
build
machine
python3 "$ROOT/bench/gen.py" "$EVENTS" "$USERS" "$SEED" "$WORK/events.jsonl" "$WORK/expected.tsv"
now() { date +%s.%N; }
secs() { printf '%.2f' "$(echo "$2 - $1" | bc -l)"; }
api() { curl -s -H 'Authorization: secret' "$@"; }
await_job() { # await_job PATH: polls GET PATH until its status is completed (fails on failed)
  local s
  for _ in $(seq 1 6000); do
    s=$(api "localhost:$PORT$1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["status"])')
    [ "$s" = completed ] && return 0
    [ "$s" = failed ] && { api "localhost:$PORT$1" >&2; return 1; }
    sleep 0.05
  done
  return 1
}
rss_now() { awk '/VmRSS/{print int($2/1024)}' "/proc/$1/status"; }

# 1. the inbox
cp "$WORK/events.jsonl" "$WORK/copy.jsonl"
start "$WORK/inbox" ${BENCH_JAVA_OPTS:-}
mkdir -p "$WORK/inbox/inbox"
t0=$(now); mv "$WORK/copy.jsonl" "$WORK/inbox/inbox/bench.jsonl"
wait_totals "$WORK/inbox" "$WORK/expected.tsv" 600; t1=$(now)
inbox=$(secs "$t0" "$t1")
echo "inbox: $EVENTS lines dropped into inbox/ until every total applied: $inbox s"
stop

# 2. the import
start "$WORK/app" ${BENCH_JAVA_OPTS:-}
t0=$(now)
code=$(api -o "$WORK/created.json" -w '%{http_code}' -X POST "localhost:$PORT/imports" \
  -H 'Content-Type: application/x-ndjson' --data-binary @"$WORK/events.jsonl")
t_up=$(now)
[ "$code" = 202 ] || { echo "POST /imports answered $code: $(cat "$WORK/created.json")" >&2; exit 1; }
id=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["id"])' "$WORK/created.json")
await_job "/imports/$id"; t_job=$(now)
wait_totals "$WORK/app" "$WORK/expected.tsv" 600; t1=$(now)
import=$(secs "$t0" "$t1")
echo "import: $EVENTS lines through POST /imports until every total applied: $import s (upload and fsync $(secs "$t0" "$t_up") s, job completed at $(secs "$t0" "$t_job") s); $(echo "scale=2; $import / $inbox" | bc -l)x the inbox (target <= 1.5x)"

# 3. the audit of the million
t0=$(now)
id=$(api -X POST "localhost:$PORT/audits" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
await_job "/audits/$id"; t1=$(now)
api "localhost:$PORT/audits/$id" | python3 -c 'import json,sys
j = json.load(sys.stdin)
assert j["mismatches"] == 0 and j["archive"]["complete"], j
print("audit: %d events in %d files, %d users checked, 0 mismatches, archive complete: " % (j["events"], j["files"], j["users"]), end="")'
echo "$(secs "$t0" "$t1") s"

# 4. a CSV export of a million totals
sql "$WORK/app" "INSERT INTO users_revenue SELECT 'big' || g, g / 100.0 FROM generate_series(1, 1000000) g" > /dev/null
rows=$(sql "$WORK/app" "SELECT count(*) FROM users_revenue")
before=$(rss_now "$APP_PID")
t0=$(now)
id=$(api -X POST "localhost:$PORT/exports" -d '{"format": "csv"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
peak=$before
while :; do
  r=$(rss_now "$APP_PID"); [ "$r" -gt "$peak" ] && peak=$r
  s=$(api "localhost:$PORT/exports/$id" | python3 -c 'import json,sys; print(json.load(sys.stdin)["status"])')
  [ "$s" = completed ] && break
  [ "$s" = failed ] && { echo "the export failed" >&2; exit 1; }
  sleep 0.05
done
t1=$(now)
bytes=$(api "localhost:$PORT/exports/$id" | python3 -c 'import json,sys; j = json.load(sys.stdin); assert j["rows"] == int(sys.argv[1]), j; print(j["bytes"])' "$rows")
echo "export: $rows rows as CSV ($bytes bytes): $(secs "$t0" "$t1") s; RSS $before MB before, at most $peak MB during"
stop
rm -rf "$WORK"
