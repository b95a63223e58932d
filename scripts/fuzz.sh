#!/usr/bin/env bash
# Fuzzes gongwen-domain's JSON import, 文号 parser, body parser and lint: none may panic.
#
# With cargo-fuzz and a nightly toolchain (`cargo install cargo-fuzz`,
# `rustup toolchain install nightly`) each libFuzzer target runs FUZZ_SECONDS
# (default 60) seconds, seeded with docs/examples. Without them, the same
# properties run as proptest cases: PROPTEST_CASES (default 20000) per property.
# FUZZ_ENGINE=libfuzzer|proptest forces one engine.
#
# A crash leaves its input in crates/gongwen-domain/fuzz/artifacts/<target>/;
# reproduce with `cargo +nightly fuzz run <target> <file>` in crates/gongwen-domain.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
seconds="${FUZZ_SECONDS:-60}"
targets=(from_json docnum body_lint)

engine="${FUZZ_ENGINE:-auto}" # auto | libfuzzer | proptest
if [ "$engine" = auto ]; then
    if cargo +nightly fuzz --version >/dev/null 2>&1; then engine=libfuzzer; else engine=proptest; fi
fi

if [ "$engine" = libfuzzer ]; then
    cd "$root/crates/gongwen-domain"
    export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}/fuzz"
    for t in "${targets[@]}"; do
        mkdir -p "fuzz/corpus/$t"
        seeds=()
        [ "$t" = from_json ] && seeds=("$root/docs/examples")
        echo "== fuzz $t for ${seconds}s"
        cargo +nightly fuzz run "$t" "fuzz/corpus/$t" "${seeds[@]}" -- \
            -max_total_time="$seconds" -rss_limit_mb=4096 -max_len=65536 -print_final_stats=1
    done
else
    echo "running the proptest properties (cargo-fuzz with nightly not used)"
    cd "$root"
    PROPTEST_CASES="${PROPTEST_CASES:-20000}" \
        cargo test -p gongwen-domain --test domain robustness
fi
