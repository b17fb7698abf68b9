#!/usr/bin/env bash
# The documented crash -> regression path (corpus/README.md), run against a
# planted bug instead of a fuzzer finding:
#   1. the mutant's restab_ops fails on a committed seed (the "crash");
#   2. the crash is minimised (deterministic byte-level delta debugging:
#      scripts/minimize needs a fuzz engine, this test runs in every preset);
#   3. the minimal input fails with the mutant's target and replay tool and
#      passes with the real library;
#   4. it becomes regression/NAME.ops (the printed script with a "#" line)
#      and NAME.bin (encoded from the script, as scripts/encode does) in a
#      scratch copy of corpus/restab_ops/;
#   5. the recursive corpus glob of tests/CMakeLists.txt picks it up, the real
#      restab_ops target and replay tool pass the whole corpus, and the mutant
#      fails on the regression alone.
set -euo pipefail
USAGE='usage: crash_to_regression.sh MUTANT_OPS MUTANT_REPLAY OPS REPLAY CORPUS_DIR WORK_DIR'
[ $# -eq 6 ] || { echo "$USAGE" >&2; exit 2; }
mutant_ops=$1 mutant_replay=$2 ops=$3 replay=$4 corpus=$5 work=$6
for f in "$mutant_ops" "$mutant_replay" "$ops" "$replay"; do
  [ -x "$f" ] || { echo "not an executable: $f" >&2; exit 2; }
done
[ -d "$corpus" ] || { echo "no such directory: $corpus" >&2; exit 2; }

fail() { echo "FAIL: $*" >&2; exit 1; }
step() { printf '\n== %s\n' "$*"; }
rm -rf "$work"
mkdir -p "$work"

# Does the mutant's restab_ops report a harness failure on this input?
runs=0
mutant_fails() {
  runs=$((runs + 1))
  local status=0
  # (The outer 2>/dev/null silences bash's "Aborted" job message.)
  { "$mutant_ops" "$1" >/dev/null 2>"$work/last.err" || status=$?; } 2>/dev/null
  [ "$status" -ne 0 ] && [ "$status" -ne 2 ] && grep -q '==== restab harness' "$work/last.err"
}

step "1. find a seed the mutant fails"
crash=""
while read -r seed; do
  if mutant_fails "$seed"; then crash=$seed; break; fi
done < <(find "$corpus" -maxdepth 1 -name '*.bin' | LC_ALL=C sort)
[ -n "$crash" ] || fail "the mutant passes every seed of $corpus"
echo "crash: $crash ($(stat -c %s "$crash") bytes)"
sed -n '1,3p' "$work/last.err"

step "2. minimise (delta debugging over bytes)"
cp "$crash" "$work/min"
chunk=$(stat -c %s "$work/min")
while [ "$chunk" -ge 1 ]; do
  size=$(stat -c %s "$work/min")
  at=0 removed=0
  while [ "$at" -lt "$size" ]; do
    # The input without bytes [at, at + chunk).
    { head -c "$at" "$work/min"; tail -c +$((at + chunk + 1)) "$work/min"; } >"$work/candidate"
    if mutant_fails "$work/candidate"; then
      mv "$work/candidate" "$work/min"
      size=$(stat -c %s "$work/min")
      removed=1
    else
      at=$((at + chunk))
    fi
  done
  # Halve the chunk; at one byte, repeat until nothing more goes.
  if [ "$chunk" -gt 1 ]; then chunk=$((chunk / 2)); elif [ "$removed" -eq 0 ]; then break; fi
done
echo "minimised to $(stat -c %s "$work/min") bytes in $runs runs"
"$replay" --print "$work/min"

step "3. the minimal input fails with the mutant, passes with the real library"
mutant_fails "$work/min" || fail "the minimal input no longer fails the mutant's restab_ops"
status=0
"$mutant_replay" --quiet "$work/min" 2>"$work/mutant-replay.err" || status=$?
[ "$status" -eq 1 ] || fail "the mutant's replay tool exits $status on the minimal input (expected 1)"
sed -n '1,3p' "$work/mutant-replay.err"
"$replay" --quiet "$work/min" || fail "the real library fails the minimal input"
"$ops" "$work/min" 2>/dev/null || fail "the real restab_ops fails the minimal input"

step "4. write it as a regression: regression/NAME.ops + NAME.bin"
scratch=$work/corpus/restab_ops
mkdir -p "$scratch/regression"
cp "$corpus"/*.bin "$scratch/"
name=triage-$(basename "$work")
{
  echo "# regression: $(basename "$work") (planted bug), found on $(basename "$crash"), minimised"
  "$replay" --print "$work/min" | grep -v '^# decoded from '
} >"$scratch/regression/$name.ops"
"$replay" --encode "$scratch/regression/$name.ops" "$scratch/regression/$name.bin"
cat "$scratch/regression/$name.ops"
# The .ops is the source (scripts/corpus-encode regenerates the .bin from
# it): the re-encoded input must still catch the bug.
mutant_fails "$scratch/regression/$name.bin" ||
  fail "the encoding of the regression script no longer fails the mutant"

step "5. ctest's corpus glob picks it up; the real library passes it"
cat >"$work/glob.cmake" <<'EOF'
file(GLOB_RECURSE inputs "${DIR}/*.bin")
list(SORT inputs)
foreach(input IN LISTS inputs)
  message("${input}")
endforeach()
EOF
cmake -DDIR="$scratch" -P "$work/glob.cmake" 2>"$work/inputs.txt"
grep -qx "$scratch/regression/$name.bin" "$work/inputs.txt" ||
  fail "the recursive corpus glob does not list regression/$name.bin"
mapfile -t inputs <"$work/inputs.txt"
"$ops" "${inputs[@]}" 2>"$work/ops.err" || { tail -n 20 "$work/ops.err" >&2; fail "the real restab_ops fails the corpus with the regression"; }
tail -n 1 "$work/ops.err"
"$replay" --quiet "$scratch" || fail "the real replay tool fails the corpus with the regression"
mutant_fails "$scratch/regression/$name.bin" || fail "the regression does not catch the mutant"
echo "the mutant fails regression/$name.bin: the regression guards the bug"
echo
echo "PASS: crash -> minimised ($(stat -c %s "$crash") -> $(stat -c %s "$work/min") bytes) -> regression/$name"
