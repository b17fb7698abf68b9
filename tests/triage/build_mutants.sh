#!/usr/bin/env bash
# Configures and builds a scratch build of restab with the planted bugs of
# scripts/bench-fuzz (its first three are tests/negative's), each an
# implementation bench_NAME registered with restab_add_implementation()
# (RESTAB_BENCH_MUTANTS), plus bench_multi carrying three bugs at once,
# for one engine. The triage test and scripts/triage-bench use it.
#
#   build_mutants.sh ENGINE BUILD_DIR [NAME,...]
#
# ENGINE: libfuzzer (clang, ASan + UBSan) or afl (afl-clang-fast, ASan).
# Builds only the NAME_ops targets and replay tools.
set -euo pipefail
USAGE='usage: build_mutants.sh libfuzzer|afl BUILD_DIR [NAME,...]'
[ $# -ge 2 ] && [ $# -le 3 ] || { echo "$USAGE" >&2; exit 2; }
engine=$1 build=$2
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
case "$engine" in
  libfuzzer) cc=clang sanitize=address,undefined ;;
  afl) cc=afl-clang-fast sanitize=address ;;
  *) echo "$USAGE" >&2; exit 2 ;;
esac
# The multi-bug implementation: three bugs in three operations.
MULTI=rep_skips_type_check,borrow_drop_wrong_scope,lend_overflow_off_by_one
mkdir -p "$build/mutants"
# scripts/bench-fuzz's MUTANTS=( 'name|from|to' ... ) list, read as data.
sed -n '/^MUTANTS=(/,/^)/p' "$root/scripts/bench-fuzz" | sed -n "s/^  '\(.*\)'$/\1/p" >"$build/mutants/list"
names=${3:-$(cut -d'|' -f1 "$build/mutants/list" | paste -sd, -),multi}
items=()
IFS=, read -r -a wanted <<<"$names"
for name in "${wanted[@]}"; do
  mkdir -p "$build/mutants/$name"
  if [ "$name" = multi ]; then edits=$MULTI; else edits=$name; fi
  python3 - "$root/lib/src/restab.c" "$build/mutants/$name/restab.c" "$build/mutants/list" "$edits" <<'PY'
import sys
src, out, listing, edits = sys.argv[1:]
text = open(src).read()
table = {}
for line in open(listing):
    name, frm, to = line.rstrip("\n").split("|")
    table[name] = (frm.replace("\\n", "\n"), to.replace("\\n", "\n"))
for name in edits.split(","):
    if name not in table:
        sys.exit(f"build_mutants.sh: unknown planted bug '{name}'")
    frm, to = table[name]
    if text.count(frm) != 1:
        sys.exit(f"build_mutants.sh: '{frm}' is not in lib/src/restab.c exactly once (bug {name})")
    text = text.replace(frm, to)
old = open(out).read() if __import__("os").path.exists(out) else None
if old != text:
    open(out, "w").write(text)
PY
  items+=("$name=$build/mutants/$name/restab.c")
done
list=$(IFS=';'; echo "${items[*]}")
if [ ! -f "$build/CMakeCache.txt" ] || ! grep -qF "RESTAB_BENCH_MUTANTS:STRING=$list" "$build/CMakeCache.txt"; then
  printf '+ cmake -S %s -B %s (%s, planted bugs: %s)\n' "$root" "$build" "$engine" "$names" >&2
  cmake -S "$root" -B "$build" -G Ninja -DCMAKE_C_COMPILER=$cc -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DRESTAB_SANITIZE=$sanitize -DRESTAB_FUZZ_ENGINE=$engine -DRESTAB_BUILD_TESTS=OFF \
    -DRESTAB_BUILD_FUZZERS=ON -DRESTAB_SMOKE_SECONDS=0 "-DRESTAB_BENCH_MUTANTS=$list" >"$build/configure.log" 2>&1 ||
    { tail -n 30 "$build/configure.log" >&2; exit 2; }
fi
targets=()
for name in "${wanted[@]}"; do targets+=("bench_${name}_ops" "bench_${name}-replay"); done
printf '+ cmake --build %s --target %s\n' "$build" "${targets[*]}" >&2
cmake --build "$build" --target "${targets[@]}" >"$build/build.log" 2>&1 ||
  { tail -n 30 "$build/build.log" >&2; exit 2; }
