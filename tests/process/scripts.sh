#!/usr/bin/env bash
# ctest driver (label example): the scripts' --impl-cmd option. Runs
# scripts/replay --impl-cmd with the Python example child against this
# build (--build, so no build of its own): golden scripts must print their
# expected results, a planted bug on the corpus must be reported, and a
# command that does not exist is one line on standard error and exit 2.
#   scripts.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
[[ $# -eq 2 ]] || { echo "usage: $0 BUILD_DIR SOURCE_DIR" >&2; exit 2; }
build=$1 src=$2
command -v python3 >/dev/null || { echo "FAIL: python3 is missing (scripts/test installs it)"; exit 1; }
export RESTAB_IMPL_TIMEOUT=10
child="python3 $src/examples/python/restab_child.py"

for name in reuse-two-types lends-per-scope remove-check-order; do
  script=$src/tests/golden/$name.ops
  echo "+ scripts/replay --impl-cmd '$child' --build $build --script $script"
  out=$("$src/scripts/replay" --impl-cmd "$child" --build "$build" --script "$script")
  if [[ "$out" != "$(cat "$src/tests/golden/$name.expected")" ]]; then
    printf '%s\n' "$out"
    echo "FAIL: $name: the results differ from $name.expected"
    exit 1
  fi
done
echo "PASS: golden scripts through scripts/replay --impl-cmd"

# A planted bug is found through the script too (exit 1, the bridge named).
set +e
out=$(RESTAB_CHILD_BUG=reuse-order "$src/scripts/replay" --impl-cmd "$child" --build "$build" \
        --quiet "$src/corpus/restab_ops" 2>&1)
rc=$?
set -e
if [[ $rc -ne 1 || "$out" != *"process and oracle disagree"* ]]; then
  printf '%s\n' "$out" | tail -n 20
  echo "FAIL: RESTAB_CHILD_BUG=reuse-order: exit status $rc, expected 1 and a report"
  exit 1
fi
echo "PASS: a planted bug is reported"

set +e
err=$("$src/scripts/replay" --impl-cmd nonexistent-cmd --build "$build" --script \
        "$src/tests/golden/reuse-two-types.ops" 2>&1 >/dev/null)
rc=$?
set -e
lines=$(printf '%s\n' "$err" | wc -l)
if [[ $rc -ne 2 || $lines -ne 1 || "$err" != *nonexistent-cmd* ]]; then
  printf '%s\n' "$err"
  echo "FAIL: --impl-cmd nonexistent-cmd: exit status $rc and $lines lines, expected 2 and one line naming it"
  exit 1
fi
echo "PASS: --impl-cmd nonexistent-cmd: $err"
