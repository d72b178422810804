#!/usr/bin/env bash
# Time `virt-doctor collect` against sos (`sos report`, restricted to its virtualization and network
# plugins) on this machine, print the ratio, and compare the sizes of the archives they produce.
#
# Why: `virt-doctor collect` is meant to be what a support engineer asks for instead of an sos report
# when the question is about virtualization, so it must not be slower to run or heavier to send.
# Absolute times depend on the machine; the ratio is what is comparable between machines and over time.
#
# Usage: bench/collect-vs-sos.sh   (as root: sos refuses to run otherwise)
#   VIRT_DOCTOR_BIN  binary to time (default: <repo>/.build/release/virt-doctor, or
#                    $SCRATCH_PATH/release/virt-doctor when SCRATCH_PATH is set; built if missing)
#   SCRATCH_PATH     build directory for `swift build --scratch-path`, so a release build here does
#                    not lock the .build directory someone else is using
#   RUNS             timed runs per command (default 5: one sos run takes seconds, not milliseconds)
#
# The script writes only under a temporary directory it removes on exit: virt-doctor writes its archive
# to --output and sos everything to --tmp-dir, both inside it. sos runs without --allow-system-changes,
# so it skips commands that would load kernel modules.

# Fail on any error, unset variable or failed pipe stage: a benchmark that half-ran must not print a
# table that looks valid.
set -euo pipefail

# shellcheck source=bench/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
RUNS="${RUNS:-5}"
# The sos plugins that cover what virt-doctor collects. Several are Red Hat only (selinux, ovirt*,
# vdsm), so the ones this machine's sos does not know are dropped below rather than passed on.
WANTED_PLUGINS=(libvirt kvm selinux networking ovirt ovirt_hosted_engine vdsm)

require_runs
[[ "$(id -u)" == 0 ]] || die "sos report only runs as root; run this benchmark as root"

# Check the peers before a possibly long release build, so a missing tool fails in a second.
command -v sos >/dev/null 2>&1 || {
    echo "missing: sos" >&2
    echo "install it with: apt-get install -y sosreport" >&2
    exit 1
}
for tool in hyperfine python3; do
    command -v "$tool" >/dev/null 2>&1 || die "$tool is missing; install: apt-get install -y $tool"
done
SOS="$(command -v sos)"

# Which of the wanted plugins this sos has: the names listed under "currently enabled" or "currently
# disabled" (a disabled plugin still runs when named in --only-plugins; a name sos does not know at
# all would only be noise). The option lists that follow those two sections are not plugin names.
plugin_list="$("$SOS" report --list-plugins </dev/null 2>&1)" || die "'sos report --list-plugins' failed: $plugin_list"
known_plugins="$(awk '/^The following plugins are currently (enabled|disabled)/ { on = 1; next }
    /^The following/ { on = 0 }
    on && /^ [a-z0-9_]+ / { print $1 }' <<<"$plugin_list")"
used=() unavailable=()
for plugin in "${WANTED_PLUGINS[@]}"; do
    if grep -qx "$plugin" <<<"$known_plugins"; then used+=("$plugin"); else unavailable+=("$plugin"); fi
done
((${#used[@]} > 0)) || die "none of the plugins ${WANTED_PLUGINS[*]} exists in this sos; nothing to compare"
SOS_PLUGINS="$(IFS=,; echo "${used[*]}")"
SOS_VERSION="$(sed -n 's/.*(version \([^)]*\)).*/\1/p' <<<"$plugin_list" | head -n 1)"
echo "sos ${SOS_VERSION:-?} plugins used: $SOS_PLUGINS" >&2
((${#unavailable[@]} == 0)) || echo "sos plugins not on this machine (skipped): ${unavailable[*]}" >&2

pick_virt_doctor_binary

# Everything this script writes goes here and is removed on exit, even on failure or Ctrl-C.
TMP="$(mktemp -d "${TMPDIR:-/tmp}/vd-bench.XXXXXX")"
trap 'rm -rf "$TMP"' EXIT
VD_OUT="$TMP/vd"
SOS_OUT="$TMP/sos"

# -N: no intermediate shell, so only the tools themselves are timed. hyperfine then splits each
# command line on spaces (the paths must have none, or the split would time the wrong thing) and runs
# --prepare without a shell as well, so emptying an output directory is a small script, not `rm && mkdir`.
[[ "$BIN$SOS$TMP" != *[[:space:]]* ]] || die "paths with spaces are not supported with hyperfine -N"
RESET="$TMP/reset-dir"
printf '#!/bin/sh\nset -e\nrm -rf "$1"\nmkdir "$1"\n' >"$RESET"
chmod +x "$RESET"

# Both tools write one archive per run into a directory that must exist. Each run starts from an empty
# one, so runs do not pile up archives (sos would also pay for a fuller directory) and the size run
# below finds exactly one.
VD_CMD="$BIN collect --output $VD_OUT"
# --batch: never prompt (no case id, no "press Enter"); --quiet: only fatal errors.
SOS_CMD="$SOS report --batch --quiet --tmp-dir $SOS_OUT --only-plugins $SOS_PLUGINS"

# No -i: both tools exit 0 when they wrote their archive, and a run that fails at once would look fast.
# A non-zero exit stops hyperfine, and set -e stops the script before it prints a table.
echo "timing with hyperfine: --warmup 1 --runs $RUNS, $(nproc) cores (each sos run takes seconds)" >&2
hyperfine --warmup 1 --runs "$RUNS" -N --export-json "$TMP/hyperfine.json" \
    --prepare "$RESET $VD_OUT" --prepare "$RESET $SOS_OUT" \
    -n "virt-doctor collect" "$VD_CMD" \
    -n "sos report" "$SOS_CMD" >&2

# One more run of each, outside the timing, to measure what it produced: the compressed archive a user
# would send (sos's .md5/.sha256 beside it does not count).
archive_of() { # dir glob...: the single archive matching the globs, or die
    local dir="$1" found=()
    shift
    shopt -s nullglob
    for pattern in "$@"; do found+=("$dir"/$pattern); done
    shopt -u nullglob
    ((${#found[@]} == 1)) || die "expected one archive in $dir, found ${#found[@]}: $(ls -A "$dir" | paste -sd' ' -)"
    echo "${found[0]}"
}
"$RESET" "$VD_OUT"
"$RESET" "$SOS_OUT"
$VD_CMD </dev/null >"$TMP/vd.out" 2>&1 || { cat "$TMP/vd.out" >&2; die "'$VD_CMD' failed in the size run"; }
$SOS_CMD </dev/null >"$TMP/sos.out" 2>&1 || { cat "$TMP/sos.out" >&2; die "'$SOS_CMD' failed in the size run"; }
VD_ARCHIVE="$(archive_of "$VD_OUT" 'virt-doctor-*.tar.gz')"
SOS_ARCHIVE="$(archive_of "$SOS_OUT" 'sosreport-*.tar.xz' 'sosreport-*.tar.gz' 'sosreport-*.tar.bz2')"
VD_BYTES="$(stat -c %s "$VD_ARCHIVE")"
SOS_BYTES="$(stat -c %s "$SOS_ARCHIVE")"
# Collector notes (e.g. libvirt unreachable) explain a small or fast virt-doctor archive.
grep '^note:' "$TMP/vd.out" >&2 || true

# Summarise: means and spreads in seconds, archive bytes, each row as a ratio of sos.
python3 - "$TMP/hyperfine.json" "$VD_BYTES" "$SOS_BYTES" "$VD_ARCHIVE" "$SOS_ARCHIVE" "$SOS_PLUGINS" "$BIN" <<'PY'
import json, os, sys

bench_path, vd_bytes, sos_bytes, vd_archive, sos_archive, plugins, binary = sys.argv[1:]
results = {r["command"]: r for r in json.load(open(bench_path))["results"]}
sizes = {"virt-doctor collect": int(vd_bytes), "sos report": int(sos_bytes)}
vd, sos = results["virt-doctor collect"], results["sos report"]

width = max(len(name) for name in results)
print(f"{'command':<{width}}  {'mean s':>8}  {'stddev s':>8}  {'archive bytes':>13}  {'/ sos':>6}")
for name, r in results.items():
    stddev = r.get("stddev") or 0.0
    print(f"{name:<{width}}  {r['mean']:8.3f}  {stddev:8.3f}  {sizes[name]:13d}  {r['mean'] / sos['mean']:6.2f}")

print()
print(f"ratio virt-doctor / sos: {vd['mean'] / sos['mean']:.2f}  (mean time; below 1.0 means virt-doctor is faster)")
print(f"archive size virt-doctor / sos: {sizes['virt-doctor collect'] / sizes['sos report']:.2f}  "
      f"({os.path.basename(vd_archive)} vs {os.path.basename(sos_archive)}; gzip vs sos's own compression)")
print(f"sos plugins: {plugins}")
print(f"binary: {binary}")
PY
