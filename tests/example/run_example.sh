#!/usr/bin/env bash
# One step of the installed-harness example test (tests/example/CMakeLists.txt):
#
#   install   --build-dir B --prefix P [--config C]   cmake --install B into a fresh P
#   build     --work W --prefix P --source S --bug BUG --cc CC --generator G
#             configure S (examples/tinytab) out of tree in W/build against P
#             with libFuzzer, ASan and UBSan, TINYTAB_BUG=BUG ('none': no bug), build
#             (--prefix subdir:R instead: no install, a project that
#             add_subdirectory()s restab's tree R and then S; tests/example/subdir)
#   clean     --work W --corpus D   every D/*.bin passes tinytab_ops; tinytab-replay --quiet D passes;
#             every restab_oom seed (D/../restab_oom/*.bin) passes tinytab_oom
#   catch     --work W --corpus D [--expect SIGNATURE]   tinytab_ops fails on D/*.bin with a
#             harness report naming tinytab (and, given, whose signature line ends in
#             SIGNATURE); the failing input is kept as W/crash
#   reproduce --work W --scripts X  X/reproduce --impl tinytab --build W/build W/crash exits 1
#   minimize  --work W --scripts X  X/minimize --impl tinytab --build W/build W/crash W/min
#             exits 0 and writes W/min and W/min.ops
#   fuzz      --work W --scripts X  X/fuzz --impl tinytab --build W/build --time 10 finds nothing
#
# Every step takes --impl NAME (default tinytab) for another implementation
# built the same way: its bug variable is --bug-var VAR (default
# TINYTAB_BUG; none: it has none), and --oom no when it has no NAME_oom
# (no ALLOC_HOOK).
# --env VAR=VALUE sets a variable for the targets a step runs.
set -euo pipefail
USAGE='usage: run_example.sh install|build|clean|catch|reproduce|minimize [--OPTION VALUE]... (see the header)'
die_usage() { echo "run_example.sh: $1" >&2; echo "$USAGE" >&2; exit 2; }
fail() { echo "FAIL: $*" >&2; exit 1; }
run() { printf '+ %s\n' "$*" >&2; "$@"; }

[ $# -ge 1 ] || die_usage "no step given"
mode=$1; shift
build_dir="" prefix="" config="" work="" source="" bug="" cc="" generator="" corpus="" scripts=""
impl=tinytab bug_var=TINYTAB_BUG oom=yes expect=""
while [ $# -gt 0 ]; do
  [ $# -ge 2 ] || die_usage "$1 needs a value"
  case "$1" in
    --build-dir) build_dir=$2 ;;
    --prefix) prefix=$2 ;;
    --config) config=$2 ;;
    --work) work=$2 ;;
    --source) source=$2 ;;
    --bug) bug=$2 ;;
    --cc) cc=$2 ;;
    --generator) generator=$2 ;;
    --corpus) corpus=$2 ;;
    --scripts) scripts=$2 ;;
    --impl) impl=$2 ;;
    --bug-var) bug_var=$2 ;;
    --oom) oom=$2 ;;
    --expect) expect=$2 ;;
    --env) [[ "$2" == *=* ]] || die_usage "--env takes VAR=VALUE"; export "${2?}" ;;
    *) die_usage "unknown option '$1'" ;;
  esac
  shift 2
done
need() { for v in "$@"; do [ -n "${!v}" ] || die_usage "$mode needs --${v//_/-}"; done; }

# A key of the build's implementation manifest (restab_add_implementation).
manifest_get() {
  local file=$work/build/restab-implementations/$impl.txt value
  [ -f "$file" ] || fail "no manifest $file"
  value=$(sed -n "s/^$1=//p" "$file")
  [ -n "$value" ] || fail "$file has no $1="
  echo "$value"
}

corpus_inputs() {
  shopt -s nullglob
  inputs=("$corpus"/*.bin)
  [ ${#inputs[@]} -gt 0 ] || fail "no *.bin in $corpus"
}

case "$mode" in
  install)
    need build_dir prefix
    rm -rf "$prefix"
    args=()
    [ -z "$config" ] || args=(--config "$config")
    run cmake --install "$build_dir" --prefix "$prefix" "${args[@]}" >/dev/null
    for f in include/restab_impl.h share/restab/harness/harness/run.c \
             share/restab/harness/fuzz/target_ops.c share/restab/harness/tools/replay.c; do
      [ -f "$prefix/$f" ] || fail "not installed: $prefix/$f"
    done
    ls "$prefix"/lib*/cmake/restab/RestabHarness.cmake >/dev/null || fail "RestabHarness.cmake not installed"
    ;;
  build)
    need work prefix source bug cc generator
    [ "$bug" = none ] && bug=""
    rm -rf "$work"
    mkdir -p "$work"
    common=(-G "$generator" -DCMAKE_C_COMPILER="$cc" -DCMAKE_BUILD_TYPE=RelWithDebInfo
            -DRESTAB_FUZZ_ENGINE=libfuzzer -DRESTAB_SANITIZE=address,undefined
            -DCMAKE_COMPILE_WARNING_AS_ERROR=ON)
    [ "$bug_var" = none ] || common+=(-D"$bug_var"="$bug")
    if [[ "$prefix" == subdir:* ]]; then
      run cmake -S "$(dirname "$0")/subdir" -B "$work/build" "${common[@]}" \
        -DRESTAB_DIR="${prefix#subdir:}" -DIMPL_DIR="$source"
      # Nothing may come from an installed package.
      ! grep -q "^restab_DIR:PATH=/" "$work/build/CMakeCache.txt" ||
        fail "restab was found as an installed package, not through add_subdirectory"
    else
      run cmake -S "$source" -B "$work/build" "${common[@]}" \
        -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF
      # The harness must come from the prefix under test.
      grep -q "^restab_DIR:PATH=$(realpath "$prefix")/" "$work/build/CMakeCache.txt" ||
        grep -q "^restab_DIR:PATH=$prefix/" "$work/build/CMakeCache.txt" ||
        fail "restab was not found under $prefix"
    fi
    run cmake --build "$work/build"
    keys=(ops ops_mut replay)
    [ "$oom" = no ] || keys+=(oom)
    for key in "${keys[@]}"; do
      [ -x "$(manifest_get $key)" ] || fail "manifest's $key= is not an executable"
    done
    ;;
  clean)
    need work corpus
    corpus_inputs
    run "$(manifest_get ops)" "${inputs[@]}" > "$work/clean.log" 2>&1 ||
      { cat "$work/clean.log"; fail "${impl}_ops failed on the corpus with no bug planted"; }
    echo "${impl}_ops: ${#inputs[@]} inputs passed"
    run "$(manifest_get replay)" --quiet "$corpus" ||
      fail "$impl-replay failed on the corpus with no bug planted"
    [ "$oom" != no ] || exit 0
    # Allocation failure at every point: restab_oom's seeds (beside D).
    oom_inputs=("$(dirname "$corpus")"/restab_oom/*.bin)
    [ ${#oom_inputs[@]} -gt 0 ] || fail "no restab_oom seeds beside $corpus"
    run "$(manifest_get oom)" "${oom_inputs[@]}" > "$work/oom.log" 2>&1 ||
      { cat "$work/oom.log"; fail "${impl}_oom failed on restab_oom's seeds"; }
    echo "${impl}_oom: ${#oom_inputs[@]} inputs passed"
    ;;
  catch)
    need work corpus
    corpus_inputs
    rm -rf "$work/artifacts" "$work/crash"
    mkdir -p "$work/artifacts"
    rc=0
    run "$(manifest_get ops)" -artifact_prefix="$work/artifacts/" "${inputs[@]}" \
      > "$work/catch.log" 2>&1 || rc=$?
    [ "$rc" -ne 0 ] || fail "${impl}_ops passed every corpus input: the bug went unnoticed"
    grep -q '==== restab harness:' "$work/catch.log" || { cat "$work/catch.log"; fail "no harness report"; }
    grep -q "$impl" "$work/catch.log" || { cat "$work/catch.log"; fail "the report does not name $impl"; }
    if [ -n "$expect" ]; then
      grep -q "^signature: .* $expect\$" "$work/catch.log" ||
        { cat "$work/catch.log"; fail "the report's signature does not end in '$expect'"; }
    fi
    echo "caught by: $(grep '^Running: ' "$work/catch.log" | tail -1 | sed 's/^Running: //')"
    sed -n '/==== restab harness:/,/---- >8 ----/p' "$work/catch.log"
    # libFuzzer (clang 14) writes no crash- artifact when it only runs the
    # files it was given; then the report's script, encoded, is the crash.
    crash=$(find "$work/artifacts" -name 'crash-*' -print -quit)
    if [ -n "$crash" ]; then
      cp "$crash" "$work/crash"
    else
      sed -n '/^---- 8< ----$/,/^---- >8 ----$/p' "$work/catch.log" | sed '1d;$d' > "$work/crash.ops"
      run "$(manifest_get replay)" --encode "$work/crash.ops" "$work/crash"
    fi
    [ -s "$work/crash" ] || fail "no crash input kept"
    # The kept input must fail on its own too.
    rc=0
    run "$(manifest_get ops)" "$work/crash" > "$work/crash.log" 2>&1 || rc=$?
    [ "$rc" -ne 0 ] && grep -q '==== restab harness:' "$work/crash.log" ||
      { cat "$work/crash.log"; fail "the kept crash input $work/crash does not fail ${impl}_ops"; }
    ;;
  reproduce)
    need work scripts
    [ -f "$work/crash" ] || fail "no $work/crash (the catch step keeps it)"
    rc=0
    run "$scripts/reproduce" --impl "$impl" --build "$work/build" "$work/crash" || rc=$?
    [ "$rc" -eq 1 ] || fail "scripts/reproduce exited $rc, not 1 (reproduced)"
    ;;
  minimize)
    need work scripts
    [ -f "$work/crash" ] || fail "no $work/crash (the catch step keeps it)"
    rm -f "$work/min" "$work/min.ops"
    run "$scripts/minimize" --impl "$impl" --build "$work/build" --time 10 "$work/crash" "$work/min" ||
      fail "scripts/minimize exited $?"
    [ -s "$work/min" ] || fail "scripts/minimize wrote no $work/min"
    [ -s "$work/min.ops" ] || fail "scripts/minimize wrote no $work/min.ops"
    cat "$work/min.ops"
    ;;
  fuzz)
    need work scripts
    # scripts/fuzz keeps its working directory outside the repository (the
    # build directory may be inside it).
    fuzz_work=$(mktemp -d "${TMPDIR:-/tmp}/restab-example-$impl.XXXXXX")
    trap 'rm -rf "$fuzz_work"' EXIT
    rc=0
    run "$scripts/fuzz" --impl "$impl" --build "$work/build" --time 10 --work "$fuzz_work" --quiet \
      > "$work/fuzz.log" 2>&1 || rc=$?
    cat "$work/fuzz.log"
    [ "$rc" -eq 0 ] || fail "scripts/fuzz exited $rc with no bug planted"
    grep -q '^crashes: *none new' "$work/fuzz.log" || fail "the fuzz summary does not say 'crashes: none new'"
    execs=$(sed -n 's/^executions: \([0-9]*\).*/\1/p' "$work/fuzz.log")
    [ "${execs:-0}" -gt 0 ] || fail "the fuzz summary counts no executions"
    ;;
  *) die_usage "unknown step '$mode'" ;;
esac
