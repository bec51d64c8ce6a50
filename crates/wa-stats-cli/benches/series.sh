#!/usr/bin/env bash
# Benchmark (not a test): a 30-day series of 100 campaigns (3 000 requests) against the mock at
# its 100/s rate limit, every answer delayed 50 ms. Prints wall time, wall ÷ ideal (30 s) and the
# number of 429s the mock answered (from its journal). DELAY_MS=0 runs without the delay. Figures go in docs/performance.md.
#
#   crates/wa-stats-cli/benches/series.sh [extra wa-stats flags, e.g. --concurrency 32]
#
# Uses the debug binaries (`cargo build -p wa-stats-cli -p wa-stats-mock`), or with PROFILE=release
# the release ones, which is what users run: at 100 requests a second neither side is CPU-bound,
# but a debug build's send jitter is larger. Binds 127.0.0.1 only; the mock is stopped by its PID.
set -euo pipefail
cd "$(dirname "$0")/../../.."
profile=${PROFILE:-debug}
target=${CARGO_TARGET_DIR:-target}/$profile
if [ "$profile" = release ]; then
    cargo build -q --release -p wa-stats-cli -p wa-stats-mock
else
    cargo build -q -p wa-stats-cli -p wa-stats-mock
fi

log=$(mktemp)
"$target/wa-stats-mock" --listen 127.0.0.1:0 --synthetic-campaigns 100 --synthetic-days 30 \
    >"$log.out" 2>"$log" &
mock=$!
trap 'kill "$mock" 2>/dev/null || true; rm -f "$log" "$log.out"' EXIT
for _ in $(seq 100); do
    url=$(grep -o 'http://127.0.0.1:[0-9]*' "$log.out" || true)
    [ -n "$url" ] && break
    sleep 0.1
done
[ -n "$url" ] || { echo "the mock did not start: $(cat "$log")" >&2; exit 1; }
# 50 ms (DELAY_MS) on every answer: a fault that delays, then answers normally.
curl -fsS -X POST "$url/__admin/faults" -H 'content-type: application/json' \
    -d "{\"delayMs\":${DELAY_MS:-50},\"times\":1000000}" >/dev/null

ids=$(seq 1000000 1000099)
start=$(date +%s.%N)
# shellcheck disable=SC2086
"$target/wa-stats" campaign $ids --from 2018-01-01 --to 2018-01-31 --by day --format csv \
    --base-url "$url" --token demo-token -q "$@" >/dev/null || status=$?
end=$(date +%s.%N)
# The mock's journal keeps the last 10 000 requests, with the status each got.
rows=$(curl -fsS "$url/__admin/journal" | { grep -o '"status":429' || true; } | wc -l)
awk -v s="$start" -v e="$end" -v r="$rows" -v st="${status:-0}" 'BEGIN {
    w = e - s; printf "wall %.2f s, wall/ideal %.3f (ideal 30 s), 429s %d, exit %d\n", w, w / 30, r, st }'
