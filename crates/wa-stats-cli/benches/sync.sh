#!/usr/bin/env bash
# Benchmark (not a test): `wa-stats sync` of 100 campaigns × 365 days (36 500 one-day requests)
# against the mock at its 100/s rate limit, every answer delayed 50 ms, into SQLite and into
# PostgreSQL. Prints, per engine, the wall time, wall ÷ the rate limit's floor
# ((N − 1)/100 s + one latency = 365.04 s) and the database's time (from the summary line).
# Figures go in docs/performance.md ("CLI sync").
#
#   crates/wa-stats-cli/benches/sync.sh            # both engines, one after the other
#   ENGINES=sqlite crates/wa-stats-cli/benches/sync.sh
#   DAYS=30 crates/wa-stats-cli/benches/sync.sh    # a shorter run (floor scaled)
#   SKIP_BUILD=1 …                                  # use the binaries already built
#
# Debug binaries unless PROFILE=release. Binds 127.0.0.1 only; the mock and PostgreSQL (initdb and
# postgres as the `postgres` user when run as root) are stopped by their PIDs.
set -euo pipefail
cd "$(dirname "$0")/../../.."
profile=${PROFILE:-debug}
target=${CARGO_TARGET_DIR:-target}/$profile
if [ -n "${SKIP_BUILD:-}" ]; then
    : # SKIP_BUILD=1: the binaries as they are in the target directory
elif [ "$profile" = release ]; then
    cargo build -q --release -p wa-stats-cli -p wa-stats-mock
else
    cargo build -q -p wa-stats-cli -p wa-stats-mock
fi
days=${DAYS:-365}
engines=${ENGINES:-sqlite postgres}
work=$(mktemp -d)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

start_mock() {
    "$target/wa-stats-mock" --listen 127.0.0.1:0 --journal off --synthetic-campaigns 100 \
        --synthetic-days "$days" >"$work/mock.out" 2>"$work/mock.err" &
    pids+=($!)
    url=
    for _ in $(seq 100); do
        url=$(grep -o 'http://127.0.0.1:[0-9]*' "$work/mock.out" || true)
        [ -n "$url" ] && break
        sleep 0.1
    done
    [ -n "$url" ] || { echo "the mock did not start: $(cat "$work/mock.err")" >&2; exit 1; }
    curl -fsS -X POST "$url/__admin/faults" -H 'content-type: application/json' \
        -d "{\"delayMs\":${DELAY_MS:-50},\"times\":1000000}" >/dev/null
}

start_postgres() {
    local bin as=()
    bin=$(ls -d /usr/lib/postgresql/*/bin | sort | tail -1)
    [ "$(id -u)" = 0 ] && as=(setpriv --reuid=postgres --regid=postgres --clear-groups)
    mkdir -p "$work/pg" && [ "$(id -u)" = 0 ] && chown postgres: "$work/pg"
    chmod 755 "$work"
    "${as[@]}" "$bin/initdb" -A trust -U postgres --no-sync -D "$work/pg/data" >/dev/null
    local port; port=$(free_port)
    "${as[@]}" "$bin/postgres" -D "$work/pg/data" -k "$work/pg" -p "$port" \
        -c listen_addresses=127.0.0.1 >"$work/pg.log" 2>&1 &
    pids+=($!)
    for _ in $(seq 100); do
        "$bin/pg_isready" -q -h 127.0.0.1 -p "$port" && break
        sleep 0.1
    done
    db="postgres://postgres@127.0.0.1:$port/postgres"
}

ids=$(seq 1000000 1000099)
to=$(date -u -d "2018-01-01 + $days days" +%F)
for engine in $engines; do
    start_mock
    case $engine in
        sqlite) db="$work/bench.db" ;;
        postgres) start_postgres ;;
    esac
    start=$(date +%s.%N)
    # shellcheck disable=SC2086
    "$target/wa-stats" sync $ids --db "$db" --from 2018-01-01 --to "$to" --per-day \
        --base-url "$url" --token demo-token "$@" 2>"$work/summary" || status=$?
    end=$(date +%s.%N)
    summary=$(tail -1 "$work/summary")
    database=$(grep -o 'database [0-9.]*' <<<"$summary" | cut -d' ' -f2)
    awk -v s="$start" -v e="$end" -v n="$((100 * days))" -v d="${database:-0}" -v st="${status:-0}" \
        -v engine="$engine" 'BEGIN {
        floor = (n - 1) / 100 + 0.05; w = e - s
        printf "%s: wall %.2f s, wall/floor %.4f (floor %.2f s), database %.2f s (%.2f %% of wall), exit %d\n",
            engine, w, w / floor, floor, d, 100 * d / w, st }'
    echo "  $summary"
done
