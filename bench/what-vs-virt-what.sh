#!/usr/bin/env bash
# Time `virt-doctor what` against virt-what and systemd-detect-virt on this machine and print the ratios.
#
# Why: `virt-doctor what` is meant to replace virt-what in scripts, so it must not be slower to ask.
# Absolute times depend on the machine; the ratio is what compares across machines and over time.
#
# Usage: bench/what-vs-virt-what.sh
#   VIRT_DOCTOR_BIN  binary to time (default: <repo>/.build/release/virt-doctor, built if missing;
#                    $SCRATCH_PATH/release/virt-doctor when SCRATCH_PATH is set)
#   SCRATCH_PATH     build directory for `swift build --scratch-path`
#   RUNS             timed runs per command (default 30)
#
# It only reads the machine and writes temporary files it removes on exit. virt-what must run as root.
set -euo pipefail

# shellcheck source=bench/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
RUNS="${RUNS:-30}"

require_runs
for tool in virt-what systemd-detect-virt hyperfine python3; do
    command -v "$tool" >/dev/null 2>&1 || die "$tool is missing; install: apt-get install -y virt-what systemd hyperfine python3"
done
[[ "$(id -u)" == 0 ]] || die "virt-what only runs as root; run this benchmark as root"

pick_virt_doctor_binary
VW="$(command -v virt-what)"
SDV="$(command -v systemd-detect-virt)"
[[ "$BIN$VW$SDV" != *[[:space:]]* ]] || die "tool paths with spaces are not supported with hyperfine -N"

TMP="$(mktemp -d "${TMPDIR:-/tmp}/vd-bench.XXXXXX")"
trap 'rm -rf "$TMP"' EXIT

# Show what each tool answers, so the time is read next to the answer (virt-what and virt-doctor what
# should agree line for line).
echo "answers on this machine:" >&2
echo "  virt-doctor what:      $("$BIN" what 2>/dev/null | paste -sd, -)" >&2
echo "  virt-what:             $("$VW" 2>/dev/null | paste -sd, -)" >&2
echo "  systemd-detect-virt:   $("$SDV" 2>/dev/null || true)" >&2

# -i: virt-doctor exits 1 on unusable evidence and systemd-detect-virt exits 1 on "none".
hyperfine --warmup 3 --runs "$RUNS" -N -i --export-json "$TMP/hyperfine.json" \
    -n "virt-doctor what" "$BIN what" \
    -n "virt-doctor what --format json" "$BIN what --format json" \
    -n "virt-what" "$VW" \
    -n "systemd-detect-virt" "$SDV" >&2

python3 - "$TMP/hyperfine.json" <<'PY'
import json, sys
results = {r["command"]: r for r in json.load(open(sys.argv[1]))["results"]}
base = results["virt-what"]["mean"]
width = max(len(n) for n in results)
print(f"{'command':<{width}}  {'mean ms':>9}  {'stddev ms':>9}  {'/ virt-what':>11}")
for name, r in results.items():
    print(f"{name:<{width}}  {r['mean']*1000:9.2f}  {(r.get('stddev') or 0)*1000:9.2f}  {r['mean']/base:11.2f}")
print()
print(f"ratio virt-doctor what / virt-what: {results['virt-doctor what']['mean']/base:.2f}  (below 1.0 means virt-doctor is faster)")
print(f"ratio virt-doctor what / systemd-detect-virt: {results['virt-doctor what']['mean']/results['systemd-detect-virt']['mean']:.2f}")
PY
