#!/usr/bin/env bash
# Operations per second through the process bridge with the Python child:
# the operation lines (new .. exit) the bridge sent to the child, counted by
# the bridge, per second; results-only (batched) and with state (compared on
# the harness's schedule: every step while small, then in sweeps), each
# beside the oracle in-process on the same inputs.
#   tests/process/bench.sh [BUILD_DIR] [INPUTS]
set -euo pipefail
if [[ $# -gt 2 || ${1:-} == -h ]]; then echo "usage: $0 [BUILD_DIR] [INPUTS]" >&2; exit 2; fi
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build/dev}
bench=$build/tests/process/process_bench
child="python3 $root/examples/python/restab_child.py"
set -x
RESTAB_IMPL_CMD="$child --no-state --no-check" "$bench" "${2:-200}"
RESTAB_IMPL_CMD="$child" "$bench" "$(( (${2:-200} + 9) / 10 ))"
