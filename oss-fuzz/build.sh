#!/bin/bash -eu
# OSS-Fuzz / ClusterFuzzLite build script for restab: builds every fuzz
# target with the compile step's $CC/$CFLAGS, links it with $CXX $CXXFLAGS
# and $LIB_FUZZING_ENGINE, and puts into $OUT, for each target T:
#   T                    the fuzz target
#   T_seed_corpus.zip    the committed seeds of corpus/T/ (regression/ too)
#   T.dict               corpus/T.dict
#   T.options            [libfuzzer] dict and max_len
#
# It runs inside the OSS-Fuzz base-builder image (as $SRC/build.sh, with the
# repository at $SRC/restab) or from the checkout itself
# (oss-fuzz/build.sh, .clusterfuzzlite/build.sh execs it); scripts/oss-fuzz-check
# runs it outside a container with the same environment.
#
# Linking: CMake compiles everything (RESTAB_FUZZ_ENGINE=env adds no
# instrumentation of its own and links $LIB_FUZZING_ENGINE into the targets
# only). OSS-Fuzz requires the final link to go through $CXX, since the
# engine library may be C++ (libFuzzer, AFL++'s driver, Centipede), so the
# C link rule is replaced by one that calls $CXX $CXXFLAGS with the same
# objects and libraries. Everything is linked statically: nothing in $OUT
# refers to $WORK or $SRC, and $OUT can be moved.
set -o pipefail

: "${SRC:?}" "${OUT:?}" "${WORK:?}" "${CC:?}" "${CXX:?}"
: "${CFLAGS=}" "${CXXFLAGS=}" "${LIB_FUZZING_ENGINE:?}"

# The checkout: beside this script (oss-fuzz/build.sh in a checkout), or
# $SRC/restab when this file was copied to $SRC/build.sh.
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
if [ -f "$here/../CMakeLists.txt" ] && [ -d "$here/../corpus" ]; then
  root=$(cd "$here/.." && pwd)
else
  root=${RESTAB_SRC:-$SRC/restab}
fi
[ -f "$root/CMakeLists.txt" ] || { echo "build.sh: no restab checkout at $root" >&2; exit 1; }

build=$WORK/restab-build
rm -rf "$build"

generator=()
command -v ninja >/dev/null && generator=(-G Ninja)

# No CMAKE_BUILD_TYPE: the flags are exactly $CFLAGS (-O1 ... from OSS-Fuzz),
# and NDEBUG stays undefined so the library's assertions keep firing.
cmake -S "$root" -B "$build" "${generator[@]}" \
  -DCMAKE_BUILD_TYPE= \
  -DCMAKE_C_COMPILER="$CC" \
  -DCMAKE_C_FLAGS="$CFLAGS" \
  -DCMAKE_C_LINK_EXECUTABLE="$CXX $CXXFLAGS <LINK_FLAGS> <OBJECTS> -o <TARGET> <LINK_LIBRARIES>" \
  -DRESTAB_FUZZ_ENGINE=env \
  -DRESTAB_SANITIZE= \
  -DRESTAB_BUILD_TESTS=OFF \
  -DRESTAB_BUILD_FUZZERS=ON

# The targets, their inputs and seeds: fuzz/targets.txt (kinds marked
# oss-fuzz yes; restab's executable of kind K is restab_K).
description=$root/fuzz/targets.txt
targets=$(awk '/^[a-z]/ && $7 == "yes" { printf "restab_%s ", $1 }' "$description")
[ -n "$targets" ] || { echo "build.sh: no fuzz targets in $description" >&2; exit 1; }
field() { awk -v k="$1" -v f="$2" '/^[a-z]/ && $1 == k { print $f }' "$description"; }

# shellcheck disable=SC2086 # $targets is a word list
cmake --build "$build" --parallel "$(nproc)" --target $targets

mkdir -p "$OUT"
for target in $targets; do
  cp "$build/fuzz/$target" "$OUT/$target"

  # Seeds: program targets take the binary encodings (the .ops files
  # beside them are their readable twins), script targets the scripts.
  # Regressions get a prefix so that names stay unique in the flat zip.
  kind=${target#restab_}
  pattern='*.bin'
  [ "$(field "$kind" 3)" = script ] && pattern='*.ops'
  corpus=$root/corpus/$(field "$kind" 5)
  seeds=$WORK/restab-seeds/$target
  rm -rf "$seeds"
  mkdir -p "$seeds"
  if [ -d "$corpus" ]; then
    while IFS= read -r -d '' f; do
      rel=${f#"$corpus/"}
      cp "$f" "$seeds/${rel//\//-}"
    done < <(find "$corpus" -type f -name "$pattern" -print0)
  fi
  rm -f "$OUT/${target}_seed_corpus.zip"
  if [ -n "$(ls -A "$seeds")" ]; then
    (cd "$seeds" && zip -q -X -r "$OUT/${target}_seed_corpus.zip" .)
  fi

  options=$OUT/$target.options
  printf '[libfuzzer]\n' >"$options"
  if [ -f "$corpus.dict" ]; then
    cp "$corpus.dict" "$OUT/$target.dict"
    printf 'dict = %s.dict\n' "$target" >>"$options"
  fi
  # Programs stop at 4096 operations (fuzz/FORMAT.md), a few bytes each;
  # 16 KiB holds long programs and scripts without slowing the search.
  printf 'max_len = 16384\n' >>"$options"
done
