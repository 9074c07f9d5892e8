#!/usr/bin/env bash
# Runs every fuzz target in turn, one at a time, single job, for SECONDS each (default 180), on
# its corpus in fuzz/corpus/<target>/. Stops at the first target that finds a crash (the input
# is saved under fuzz/artifacts/<target>/). Needs nightly and cargo-fuzz (docs/FUZZING.md).
set -euo pipefail
seconds="${1:-180}"
cd "$(dirname "$0")"
targets=(okta_response okta_headers activity_okta activity_cloudtrail activity_github activity_teleport user_sql sigma config)
# One feature set for every target, so switching targets does not rebuild dependencies. Without
# `config` (FUZZ_FEATURES= ./run-all.sh), the other targets build without the web crate.
features=(${FUZZ_FEATURES---features config})
for target in "${targets[@]}"; do
    if [ "$target" = config ] && [ ${#features[@]} -eq 0 ]; then continue; fi
    echo "== $target: ${seconds}s"
    mkdir -p "corpus/$target"
    cargo +nightly fuzz run "${features[@]}" "$target" "corpus/$target" -- \
        -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -max_len=65536 -print_final_stats=1
done
