#!/usr/bin/env bash
# Benchmark (not a test): the mock against the physical floor of this machine, a bare hyper 1
# server that reads the body and answers the sample's bytes (examples/bare_hyper.rs). Side by side,
# rounds alternated, each loaded by `wrk -t1 -c16` with the same POST body and headers on the
# statistics route:
#   bare        the floor
#   default     the mock as it starts by default (journal and request log on), --rate-limit off
#               so that a throughput test measures answers rather than 429s
#   no-log      the same with --no-request-log
# Each round starts with the next server. Prints each run's requests/s, then the median of each,
# the ratio the floor's target speaks of (default ÷ bare ≥ 0.80), and default ÷ no-log: what the
# request log (tracing-subscriber through tracing-appender) costs. That one has no target: the
# 5 % goal was retired (docs/performance.md). Figures go in docs/performance.md ("Mock", "The
# physical floor", "The request log's cost"). Binds 127.0.0.1 only; every server is stopped by
# its PID.
#
#   bash crates/wa-stats-mock/benches/floor.sh            # 5 rounds of 10 s each
#   ROUNDS=3 SECONDS_EACH=5 bash crates/wa-stats-mock/benches/floor.sh
#   SKIP_BUILD=1 …                                         # the release binaries as they are
#   MOCK_BINARY=path …                                     # another build of the mock
set -euo pipefail
cd "$(dirname "$0")/../../.."
rounds=${ROUNDS:-5}
seconds=${SECONDS_EACH:-10}
target=${CARGO_TARGET_DIR:-target}/release
command -v wrk >/dev/null || { echo "floor.sh needs wrk (apt-get install wrk)" >&2; exit 2; }
if [ -z "${SKIP_BUILD:-}" ]; then
    cargo build -q --release -p wa-stats-mock --bin wa-stats-mock --example bare_hyper
fi
work=$(mktemp -d)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT

cat >"$work/post.lua" <<'LUA'
wrk.method = "POST"
wrk.body = '{"campaign_id":12345}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-INS-AUTH-KEY"] = "INS.demo-key"
LUA

declare -A urls pid_of

# Starts a server (in this shell, so that its PID is kept for the cleanup); its stdout's ready
# line gives the URL. Its stderr (the request log) goes to a file, as a real log would.
start() { # name command…
    local name=$1
    shift
    "$@" >"$work/$name.out" 2>"$work/$name.err" &
    pids+=($!)
    pid_of[$name]=$!
    local url=
    for _ in $(seq 100); do
        url=$(grep -o 'http://127.0.0.1:[0-9]*' "$work/$name.out" || true)
        [ -n "$url" ] && break
        sleep 0.1
    done
    [ -n "$url" ] || { echo "$name did not start: $(cat "$work/$name.err")" >&2; exit 1; }
    urls[$name]=$url
}

# The CPU time (user + system, all threads) a process has used, in clock ticks.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

mock=${MOCK_BINARY:-$target/wa-stats-mock}
start bare "$target/examples/bare_hyper"
start default "$mock" --listen 127.0.0.1:0 --rate-limit off
start no-log "$mock" --listen 127.0.0.1:0 --rate-limit off --no-request-log
names=(bare default no-log)
ticks_per_second=$(getconf CLK_TCK)

for name in "${names[@]}"; do # warm-up: connections, allocator, page cache
    wrk -t1 -c16 -d2s -s "$work/post.lua" "${urls[$name]}/v1/statistics/campaign" >/dev/null
done
for round in $(seq "$rounds"); do
    # Each round starts with the next server, so that what one run leaves behind (the kernel
    # still writing the default's log file out) does not always fall on the same server's run.
    order=("${names[@]:round % 3}" "${names[@]:0:round % 3}")
    for name in "${order[@]}"; do
        before=$(cpu_ticks "${pid_of[$name]}")
        wrk -t1 -c16 "-d${seconds}s" -s "$work/post.lua" "${urls[$name]}/v1/statistics/campaign" >"$work/wrk.out"
        after=$(cpu_ticks "${pid_of[$name]}")
        rate=$(awk '/Requests\/sec/ {print $2}' "$work/wrk.out")
        requests=$(awk '/requests in/ {print $1}' "$work/wrk.out")
        # Server CPU per request: what the route costs, whatever else the machine does.
        cpu_us=$(python3 -c "print(f'{($after - $before) / $ticks_per_second * 1e6 / $requests:.1f}')")
        echo "round $round $name $rate $cpu_us" | tee -a "$work/rates"
    done
done
python3 - "$work/rates" <<'PY'
import statistics, sys
rates, cpu = {}, {}
for line in open(sys.argv[1]):
    _, _, name, rate, cpu_us = line.split()
    rates.setdefault(name, []).append(float(rate))
    cpu.setdefault(name, []).append(float(cpu_us))
median = {name: statistics.median(values) for name, values in rates.items()}
cost = {name: statistics.median(values) for name, values in cpu.items()}
for name, value in median.items():
    runs = ", ".join(f"{v:.0f}" for v in rates[name])
    print(f"{name:8} median {value:9.0f} req/s, server CPU {cost[name]:5.1f} us/request  (runs {runs})")
print(f"default / bare   = {median['default'] / median['bare']:.3f} by req/s, "
      f"{cost['bare'] / cost['default']:.3f} by CPU per request  (goal >= 0.80)")
print(f"no-log / bare    = {median['no-log'] / median['bare']:.3f} by req/s, "
      f"{cost['bare'] / cost['no-log']:.3f} by CPU per request")
print(f"default / no-log = {median['default'] / median['no-log']:.3f} by req/s, "
      f"{cost['no-log'] / cost['default']:.3f} by CPU per request  (the request log's cost)")
PY
