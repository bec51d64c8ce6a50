#!/usr/bin/env bash
# Benchmark (not a test): `wa-stats sync` by reconciliation (issue 32) against the mock at its
# 100/s rate limit, on realistic synthetic campaigns (`--synthetic-activity realistic`,
# docs/mock.md), into SQLite:
#   1. the first sync of CAMPAIGNS (default 1 000) × 365 days: requests (beside one per day) and
#      wall time, and wall ÷ (requests ÷ 100 s);
#   2. the next day's cron with --lookback 28, after CHANGED (default 1 %) of the campaigns got a
#      new day of data inside the window through the admin API: requests per campaign, wall;
#   3. the day after, nothing changed: requests per unchanged campaign.
# One request per day would send CAMPAIGNS × 365 requests for 1 and CAMPAIGNS × 29 for 2: exact
# by construction, so it is counted, not waited for (`--per-day` gives it when wanted).
# Figures go in docs/performance.md ("sync by reconciliation").
#
#   crates/wa-stats-cli/benches/reconcile.sh
#   CAMPAIGNS=100 crates/wa-stats-cli/benches/reconcile.sh   # a shorter run
#   DATA_DAYS=400 …   # campaigns still active after the synced year (new days are then changes)
#   SKIP_BUILD=1 …                                          # the binaries already built
#
# Debug binaries (the rate limit, not the build, sets the pace). Binds 127.0.0.1 only; the mock
# is stopped by its PID.
set -euo pipefail
cd "$(dirname "$0")/../../.."
target=${CARGO_TARGET_DIR:-target}/debug
[ -n "${SKIP_BUILD:-}" ] || cargo build -q -p wa-stats-cli -p wa-stats-mock
campaigns=${CAMPAIGNS:-1000}
changed=${CHANGED:-$((campaigns / 100))}
work=$(mktemp -d)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT

"$target/wa-stats-mock" --listen 127.0.0.1:0 --journal off --no-request-log \
    --synthetic-campaigns "$campaigns" --synthetic-days "${DATA_DAYS:-365}" --synthetic-activity realistic \
    --seed "${SEED:-1}" >"$work/mock.out" 2>"$work/mock.err" &
pids+=($!)
url=
for _ in $(seq 300); do
    url=$(grep -o 'http://127.0.0.1:[0-9]*' "$work/mock.out" || true)
    [ -n "$url" ] && break
    sleep 0.1
done
[ -n "$url" ] || { echo "the mock did not start: $(cat "$work/mock.err")" >&2; exit 1; }

seq 1000000 $((1000000 + campaigns - 1)) >"$work/ids"
requests_of() { grep -o '[0-9]* requests' "$1" | grep -o '[0-9]*'; }

# 1. First sync.
"$target/wa-stats" sync - --db "$work/bench.db" --from 2018-01-01 --to 2019-01-01 \
    --base-url "$url" --token demo-token <"$work/ids" 2>"$work/first.err" >/dev/null &
sync_pid=$!
started=$(date +%s.%N)
wait "$sync_pid" || { cat "$work/first.err" >&2; exit 1; }
ended=$(date +%s.%N)
first=$(requests_of "$work/first.err")
python3 - "$started" "$ended" "$first" "$campaigns" <<'PY'
import sys
start, end, requests, campaigns = float(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
wall = end - start
per_day = campaigns * 365
print(f"first sync: {campaigns} campaigns x 365 days: {requests} requests "
      f"({requests / per_day:.2%} of one per day: {per_day}), {wall:.1f} s, "
      f"wall / (requests / 100 s) = {wall / (requests / 100):.4f}")
PY
tail -n 1 "$work/first.err"

# 2. The next day's cron, CHANGED campaigns with late data inside the 28-day window.
for offset in $(seq 0 $((changed - 1))); do
    id=$((1000000 + offset * (campaigns / changed)))
    curl -fsS -X PUT "$url/__admin/campaigns/$id" -H 'content-type: application/json' \
        -d "{\"id\":$id,\"owner\":\"demo\",\"days\":[{\"date\":\"2018-12-20\",\"delivered\":5,\"open\":2}]}" >/dev/null
done
"$target/wa-stats" sync - --db "$work/bench.db" --from 2018-01-01 --to 2019-01-02 --lookback 28 \
    --base-url "$url" --token demo-token <"$work/ids" 2>"$work/next.err" >/dev/null &
sync_pid=$!
started=$(date +%s.%N)
wait "$sync_pid" || { cat "$work/next.err" >&2; exit 1; }
ended=$(date +%s.%N)
next=$(requests_of "$work/next.err")
python3 - "$started" "$ended" "$next" "$campaigns" "$changed" <<'PY'
import sys
start, end, requests, campaigns, changed = float(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
wall = end - start
print(f"next day, --lookback 28, {changed} campaigns changed: {requests} requests "
      f"({requests / campaigns:.3f} per campaign; one per day: {campaigns * 29}), {wall:.1f} s, "
      f"wall / (requests / 100 s) = {wall / (requests / 100):.4f}")
PY
tail -n 1 "$work/next.err"

# 3. The day after, nothing changed: what an unchanged campaign costs.
"$target/wa-stats" sync - --db "$work/bench.db" --from 2018-01-01 --to 2019-01-03 --lookback 28 \
    --base-url "$url" --token demo-token <"$work/ids" 2>"$work/quiet.err" >/dev/null || {
    cat "$work/quiet.err" >&2
    exit 1
}
quiet=$(requests_of "$work/quiet.err")
python3 -c "print(f'the day after, nothing changed: $quiet requests ({$quiet / $campaigns:.3f} per campaign)')"
tail -n 1 "$work/quiet.err"
