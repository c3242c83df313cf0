#!/usr/bin/env bash
# Scale: (1) one million events over one million distinct users; (2) a ten-million-line inbox file through a
# process limited to -Xmx256m (bounded memory), both end to end with exact totals.
# usage: bench/scale.sh [users|big|both]
source "$(dirname "$0")/lib.sh"
WHAT=${1:-both}
build
machine
if [ "$WHAT" = users ] || [ "$WHAT" = both ]; then
  "$ROOT/bench/e2e.sh" 1000000 1000000 3 | tail -1 | sed 's/^e2e:/scale (1M distinct users):/'
fi
if [ "$WHAT" = big ] || [ "$WHAT" = both ]; then
  BENCH_JAVA_OPTS="-Xmx256m" "$ROOT/bench/e2e.sh" 10000000 10000 4 | tail -1 | sed 's/^e2e:/scale (10M lines, -Xmx256m):/'
fi
