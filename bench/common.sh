# Shared by the bench/*.sh scripts (sourced, not run): the repository root, error exit, the RUNS check,
# and how the virt-doctor binary to time is found or built, so every benchmark times the same thing.

# The repository root is this file's parent directory, wherever the script is called from.
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SCRATCH_PATH="${SCRATCH_PATH:-}"

die() {
    echo "error: $*" >&2
    exit 1
}

# hyperfine needs at least two runs to report a standard deviation.
require_runs() {
    [[ "$RUNS" =~ ^[0-9]+$ ]] && ((RUNS >= 2)) || die "RUNS must be an integer >= 2 (got '$RUNS')"
}

# Sets BIN. An explicit VIRT_DOCTOR_BIN is used as given; otherwise the release binary is built if it is
# not there yet, with the standard library linked in as shipped (--static-swift-stdlib), under
# SCRATCH_PATH when set so a benchmark does not lock the .build directory someone else is using.
pick_virt_doctor_binary() {
    if [[ -n "${VIRT_DOCTOR_BIN:-}" ]]; then
        BIN="$VIRT_DOCTOR_BIN"
        [[ -x "$BIN" ]] || die "VIRT_DOCTOR_BIN=$BIN is not an executable file"
        return
    fi
    local build_args=(build -c release --static-swift-stdlib)
    if [[ -n "$SCRATCH_PATH" ]]; then
        build_args+=(--scratch-path "$SCRATCH_PATH")
        BIN="$SCRATCH_PATH/release/virt-doctor"
    else
        BIN="$REPO_ROOT/.build/release/virt-doctor"
    fi
    if [[ ! -x "$BIN" ]]; then
        command -v swift >/dev/null 2>&1 || die "$BIN is missing and swift is not installed to build it"
        echo "building: swift ${build_args[*]} (first release build takes several minutes)" >&2
        (cd "$REPO_ROOT" && swift "${build_args[@]}") >&2
        [[ -x "$BIN" ]] || die "the build finished but $BIN is not there"
    fi
}
