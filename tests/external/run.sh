#!/usr/bin/env bash
# Outside checks (issue 6), run by .ci/run from the repository root on every change:
#   1. redocly lint of the generated OpenAPI document (pinned @redocly/cli, package-lock.json);
#   2. tests/python/check_schemas.py: our JSON Schemas read by Python's jsonschema, the vendor's
#      example bodies, bodies that must be rejected, and live answers of the mock;
#   3. schemathesis against the running mock, driven by the OpenAPI document, every check on;
#   4. the bindings (issue 14, docs/bindings.md): `cargo xtask bindings --check` (the generated
#      TypeScript, Python and Go code is what the pinned generators make of the schemas), then each
#      package built and tested with its own tools against bindings/examples.json and the live mocks:
#      tsc --strict + node --test, mypy --strict + pytest, gofmt + go vet + go test (the Go module
#      copied out of the checkout alone);
#   5. clients generated from the committed openapi.json by outside generators (issue 20):
#      openapi-typescript + openapi-fetch under tsc --strict, openapi-python-client under
#      mypy --strict, each consumer run against the live mock;
#   6. the bindings as packages, the way users get them, outside the checkout (issue 20): the
#      `npm pack` tarball in a fresh project (tsc --strict, run), the wheel and sdist
#      (twine check --strict; the wheel in a fresh venv, mypy --strict, run), and a Go module
#      that takes bindings/go with the README's require and replace lines (go vet, run);
#   7. the READMEs' programs verbatim (issue 35 §2): bindings/go's go.mod and main.go,
#      bindings/typescript's package.json, tsconfig.json and index.ts, bindings/python's program,
#      the README's Rust program with its Cargo.toml lines, each in a fresh project, run against
#      the mock and compared with the output the README states.
# It installs what it needs (.venv, node_modules), builds the mock in the dev profile, starts it
# on 127.0.0.1 only, and stops it by PID on exit, whatever happened. See docs/reliability.md.
#
# Environment knobs (all optional):
#   WA_STATS_SCHEMATHESIS_MAX_EXAMPLES  examples per operation and phase (default 150)
#   WA_STATS_SCHEMATHESIS_SEED          the fixed seed (default 20261126)
#   WA_STATS_EXTERNAL_ONLY              run only one of: redocly, python, schemathesis, bindings,
#                                       clients, packages, readmes
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
# The generator and packaging tools, apart from .venv (requirements-clients.txt says why).
readonly CLIENT_VENV=target/external-tools/venv
readonly CLIENT_REQUIREMENTS=tests/external/requirements-clients.txt

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

# --- Python tools: reuse a venv when its pins match its requirements file, else build it afresh.
# venv_matches VENV REQUIREMENTS
venv_matches() {
    [[ -x "$1/bin/python" ]] || return 1
    "$1/bin/python" - "$2" <<'PY' 2>/dev/null
import importlib.metadata, sys
for line in open(sys.argv[1]):
    line = line.split("#")[0].strip()
    if line:
        name, version = line.split("==")
        if importlib.metadata.version(name) != version:
            sys.exit(1)
PY
}
# ensure_venv VENV REQUIREMENTS
ensure_venv() {
    if venv_matches "$1" "$2"; then
        echo "reusing $1 (pins match $2)"
    else
        echo "creating $1 from $2"
        python3 -m venv --clear "$1"
        "$1/bin/python" -m pip install --quiet --disable-pip-version-check -r "$2"
    fi
}
python_tools() {
    ensure_venv "$VENV" "$REQUIREMENTS"
    "$VENV/bin/schemathesis" --version
}
client_tools() {
    local started=$SECONDS
    ensure_venv "$CLIENT_VENV" "$CLIENT_REQUIREMENTS"
    "$CLIENT_VENV/bin/openapi-python-client" --version
    echo "-- client tools ready ($((SECONDS - started)) s)"
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
# The Go module copied out of the checkout alone, as `go mod vendor` or a copy would take it: its
# tests read only what is inside it (testdata/, written by the xtask).
bindings_go() {
    mocks_alive || return 1
    local module="$work/go-module"
    rm -rf "$module" && cp -R bindings/go "$module"
    (
        cd "$module" || exit 1
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

# --- Clients generated from the committed openapi.json (issue 20), each in a fresh project outside
# the checkout. The consumers use the mock's built-in credentials (R13), read from the live cases
# the xtask exports, so that they are written down once.
credential() {
    python3 -c 'import json, sys
cases = json.load(open("bindings/examples.json"))["live"]
headers = [case["headers"] for case in cases if case["status"] == 200]
print(next(h[sys.argv[1]] for h in headers if sys.argv[1] in h).removeprefix("Bearer "))' "$1"
}
consumer_env() {
    WA_STATS_TOKEN="$MOCK_TOKEN" WA_STATS_API_KEY="$MOCK_API_KEY" \
        WA_STATS_MOCK_URL="$OPEN_URL" WA_STATS_STRICT_MOCK_URL="$STRICT_URL" "$@"
}
client_typescript() {
    mocks_alive || return 1
    local project="$work/ts-client" source=tests/external/clients/typescript
    local root="$PWD"
    mkdir -p "$project" &&
        cp "$source/package.json" "$source/package-lock.json" "$source/tsconfig.json" "$source/consumer.ts" "$project/" &&
        (
            cd "$project" &&
                npm ci --prefer-offline --no-audit --no-fund --loglevel=error &&
                node_modules/.bin/openapi-typescript "$root/$OPENAPI" -o schema.d.ts &&
                node_modules/.bin/tsc --strict -p . &&
                consumer_env node dist/consumer.js
        )
}
client_python() {
    mocks_alive || return 1
    local project="$work/py-client"
    mkdir -p "$project"
    "$CLIENT_VENV/bin/openapi-python-client" generate --path "$OPENAPI" \
        --config tests/external/clients/python/openapi-python-client.yaml \
        --output-path "$project/wa-stats-client" &&
        python3 -m venv "$project/venv" &&
        "$project/venv/bin/pip" install --quiet --disable-pip-version-check "$project/wa-stats-client" &&
        cp tests/external/clients/python/consumer.py "$project/" &&
        "$CLIENT_VENV/bin/mypy" --strict --python-executable "$project/venv/bin/python" \
            --cache-dir "$work/mypy-client" "$project/consumer.py" &&
        (cd "$project" && consumer_env venv/bin/python consumer.py)
}

# --- The bindings as packages, the way users get them (issue 20), outside the checkout.
package_typescript() {
    mocks_alive || return 1
    local project="$work/ts-package"
    mkdir -p "$project"
    # prepack builds dist/ (it is not in git); the tarball must work without the checkout.
    (cd bindings/typescript && npm pack --silent --pack-destination "$project") >"$project/packed" &&
        mv "$project/$(tail -n 1 "$project/packed")" "$project/wa-stats-bindings.tgz" &&
        tar -tzf "$project/wa-stats-bindings.tgz" | grep -qx 'package/dist/src/index.js' &&
        cp tests/external/packages/typescript/{package.json,tsconfig.json,consumer.ts} "$project/" &&
        (
            cd "$project" &&
                npm install --prefer-offline --no-audit --no-fund --loglevel=error &&
                node_modules/.bin/tsc --strict -p . &&
                consumer_env node dist/consumer.js
        )
}
package_python() {
    mocks_alive || return 1
    local project="$work/py-package"
    mkdir -p "$project"
    "$CLIENT_VENV/bin/pyproject-build" --outdir "$project/dist" bindings/python >"$project/build.log" 2>&1 ||
        { cat "$project/build.log"; return 1; }
    # What setuptools leaves in the checkout (build/, *.egg-info/) is ignored by git.
    local litter
    litter="$(git ls-files --others --exclude-standard -- bindings/python)"
    if [[ -n "$litter" ]]; then
        echo "building bindings/python left files git does not ignore: $litter"
        return 1
    fi
    "$CLIENT_VENV/bin/twine" check --strict "$project"/dist/* &&
        python3 -m venv "$project/venv" &&
        "$project/venv/bin/pip" install --quiet --disable-pip-version-check "$project"/dist/*.whl &&
        cp tests/external/packages/python/consumer.py "$project/" &&
        "$CLIENT_VENV/bin/mypy" --strict --python-executable "$project/venv/bin/python" \
            --cache-dir "$work/mypy-package" "$project/consumer.py" &&
        (cd "$project" && consumer_env venv/bin/python consumer.py)
}
package_go() {
    mocks_alive || return 1
    local project="$work/go-consumer" source=tests/external/packages/go
    mkdir -p "$project/third_party" &&
        cp "$source/go.mod" "$source/main.go" "$project/" &&
        cp -R bindings/go "$project/third_party/wastats" || return 1
    # The README shows a consumer exactly these lines.
    local line
    while IFS= read -r line; do
        if [[ "$line" == require* || "$line" == replace* ]] && ! grep -qxF "$line" bindings/go/README.md; then
            echo "bindings/go/README.md lacks the consumer's go.mod line: $line"
            return 1
        fi
    done <"$source/go.mod"
    (
        cd "$project" &&
            export GOPROXY=off GOTOOLCHAIN=local &&
            go vet . &&
            consumer_env go run .
    )
}

# --- The READMEs' programs (issue 35 §2), copied verbatim into fresh projects outside the checkout
# with the go.mod / package.json / tsconfig.json / Cargo.toml lines the README shows; only the mock's
# documented URL, http://127.0.0.1:8080, becomes the running mock's. Each must print what its README
# says it prints.
readme_block() { python3 tests/external/readme_block.py "$@"; }
documented_url() { sed "s|http://127.0.0.1:8080|$1|g"; }
expect_output() {
    local want="$1" got="$2"
    if [[ "$got" != "$want" ]]; then
        echo "printed: $got"
        echo "the README says: $want"
        return 1
    fi
}
readme_go() {
    mocks_alive || return 1
    local project="$work/readme-go" readme=bindings/go/README.md
    mkdir -p "$project/third_party" && cp -R bindings/go "$project/third_party/wastats" &&
        readme_block "$readme" - 0 >"$project/go.mod" &&
        readme_block "$readme" go 0 | documented_url "$OPEN_URL" >"$project/main.go" || return 1
    local printed
    printed="$(cd "$project" && GOPROXY=off GOTOOLCHAIN=local go run .)" &&
        expect_output "0.9583333333333334 5" "$printed" &&
        (
            cd "$project" && GOPROXY=off GOTOOLCHAIN=local \
                WA_STATS_MOCK_URL="$OPEN_URL" WA_STATS_STRICT_MOCK_URL="$STRICT_URL" \
                go test -count=1 github.com/wa-stats/wa-stats/bindings/go
        )
}
readme_typescript() {
    mocks_alive || return 1
    # The README's layout: your-project beside the checkout, wa-stats, whose tarball it installs.
    local dir="$work/readme-ts" readme=bindings/typescript/README.md
    local project="$dir/your-project" packed="$dir/wa-stats/bindings/typescript"
    mkdir -p "$project" "$packed" &&
        (cd bindings/typescript && npm pack --silent --pack-destination "$packed") >"$dir/packed" &&
        [[ "$(tail -n 1 "$dir/packed")" == wa-stats-bindings-0.1.0.tgz ]] &&
        readme_block "$readme" json 0 >"$project/package.json" &&
        readme_block "$readme" json 1 >"$project/tsconfig.json" &&
        readme_block "$readme" ts 0 | documented_url "$OPEN_URL" >"$project/index.ts" || return 1
    local printed
    printed="$(
        cd "$project" &&
            npm install --prefer-offline --no-audit --no-fund --loglevel=error >/dev/null &&
            npx tsc -p . && node dist/index.js
    )" && expect_output "0.9583333333333334 5" "$printed"
}
readme_python() {
    mocks_alive || return 1
    local project="$work/readme-py"
    mkdir -p "$project" &&
        "$CLIENT_VENV/bin/pyproject-build" --wheel --outdir "$project/dist" bindings/python >"$project/build.log" 2>&1 ||
        { cat "$project/build.log"; return 1; }
    readme_block bindings/python/README.md python 0 | documented_url "$OPEN_URL" >"$project/readme.py" &&
        python3 -m venv "$project/venv" &&
        "$project/venv/bin/pip" install --quiet --disable-pip-version-check "$project"/dist/*.whl &&
        "$CLIENT_VENV/bin/mypy" --strict --python-executable "$project/venv/bin/python" \
            --cache-dir "$work/mypy-readme" "$project/readme.py" || return 1
    local printed
    printed="$("$project/venv/bin/python" "$project/readme.py")" &&
        expect_output "0.9583333333333334 5" "$printed"
}
readme_rust() {
    mocks_alive || return 1
    # The README's path form (`# or: … path = "../wa-stats/…"`) from a project beside a checkout
    # named wa-stats; the git form needs the published repository.
    local dir="$work/readme-rust" root="$PWD"
    local project="$dir/stats"
    mkdir -p "$project/src" && ln -s "$root" "$dir/wa-stats" &&
        printf '[package]\nname = "stats"\nversion = "0.1.0"\nedition = "2021"\npublish = false\n\n' >"$project/Cargo.toml" &&
        readme_block README.md toml 0 | sed -e '/git = /d' -e 's/^# or: //' >>"$project/Cargo.toml" &&
        readme_block README.md rust 0 | documented_url "$OPEN_URL" >"$project/src/main.rs" &&
        cp Cargo.lock "$project/" || return 1
    # The workspace's target directory: the client's dependencies are built already.
    local target
    target="$(cargo metadata --format-version 1 --no-deps |
        python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')" || return 1
    local printed
    printed="$(cd "$project" && CARGO_TARGET_DIR="$target" cargo run --quiet)" &&
        expect_output "1200 sent" "$printed" || return 1
    # Without a mock: one Display line on stderr, exit 1, no Debug dump.
    readme_block README.md rust 0 | documented_url "http://127.0.0.1:1" >"$project/src/main.rs"
    local refused status=0
    refused="$(cd "$project" && CARGO_TARGET_DIR="$target" cargo run --quiet 2>&1 >/dev/null)" || status=$?
    if ((status != 1)) || [[ "$refused" != "error: could not connect to 127.0.0.1:1 "* ]] || [[ "$refused" == *"Transport {"* ]]; then
        echo "without a mock: exit $status, stderr: $refused"
        return 1
    fi
}

echo "== external checks: setup"
wants python || wants schemathesis || wants bindings && python_tools
wants redocly || wants bindings || wants packages || wants readmes && node_tools
wants clients || wants packages || wants readmes && client_tools
if wants clients || wants packages; then
    MOCK_TOKEN="$(credential authorization)"
    MOCK_API_KEY="$(credential x-ins-auth-key)"
fi
if wants bindings || wants packages || wants readmes; then
    if ! command -v go >/dev/null; then
        echo "go is not installed: apt-get install -y golang-go (.ci/run installs it)" >&2
        exit 1
    fi
    go version
fi
if wants python || wants schemathesis || wants bindings || wants clients || wants packages || wants readmes; then
    build_mock
    start_mock open --rate-limit off
    OPEN_URL="$MOCK_URL"
    if wants python; then
        start_mock limited --rate-limit 100
        LIMITED_URL="$MOCK_URL"
    fi
    STRICT_URL=""
    if wants bindings || wants clients || wants readmes; then
        start_mock strict --rate-limit 1
        STRICT_URL="$MOCK_URL"
    fi
fi

wants redocly && run_check "redocly lint" redocly_lint
wants python && run_check "python schema consumer" python_check
wants bindings && run_check "bindings: generated code is fresh" bindings_fresh
wants bindings && run_check "bindings: typescript (tsc --strict, node --test)" bindings_typescript
wants bindings && run_check "bindings: python (mypy --strict, pytest)" bindings_python
wants bindings && run_check "bindings: go, the module copied out alone (gofmt, go vet, go test)" bindings_go
wants clients && run_check "openapi.json → openapi-typescript + openapi-fetch (tsc --strict, run)" client_typescript
wants clients && run_check "openapi.json → openapi-python-client (mypy --strict, run)" client_python
wants packages && run_check "package: npm pack tarball in a fresh project (tsc --strict, run)" package_typescript
wants packages && run_check "package: wheel + sdist (twine check --strict), wheel in a fresh venv (mypy --strict, run)" package_python
wants packages && run_check "package: Go module taken with the README's go.mod lines (go vet, run)" package_go
wants readmes && run_check "README: Go go.mod + main.go verbatim (go run, go test by import path)" readme_go
wants readmes && run_check "README: TypeScript package.json + tsconfig.json + index.ts verbatim (tsc, node)" readme_typescript
wants readmes && run_check "README: Python bindings' program verbatim (mypy --strict, run)" readme_python
wants readmes && run_check "README: the Rust program with the README's Cargo.toml lines (cargo run; Display error)" readme_rust
wants schemathesis && run_check "schemathesis" schemathesis_run

if ((status == 0)); then
    echo "== external checks: all passed"
else
    echo "== external checks: FAILED"
fi
exit "$status"
