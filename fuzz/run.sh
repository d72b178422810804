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

build=(swift build -c release --package-path "$fuzz_dir" -Xswiftc "-sanitize=$sanitize" -Xswiftc -parse-as-library)
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

failed=()
for target in "${targets[@]}"; do
    executable="$bin/fuzz-$target"
    seeds="$seed_root/$target"
    mkdir -p "$seeds" "$out/corpus/$target" "$out/crashes/$target" "$out/logs"
    VIRT_DOCTOR_FUZZ_SEEDS_OUT="$seeds" VIRT_DOCTOR_FUZZ_SEED_DIRS="$seed_dirs" "$executable" >/dev/null 2>&1
    # The repository stores no bundle: archive seeds are made from a fixture root.
    case "$target" in
        tar) tar -C "$repository/Tests/Fixtures/roots" -cf "$seeds/fixture-root.tar" kvm-intel-host-ready ;;
        tar-gz) tar -C "$repository/Tests/Fixtures/roots" -czf "$seeds/fixture-root.tar.gz" kvm-intel-host-ready ;;
    esac
    echo "== $target: $(ls "$seeds" | wc -l) seeds, $(ls "$out/corpus/$target" | wc -l) corpus inputs, ${seconds}s"
    "$executable" -max_total_time="$seconds" -timeout="$timeout_seconds" -rss_limit_mb="$rss_mb" \
        -max_len="${FUZZ_MAX_LEN:-65536}" -print_final_stats=1 \
        -artifact_prefix="$out/crashes/$target/" ${FUZZ_ARGS:-} \
        "$out/corpus/$target" "$seeds" > "$out/logs/$target.log" 2>&1
    status=$?
    grep -E '^stat::(number_of_executed_units|peak_rss_mb|new_units_added)' "$out/logs/$target.log" | tr '\n' ' '
    echo
    if [ "$status" != 0 ]; then
        failed+=("$target")
        artifact=$(grep -o "Test unit written to [^ ]*" "$out/logs/$target.log" | tail -1 | sed 's/Test unit written to //')
        echo "!! $target failed (exit $status); log: $out/logs/$target.log" >&2
        grep -E '^(==[0-9]+==|SUMMARY|Fatal error|.*: error:|#[0-9]+ 0x)' "$out/logs/$target.log" | head -20 >&2
        [ -n "$artifact" ] && echo "   reproduce: $executable $artifact" >&2
    fi
done

if [ ${#failed[@]} -gt 0 ]; then
    echo "fuzzing found problems in: ${failed[*]} (inputs in $out/crashes/)" >&2
    exit 1
fi
echo "== no crash, hang or out-of-memory input in ${targets[*]}"
