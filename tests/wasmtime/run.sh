#!/usr/bin/env bash
# One step of the wasmtime example's tests (tests/wasmtime/CMakeLists.txt,
# label wasmtime): wasmtime 35's own resources.rs, read from the reference
# page, built by examples/wasmtime and fuzzed in-process.
#
#   input      --work W --source S --reference PAGE
#              bad WASMTIME_RESOURCES_RS / WASMTIME_MODE values stop the
#              configuration with one error line naming what was looked for;
#              the source file itself extracts to what the page extracts to
#   build      --work W --restab R --source S --reference PAGE --mode M --cc CC --generator G
#              configure (tests/example/subdir: R's tree, then S) with libFuzzer,
#              ASan and UBSan, WASMTIME_MODE=M, into W/build, and build
#   cargo-test --work W --source S    cargo test --offline of S on W's extracted file
#   corpus     --work W --corpus D [--scripts X --known K]
#              restore: wasmtime_ops passes every D/*.bin and wasmtime-replay --quiet D
#              passes; with --known: X/replay --known K over D finds nothing new
#   known      --work W --known K --mode raw     each entry's script, replayed,
#              fails with its entry's signature, or (the panics that follow
#              another entry's damage) with a signature the list has
#   known      --work W --known K --mode restore every entry's script passes
#   fuzz       --work W --scripts X --seconds N [--known K --expect NAME,...]
#              X/fuzz for N seconds finds nothing (new); with --known, the
#              entries of --expect were each seen at least once
set -euo pipefail
USAGE='usage: run.sh input|build|cargo-test|corpus|known|fuzz [--OPTION VALUE]... (see the header)'
die_usage() { echo "run.sh: $1" >&2; echo "$USAGE" >&2; exit 2; }
fail() { echo "FAIL: $*" >&2; exit 1; }
run() { printf '+ %s\n' "$*" >&2; "$@"; }

[ $# -ge 1 ] || die_usage "no step given"
step=$1; shift
work="" source="" reference="" restab="" mode="" cc="" generator="" corpus="" scripts=""
known="" seconds="" expect=""
while [ $# -gt 0 ]; do
  [ $# -ge 2 ] || die_usage "$1 needs a value"
  case "$1" in
    --work) work=$2 ;; --source) source=$2 ;; --reference) reference=$2 ;;
    --restab) restab=$2 ;; --mode) mode=$2 ;; --cc) cc=$2 ;;
    --generator) generator=$2 ;; --corpus) corpus=$2 ;; --scripts) scripts=$2 ;;
    --known) known=$2 ;; --seconds) seconds=$2 ;; --expect) expect=$2 ;;
    *) die_usage "unknown option '$1'" ;;
  esac
  shift 2
done
need() { for v in "$@"; do [ -n "${!v}" ] || die_usage "$step needs --${v//_/-}"; done; }
need_reference() {
  [ -f "$reference" ] || fail "the reference page $reference is missing (the checkout's ../shared/reference, or -DRESTAB_WASMTIME_REFERENCE=PAGE)"
}

# A key of the build's implementation manifest (restab_add_implementation).
manifest_get() {
  local file=$work/build/restab-implementations/wasmtime.txt value
  [ -f "$file" ] || fail "no manifest $file (the build step makes it)"
  value=$(sed -n "s/^$1=//p" "$file")
  [ -n "$value" ] || fail "$file has no $1="
  echo "$value"
}

# The known list's entries as lines NAME<TAB>SIGNATURE<TAB>SCRIPT.
known_entries() {
  awk -v dir="$(dirname "$known")" '
    /^known / { if (name != "") print name "\t" sig "\t" script; name = $2; sig = ""; script = "" }
    /^  signature / { sub(/^  signature /, ""); sig = $0 }
    /^  script / { script = dir "/" $2 }
    END { if (name != "") print name "\t" sig "\t" script }' "$known"
}

case "$step" in
  input)
    need work source reference
    need_reference
    rm -rf "$work"; mkdir -p "$work"
    printf 'fn main() {}\n' > "$work/not-wasmtime.rs"
    # Each bad value: exit status not 0, exactly one CMake error, the phrase.
    check() {
      local phrase=$1; shift
      local out rc=0
      rm -rf "$work/cfg"
      out=$(cmake -S "$source" -B "$work/cfg" "$@" 2>&1) || rc=$?
      [ "$rc" -ne 0 ] || fail "cmake $* succeeded"
      [ "$(grep -c '^CMake Error' <<<"$out")" -eq 1 ] || { echo "$out"; fail "not one CMake error for: $*"; }
      # The message is the line after the error's header, on one line.
      local msg
      msg=$(grep -A1 '^CMake Error' <<<"$out" | tail -1)
      [[ "$msg" == *"$phrase"* ]] || { echo "$out"; fail "the error line lacks '$phrase'"; }
      echo "ok: $msg"
    }
    check "WASMTIME_RESOURCES_RS is not set"
    check "WASMTIME_RESOURCES_RS=$work/missing.rs: no such file" -DWASMTIME_RESOURCES_RS="$work/missing.rs"
    check "WASMTIME_RESOURCES_RS=$work: no such file" -DWASMTIME_RESOURCES_RS="$work"
    check "no \`pub struct ResourceTables<'a>\` in it" -DWASMTIME_RESOURCES_RS="$work/not-wasmtime.rs"
    # A page cut short: the first definition it lacks is named.
    awk '/pub fn resource_drop\(/ {exit} {print}' "$reference" > "$work/short-page.txt"
    check "no \`pub fn resource_drop(\` in it" -DWASMTIME_RESOURCES_RS="$work/short-page.txt"
    check "WASMTIME_MODE=bogus is not one of: restore raw" \
      -DWASMTIME_RESOURCES_RS="$reference" -DWASMTIME_MODE=bogus
    # The source itself (the page without its header and line numbers)
    # extracts to the same file as the page.
    awk 'p; /^[0-9]+$/ {n++} n > 0 && !/^[0-9]+$/ && !p {p = 1; print}' "$reference" > "$work/resources.rs"
    grep -q '^pub struct ResourceTables' "$work/resources.rs" || fail "could not cut the source out of $reference"
    ! grep -qx '1' "$work/resources.rs" || fail "line numbers left in $work/resources.rs"
    for input in page:"$reference" source:"$work/resources.rs"; do
      run cmake -DIN="${input#*:}" -DOUT="$work/${input%%:*}.out" \
        -P "$(dirname "$0")/extract.cmake" || fail "extraction of ${input#*:} failed"
    done
    cmp "$work/page.out" "$work/source.out" || fail "the page and its source extract differently"
    ! grep -q '^//!' "$work/page.out" || fail "inner doc comments left (include! rejects them)"
    grep -q '^const MAX_RESOURCE_HANDLE: Limit = Limit(1 << 30);$' "$work/page.out" ||
      fail "MAX_RESOURCE_HANDLE was not given the stubs' Limit"
    [ "$(diff "$work/resources.rs" "$work/page.out" | grep -c '^>')" -eq 25 ] ||
      { diff "$work/resources.rs" "$work/page.out"; fail "the extraction changed more than 24 comment lines and the limit"; }
    echo "extraction: the page and the source agree; 24 comment lines and the limit's type changed"
    ;;
  build)
    need work restab source reference mode cc generator
    need_reference
    rm -rf "$work"; mkdir -p "$work"
    run cmake -S "$restab/tests/example/subdir" -B "$work/build" -G "$generator" \
      -DCMAKE_C_COMPILER="$cc" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DRESTAB_FUZZ_ENGINE=libfuzzer -DRESTAB_SANITIZE=address,undefined \
      -DCMAKE_COMPILE_WARNING_AS_ERROR=ON \
      -DRESTAB_DIR="$restab" -DIMPL_DIR="$source" \
      -DWASMTIME_RESOURCES_RS="$reference" -DWASMTIME_MODE="$mode"
    run cmake --build "$work/build"
    for key in ops ops_mut replay; do
      [ -x "$(manifest_get $key)" ] || fail "manifest's $key= is not an executable"
    done
    # Nothing of wasmtime in the source tree: the extracted file is the build's.
    [ -f "$work/build/impl/wasmtime-src/resources.rs" ] || fail "no extracted resources.rs in the build tree"
    ;;
  cargo-test)
    need work source
    resources=$work/build/impl/wasmtime-src/resources.rs
    [ -f "$resources" ] || fail "no $resources (the build step makes it)"
    # The cargo the build found (RestabRust.cmake: PATH or ~/.cargo/bin).
    cargo=$(sed -n 's/^RESTAB_CARGO:[A-Z]*=//p' "$work/build/CMakeCache.txt")
    [ -x "$cargo" ] || fail "no RESTAB_CARGO in $work/build/CMakeCache.txt"
    RESTAB_WASMTIME_RESOURCES=$resources CARGO_TARGET_DIR=$work/cargo-test \
      run "$cargo" test --offline --manifest-path "$source/Cargo.toml"
    ;;
  corpus)
    need work corpus
    shopt -s nullglob
    inputs=("$corpus"/*.bin)
    [ ${#inputs[@]} -gt 0 ] || fail "no *.bin in $corpus"
    if [ -z "$known" ]; then
      run "$(manifest_get ops)" "${inputs[@]}" > "$work/corpus.log" 2>&1 ||
        { tail -n 40 "$work/corpus.log"; fail "wasmtime_ops failed on the corpus"; }
      echo "wasmtime_ops: ${#inputs[@]} inputs passed"
      run "$(manifest_get replay)" --quiet "$corpus" || fail "wasmtime-replay found a difference in the corpus"
    else
      need scripts
      run "$scripts/replay" --impl wasmtime --build "$work/build" --known "$known" --quiet "$corpus" ||
        fail "scripts/replay --known found a divergence the known list lacks"
    fi
    ;;
  known)
    need work known mode
    replay=$(manifest_get replay)
    mapfile -t entries < <(known_entries)
    [ ${#entries[@]} -ge 9 ] || fail "$known has ${#entries[@]} entries"
    if [ "$mode" = restore ]; then
      for entry in "${entries[@]}"; do
        IFS=$'\t' read -r name sig script <<<"$entry"
        "$replay" --quiet "$script" > "$work/known-$name.log" 2>&1 ||
          { cat "$work/known-$name.log"; fail "$name: $script fails in restore mode"; }
        echo "ok: $name: passes ($(grep -cv "^#" "$script") operations)"
      done
      exit 0
    fi
    signatures=$(printf '%s\n' "${entries[@]}" | cut -f2 | sort -u)
    for entry in "${entries[@]}"; do
      IFS=$'\t' read -r name sig script <<<"$entry"
      [ -f "$script" ] || fail "$name: no script $script"
      got=$("$replay" --signature "$script" 2>/dev/null) && fail "$name: $script passes"
      if [ "$got" = "$sig" ]; then
        echo "ok: $name: $got"
      elif grep -qxF "$got" <<<"$signatures"; then
        # Its damage first shows as another entry's divergence.
        echo "ok: $name: first $got (a listed divergence), then $sig"
      else
        fail "$name: $script fails with '$got', which the list does not have"
      fi
    done
    ;;
  fuzz)
    need work scripts seconds
    # scripts/fuzz keeps its working directory outside the repository (the
    # build directory may be inside it); kept when the run fails.
    fuzz_work=$(mktemp -d "${TMPDIR:-/tmp}/restab-wasmtime-fuzz.XXXXXX")
    args=(--impl wasmtime --build "$work/build" --time "$seconds" --work "$fuzz_work" --quiet)
    [ -z "$known" ] || args+=(--known "$known")
    rc=0
    run "$scripts/fuzz" "${args[@]}" > "$work/fuzz.out" 2> "$work/fuzz.err" || rc=$?
    cat "$work/fuzz.out"
    [ "$rc" -eq 0 ] || { tail -n 20 "$work/fuzz.err"; fail "scripts/fuzz exited $rc: it found something new (kept: $fuzz_work)"; }
    grep -q '^crashes: *none new' "$work/fuzz.out" || fail "no 'crashes: none new' line (kept: $fuzz_work)"
    # The summary lists every entry as "N x NAME SIGNATURE"; these must
    # have been hit (the rarest paths, the lower_own and lower_borrow ones
    # at the limit, are left to wasmtime/raw/known).
    IFS=, read -ra names <<<"$expect"
    for name in "${names[@]}"; do
      count=$(awk -v n="$name" '$2 == "x" && $3 == n {print $1; exit}' "$work/fuzz.out")
      [ -n "$count" ] || fail "the summary does not list $name"
      [ "$count" -gt 0 ] || fail "$name was not seen in ${seconds}s (kept: $fuzz_work)"
      echo "seen: $count x $name"
    done
    rm -rf "$fuzz_work"
    ;;
  *) die_usage "unknown step '$step'" ;;
esac
