#!/usr/bin/env bash
# Runs every fuzz target for SECONDS each: `fuzz/run.sh SECONDS [TARGET...]`.
#
# Coverage-guided with cargo-fuzz (libFuzzer + AddressSanitizer) when it can
# build here: cargo-fuzz needs nightly-only flags, which the stable compiler
# accepts with RUSTC_BOOTSTRAP=1. If cargo-fuzz cannot be installed or the
# build fails, the same target bodies run as seeded random-input loops under
# `cargo test` (fuzz/tests/random_inputs.rs), so the run is never skipped.
#
# Either way the regression inputs in fuzz/regressions/ run first, and a
# crash fails the run and leaves its input in fuzz/artifacts/<target>/.
# FUZZ_ENGINE=random forces the fallback; FUZZ_ENGINE=libfuzzer forbids it.
# The random loops build with FUZZ_PROFILE (release, or dev) into
# FUZZ_RANDOM_TARGET_DIR (default fuzz/target): `make fuzz-smoke` points it
# at the main target/ in the dev profile, reusing what `cargo test -p
# rustssl-core` built.
set -euo pipefail
cd "$(dirname "$0")"
profile_flag=()
[ "${FUZZ_PROFILE:-release}" = dev ] || profile_flag=(--release)
random_target_dir=${FUZZ_RANDOM_TARGET_DIR:-$PWD/target}

seconds=${1:-60}
shift || true
all_targets=(pem_der_load cert_decode cipher_string conn_server conn_client guard)
targets=("${@:-${all_targets[@]}}")
engine=${FUZZ_ENGINE:-auto}
summary=()

have_cargo_fuzz() {
    if cargo fuzz --version >/dev/null 2>&1; then
        return 0
    fi
    echo "fuzz: installing cargo-fuzz"
    cargo install cargo-fuzz --locked --quiet >/dev/null 2>&1 || return 1
    cargo fuzz --version >/dev/null 2>&1
}

run_libfuzzer() {
    export RUSTC_BOOTSTRAP=1
    # Seed corpus: real certificates, keys, cipher strings and handshake flights.
    RUSTSSL_FUZZ_SEEDS="$PWD/corpus" cargo test --release --quiet --test random_inputs \
        -- --exact write_seed_corpus regressions >/dev/null
    for t in "${targets[@]}"; do
        mkdir -p target
        if ! cargo fuzz build --features libfuzzer "$t" >target/fuzz-build.log 2>&1; then
            tail -20 target/fuzz-build.log
            echo "fuzz: cargo fuzz build failed for $t"
            return 1
        fi
    done
    rm -f target/fuzz-build.log
    for t in "${targets[@]}"; do
        mkdir -p "corpus/$t" "artifacts/$t"
        log=$(mktemp)
        status=0
        # The guard target must also stay within a tight memory bound: no
        # single allocation over 16 MiB, no more than 512 MiB in all.
        limits=(-rss_limit_mb=4096)
        [ "$t" = guard ] && limits=(-rss_limit_mb=512 -malloc_limit_mb=16)
        cargo fuzz run --features libfuzzer "$t" "corpus/$t" -- \
            -max_total_time="$seconds" "${limits[@]}" -max_len=65536 \
            -print_final_stats=1 >"$log" 2>&1 || status=$?
        execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
        if [ "$status" != 0 ]; then
            tail -40 "$log"
            rm -f "$log"
            echo "fuzz: $t FAILED (input saved in fuzz/artifacts/$t/)"
            exit 1
        fi
        rm -f "$log"
        summary+=("$t: libfuzzer, ${execs:-?} execs in ${seconds}s, 0 crashes")
    done
}

run_random() {
    for t in "${targets[@]}"; do
        out=$(RUSTSSL_FUZZ_SECONDS="$seconds" CARGO_TARGET_DIR="$random_target_dir" \
            cargo test "${profile_flag[@]}" --quiet \
            --test random_inputs -- --exact "${t}_random" --nocapture 2>&1) || {
            echo "$out" | tail -40
            echo "fuzz: $t FAILED (input saved in fuzz/artifacts/$t/)"
            exit 1
        }
        summary+=("$(echo "$out" | grep -m1 "^$t: " | sed 's/^[^:]*: /&random-loop, /')")
    done
}

# Saved crashes first: they are the cheapest and most important inputs.
CARGO_TARGET_DIR="$random_target_dir" cargo test "${profile_flag[@]}" --quiet \
    --test random_inputs -- --exact regressions

if [ "$engine" != random ] && have_cargo_fuzz && run_libfuzzer; then
    :
elif [ "$engine" = libfuzzer ]; then
    echo "fuzz: cargo-fuzz is not usable here and FUZZ_ENGINE=libfuzzer"
    exit 1
else
    [ "$engine" = random ] || echo "fuzz: cargo-fuzz unavailable, running seeded random-input loops"
    summary=()
    run_random
fi

printf 'fuzz: %s\n' "${summary[@]}"
