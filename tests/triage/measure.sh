#!/usr/bin/env bash
# Measures how often scripts/minimize keeps the crash signature, on crashes
# of the planted-bug implementations of a build_mutants.sh build:
#
#   measure.sh BUILD_DIR OUT_DIR [COUNT] [SECONDS]
#
# Crashes: each mutant fuzzed by scripts/fuzz (libFuzzer fork mode, which
# keeps going after a crash) for 20 s, then COUNT (default 50) of them taken
# round-robin over the mutants; each is minimised with --time SECONDS
# (default 10). Prints one line per crash and the rate.
set -euo pipefail
[ $# -ge 2 ] || { echo "usage: measure.sh BUILD_DIR OUT_DIR [COUNT] [SECONDS]" >&2; exit 2; }
build=$(realpath "$1") out=$2 count=${3:-50} secs=${4:-10}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
mkdir -p "$out"; out=$(realpath "$out")
mapfile -t mutants < <(cd "$build/restab-implementations" && ls bench_*.txt | sed 's/\.txt$//' | grep -v bench_multi)
for m in "${mutants[@]}"; do
  [ -d "$out/$m/crashes" ] || "$root/scripts/fuzz" --impl "$m" --build "$build" --jobs 2 --time 20 \
    --work "$out/$m" --quiet >"$out/$m.fuzz.log" 2>&1 || true
done
# Round-robin over the mutants' filed crashes.
: >"$out/crashes.txt"
for round in $(seq 0 200); do
  for m in "${mutants[@]}"; do
    f=$(find "$out/$m/crashes" -type f -not -name '*.min*' 2>/dev/null | sort | sed -n "$((round + 1))p")
    [ -n "$f" ] && echo "$m $f" >>"$out/crashes.txt"
  done
  [ "$(wc -l <"$out/crashes.txt")" -ge "$count" ] && break
done
head -n "$count" "$out/crashes.txt" >"$out/sample.txt"
kept=0 total=0
while read -r m f; do
  total=$((total + 1))
  replay=$(sed -n 's/^replay=//p' "$build/restab-implementations/$m.txt")
  bin=$(sed -n 's/^ops=//p' "$build/restab-implementations/$m.txt")
  before=$("$replay" --signature "$f" --exec "$bin" 2>/dev/null || true)
  "$root/scripts/minimize" --impl "$m" --build "$build" --target ops --time "$secs" "$f" "$out/min-$total" \
    >"$out/min-$total.log" 2>&1 || true
  after=$("$replay" --signature "$out/min-$total" --exec "$bin" 2>/dev/null || true)
  engine_switched=$(grep -c "fails differently" "$out/min-$total.log" || true)
  if [ -n "$before" ] && [ "$before" = "$after" ]; then kept=$((kept + 1)); verdict=kept; else verdict=LOST; fi
  printf '%s %s %s (%s -> %s bytes) engine-switched:%s %s\n' "$verdict" "$m" "$before" \
    "$(stat -c %s "$f")" "$(stat -c %s "$out/min-$total" 2>/dev/null || echo -)" "$engine_switched" "$(basename "$f")"
done <"$out/sample.txt"
echo "signature kept: $kept of $total"
