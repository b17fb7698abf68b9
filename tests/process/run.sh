#!/usr/bin/env bash
# ctest driver for the process bridge (label example): runs process-replay or
# process_ops with RESTAB_IMPL_CMD set to an example child or a broken one,
# and checks the exit status and the report.
#
#   run.sh BUILD_FUZZ_DIR SOURCE_DIR clean  LANG MODE
#   run.sh BUILD_FUZZ_DIR SOURCE_DIR bug    LANG MODE BUG REGEX
#   run.sh BUILD_FUZZ_DIR SOURCE_DIR golden LANG
#   run.sh BUILD_FUZZ_DIR SOURCE_DIR target LANG MODE [BUG]
#   run.sh BUILD_FUZZ_DIR SOURCE_DIR bad    CASE
#   run.sh BUILD_FUZZ_DIR SOURCE_DIR strict [CAPABILITY...]
#   run.sh BUILD_FUZZ_DIR SOURCE_DIR one-cause
#
# one-cause: the Python child's lend-leak bug in a small state and in one
# past the comparison schedule's small size (tests/process/one-cause/):
# both inputs get the same signature, at the lift_borrow that leaked.
#
# strict: tests/process/strict_v1_child.py, a child written to the first
# text of version 1 that rejects every word it does not know, announcing
# the given capabilities (state, check): the corpus through process-replay
# and process_ops passes.
#
# LANG: python | node. MODE: state (state, summary and check) | full (state
# and check, no summary) | results (none of them).
# A missing python3 or node fails the test: scripts/test installs both.
set -euo pipefail

if [[ $# -lt 3 ]]; then
  echo "usage: $0 BUILD_FUZZ_DIR SOURCE_DIR clean|bug|golden|target|bad ARGS..." >&2
  exit 2
fi
fuzz=$1 src=$2 kind=$3
shift 3
replay=$fuzz/process-replay
# ctest runs tests in parallel: give a Python child time to start on a
# loaded machine (the bad cases below that test the timeout set their own).
export RESTAB_IMPL_TIMEOUT=10
corpus=$src/corpus/restab_ops

child_cmd() { # LANG MODE
  local flags=""
  [[ ${2:-state} == results ]] && flags=" --no-state --no-check"
  # full: state and check without summary, so every comparison reads `state`
  [[ ${2:-state} == full ]] && export RESTAB_CHILD_CAPS="state check"
  case $1 in
    python) command -v python3 >/dev/null || { echo "FAIL: python3 is missing (scripts/test installs it)"; exit 1; }
            echo "python3 $src/examples/python/restab_child.py$flags" ;;
    node)   command -v node >/dev/null || { echo "FAIL: node is missing (scripts/test installs nodejs)"; exit 1; }
            echo "node $src/examples/node/restab_child.js$flags" ;;
    *) echo "unknown language '$1'" >&2; exit 2 ;;
  esac
}

# Runs "$@" with a hard time limit; sets $out (stdout and stderr) and $rc.
run() {
  local start=$SECONDS
  set +e
  out=$(timeout 120 "$@" 2>&1)
  rc=$?
  set -e
  echo "+ RESTAB_IMPL_CMD='${RESTAB_IMPL_CMD:-}' $* -> exit $rc in $((SECONDS - start)) s"
}

expect_found() { # REGEX: a report matching it, exit status 1 (a difference), no hang
  printf '%s\n' "$out" | tail -n 40
  if [[ $rc -eq 124 ]]; then echo "FAIL: the harness hung (killed after 120 s)"; exit 1; fi
  if [[ $rc -ne ${want_rc:-1} ]]; then echo "FAIL: exit status $rc, expected ${want_rc:-1}"; exit 1; fi
  if ! [[ $out =~ $1 ]]; then echo "FAIL: no report matching: $1"; exit 1; fi
  echo "PASS"
}

case $kind in
  clean)
    export RESTAB_IMPL_CMD; RESTAB_IMPL_CMD=$(child_cmd "$1" "$2")
    run "$replay" --quiet "$corpus"
    printf '%s\n' "$out" | tail -n 20
    [[ $rc -eq 0 && $out == *"ran with no difference"* ]] || { echo "FAIL"; exit 1; }
    echo PASS ;;
  bug)
    export RESTAB_IMPL_CMD RESTAB_CHILD_BUG=$3; RESTAB_IMPL_CMD=$(child_cmd "$1" "$2")
    run "$replay" --quiet "$corpus"
    expect_found "disagree ====.*$4" ;;
  target)
    export RESTAB_IMPL_CMD; RESTAB_IMPL_CMD=$(child_cmd "$1" "$2")
    shopt -s globstar
    if [[ -n ${3:-} ]]; then
      export RESTAB_CHILD_BUG=$3
      run "$fuzz/process_ops" "$corpus"/**/*.bin
      want_rc=134 expect_found "disagree ====.*failing step: [0-9]+ "
    else
      run "$fuzz/process_ops" "$corpus"/**/*.bin
      printf '%s\n' "$out" | tail -n 5
      [[ $rc -eq 0 ]] || { echo "FAIL"; exit 1; }
      echo PASS
    fi ;;
  golden)
    export RESTAB_IMPL_CMD; RESTAB_IMPL_CMD=$(child_cmd "$1" state)
    n=0
    for script in "$src"/tests/golden/*.ops; do
      set +e
      got=$(timeout 60 "$replay" --script "$script" 2>&1)
      rc=$?
      set -e
      if [[ $rc -ne 0 || $got != "$(cat "${script%.ops}.expected")" ]]; then
        echo "FAIL: $script (exit $rc):"; printf '%s\n' "$got"; exit 1
      fi
      n=$((n + 1))
    done
    echo "PASS: $n golden scripts" ;;
  bad)
    # A short timeout where the child is silent on purpose, a long one
    # where a Python child must start on a loaded machine.
    export RESTAB_IMPL_TIMEOUT=10
    py=$(child_cmd python results)
    input=$corpus/every-op.bin
    case $1 in
      garbage)          cmd='echo garbage; cat >/dev/null'
                        re='answered the handshake with `garbage`' ;;
      garbage-reply)    cmd="$py | sed -u 's/^ok none\$/ok maybe/'"
                        re='gave the reply `ok maybe`, which does not fit' ;;
      twice)            cmd="$py | sed -u p"
                        # the copy is caught as unasked output, or, when it
                        # comes late, as the reply to the next request
                        re='(answers no request \(it answered a request twice|gave the reply `ok restab-protocol 1[^`]*`, which does not fit)' ;;
      twice-later)      cmd="$py | sed -u '/^ok none\$/p'"
                        re='(answers no request|does not fit the request)' ;;
      silent)           cmd='sleep 30' RESTAB_IMPL_TIMEOUT=0.5
                        re='did not answer within 20 s \(the handshake' ;;
      silent-later)     cmd="{ $py | sed -u 5q; sleep 30; }" RESTAB_IMPL_TIMEOUT=0.5
                        re='did not answer within 0.5 s' ;;
      exit)             cmd='exit 3'
                        re='closed its standard output.*It exited with status 3' ;;
      exit-later)       cmd='read l; echo "ok restab-protocol 1"; read l; echo ok; read l; exit 5'
                        re='closed its standard output.*reply to `[a-z_]+[^`]*`.*It exited with status 5' ;;
      signal)           cmd='kill -SEGV $$'
                        re='killed by signal 11' ;;
      signal-later)     cmd="$py | { sed -u 5q; kill -SEGV \$\$; }"
                        re='killed by signal 11' ;;
      not-found)        cmd='no-such-restab-child --flag'
                        re='status 127.*not found' ;;
      flood)            cmd='yes restab-stderr-flood >&2' RESTAB_IMPL_TIMEOUT=0.5
                        re='did not answer within.*\| restab-stderr-flood' ;;
      flood-answering)  cmd="{ yes restab-stderr-flood | head -c 50000000 >&2; exit 9; } & $py"
                        re='ran with no difference|status 9|closed its standard output'
                        input=$corpus ;;
      protocol-error)   cmd="$py | sed -u 's/^ok 1\$/error protocol this is a test/'"
                        re='rejected a request as a protocol error: `error protocol this is a test`' ;;
      bad-state)        cmd="${py% --no-state --no-check} | sed -u 's/^scopes /scopez /'"
                        re='sent a (summary|state) block whose line [0-9]+, `scopez [0-9]+`, breaks the format.*expected `scopes K`' ;;
      bad-state-slot)   cmd="RESTAB_CHILD_CAPS='state check' ${py% --no-state --no-check} | sed -u 's/^slot 1 own/slot 1 owned/'"
                        re='sent a state block whose line [0-9]+, `slot 1 owned [^`]*`, breaks the format'
                        input=$corpus ;;
      no-command)       cmd=''
                        re='RESTAB_IMPL_CMD is not set' ;;
      decline-no-reason) cmd="$py | sed -u '2s/^ok\$/declined/'"
                        re='declined without a reason' ;;
      unknown-profile)  cmd="$py | sed -u 's/profile=wasmtime35/profile=wasmtime99/'"
                        re='announced only profiles this harness does not know \(wasmtime99\)' ;;
      decline-every-reset) cmd="$py | sed -u 's/^ok\$/declined no tables in this sketch/'"
                        re='130 of 130 inputs declined by process.*130 x no tables in this sketch.*every input was declined: nothing was compared'
                        input=$corpus ;;
      profile-mismatch) # announces spec, gets `semantics spec`, runs wasmtime35
                        cmd="sed -u 's/ semantics spec\$/ semantics wasmtime35/' | ${py% --no-state --no-check} | sed -u 's/profile=wasmtime35/profile=spec/'"
                        re='disagree ====.*semantics spec' input=$corpus ;;
      result-then-bad-state) # a wrong result, then a broken block after it
                        cmd="${py% --no-state --no-check} | sed -u '/^ok 1\$/{s//ok 2/;n;s/^tables /tablez /}'"
                        re='signature: ops [a-z_]+ results-differ:ok-vs-ok' ;;
      *) echo "unknown case '$1'" >&2; exit 2 ;;
    esac
    export RESTAB_IMPL_CMD=$cmd
    run "$replay" --quiet "$input"
    if [[ $1 == decline-every-reset ]]; then
      # Declines pass, and are said: a child that declines everything is
      # never silently clean.
      printf '%s\n' "$out" | tail -n 5
      [[ $rc -eq 0 && $out =~ $re ]] || { echo "FAIL: exit $rc, or no match for: $re"; exit 1; }
      echo PASS
    elif [[ $1 == profile-mismatch || $1 == result-then-bad-state ]]; then
      # result-then-bad-state: the difference is the finding, not the
      # failure that came after it in the same step's replies.
      expect_found "$re"
    elif [[ $1 == flood-answering ]]; then
      # A child that floods stderr while it answers must not slow the
      # harness into a timeout: the replay either passes or reports.
      printf '%s\n' "$out" | tail -n 5
      [[ $rc -ne 124 && $out =~ $re ]] || { echo FAIL; exit 1; }
      echo PASS
    else
      expect_found "restab process bridge: the implementation process .*$re"
    fi ;;
  one-cause)
    export RESTAB_IMPL_CMD; RESTAB_IMPL_CMD=$(child_cmd python state)
    export RESTAB_CHILD_BUG=lend-leak
    sigs=()
    for f in small large; do
      run "$replay" --signature "$src/tests/process/one-cause/$f.ops"
      printf '%s: %s\n' "$f" "$out"
      [[ $rc -eq 1 ]] || { echo "FAIL: $f.ops did not fail (exit $rc)"; exit 1; }
      sigs+=("$out")
    done
    [[ ${sigs[0]} == "${sigs[1]}" && ${sigs[0]} == "ops lift_borrow "* ]] ||
      { echo "FAIL: the two inputs should both be named at lift_borrow, with one signature"; exit 1; }
    echo PASS ;;
  strict)
    command -v python3 >/dev/null || { echo "FAIL: python3 is missing (scripts/test installs it)"; exit 1; }
    export RESTAB_IMPL_CMD="python3 $src/tests/process/strict_v1_child.py $*"
    run "$replay" --quiet "$corpus"
    printf '%s\n' "$out" | tail -n 20
    [[ $rc -eq 0 && $out == *"ran with no difference"* ]] || { echo "FAIL: process-replay"; exit 1; }
    shopt -s globstar
    run "$fuzz/process_ops" "$corpus"/**/*.bin
    printf '%s\n' "$out" | tail -n 5
    [[ $rc -eq 0 ]] || { echo "FAIL: process_ops"; exit 1; }
    [[ $out != *"strict_v1_child.py: rejected"* ]] || { echo "FAIL: the child rejected a request"; exit 1; }
    echo PASS ;;
  *) echo "unknown kind '$kind'" >&2; exit 2 ;;
esac
