#!/usr/bin/env bash
# Outside checks (issue 6), run by .ci/run from the repository root on every change:
#   1. redocly lint of the generated OpenAPI document (pinned @redocly/cli, package-lock.json);
#   2. tests/python/check_schemas.py: our JSON Schemas read by Python's jsonschema, the vendor's
#      example bodies, bodies that must be rejected, and live answers of the mock;
#   3. schemathesis against the running mock, driven by the OpenAPI document, every check on;
#   4. the bindings (issue 14, docs/bindings.md): `cargo xtask bindings --check` (the generated
#      TypeScript, Python and Go code is what the pinned generators make of the schemas), then each
#      package built and tested with its own tools against bindings/examples.json and the live mocks:
#      tsc --strict + node --test, mypy --strict + pytest, gofmt + go vet + go test.
# It installs what it needs (.venv, node_modules), builds the mock in the dev profile, starts it
# on 127.0.0.1 only, and stops it by PID on exit, whatever happened. See docs/reliability.md.
#
# Environment knobs (all optional):
#   WA_STATS_SCHEMATHESIS_MAX_EXAMPLES  examples per operation and phase (default 150)
#   WA_STATS_SCHEMATHESIS_SEED          the fixed seed (default 20261126)
#   WA_STATS_EXTERNAL_ONLY              run only one of: redocly, python, schemathesis, bindings
#   WA_STATS_MOCK_BIN                   use this wa-stats-mock binary instead of building one
set -euo pipefail
cd "$(dirname "$0")/../.."

readonly SEED="${WA_STATS_SCHEMATHESIS_SEED:-20261126}"
readonly MAX_EXAMPLES="${WA_STATS_SCHEMATHESIS_MAX_EXAMPLES:-150}"
readonly MIN_REQUESTS=1000
readonly ONLY="${WA_STATS_EXTERNAL_ONLY:-}"
readonly OPENAPI=crates/wa-stats-model/schemas/openapi.json
readonly VENV=.venv
readonly REQUIREMENTS=tests/external/requirements.txt

work="$(mktemp -d "${TMPDIR:-/tmp}/wa-stats-external.XXXXXX")"
mock_pids=()
cleanup() {
    local status=$?
    for pid in "${mock_pids[@]}"; do
        if kill -0 "$pid" 2>/dev/null; then
            kill "$pid" 2>/dev/null || true
            wait "$pid" 2>/dev/null || true
        fi
    done
    rm -rf "$work"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

wants() { [[ -z "$ONLY" || "$ONLY" == "$1" ]]; }

# --- Python tools: reuse .venv when its pins match requirements.txt, else build it afresh.
venv_matches() {
    [[ -x "$VENV/bin/python" ]] || return 1
    "$VENV/bin/python" - "$REQUIREMENTS" <<'PY' 2>/dev/null
import importlib.metadata, sys
for line in open(sys.argv[1]):
    line = line.split("#")[0].strip()
    if line:
        name, version = line.split("==")
        if importlib.metadata.version(name) != version:
            sys.exit(1)
PY
}
python_tools() {
    if venv_matches; then
        echo "reusing $VENV (pins match $REQUIREMENTS)"
    else
        echo "creating $VENV from $REQUIREMENTS"
        python3 -m venv --clear "$VENV"
        "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r "$REQUIREMENTS"
    fi
    "$VENV/bin/schemathesis" --version
}

# --- Node tools: every devDependency of package.json exactly as package-lock.json says.
node_tools() {
    if ! node - <<'JS' 2>/dev/null; then
const lock = require("./package-lock.json").packages;
for (const name of Object.keys(require("./package.json").devDependencies)) {
    const wanted = lock[`node_modules/${name}`].version;
    if (require(`./node_modules/${name}/package.json`).version !== wanted) process.exit(1);
}
JS
        npm ci --no-audit --no-fund --loglevel=error
    fi
    node -p 'Object.keys(require("./package.json").devDependencies).map((name) => `${name} ${require("./package-lock.json").packages["node_modules/" + name].version}`).join(", ")'
    echo "on node $(node --version)"
}

# --- The mock, on 127.0.0.1 and a port the kernel picks. Prints its base URL.
mock_binary=""
build_mock() {
    if [[ -n "${WA_STATS_MOCK_BIN:-}" ]]; then
        mock_binary="$WA_STATS_MOCK_BIN"
        echo "using $mock_binary (WA_STATS_MOCK_BIN)"
        return
    fi
    cargo build --quiet -p wa-stats-mock --bin wa-stats-mock
    local target_dir
    target_dir="$(cargo metadata --format-version 1 --no-deps |
        python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')"
    mock_binary="$target_dir/debug/wa-stats-mock"
}
# start_mock NAME ARGS...: starts the mock, waits (30 s at most) for its `listening on` line,
# sets MOCK_URL. The PID goes into mock_pids before anything can fail, so the trap stops it.
start_mock() {
    local name="$1"
    shift
    local out="$work/$name.out" err="$work/$name.err"
    "$mock_binary" --listen 127.0.0.1:0 "$@" >"$out" 2>"$err" &
    local pid=$!
    mock_pids+=("$pid")
    local deadline=$((SECONDS + 30)) line=""
    while ((SECONDS < deadline)); do
        line="$(grep -m1 -o 'listening on http://127\.0\.0\.1:[0-9]*' "$out" || true)"
        [[ -n "$line" ]] && break
        if ! kill -0 "$pid" 2>/dev/null; then
            echo "mock $name exited before listening; its stderr:" >&2
            cat "$err" >&2
            return 1
        fi
        sleep 0.1
    done
    if [[ -z "$line" ]]; then
        echo "mock $name did not print 'listening on http://127.0.0.1:PORT' within 30 s" >&2
        cat "$out" "$err" >&2
        return 1
    fi
    MOCK_URL="${line#listening on }"
    echo "mock $name (pid $pid, $*) at $MOCK_URL"
}

# Requests the mock has logged so far (one stderr line per request).
requests_logged() { grep -c ' request .*status' "$1" || true; }

status=0
run_check() {
    local name="$1"
    shift
    echo "== external: $name"
    local started=$SECONDS
    if "$@"; then
        echo "-- $name: ok ($((SECONDS - started)) s)"
    else
        echo "-- $name: FAILED ($((SECONDS - started)) s)"
        status=1
    fi
}

redocly_lint() {
    REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true \
        node_modules/.bin/redocly lint --config redocly.yaml "$OPENAPI"
}

python_check() {
    "$VENV/bin/python" tests/python/check_schemas.py --mock-url "$OPEN_URL" --limited-mock-url "$LIMITED_URL"
}

schemathesis_run() {
    # Called under `if`, where `set -e` is off: collect each step's status by hand.
    local report="$work/schemathesis" rc=0
    local received_before
    received_before="$(requests_logged "$work/open.err")"
    # The credentials are in schemathesis.toml, one per security scheme (docs/reliability.md).
    HYPOTHESIS_STORAGE_DIRECTORY="$work/hypothesis" \
        "$VENV/bin/schemathesis" --config-file tests/external/schemathesis.toml run "$OPENAPI" \
        --url "$OPEN_URL" \
        --checks all \
        --seed "$SEED" \
        --max-examples "$MAX_EXAMPLES" \
        --report ndjson --report-ndjson-path "$report.ndjson" || rc=$?
    # Count the requests schemathesis sent (including its probes) from its own event log.
    "$VENV/bin/python" tests/external/count_requests.py "$report.ndjson" "$MIN_REQUESTS" || rc=1
    # The mock's own count adds schemathesis' probes (ignored_auth, capability probes).
    echo "  the mock logged $(($(requests_logged "$work/open.err") - received_before)) requests during the run"
    return "$rc"
}

# --- The bindings (docs/bindings.md). Each language's tests read the mocks' URLs from the
# environment and fail, saying so, when they are missing.

# Says which mock has died, with the end of its stderr, so that "connection refused" in a test has
# a cause beside it.
mocks_alive() {
    local pid alive=0
    for pid in "${mock_pids[@]}"; do
        if ! kill -0 "$pid" 2>/dev/null; then
            echo "mock pid $pid is no longer running; the end of each mock's stderr:" >&2
            tail -n 5 "$work"/*.err >&2 || true
            alive=1
        fi
    done
    return "$alive"
}
bindings_fresh() {
    cargo xtask bindings --check
}
bindings_typescript() {
    mocks_alive && node_modules/.bin/tsc --strict --noEmit -p bindings/typescript &&
        rm -rf bindings/typescript/dist &&
        node_modules/.bin/tsc -p bindings/typescript &&
        WA_STATS_MOCK_URL="$OPEN_URL" WA_STATS_STRICT_MOCK_URL="$STRICT_URL" \
            node --test --test-reporter=spec bindings/typescript/dist/test/
}
bindings_python() {
    mocks_alive || return 1
    (
        cd bindings/python &&
            "../../$VENV/bin/mypy" --strict --cache-dir "$work/mypy" wa_stats tests &&
            WA_STATS_MOCK_URL="$OPEN_URL" WA_STATS_STRICT_MOCK_URL="$STRICT_URL" \
                "../../$VENV/bin/python" -m pytest -q -p no:cacheprovider tests
    )
}
bindings_go() {
    mocks_alive || return 1
    (
        cd bindings/go || exit 1
        # The Go module proxy is out of reach, and the binding needs nothing but the standard library.
        export GOPROXY=off GOTOOLCHAIN=local
        local unformatted
        unformatted="$(gofmt -l .)"
        if [[ -n "$unformatted" ]]; then
            echo "not gofmt-formatted (run gofmt -w in bindings/go): $unformatted"
            exit 1
        fi
        go vet ./... &&
            WA_STATS_MOCK_URL="$OPEN_URL" WA_STATS_STRICT_MOCK_URL="$STRICT_URL" go test -count=1 ./...
    )
}

echo "== external checks: setup"
wants python || wants schemathesis || wants bindings && python_tools
wants redocly || wants bindings && node_tools
if wants bindings; then
    if ! command -v go >/dev/null; then
        echo "go is not installed: apt-get install -y golang-go (.ci/run installs it)" >&2
        exit 1
    fi
    go version
fi
if wants python || wants schemathesis || wants bindings; then
    build_mock
    start_mock open --rate-limit off
    OPEN_URL="$MOCK_URL"
    if wants python; then
        start_mock limited --rate-limit 100
        LIMITED_URL="$MOCK_URL"
    fi
    if wants bindings; then
        start_mock strict --rate-limit 1
        STRICT_URL="$MOCK_URL"
    fi
fi

wants redocly && run_check "redocly lint" redocly_lint
wants python && run_check "python schema consumer" python_check
wants bindings && run_check "bindings: generated code is fresh" bindings_fresh
wants bindings && run_check "bindings: typescript (tsc --strict, node --test)" bindings_typescript
wants bindings && run_check "bindings: python (mypy --strict, pytest)" bindings_python
wants bindings && run_check "bindings: go (gofmt, go vet, go test)" bindings_go
wants schemathesis && run_check "schemathesis" schemathesis_run

if ((status == 0)); then
    echo "== external checks: all passed"
else
    echo "== external checks: FAILED"
fi
exit "$status"
