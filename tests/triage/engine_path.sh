#!/usr/bin/env bash
# The triage path with a real fuzz engine (label triage, fuzz preset):
#   1. build_mutants.sh: a scratch build for ENGINE with bench_multi (three
#      planted bugs in three operations, tests/triage/build_mutants.sh);
#   2. scripts/fuzz for SECONDS: exit 1, one summary line per signature (1
#      to 3 of them), counts adding up to the new crash files, each filed
#      in WORK/crashes/<signature>/ under its own signature;
#   3. a second, short run counts the first run's crashes as old;
#   4. scripts/minimize on each signature's smallest file keeps the
#      signature and writes OUT and OUT.ops;
#   5. scripts/add-regression writes regression/NAME.ops (description
#      first) and NAME.bin into a scratch corpus, and restab passes them.
set -euo pipefail
[ $# -eq 3 ] || { echo "usage: engine_path.sh libfuzzer|afl WORK SECONDS" >&2; exit 2; }
engine=$1 work=$2 secs=$3
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
fail() { echo "FAIL: $*" >&2; exit 1; }
step() { printf '\n== %s\n' "$*"; }
rm -rf "$work/corpus" "$work/min"
mkdir -p "$work"
# scripts/fuzz keeps its working directory outside the repository (the
# build directory may be inside it).
fuzz=$(mktemp -d "${TMPDIR:-/tmp}/restab-triage-$engine.XXXXXX")
trap 'rm -rf "$fuzz"' EXIT

step "1. scratch $engine build with three planted bugs"
"$root/tests/triage/build_mutants.sh" "$engine" "$work/build" multi
impl=(--impl bench_multi --build "$work/build")
replay=$(sed -n 's/^replay=//p' "$work/build/restab-implementations/bench_multi.txt")
target=$(sed -n 's/^ops=//p' "$work/build/restab-implementations/bench_multi.txt")

step "2. fuzz for ${secs}s, crashes grouped by signature"
status=0
"$root/scripts/fuzz" "${impl[@]}" --engine "$engine" --time "$secs" --work "$fuzz" --quiet \
  >"$work/fuzz1.out" 2>"$work/fuzz1.err" || status=$?
cat "$work/fuzz1.out"
[ "$status" -eq 1 ] || { tail -n 20 "$work/fuzz1.err"; fail "scripts/fuzz exited $status, not 1 (crashes found)"; }
new=$(sed -nE 's/^crashes: +([0-9]+) new, ([0-9]+) signature.*/\1/p' "$work/fuzz1.out")
nsig=$(sed -nE 's/^crashes: +([0-9]+) new, ([0-9]+) signature.*/\2/p' "$work/fuzz1.out")
[ -n "$new" ] && [ "$new" -ge 1 ] || fail "no 'crashes: N new' line"
[ "$nsig" -ge 1 ] && [ "$nsig" -le 3 ] || fail "$nsig signatures for three bugs"
lines=$(grep -cE '^ +[0-9]+ x ' "$work/fuzz1.out")
[ "$lines" -eq "$nsig" ] || fail "$lines signature lines, the header says $nsig"
sum=$(grep -E '^ +[0-9]+ x ' "$work/fuzz1.out" | awk '{s += $1} END {print s}')
[ "$sum" -eq "$new" ] || fail "the signature lines count $sum crashes, the header $new"
filed=$(find "$fuzz/crashes" -type f -not -name implementation.txt | wc -l)
[ "$filed" -eq "$new" ] || fail "$filed files in crashes/, $new new crashes"
for dir in "$fuzz"/crashes/*/; do
  grep -q '^impl=bench_multi$' "$dir/implementation.txt" 2>/dev/null ||
    fail "$dir has no implementation.txt naming bench_multi"
done
grep -q "reproduce: scripts/reproduce --impl bench_multi --build $work/build --target ops " "$work/fuzz1.out" ||
  fail "the reproduce hint lacks --impl/--build"
# Each file sits under its own signature.
while IFS= read -r f; do
  want=$(basename "$(dirname "$f")")
  got=$("$replay" --signature "$f" --exec "$target" 2>/dev/null || true)
  [ "${got// /+}" = "$want" ] || fail "$f is filed under $want but fails as '$got'"
done < <(find "$fuzz/crashes" -type f -not -name implementation.txt)
echo "ok: $new crashes, $nsig signature(s), each filed under its signature"

step "3. a second run keeps the first run's crashes apart"
status=0
"$root/scripts/fuzz" "${impl[@]}" --engine "$engine" --time 5 --work "$fuzz" --quiet \
  >"$work/fuzz2.out" 2>"$work/fuzz2.err" || status=$?
cat "$work/fuzz2.out"
grep -qE "^old: +$new crash file" "$work/fuzz2.out" || fail "the second run does not count the first run's $new crashes as old"
if grep -q '^crashes: *none new' "$work/fuzz2.out"; then
  [ "$status" -eq 0 ] || fail "no new crashes, yet exit $status"
else
  [ "$status" -eq 1 ] || fail "new crashes, yet exit $status"
fi

step "4. minimise each signature's smallest crash, keeping the signature"
i=0
while IFS= read -r smallest; do
  i=$((i + 1))
  sig=$(basename "$(dirname "$smallest")"); sig=${sig//+/ }
  "$root/scripts/minimize" "${impl[@]}" --engine "$engine" --target ops --time 20 "$smallest" "$work/min/$i" \
    >"$work/min-$i.out" 2>&1 || { cat "$work/min-$i.out"; fail "scripts/minimize failed on $smallest"; }
  grep -E '^(signature|minimised|  original|  engine)' "$work/min-$i.out"
  [ -s "$work/min/$i" ] && [ -s "$work/min/$i.ops" ] || fail "minimize wrote no $work/min/$i and .ops"
  got=$("$replay" --signature "$work/min/$i" --exec "$target" 2>/dev/null || true)
  [ "$got" = "$sig" ] || fail "minimised to '$got', not '$sig'"
  [ "$(stat -c %s "$work/min/$i")" -le "$(stat -c %s "$smallest")" ] || fail "minimised input is larger"
done < <(sed -nE 's/^ +smallest: (.*) \([0-9]+ bytes\)$/\1/p' "$work/fuzz1.out")
echo "ok: $i signature(s) kept by minimisation"

step "5. add-regression into a scratch corpus; restab passes it"
mkdir -p "$work/corpus"
first=$(sed -nE 's/^ +smallest: (.*) \([0-9]+ bytes\)$/\1/p' "$work/fuzz1.out" | head -n 1)
status=0
"$root/scripts/add-regression" "${impl[@]}" --engine "$engine" --time 20 --corpus "$work/corpus" \
  "$first" planted-multi "a planted bug of bench_multi ($engine)" >"$work/add.out" 2>&1 || status=$?
cat "$work/add.out"
[ "$status" -eq 0 ] || fail "add-regression exited $status"
ops=$work/corpus/restab_ops/regression/planted-multi.ops
[ -s "$ops" ] && [ -s "${ops%.ops}.bin" ] || fail "no regression files"
[ "$(head -n 1 "$ops")" = "# planted-multi: a planted bug of bench_multi ($engine)" ] || fail "the description is not the first line"
got=$("$replay" --signature "${ops%.ops}.bin" --exec "$target" 2>/dev/null || true)
sig=$(basename "$(dirname "$first")"); sig=${sig//+/ }
[ "$got" = "$sig" ] || fail "the regression fails the mutant as '$got', not '$sig'"
echo
echo "PASS: $engine: fuzz -> $nsig signature(s) -> minimised -> regression/planted-multi"
