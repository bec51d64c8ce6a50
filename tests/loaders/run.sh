#!/usr/bin/env bash
# The loaders' checks (issue 33), run by .ci/run from the repository root:
#   1. tools (tests/loaders/requirements.txt, pinned) in target/loaders-tools, kept between runs;
#   2. the `wa-stats-cli` wheel (python-cli/, maturin, DEV profile) and its sdist, into
#      target/loaders-dist, and `twine check --strict` on both;
#   3. a fresh virtual environment outside the checkout with the wheel alone: `wa-stats` and
#      `tap-wa-stats` run from it;
#   4. Meltano (pinned) with tests/loaders/meltano.yml: the tap as a custom extractor installed
#      from the wheel (pip_url), target-jsonl from PyPI; `meltano run tap-wa-stats target-jsonl`
#      twice against a mock of its own, Meltano keeping the state: the rows equal `wa-stats sync`'s
#      table for the same range, the second run sends no more requests than sync's re-run (counted
#      in the mock's journal) and loads nothing new; a bad setting fails naming its key; then into
#      target-duckdb (a database target) twice, its table equal to sync's each time;
#   5. dlt (pinned) with duckdb: runs of a pipeline over the dlt source: the same rows as sync, the
#      second loads nothing, and after late data a third merges the changed days on the key.
# Everything binds 127.0.0.1; the mock is stopped by its PID. Prints `N passed, M failed` last.
set -euo pipefail
cd "$(dirname "$0")/../.."
repository="$(pwd)"
readonly TOOLS=target/loaders-tools
readonly DIST=target/loaders-dist
work="$(mktemp -d "${TMPDIR:-/tmp}/wa-stats-loaders.XXXXXX")"
mock_pid=
cleanup() {
    [[ -n "$mock_pid" ]] && kill "$mock_pid" 2>/dev/null && wait "$mock_pid" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT
passed=0
failed=0
check() { # check NAME COMMAND…: runs it, counts it
    local name=$1
    shift
    if "$@"; then
        passed=$((passed + 1))
        echo "ok: $name"
    else
        failed=$((failed + 1))
        echo "FAILED: $name"
    fi
}
step_name=""
step_started=$SECONDS
step() {
    [[ -n "$step_name" ]] && echo "-- loaders: $step_name: $((SECONDS - step_started)) s"
    step_name="$1"
    step_started=$SECONDS
    [[ -n "$step_name" ]] && echo "== loaders: $step_name"
    return 0
}

step "tools"
[[ -x "$TOOLS/bin/python" ]] || python3 -m venv "$TOOLS"
"$TOOLS/bin/python" -m pip install --quiet --disable-pip-version-check -r tests/loaders/requirements.txt

step "wheel (dev profile) and sdist"
rm -rf "$DIST"
(cd python-cli && "$repository/$TOOLS/bin/maturin" build --quiet --profile dev --out "$repository/$DIST")
(cd python-cli && "$repository/$TOOLS/bin/maturin" sdist --out "$repository/$DIST" 2>&1) |
    { grep -v '^error: manifest path `Cargo.toml` does not exist$' || true; }
wheel="$(echo "$repository/$DIST"/wa_stats_cli-*.whl)"
sdist="$(echo "$repository/$DIST"/wa_stats_cli-*.tar.gz)"
check "twine check --strict" "$TOOLS/bin/twine" check --strict "$wheel" "$sdist"

step "the wheel in a fresh environment"
python3 -m venv "$work/venv"
"$work/venv/bin/pip" install --quiet --disable-pip-version-check "$wheel"
check "wa-stats runs from the wheel" bash -c "'$work/venv/bin/wa-stats' --version | grep -q '^wa-stats '"
check "tap-wa-stats --about" bash -c "'$work/venv/bin/tap-wa-stats' --about | '$work/venv/bin/python' -c 'import json,sys; assert \"state\" in json.load(sys.stdin)[\"capabilities\"]'"

step "mock"
cargo build --quiet -p wa-stats-mock --bin wa-stats-mock
target/debug/wa-stats-mock --listen 127.0.0.1:0 --no-request-log >"$work/mock.out" 2>"$work/mock.err" &
mock_pid=$!
url=
for _ in $(seq 300); do
    url=$(grep -o 'http://127.0.0.1:[0-9]*' "$work/mock.out" || true)
    [[ -n "$url" ]] && break
    sleep 0.1
done
[[ -n "$url" ]] || { echo "the mock did not start: $(cat "$work/mock.err")"; exit 1; }
admin() { curl -fsS -X "$1" -H 'content-type: application/json' "${@:3}" "$url/__admin/$2"; }
statistics_requests() {
    admin GET journal | python3 -c 'import json,sys; print(sum(1 for e in json.load(sys.stdin) if "statistics" in e["path"]))'
}
sync_ref() {
    "$work/venv/bin/wa-stats" sync 12345 12346 --db "$work/ref.db" --from 2024-02-25 --to 2024-05-05 \
        --lookback 28 --base-url "$url" --token demo-token -q
}
admin POST reset -d '{}' >/dev/null
sync_ref
admin POST reset -d '{}' >/dev/null
sync_ref
sync_rerun_requests=$(statistics_requests)

step "meltano"
# Each check is a function whose every step returns on failure: `set -e` does not reach into a
# function whose status is tested.
meltano_checks() {
    mkdir "$work/meltano" && cp tests/loaders/meltano.yml "$work/meltano/" || return 1
    cd "$work/meltano" || return 1
    export WA_STATS_CLI_WHEEL="$wheel" WA_STATS_BASE_URL="$url" MELTANO_SEND_ANONYMOUS_USAGE_STATS=false NO_COLOR=1
    local meltano="$repository/$TOOLS/bin/meltano"
    "$meltano" install >"$work/meltano-install.log" 2>&1 || { cat "$work/meltano-install.log"; return 1; }
    admin POST reset -d '{}' >/dev/null || return 1
    "$meltano" run tap-wa-stats target-jsonl >"$work/run1.log" 2>&1 || { cat "$work/run1.log"; return 1; }
    python3 "$repository/tests/loaders/compare.py" "$work/ref.db" jsonl output/daily_statistics.jsonl || return 1
    local first second_requests
    first=$(wc -l <output/daily_statistics.jsonl)
    admin POST reset -d '{}' >/dev/null || return 1
    "$meltano" run tap-wa-stats target-jsonl >"$work/run2.log" 2>&1 || { cat "$work/run2.log"; return 1; }
    second_requests=$(statistics_requests) || return 1
    echo "meltano re-run: $second_requests requests (sync's re-run: $sync_rerun_requests)"
    [[ "$second_requests" -le "$sync_rerun_requests" ]] || return 1
    [[ "$(wc -l <output/daily_statistics.jsonl)" -eq "$first" ]] || { echo "the re-run loaded rows"; return 1; }
    # A value Meltano passes on (an integer, as the setting's kind says) that the tap refuses.
    if TAP_WA_STATS_LOOKBACK_DAYS=-5 "$meltano" invoke tap-wa-stats >"$work/bad.out" 2>"$work/bad.err"; then
        echo "a bad lookback_days was accepted"
        return 1
    fi
    grep -q lookback_days "$work/bad.err" || { tail -5 "$work/bad.err"; return 1; }
    # A database target: target-duckdb, twice; it upserts on the key, so the rows stay sync's.
    local run
    for run in 1 2; do
        "$meltano" run tap-wa-stats target-duckdb >"$work/duck$run.log" 2>&1 || { cat "$work/duck$run.log"; return 1; }
        "$repository/$TOOLS/bin/python" -c '
import duckdb, json, sys
cursor = duckdb.connect("output/warehouse.duckdb", read_only=True).execute("SELECT * FROM insider.daily_statistics")
columns = [d[0] for d in cursor.description]
rows = [[None if v is None else str(v) for v in row] for row in cursor.fetchall()]
json.dump({"columns": columns, "rows": rows}, sys.stdout)' >"$work/duck$run.json" || return 1
        python3 "$repository/tests/loaders/compare.py" "$work/ref.db" dlt "$work/duck$run.json" || return 1
    done
}
check "meltano: target-jsonl and target-duckdb equal sync, the re-run is no dearer and loads nothing, a bad key is named" \
    bash -c "$(declare -f admin statistics_requests meltano_checks); repository='$repository' TOOLS='$TOOLS' \
        work='$work' wheel='$wheel' url='$url' sync_rerun_requests='$sync_rerun_requests' meltano_checks"

step "dlt"
dlt_checks() {
    python3 -m venv "$work/dlt" || return 1
    "$work/dlt/bin/pip" install --quiet --disable-pip-version-check "$wheel" \
        "$(grep -E '^dlt==' "$repository/tests/loaders/requirements.txt")" \
        "$(grep -E '^duckdb==' "$repository/tests/loaders/requirements.txt")" || return 1
    cd "$work" || return 1
    run_dlt() { "$work/dlt/bin/python" "$repository/tests/loaders/dlt_pipeline.py" "$url" "$work/dlt.duckdb" "$work/pipelines" >"$1"; }
    run_dlt dlt1.json || return 1
    python3 "$repository/tests/loaders/compare.py" "$work/ref.db" dlt dlt1.json || return 1
    run_dlt dlt2.json || return 1
    python3 -c 'import json,sys; n=json.load(open(sys.argv[1]))["loaded"]; print(f"dlt re-run loaded {n} rows"); sys.exit(n != 0)' dlt2.json || return 1
    # Late data (the campaign's days replaced through the admin API): the changed days are loaded
    # and merged on the key, so the table keeps one row per campaign and day.
    admin PUT campaigns/12345 -d '{"id":12345,"owner":"demo","days":[{"date":"2024-04-20","delivered":3,"open":1}]}' >/dev/null || return 1
    run_dlt dlt3.json || return 1
    python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); n, rows = d["loaded"], len(d["rows"]); print(f"dlt after late data loaded {n} rows, table {rows}"); sys.exit(not (n >= 1 and rows == 140))' dlt3.json
}
check "dlt: the same rows as sync, merged, the re-run loads nothing new" \
    bash -c "$(declare -f admin dlt_checks); repository='$repository' work='$work' wheel='$wheel' url='$url' dlt_checks"
step ""
echo "$passed passed, $failed failed"
[[ "$failed" -eq 0 ]]
