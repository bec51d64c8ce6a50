#!/usr/bin/env bash
# The Python package's checks (issue 15), run by .ci/run from the repository root:
#   1. tools (python/requirements-ci.txt, pinned) in target/python-tools, kept between runs;
#   2. the wheel (maturin, DEV profile: the binary is a debug build, unstripped) and the sdist,
#      into target/python-dist;
#   3. `twine check --strict` on both; `mypy --strict` on the package and its tests;
#   4. a fresh virtual environment outside the checkout (Python 3.9, the oldest supported, when the
#      machine has it), the wheel and pytest installed into it,
#      and python/tests copied next to it and run there: nothing at run time comes from the
#      source tree or the target directory (tests/test_server.py checks it);
#   5. the sdist built into a wheel the way pip does (PEP 517, isolated), which proves that it
#      holds everything cargo needs (the workspace, wa-stats-model, Cargo.lock).
# Environment knobs (optional):
#   WA_STATS_PYTHON          the interpreter for the test environment (default python3.9 if there,
#                            else python3)
#   WA_STATS_PYTHON_SKIP_SDIST_BUILD=1   skip step 5 (a local quick run)
set -euo pipefail
cd "$(dirname "$0")/.."
repository="$(pwd)"

readonly TOOLS=target/python-tools
readonly REQUIREMENTS=python/requirements-ci.txt
readonly DIST=target/python-dist
# The oldest Python the package supports, when the machine has it (mypy 2 checks 3.10 at the
# oldest, so running the suite on 3.9 is what proves 3.9).
python39() {
    if python3.9 -c 'import venv' 2>/dev/null; then
        echo python3.9
    elif command -v pyenv >/dev/null; then
        local version
        version="$(pyenv versions --bare 2>/dev/null | grep -E '^3\.9\.[0-9]+$' | tail -1 || true)"
        [[ -n "$version" ]] && echo "$(pyenv root)/versions/$version/bin/python3.9"
    fi
    return 0
}
PYTHON="${WA_STATS_PYTHON:-$(python39)}"
if [[ -z "$PYTHON" ]]; then
    PYTHON=python3
    echo "note: no Python 3.9 on this machine; the suite runs on $(python3 --version)"
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/wa-stats-python.XXXXXX")"
trap 'rm -rf "$work"' EXIT

# step NAME: closes the step before (with its time) and names the next one.
step_name=""
step_started=$SECONDS
step() {
    [[ -n "$step_name" ]] && echo "-- python: $step_name: $((SECONDS - step_started)) s"
    step_name="$1"
    step_started=$SECONDS
    [[ -n "$step_name" ]] && echo "== python: $step_name"
    return 0
}

pin() { grep -E "^$1==" "$REQUIREMENTS"; }

step "tools"
# pip leaves exact pins that are already installed alone (no download), so a warm run costs a
# second; a changed pin is installed over the old one.
[[ -x "$TOOLS/bin/python" ]] || python3 -m venv "$TOOLS"
"$TOOLS/bin/python" -m pip install --quiet --disable-pip-version-check -r "$REQUIREMENTS"
"$TOOLS/bin/maturin" --version

step "wheel (dev profile) and sdist"
rm -rf "$DIST"
(cd python && "../$TOOLS/bin/maturin" build --quiet --profile dev --out "../$DIST")
# maturin sdist first asks cargo about ./Cargo.toml (to look for path dependencies), which prints
# a stray "error: manifest path `Cargo.toml` does not exist" and then goes on with pyproject.toml's
# manifest-path, which finds wa-stats-model all the same (the sdist holds it). That line is dropped.
(cd python && "../$TOOLS/bin/maturin" sdist --out "../$DIST" 2>&1) |
    { grep -v '^error: manifest path `Cargo.toml` does not exist$' || true; }
ls -l "$DIST"
wheel="$(echo "$DIST"/wa_stats_mock-*.whl)"
sdist="$(echo "$DIST"/wa_stats_mock-*.tar.gz)"

step "twine check"
"$TOOLS/bin/twine" check --strict "$wheel" "$sdist"

step "mypy --strict"
"$TOOLS/bin/mypy" --strict --python-version 3.10 --cache-dir target/python-mypy-cache \
    python/src/wa_stats_mock python/tests

step "fresh environment with the wheel"
"$PYTHON" -m venv "$work/venv"
"$work/venv/bin/python" -m pip install --quiet --disable-pip-version-check "$wheel" "$(pin pytest)"
"$work/venv/bin/python" --version
cp -r python/tests "$work/tests"

step "pytest against the installed wheel"
(
    cd "$work"
    env -u WA_STATS_MOCK_BINARY -u PYTHONPATH WA_STATS_REPOSITORY="$repository" \
        PYTHONDONTWRITEBYTECODE=1 "$work/venv/bin/python" -m pytest -p no:cacheprovider -q tests
)

# Issue 35 §2: python/README.md's program and its pytest functions, verbatim, against the installed
# wheel (no server URL to map: the wheel starts its own mock).
step "python/README.md's snippets, verbatim, with the installed wheel"
mkdir "$work/readme"
python3 tests/external/readme_block.py python/README.md python 0 >"$work/readme/readme_program.py"
python3 tests/external/readme_block.py python/README.md python 1 >"$work/readme/test_readme.py"
(
    cd "$work/readme"
    env -u WA_STATS_MOCK_BINARY -u PYTHONPATH PYTHONDONTWRITEBYTECODE=1 \
        "$work/venv/bin/python" readme_program.py
    env -u WA_STATS_MOCK_BINARY -u PYTHONPATH PYTHONDONTWRITEBYTECODE=1 \
        "$work/venv/bin/python" -m pytest -p no:cacheprovider -q test_readme.py
)

if [[ "${WA_STATS_PYTHON_SKIP_SDIST_BUILD:-}" != 1 ]]; then
    step "the sdist builds (pip wheel, dev profile)"
    # The repository's target directory keeps the registry crates compiled; only the two
    # workspace crates are compiled afresh from the unpacked sdist.
    CARGO_TARGET_DIR="$repository/target" MATURIN_PEP517_ARGS="--profile dev" \
        "$work/venv/bin/python" -m pip wheel --quiet --disable-pip-version-check --no-deps \
        --wheel-dir "$work/from-sdist" "$sdist"
    ls -l "$work/from-sdist"
fi
step ""
echo "== python: all passed"
