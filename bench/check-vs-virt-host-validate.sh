#!/usr/bin/env bash
# Time `virt-doctor check` against libvirt's `virt-host-validate` (and cpu-checker's `kvm-ok`, when
# installed) on this machine, and print the ratio.
#
# Why: virt-doctor runs more kinds of checks than virt-host-validate, so it must not be noticeably
# slower than the tool people already run. Absolute times depend on the machine; the ratio is what
# is comparable between machines and over time.
#
# Usage: bench/check-vs-virt-host-validate.sh
#   VIRT_DOCTOR_BIN  binary to time (default: <repo>/.build/release/virt-doctor, or
#                    $SCRATCH_PATH/release/virt-doctor when SCRATCH_PATH is set)
#   SCRATCH_PATH     build directory for `swift build --scratch-path`, so a release build here does
#                    not lock the .build directory someone else is using
#   RUNS             timed runs per command (default 30)
#   SKIP_IDS         optional comma-separated check ids or areas: also times `check --skip SKIP_IDS`,
#                    so the cost of those checks is the difference, per check (e.g. the checks a change
#                    added: did the run get slower by more than the work added?)
#
# The script only reads the machine and writes files under a temporary directory it removes on exit.

# Fail on any error, unset variable or failed pipe stage: a benchmark that half-ran must not print a
# table that looks valid.
set -euo pipefail

# shellcheck source=bench/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
RUNS="${RUNS:-30}"
INSTALL_HINT="apt-get install -y libvirt-clients hyperfine cpu-checker"

require_runs

# Check the peers before a possibly long release build, so a missing tool fails in a second.
missing=()
for tool in virt-host-validate hyperfine python3; do
    command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
if ((${#missing[@]} > 0)); then
    echo "missing: ${missing[*]}" >&2
    echo "install the peers with: $INSTALL_HINT" >&2
    [[ " ${missing[*]} " == *" python3 "* ]] && echo "and python3 with: apt-get install -y python3" >&2
    exit 1
fi

# kvm-ok is optional: it only answers "can KVM be used", so it is a useful floor but not the main peer.
# It is also only safe to run when it cannot reach its `modprobe msr` branch (root, a CPU with
# vmx/svm and no /dev/kvm): the benchmark must not load kernel modules.
KVM_OK=""
if command -v kvm-ok >/dev/null 2>&1; then
    # On x86 a CPU without vmx/svm also stops before modprobe; other architectures do not.
    if [[ -e /dev/kvm || "$(id -u)" != 0 ]] ||
        { [[ "$(uname -m)" == x86_64 || "$(uname -m)" == i?86 ]] && ! grep -qwE 'vmx|svm' /proc/cpuinfo; }; then
        KVM_OK="$(command -v kvm-ok)"
    else
        echo "note: not timing kvm-ok: without /dev/kvm it would run 'modprobe msr' as root" >&2
    fi
else
    echo "note: kvm-ok not found, timing without it (install: $INSTALL_HINT)" >&2
fi

pick_virt_doctor_binary
VHV="$(command -v virt-host-validate)"

# Everything this script writes goes here and is removed on exit, even on failure or Ctrl-C.
TMP="$(mktemp -d "${TMPDIR:-/tmp}/vd-bench.XXXXXX")"
trap 'rm -rf "$TMP"' EXIT

# One untimed run of each tool first. Both exit non-zero when they find problems, so hyperfine runs
# with -i; that would also hide a tool that dies at once and so looks fast. Hence: virt-doctor must
# exit 0 (no failure) or 2 (a check failed) and produce a report, and virt-host-validate must print
# status lines.
set +e
"$BIN" check --format json >"$TMP/vd.json" 2>"$TMP/vd.err"
vd_rc=$?
"$VHV" >"$TMP/vhv-all.txt" 2>&1
"$VHV" qemu >"$TMP/vhv-qemu.txt" 2>&1
set -e
if [[ $vd_rc != 0 && $vd_rc != 2 ]]; then
    cat "$TMP/vd.err" >&2
    die "'$BIN check' exited $vd_rc (1 = the tool itself failed, 64 = usage error); not timing a broken run"
fi

# Report to stdout: hyperfine discards each command's output itself, which costs the same as --output
# onto /dev/null (older builds replaced /dev/null when asked to write there; fixed, but the benchmark
# does not depend on it).
hf_cmds=(
    -n "virt-doctor check --format json" "$BIN check --format json"
    -n "virt-doctor check --format text" "$BIN check --format text"
    -n "virt-host-validate" "$VHV"
    -n "virt-host-validate qemu" "$VHV qemu"
)
[[ -n "$KVM_OK" ]] && hf_cmds+=(-n "kvm-ok" "$KVM_OK")
SKIP_IDS="${SKIP_IDS:-}"
[[ "$SKIP_IDS" != *[[:space:]]* ]] || die "SKIP_IDS is comma-separated, without spaces"
[[ -n "$SKIP_IDS" ]] && hf_cmds+=(-n "virt-doctor check --format json --skip SKIP_IDS" "$BIN check --format json --skip $SKIP_IDS")

# -N: no intermediate shell, so only the tools themselves are timed (the paths above have no spaces
# or the split would break them; refuse rather than time the wrong thing).
[[ "$BIN$VHV$KVM_OK" != *[[:space:]]* ]] || die "tool paths with spaces are not supported with hyperfine -N"
echo "timing with hyperfine: --warmup 3 --runs $RUNS, $(nproc) cores" >&2
hyperfine --warmup 3 --runs "$RUNS" -N -i --export-json "$TMP/hyperfine.json" "${hf_cmds[@]}" >&2

# Summarise: means and spreads in ms, each row as a ratio of virt-host-validate (all drivers), and how
# many checks each tool performed, so the time is read next to the amount of work.
python3 - "$TMP/hyperfine.json" "$TMP/vd.json" "$TMP/vhv-all.txt" "$TMP/vhv-qemu.txt" "$BIN" "$SKIP_IDS" <<'PY'
import json, re, sys

bench_path, vd_path, vhv_all_path, vhv_qemu_path, binary, skip_ids = sys.argv[1:]
results = {r["command"]: r for r in json.load(open(bench_path))["results"]}
baseline = results["virt-host-validate"]["mean"]

width = max(len(name) for name in results)
print(f"{'command':<{width}}  {'mean ms':>9}  {'stddev ms':>9}  {'/ vhv':>6}")
for name, r in results.items():
    stddev = r.get("stddev") or 0.0
    print(f"{name:<{width}}  {r['mean'] * 1000:9.2f}  {stddev * 1000:9.2f}  {r['mean'] / baseline:6.2f}")

ratio = results["virt-doctor check --format json"]["mean"] / baseline
print()
print(f"ratio virt-doctor / virt-host-validate: {ratio:.2f}  (check --format json vs all drivers; below 1.0 means virt-doctor is faster)")

# virt-doctor: one finding per check it ran; skipped ones did not apply to this machine.
findings = json.load(open(vd_path))["findings"]
skipped = sum(1 for f in findings if f.get("status") == "skip")
# virt-host-validate: one "DRIVER: Checking ... : PASS|WARN|FAIL (...)" line per check.
status = re.compile(r":\s+(PASS|WARN|FAIL|NOTE|SKIP)\b")
def count(path):
    return sum(1 for line in open(path, errors="replace") if status.search(line))
vhv_all, vhv_qemu = count(vhv_all_path), count(vhv_qemu_path)
if vhv_all == 0:
    sys.exit("error: virt-host-validate printed no status lines; its output format may have changed")
print(f"checks performed: virt-doctor {len(findings)} ({len(findings) - skipped} evaluated, {skipped} not applicable); "
      f"virt-host-validate {vhv_all} (all drivers), {vhv_qemu} (qemu)")
if skip_ids:
    # The skipped checks' share: the whole run minus the run without them, per skipped check.
    names = [i for i in skip_ids.split(",") if i]
    full = results["virt-doctor check --format json"]["mean"]
    without = results["virt-doctor check --format json --skip SKIP_IDS"]["mean"]
    print(f"without the {len(names)} SKIP_IDS: {without * 1000:.2f} ms; they cost {(full - without) * 1000:.2f} ms "
          f"({(full - without) * 1000 / len(names):.3f} ms per check); ratio without them / vhv: {without / baseline:.2f}")
print(f"binary: {binary}")
PY
