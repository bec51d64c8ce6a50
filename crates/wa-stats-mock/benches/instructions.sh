#!/usr/bin/env bash
# Server-side cost of each route in instructions per request: the mock binary runs under
# valgrind's callgrind while wrk loads it over 127.0.0.1. Instruction counts do not depend on what
# else the machine is doing, so these figures hold still where requests/s on a shared 2-core
# machine moves by ±20 % (see docs/performance.md). They count user space only (not the kernel's
# socket work) and the server only (not the load generator).
#
# Needs valgrind and wrk (Debian: apt-get install valgrind wrk). Usage, from the workspace root:
#   bash crates/wa-stats-mock/benches/instructions.sh [seconds per route, default 10]
#   MOCK_BINARY=path/to/wa-stats-mock bash crates/wa-stats-mock/benches/instructions.sh
set -euo pipefail

seconds=${1:-10}
port=18181
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

for tool in valgrind wrk; do
    command -v "$tool" >/dev/null || { echo "instructions.sh needs $tool (apt-get install $tool)" >&2; exit 2; }
done

# MOCK_BINARY measures another build (an older commit's, say) with the same load.
if [[ -z ${MOCK_BINARY:-} ]]; then
    cargo build --release --quiet -p wa-stats-mock
fi
binary=${MOCK_BINARY:-${CARGO_TARGET_DIR:-target}/release/wa-stats-mock}

# A POST script for wrk: method, body and the API-key header (the built-in data's demo partner).
post_script() { # name body
    cat >"$work/$1.lua" <<EOF
wrk.method = "POST"
wrk.body = '$2'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-INS-AUTH-KEY"] = "INS.demo-key"
EOF
    echo "$work/$1.lua"
}

# Runs the server under callgrind, loads one route (or none), prints "requests instructions".
# The request log is off (RUST_LOG=warn): this counts the routes. The log is tracing's, and its
# cost is measured in requests/s by floor.sh (docs/performance.md).
measure() { # name path [lua script]
    local name=$1 path=$2 script=${3:-} level=warn
    local log="$work/$name.log"
    RUST_LOG=$level valgrind --tool=callgrind --callgrind-out-file="$work/$name.out" \
        "$binary" --listen "127.0.0.1:$port" --rate-limit off \
        --synthetic-campaigns 100 --synthetic-days 3650 --seed 1 >"$log" 2>&1 &
    local server=$!
    for _ in $(seq 1 120); do grep -q "listening on" "$log" && break; sleep 0.5; done
    local requests=0
    if [[ -n $path ]]; then
        local args=(-t1 -c4 "-d${seconds}s")
        [[ -n $script ]] && args+=(-s "$script")
        requests=$(wrk "${args[@]}" "http://127.0.0.1:$port$path" | awk '/requests in/ {print $1}')
    fi
    kill -INT "$server"
    wait "$server" || true
    local total
    total=$(awk '/Collected :/ {print $4}' "$log")
    echo "$requests $total"
}

one_day='{"campaign_id":1000001,"start_time":1654041600,"end_time":1654128000}'
lifetime='{"campaign_id":1000001}'
read -r _ baseline < <(measure idle "")

printf '| route | requests | instructions per request |\n| --- | --- | --- |\n'
row() { # label name path [script]
    local requests total
    read -r requests total < <(measure "$2" "$3" "${4:-}")
    printf '| %s | %s | %s |\n' "$1" "$requests" "$(((total - baseline) / requests))"
}
row 'GET /healthz' healthz /healthz
row 'statistics, one-day range' one-day /v1/statistics/campaign "$(post_script one-day "$one_day")"
row 'statistics, lifetime (10 years)' lifetime /v1/statistics/campaign "$(post_script lifetime "$lifetime")"
row 'POST with the same body, 404' not-found /nowhere "$(post_script not-found "$one_day")"
