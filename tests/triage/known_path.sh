#!/usr/bin/env bash
# Known divergences and triage that knows the implementation, through the
# process bridge (label triage, fuzz preset), with the Python example child
# and its reuse-order bug, which shows as three signatures (new, lower_own
# and lower_borrow give the wrong handle):
#   1. a malformed known file: FILE:LINE: reason, exit 2;
#   2. scripts/replay --keep-going over the corpus tallies the failures;
#      with all three known, exit 0, and the one the corpus does not reach
#      (lower_borrow's) listed as unseen;
#   3. scripts/fuzz --known with all three (ENGINE, --jobs JOBS): exit 0,
#      no new crash, the known counts in the summary;
#   4. with one left out: exit 1, the new crash is the one left out, filed
#      with implementation.txt, and its reproduce line reruns it (exit 1);
#      scripts/reproduce and scripts/replay --signature take the
#      implementation from the record;
#   5. a child that stops answering: a timeout, said as one.
set -euo pipefail
[ $# -eq 3 ] || { echo "usage: known_path.sh libfuzzer|afl JOBS WORK" >&2; exit 2; }
engine=$1 jobs=$2 work=$3
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
fail() { echo "FAIL: $*" >&2; exit 1; }
step() { printf '\n== %s\n' "$*"; }
command -v python3 >/dev/null || fail "python3 is missing (scripts/test installs it)"
rm -rf "$work"
mkdir -p "$work"
fuzz=$(mktemp -d "${TMPDIR:-/tmp}/restab-known-$engine.XXXXXX")
trap 'rm -rf "$fuzz"' EXIT
child="python3 $root/examples/python/restab_child.py --no-state --no-check"
export RESTAB_CHILD_BUG=reuse-order RESTAB_IMPL_TIMEOUT=10
all=$work/known
cat >"$all" <<'KNOWN'
# The Python child's planted reuse-order bug, in each operation that inserts.
known reuse-oldest
  signature ops new results-differ:ok-vs-ok
  signature ops lower_own results-differ:ok-vs-ok
  what a new entry takes the oldest free slot, not the newest
  where examples/python/restab_child.py (RESTAB_CHILD_BUG=reuse-order)
known reuse-oldest-borrow
  signature ops lower_borrow results-differ:ok-vs-ok
  script reuse-borrow.ops
  what the same when a borrow is lowered
KNOWN
printf 'new t0 1\nnew t0 2\nnew t0 3\nenter\ndrop t0 1\ndrop t0 2\nlower_borrow t0 9\nexit\n' >"$work/reuse-borrow.ops"
# Everything but lower_borrow's: the fuzzer must find that one.
grep -v 'lower_borrow\|reuse-oldest-borrow\|^  script\|when a borrow' "$all" >"$work/known-but-one"

step "1. a malformed known file"
printf 'known a\n  wat x\n' >"$work/bad"
status=0
"$root/scripts/fuzz" --impl-cmd "$child" --known "$work/bad" --time 5 --work "$fuzz/bad" \
  >"$work/bad.out" 2>&1 || status=$?
cat "$work/bad.out"
[ "$status" -eq 2 ] || fail "scripts/fuzz exited $status on a malformed known file, not 2"
grep -q "^$work/bad:2: unknown field 'wat'" "$work/bad.out" || fail "no FILE:LINE: reason line"

step "2. replay --keep-going over the corpus"
status=0
"$root/scripts/replay" --impl-cmd "$child" --quiet --keep-going "$root/corpus/restab_ops" \
  >"$work/replay.out" 2>&1 || status=$?
tail -n 8 "$work/replay.out"
[ "$status" -eq 1 ] || fail "replay --keep-going exited $status, not 1 (failures found)"
grep -q "new failures: .*signature" "$work/replay.out" || fail "no tally of the new failures"
status=0
"$root/scripts/replay" --impl-cmd "$child" --quiet --keep-going --known "$all" \
  "$root/corpus/restab_ops" >"$work/replay-known.out" 2>&1 || status=$?
tail -n 8 "$work/replay-known.out"
[ "$status" -eq 0 ] || fail "replay with every signature known exited $status, not 0"
grep -q '^ *[1-9][0-9]* x reuse-oldest ' "$work/replay-known.out" || fail "no count for reuse-oldest"
grep -q '^ *0 x reuse-oldest-borrow .*\[unseen\]' "$work/replay-known.out" ||
  fail "the entry the corpus does not reach is not listed as unseen"

step "3. scripts/fuzz --known with every signature known ($engine, $jobs job(s))"
status=0
"$root/scripts/fuzz" --impl-cmd "$child" --engine "$engine" --jobs "$jobs" --known "$all" \
  --time 20 --work "$fuzz/all" --quiet >"$work/fuzz-all.out" 2>"$work/fuzz-all.err" || status=$?
cat "$work/fuzz-all.out"
[ "$status" -eq 0 ] || { tail -n 20 "$work/fuzz-all.err"; fail "scripts/fuzz exited $status, not 0 (only known divergences)"; }
grep -q '^crashes: *none new' "$work/fuzz-all.out" || fail "a crash was counted as new"
hits=$(sed -nE 's/^known: +([0-9]+) input.*/\1/p' "$work/fuzz-all.out")
[ -n "$hits" ] && [ "$hits" -gt 0 ] || fail "the summary counts no known divergence"

step "4. scripts/fuzz --known with one left out"
status=0
"$root/scripts/fuzz" --impl-cmd "$child" --engine "$engine" --jobs "$jobs" --known "$work/known-but-one" \
  --time 60 --work "$fuzz/but-one" --quiet >"$work/fuzz-one.out" 2>"$work/fuzz-one.err" || status=$?
cat "$work/fuzz-one.out"
[ "$status" -eq 1 ] || { tail -n 20 "$work/fuzz-one.err"; fail "scripts/fuzz exited $status, not 1 (the one left out)"; }
grep -q '^ *[0-9]* x ops lower_borrow results-differ:ok-vs-ok$' "$work/fuzz-one.out" ||
  fail "the new crash is not the signature left out"
line=$(grep -m1 '^ *reproduce: ' "$work/fuzz-one.out" | sed 's/^ *reproduce: //')
[[ "$line" == *"--impl-cmd '$child'"* ]] || fail "the reproduce line does not name the child: $line"
crash=${line##* }
[ -f "$(dirname "$crash")/implementation.txt" ] || fail "no implementation.txt beside $crash"
status=0
(cd "$root" && eval "$line") >"$work/reproduce.out" 2>&1 || status=$?
tail -n 3 "$work/reproduce.out"
[ "$status" -eq 1 ] || fail "the summary's reproduce line exited $status, not 1"
status=0
"$root/scripts/reproduce" "$crash" >"$work/reproduce-record.out" 2>&1 || status=$?
[ "$status" -eq 1 ] || fail "scripts/reproduce CRASH (implementation from the record) exited $status, not 1"
grep -q 'from .*implementation.txt' "$work/reproduce-record.out" || fail "reproduce did not say where the implementation came from"
sig=$("$root/scripts/replay" --signature "$crash" 2>/dev/null || true)
[ "$sig" = "ops lower_borrow results-differ:ok-vs-ok" ] || fail "replay --signature CRASH gives '$sig'"

step "5. a child that stops answering"
unset RESTAB_CHILD_BUG
stall="$child | sed -u '/^ok none\$/{s/.*/ok none/;q}'; sleep 60"
status=0
RESTAB_IMPL_TIMEOUT=2 "$root/scripts/fuzz" --impl-cmd "$stall" --engine "$engine" --time 10 \
  --work "$fuzz/stall" --quiet >"$work/fuzz-stall.out" 2>"$work/fuzz-stall.err" || status=$?
cat "$work/fuzz-stall.out"
[ "$status" -eq 1 ] || fail "scripts/fuzz exited $status, not 1"
grep -qE 'impl-failure:timeout|afl:timeout' "$work/fuzz-stall.out" || fail "the stall is not reported as a timeout"
echo PASS
