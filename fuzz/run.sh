#!/usr/bin/env bash
# Runs each fuzz target for SECONDS (default 600), seeded with the kept regression inputs.
# Needs the nightly toolchain and cargo-fuzz (`cargo +nightly install cargo-fuzz --locked`).
# New crash inputs land in fuzz/artifacts/<target>/: copy each into
# crates/wa-stats-model/tests/fuzz-regressions/<target>/ so `cargo test` replays it forever.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-600}
if ! rustup toolchain list | grep -q nightly; then
    echo "skipping fuzzing: no nightly toolchain here (cargo fuzz needs one)" >&2
    exit 0
fi
for target in ${FUZZ_TARGETS:-parse_request read_statistics classify_error}; do
    corpus=fuzz/corpus/$target
    mkdir -p "$corpus"
    echo "== $target for ${seconds}s"
    # 70 000 bytes reaches past the 64 KiB body limit; 512 MiB of malloc in one go is a bug here.
    cargo +nightly fuzz run -O "$target" "$corpus" "crates/wa-stats-model/tests/fuzz-regressions/$target" -- \
        -max_total_time="$seconds" -max_len=70000 -malloc_limit_mb=512 -rss_limit_mb=2048 -print_final_stats=1
done
