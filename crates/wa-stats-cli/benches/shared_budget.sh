#!/usr/bin/env bash
# Benchmark (not a test) of issue 13's shared rate budget: 4 `wa-stats` processes x 250 campaigns,
# one credential, against `wa-stats-mock` at its exact 100/s with 50 ms of server latency.
# Compares: the 4 on one budget in Redis; the same 4 without it; one process doing all 1 000.
# Prints wall / ideal (1 000 requests at 100/s = 10 s), 429s and retries (from the mock's
# journal), then what one admission costs in Redis. Everything binds 127.0.0.1.
#
#   bash crates/wa-stats-cli/benches/shared_budget.sh [ROUNDS]
#
# Uses the debug binaries, or with PROFILE=release the release ones (what users run): neither
# side is CPU-bound at 100 requests a second, but a debug build wakes and sends with more jitter,
# and four debug processes on two cores more still. Figures and their reading:
# docs/performance.md, "Shared budget".
set -euo pipefail
cd "$(dirname "$0")/../../.."
rounds=${1:-3}

profile=${PROFILE:-debug}
if [ "$profile" = release ]; then
  cargo build --quiet --release -p wa-stats-cli -p wa-stats-mock --bins
else
  cargo build --quiet -p wa-stats-cli -p wa-stats-mock --bins
fi
bin=${CARGO_TARGET_DIR:-target}/$profile

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
redis_port=$(free_port)
mock_port=$(free_port)
redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no >/dev/null &
redis_pid=$!
"$bin/wa-stats-mock" --listen "127.0.0.1:$mock_port" --rate-limit 100 --journal 20000 >/dev/null 2>&1 &
mock_pid=$!
trap 'kill "$redis_pid" "$mock_pid" 2>/dev/null || true' EXIT
base="http://127.0.0.1:$mock_port"
for _ in $(seq 100); do
  if redis-cli -p "$redis_port" ping >/dev/null 2>&1 && curl -sf "$base/healthz" >/dev/null 2>&1; then break; fi
  sleep 0.05
done

# The id lists are written before any clock starts: the run times wa-stats, not Python's start.
lists=$(mktemp -d)
trap 'kill "$redis_pid" "$mock_pid" 2>/dev/null || true; rm -rf "$lists"' EXIT
for each in 250 1000; do
  python3 -c "import sys; print('\n'.join(('12345','12346')[n % 2] for n in range(int(sys.argv[1]))))" "$each" >"$lists/$each"
done

# run NAME PROCESSES CAMPAIGNS_EACH [wa-stats options…]
run() {
  local name=$1 processes=$2 each=$3
  shift 3
  curl -sf -X POST "$base/__admin/reset"
  curl -sf -X POST "$base/__admin/faults" -H 'content-type: application/json' \
    -d '{"delayMs":50,"times":1000000}'
  local start end pids=()
  start=$(date +%s.%N)
  for _ in $(seq "$processes"); do
    "$bin/wa-stats" campaign - --format csv --base-url "$base" \
      --api-key INS.demo-key --max-retries 20 -q "$@" <"$lists/$each" >/dev/null &
    pids+=($!)
  done
  local failed=0
  for pid in "${pids[@]}"; do wait "$pid" || failed=$((failed + 1)); done
  end=$(date +%s.%N)
  curl -sf "$base/__admin/journal" | python3 -c '
import json, sys
name, start, end, processes, each, failed = sys.argv[1:]
entries = [e for e in json.load(sys.stdin) if e["path"].endswith("/statistics/campaign")]
wanted = int(processes) * int(each)
limited = sum(1 for e in entries if e["status"] == 429)
at = sorted(e["received_us"] for e in entries if e["status"] != 429)
peak, first = 0, 0
for last, t in enumerate(at):
    while t - at[first] >= 1_000_000:
        first += 1
    peak = max(peak, last + 1 - first)
wall = float(end) - float(start)
print(f"{name:<28} wall {wall:6.2f} s  wall/ideal {wall / (wanted / 100):5.3f}  "
      f"requests {len(entries):5}  429s {limited:5}  retries {len(entries) - wanted:5}  "
      f"peak/s (admitted) {peak:3}  processes failed {failed}")
' "$name" "$start" "$end" "$processes" "$each" "$failed"
}

for round in $(seq "$rounds"); do
  echo "-- round $round"
  run "4 x 250, shared budget" 4 250 --shared-budget "redis://127.0.0.1:$redis_port"
  run "4 x 250, no shared budget" 4 250
  run "1 x 1000" 1 1000
done

echo "-- one admission in Redis: reserve (gcra.lua), then record the send (sent.lua)"
scripts=crates/wa-stats-client/src/budget
reserve=$(redis-cli -p "$redis_port" script load "$(cat "$scripts/gcra.lua")")
record=$(redis-cli -p "$redis_port" script load "$(cat "$scripts/sent.lua")")
# cost NAME SHA ARGS…: the round trip (one connection) and Redis's CPU per call.
cost() {
  local name=$1 sha=$2
  shift 2
  redis-cli -p "$redis_port" config resetstat >/dev/null
  printf '%-8s ' "$name"
  redis-benchmark -p "$redis_port" -c 1 -n 20000 -q evalsha "$sha" "$@" \
    | tr '\r' '\n' | grep -v '^$' | tail -1 | sed 's/^.*: //'
  printf '%-8s ' ''
  redis-cli -p "$redis_port" info commandstats | grep -i '^cmdstat_evalsha' | tr -d '\r'
}
cost reserve "$reserve" 1 bench:budget 10101
# A window of 0 s: every send fits, so each call writes, as on schedule.
cost record "$record" 1 bench:budget:sent 100 0
