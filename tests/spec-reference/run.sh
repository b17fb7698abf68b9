#!/usr/bin/env bash
# ctest driver for examples/spec-reference/child (label spec-reference): the
# spec's own definitions.py as a process-protocol child.
#
#   run.sh SOURCE_DIR DEFINITIONS driver golden|protocol|selfcheck
#   run.sh SOURCE_DIR DEFINITIONS bad CASE
#   run.sh SOURCE_DIR DEFINITIONS golden-harness PROCESS_REPLAY
#   run.sh SOURCE_DIR DEFINITIONS corpus PROCESS_REPLAY [CHILD_OPTIONS...]
#   run.sh SOURCE_DIR DEFINITIONS fuzz BUILD_DIR SECONDS KEEP_DIR
#
# DEFINITIONS is the spec's definitions.py (../shared/reference/ beside the
# checkout); the test fails, never skips, when it or python3 is missing.
set -euo pipefail

if [[ $# -lt 4 ]]; then
  echo "usage: $0 SOURCE_DIR DEFINITIONS driver|bad|golden-harness|corpus|fuzz ARGS..." >&2
  exit 2
fi
src=$1 defs=$2 kind=$3
shift 3
child=$src/examples/spec-reference/child
fail() { echo "FAIL: $*"; exit 1; }

command -v python3 >/dev/null || fail "python3 is missing (scripts/test installs it)"
[[ -f $defs ]] || fail "$defs is missing: the spec's definitions.py must sit in ../shared/reference/ beside the checkout"
export RESTAB_SPEC_DEFINITIONS=$defs
# A Python child starts slowly on a loaded machine.
export RESTAB_IMPL_TIMEOUT=10

# The golden-spec directories: the tree's and, when present, ../shared's.
golden_dirs=("$src/tests/golden-spec")
[[ -d $src/../shared/golden-spec ]] && golden_dirs+=("$src/../shared/golden-spec")

case $kind in
  driver)
    case $1 in
      golden)    python3 "$src/tests/spec-reference/drive.py" golden "$child" "${golden_dirs[@]}" ;;
      protocol)  python3 "$src/tests/spec-reference/drive.py" protocol "$child" ;;
      selfcheck) python3 "$src/tests/spec-reference/drive.py" selfcheck "$child" \
                   "$src/corpus/restab_ops" "$src/tests/large" "${golden_dirs[@]}" ;;
      *) echo "unknown driver case '$1'" >&2; exit 2 ;;
    esac ;;

  bad)
    # Bad definitions: one line on standard error naming what is wrong,
    # exit status 2, nothing on standard output (not even the handshake).
    tmp=$(mktemp -d "${TMPDIR:-/tmp}/restab-spec-bad.XXXXXX")
    trap 'rm -rf "$tmp"' EXIT
    # the child's cache of compiled definitions: none kept of these files
    export XDG_CACHE_HOME=$tmp/cache
    case $1 in
      unset)       unset RESTAB_SPEC_DEFINITIONS
                   re='RESTAB_SPEC_DEFINITIONS is not set' ;;
      empty)       export RESTAB_SPEC_DEFINITIONS=
                   re='RESTAB_SPEC_DEFINITIONS is not set' ;;
      missing)     export RESTAB_SPEC_DEFINITIONS=$tmp/no-such-definitions.py
                   re="RESTAB_SPEC_DEFINITIONS=$tmp/no-such-definitions.py: no such file" ;;
      directory)   export RESTAB_SPEC_DEFINITIONS=$tmp
                   re="RESTAB_SPEC_DEFINITIONS=$tmp: not a regular file" ;;
      syntax)      printf 'def lift_own(:\n' >"$tmp/definitions.py"
                   export RESTAB_SPEC_DEFINITIONS=$tmp/definitions.py
                   re='definitions.py: cannot be loaded: SyntaxError' ;;
      lacking)     # one canonical built-in renamed
                   sed 's/^def canon_resource_rep(/def canon_resource_rep_renamed(/' "$defs" >"$tmp/definitions.py"
                   export RESTAB_SPEC_DEFINITIONS=$tmp/definitions.py
                   re="definitions.py: not the spec's definitions.py: it lacks canon_resource_rep$" ;;
      other)       printf 'def lift_own(cx, i, t):\n  return 0\n' >"$tmp/definitions.py"
                   export RESTAB_SPEC_DEFINITIONS=$tmp/definitions.py
                   re="definitions.py: not the spec's definitions.py: it lacks Trap, trap_if, Table, .*lower_borrow$" ;;
      trap-site)   # a trap condition reworded: no error kind would map to it
                   sed 's/trap_if(h.num_lends != 0)/trap_if(h.num_lends > 0)/' "$defs" >"$tmp/definitions.py"
                   export RESTAB_SPEC_DEFINITIONS=$tmp/definitions.py
                   re='definitions.py: not the definitions.py this child knows: canon_resource_drop has no trap_if\(h.num_lends != 0\); lift_own has no trap_if\(h.num_lends != 0\)$' ;;
      *) echo "unknown bad case '$1'" >&2; exit 2 ;;
    esac
    set +e
    printf 'restab-protocol 1\nquit\n' | timeout 60 "$child" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    set -e
    echo "+ RESTAB_SPEC_DEFINITIONS=${RESTAB_SPEC_DEFINITIONS-(unset)} child -> exit $rc"
    cat "$tmp/err"
    [[ $rc -eq 2 ]] || fail "exit status $rc, expected 2"
    [[ ! -s $tmp/out ]] || fail "it wrote to standard output: $(head -c 200 "$tmp/out")"
    [[ $(wc -l <"$tmp/err") -eq 1 ]] || fail "not exactly one line on standard error"
    [[ $(cat "$tmp/err") =~ ^restab\ spec\ child:\ (.*/)?$re ]] || fail "the line does not match: restab spec child: $re"
    echo PASS ;;

  golden-harness)
    # Through the process bridge: process-replay --script prints the result
    # lines; a configuration the spec does not have (max_lends) is declined.
    replay=$1
    export RESTAB_IMPL_CMD=$child
    ran=0 declined=0
    for dir in "${golden_dirs[@]}"; do
      for script in "$dir"/*.ops; do
        set +e
        got=$(timeout 120 "$replay" --script "$script" 2>&1)
        rc=$?
        set -e
        if grep -q '^max_lends' "$script"; then
          [[ $rc -eq 0 && $got == *"declines the configuration: max_lends below 2^32-1"* ]] &&
            ! grep -qE '^(ok|error)( |$)' <<<"$got" ||
            fail "$script (exit $rc): expected the child to decline max_lends, got: $got"
          declined=$((declined + 1))
          continue
        fi
        if [[ $rc -ne 0 || $got != "$(cat "${script%.ops}.expected")" ]]; then
          echo "FAIL: $script (exit $rc):"
          diff <(printf '%s\n' "$got") "${script%.ops}.expected" || true
          exit 1
        fi
        ran=$((ran + 1))
      done
    done
    [[ $ran -gt 0 ]] || fail "no golden script ran"
    echo "PASS: $ran golden-spec scripts gave their .expected, $declined declined (max_lends)" ;;

  corpus)
    replay=$1
    shift
    export RESTAB_IMPL_CMD="$child${*:+ $*}"
    set +e
    out=$(timeout 600 "$replay" --quiet "$src/corpus/restab_ops" 2>&1)
    rc=$?
    set -e
    echo "+ RESTAB_IMPL_CMD='$RESTAB_IMPL_CMD' process-replay --quiet corpus/restab_ops -> exit $rc"
    printf '%s\n' "$out" | tail -n 40
    [[ $rc -eq 0 && $out == *"ran with no difference"* ]] || fail "the corpus did not replay clean"
    echo PASS ;;

  fuzz)
    # scripts/fuzz with the child against this build's process_ops. Its
    # working directory must be outside the repository (the build directory
    # may be inside it): a scratch one, whose crashes and log are kept in
    # KEEP_DIR when the run finds something.
    build=$1 seconds=$2 keep=$3
    work=$(mktemp -d "${TMPDIR:-/tmp}/restab-spec-reference-fuzz.XXXXXX")
    trap 'rm -rf "$work"' EXIT
    set +e
    "$src/scripts/fuzz" --impl-cmd "$child" --build "$build" --time "$seconds" \
      --work "$work" --quiet >"$work/summary" 2>"$work/stderr"
    rc=$?
    set -e
    cat "$work/summary"
    if [[ $rc -ne 0 ]] || ! grep -q '^crashes: *none new' "$work/summary"; then
      rm -rf "$keep"; mkdir -p "$keep"
      cp -r "$work/crashes" "$work/libfuzzer.log" "$work/stderr" "$keep/" 2>/dev/null || true
      tail -n 30 "$work/stderr"
      fail "scripts/fuzz exited $rc or found a difference (crashes and log kept in $keep)"
    fi
    execs=$(sed -nE 's/^executions: ([0-9]+).*/\1/p' "$work/summary")
    [[ ${execs:-0} -gt 0 ]] || fail "no executions"
    echo "PASS: $execs executions, no difference" ;;

  *) echo "unknown kind '$kind'" >&2; exit 2 ;;
esac
