#!/usr/bin/env bash
# Builds the libFuzzer executables and fuzzes each target for a bounded time.
#
#   fuzz/run.sh [SECONDS_PER_TARGET] [TARGET...]     (default: 60 seconds, every target)
#
# Crashes, hangs (an input taking more than FUZZ_TIMEOUT seconds) and out-of-memory inputs (over
# FUZZ_RSS_MB) are written to fuzz/out/crashes/<target>/; the exit status is 1 when there is one, and the
# command that replays it is printed. Grown corpora stay in fuzz/out/corpus/<target> for the next run.
# Seeds are the repository's fixtures and ../shared/corpus, read in place (VIRT_DOCTOR_CORPUS overrides).
# FUZZ_SANITIZE=fuzzer,address builds with AddressSanitizer too (slower; for looking at a crash).
# FUZZ_PARALLEL=N fuzzes N targets at once.
set -uo pipefail
fuzz_dir="$(cd "$(dirname "$0")" && pwd)"
repository="$(cd "$fuzz_dir/.." && pwd)"
seconds="${1:-60}"
shift $(( $# > 0 ? 1 : 0 ))
sanitize="${FUZZ_SANITIZE:-fuzzer}"
timeout_seconds="${FUZZ_TIMEOUT:-10}"
rss_mb="${FUZZ_RSS_MB:-2048}"
corpus="${VIRT_DOCTOR_CORPUS:-$repository/../shared/corpus}"
out="$fuzz_dir/out"

all_targets=$(sed -n '/^let targets = \[/,/^\]/p' "$fuzz_dir/Package.swift" | grep -o '"[a-z0-9-]*"' | tr -d '"')
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then read -r -a targets <<< "$(echo $all_targets)"; fi
for target in "${targets[@]}"; do
    if ! grep -qx "$target" <<< "$all_targets"; then
        echo "unknown fuzz target '$target'; known: $(echo $all_targets)" >&2
        exit 2
    fi
done

# No -parse-as-library: SwiftPM links every executable with main set to its module's entry point, so each
# target's file has top-level code that hands over to libFuzzer's driver. lld, because gold fails with an
# internal error linking the main package's build tool (EmbedGen) with the fuzzer flags.
build=(swift build -c release -Xswiftc "-sanitize=$sanitize" -Xswiftc -use-ld=lld)
# From fuzz/ itself, as a manual build would be: with --package-path SwiftPM reruns the build plugins and
# recompiles everything after them.
cd "$fuzz_dir"
echo "== building: ${build[*]}"
started=$(date +%s)
if ! "${build[@]}"; then
    echo "fuzz build failed" >&2
    exit 2
fi
echo "== build took $(( $(date +%s) - started )) s"
bin="$("${build[@]}" --show-bin-path)"

seed_root="$(mktemp -d "${TMPDIR:-/tmp}/virt-doctor-fuzz-seeds.XXXXXX")"
trap 'rm -rf "$seed_root"' EXIT
seed_dirs="$repository"
[ -d "$corpus" ] && seed_dirs="$seed_dirs:$corpus"

# Fuzzes one target; its summary goes to stdout, a failure also to $out/failed/<target>.
fuzz_one() {
    local target="$1" executable="$bin/fuzz-$1" seeds="$seed_root/$1" log="$out/logs/$1.log" status artifact
    mkdir -p "$seeds" "$out/corpus/$target" "$out/crashes/$target" "$out/logs"
    VIRT_DOCTOR_FUZZ_SEEDS_OUT="$seeds" VIRT_DOCTOR_FUZZ_SEED_DIRS="$seed_dirs" "$executable" >/dev/null 2>&1
    # The repository stores no bundle: archive seeds are made from a fixture root.
    case "$target" in
        tar) tar -C "$repository/Tests/Fixtures/roots" -cf "$seeds/fixture-root.tar" kvm-intel-host-ready ;;
        tar-gz) tar -C "$repository/Tests/Fixtures/roots" -czf "$seeds/fixture-root.tar.gz" kvm-intel-host-ready ;;
        archive)
            # Plain, xz, xz without a check (mutated data then reaches the decoder and the tar reader instead
            # of stopping at a CRC) and bzip2.
            plain="$seeds/fixture-root.tar"
            tar -C "$repository/Tests/Fixtures/roots" -cf "$plain" kvm-intel-host-ready
            if command -v xz >/dev/null; then
                xz -c "$plain" > "$plain.xz"
                xz -c --check=none "$plain" > "$seeds/fixture-root-nocheck.tar.xz"
            fi
            if command -v bzip2 >/dev/null; then bzip2 -c "$plain" > "$plain.bz2"; fi ;;
    esac
    "$executable" -max_total_time="$seconds" -timeout="$timeout_seconds" -rss_limit_mb="$rss_mb" \
        -max_len="${FUZZ_MAX_LEN:-65536}" -print_final_stats=1 \
        -artifact_prefix="$out/crashes/$target/" ${FUZZ_ARGS:-} \
        "$out/corpus/$target" "$seeds" > "$log" 2>&1
    status=$?
    echo "== $target: $(ls "$seeds" | wc -l) seeds, ${seconds}s, exit $status:" \
        $(grep -E '^stat::(number_of_executed_units|peak_rss_mb|new_units_added)' "$log" | sed 's/^stat:://')
    if [ "$status" != 0 ]; then
        artifact=$(grep -o "Test unit written to [^ ]*" "$log" | tail -1 | sed 's/Test unit written to //')
        {
            echo "!! $target failed (exit $status); log: $log"
            grep -E '(Fatal error|runtime failure|ERROR: libFuzzer|SUMMARY| at /.*\.swift:[0-9]+)' "$log" | head -12
            [ -n "$artifact" ] && echo "   reproduce: $executable $artifact"
        } | tee "$out/failed/$target" >&2
    fi
}

# FUZZ_PARALLEL targets at a time (default 1: the machine may be shared).
rm -rf "$out/failed"
mkdir -p "$out/failed"
running=0
for target in "${targets[@]}"; do
    fuzz_one "$target" &
    running=$((running + 1))
    if [ "$running" -ge "${FUZZ_PARALLEL:-1}" ]; then
        wait -n
        running=$((running - 1))
    fi
done
wait
failed=($(ls "$out/failed"))

if [ ${#failed[@]} -gt 0 ]; then
    echo "fuzzing found problems in: ${failed[*]} (inputs in $out/crashes/)" >&2
    exit 1
fi
echo "== no crash, hang or out-of-memory input in ${targets[*]}"
