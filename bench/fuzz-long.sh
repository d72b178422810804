#!/usr/bin/env bash
# A long fuzzing session: every target (or the ones named) for SECONDS each, 600 by default, through the
# same script CI uses for its short run. Crashes land in fuzz/out/crashes/<target>/; exit status 1 if any.
#
#   bench/fuzz-long.sh [SECONDS_PER_TARGET] [TARGET...]
set -euo pipefail
source "$(dirname "$0")/common.sh"
seconds="${1:-600}"
shift $(( $# > 0 ? 1 : 0 ))
[[ "$seconds" =~ ^[0-9]+$ ]] || die "SECONDS_PER_TARGET must be a whole number (got '$seconds')"
exec "$REPO_ROOT/fuzz/run.sh" "$seconds" "$@"
