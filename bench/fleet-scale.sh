#!/usr/bin/env bash
# Cost of `virt-doctor fleet` at scale: SIZES bundles (default 100 250 500), made by collecting the fixture
# roots over and over under distinct host names, each run timed with /usr/bin/time -v (wall time and peak
# resident memory). Linear growth shows as a constant time per host across the sizes. The migration
# matrix is capped at 50 hosts (the report says so), so its cost stops growing past that.
set -euo pipefail
source "$(dirname "$0")/common.sh"
pick_virt_doctor_binary
SIZES="${SIZES:-100 250 500}"
[[ -x /usr/bin/time ]] || die "/usr/bin/time is needed (apt-get install -y time)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# Hosts to copy: healthy and failing roots of different kinds, so the matrix has something to group.
roots=(migr-src migr-dst-ready migr-dst-older migr-dst-oldcpu migr-dst-macclash kvm-intel-host-ready ovirt-node-certs-vnc-stale
       net-mac-duplicate)
largest=0
for size in $SIZES; do ((size > largest)) && largest=$size; done
echo "collecting $largest bundles from ${#roots[@]} fixture roots ..." >&2
mkdir -p "$work/all"
for ((i = 0; i < largest; i++)); do
    name="${roots[i % ${#roots[@]}]}"
    "$BIN" collect --root "$REPO_ROOT/Tests/Fixtures/roots/$name" --now 2026-06-01T00:00:00Z \
        --output "$work/all/host$(printf %04d "$i")-$name.tar.gz" >/dev/null
done
bytes=$(du -sb "$work/all" | cut -f1)
echo "bundles: $largest, $((bytes / 1024)) KiB in all" >&2

bundles=("$work"/all/*.tar.gz)
printf '%-8s %-12s %-14s %-14s\n' hosts "wall (s)" "per host (ms)" "peak RSS (MiB)"
for size in $SIZES; do
    dir="$work/n$size"
    mkdir -p "$dir"
    for f in "${bundles[@]:0:size}"; do ln "$f" "$dir/"; done
    /usr/bin/time -v -o "$work/time.txt" "$BIN" fleet "$dir" --format json --output "$work/fleet-$size.json" || true
    wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$work/time.txt")
    seconds=$(echo "$wall" | awk -F: '{ if (NF == 3) print $1*3600 + $2*60 + $3; else print $1*60 + $2 }')
    rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/time.txt")
    printf '%-8s %-12s %-14s %-14s\n' "$size" "$seconds" "$(echo "$seconds $size" | awk '{printf "%.1f", $1 * 1000 / $2}')" "$((rss / 1024))"
done
