#!/usr/bin/env bash
# ctest driver for examples/jco/child, jco's generated runtime as a process
# child (label jco, fuzz preset):
#
#   run.sh BUILD SOURCE setup            install and transpile into a fresh
#                                        cache, three first uses at once
#   run.sh BUILD SOURCE setup-npm-fails  npm cannot reach its registry: one
#                                        line on stderr, exit status not 0
#   run.sh BUILD SOURCE protocol         handshake, declines, state blocks
#   run.sh BUILD SOURCE scripts          known.d/ and declined.d/: jco's and
#                                        the spec's answers as recorded
#   run.sh BUILD SOURCE spec-answers DEFS  the spec's own code (examples/
#                                        spec-reference/child, DEFS its
#                                        definitions.py) gives NAME.spec
#   run.sh BUILD SOURCE scope-id         scope_id_demo.mjs: a borrow traps
#                                        once 2^30 calls have been made
#   run.sh BUILD SOURCE stretched        a state jco cannot list after a
#                                        result that differs: the difference
#                                        is reported, the child kept
#   run.sh BUILD SOURCE corpus           the corpus yields exactly the known
#                                        divergences (scripts/replay --known)
#   run.sh BUILD SOURCE fuzz SECONDS     a fuzz run finds nothing new
#                                        (scripts/fuzz --known)
#
# BUILD is the fuzz preset's build folder (process-replay, process_ops).
# Every case but the setup ones uses the child's default cache, so the
# first of them to run installs jco there (the child's lock lets ctest run
# them in parallel). node and npm missing fail the test: scripts/test
# installs them.
set -euo pipefail
if [[ $# -lt 3 ]]; then
  echo "usage: $0 BUILD SOURCE setup|setup-npm-fails|protocol|scripts|spec-answers|scope-id|stretched|corpus|fuzz [ARG]" >&2
  exit 2
fi
build=$1 src=$2 kind=$3
child=$src/examples/jco/child
replay=$build/fuzz/process-replay
# a loaded machine, and the first use installs jco
export RESTAB_IMPL_TIMEOUT=60
fail() { echo "FAIL: $*"; exit 1; }
command -v node >/dev/null || fail "node is missing (scripts/test installs nodejs)"
command -v npm >/dev/null || fail "npm is missing (scripts/test installs npm)"
scratch=$(mktemp -d "${TMPDIR:-/tmp}/restab-jco-test.XXXXXX")
trap 'rm -rf "$scratch"' EXIT

case $kind in
  setup)
    export RESTAB_JCO_CACHE=$scratch/cache
    echo "+ three concurrent '$child --setup' into the empty cache $RESTAB_JCO_CACHE"
    pids=()
    for i in 1 2 3; do
      "$child" --setup >"$scratch/out.$i" 2>"$scratch/err.$i" &
      pids+=($!)
    done
    for i in 0 1 2; do
      wait "${pids[$i]}" || { cat "$scratch"/err.*; cat "$RESTAB_JCO_CACHE/setup.log" || true; fail "set-up $((i + 1)) exited non-zero"; }
    done
    cat "$scratch/out.1"
    gens=("$RESTAB_JCO_CACHE"/gen-*) npms=("$RESTAB_JCO_CACHE"/npm-*)
    [[ ${#gens[@]} -eq 1 && -f ${gens[0]}/tables.js ]] || fail "not one gen-*/tables.js: ${gens[*]}"
    [[ ${#npms[@]} -eq 1 && -d ${npms[0]}/node_modules/@bytecodealliance/jco-transpile ]] ||
      fail "not one npm-* install: ${npms[*]}"
    version=$(node -p "require('${npms[0]}/node_modules/@bytecodealliance/jco-transpile/package.json').version")
    [[ $version == 0.15.0 ]] || fail "jco-transpile $version installed, not 0.15.0"
    left=$(find "$RESTAB_JCO_CACHE" -maxdepth 1 -name '*.tmp.*' | wc -l)
    [[ $left -eq 0 ]] || fail "$left temporary folders left in the cache"
    grep -q 'instantiates; its exports ran' "$RESTAB_JCO_CACHE/setup.log" ||
      fail "the transpiled component was not run (setup.log)"
    # nothing new in the tree (node_modules, the transpiled files)
    new=$(git -C "$src" status --porcelain --ignored --untracked-files=all -- examples/jco |
          grep -E '^(\?\?|!!)' || true)
    [[ -z $new ]] || fail "the set-up wrote into the tree: $new"
    reply=$(printf 'restab-protocol 1\nquit\n' | "$child")
    [[ $reply == "ok restab-protocol 1 profile=spec state summary" ]] || fail "handshake: $reply"
    echo "PASS: one install of jco-transpile $version, one transpiled runtime, handshake ok" ;;

  setup-npm-fails)
    export RESTAB_JCO_CACHE=$scratch/cache
    # nothing listens on port 9; npm's own cache is empty too
    set +e
    npm_config_registry=http://127.0.0.1:9/ npm_config_fetch_retries=0 \
      npm_config_cache=$scratch/npm-cache "$child" --setup >"$scratch/out" 2>"$scratch/err"
    rc=$?
    set -e
    cat "$scratch/err"
    [[ $rc -ne 0 ]] || fail "exit status 0 without jco"
    [[ $(wc -l <"$scratch/err") -eq 1 ]] || fail "not one line on standard error"
    grep -q 'npm could not install @bytecodealliance/jco-transpile 0.15.0' "$scratch/err" ||
      fail "the line does not say that npm could not install jco"
    [[ ! -s $scratch/out ]] || fail "it wrote to standard output"
    echo "PASS: exit $rc, one line" ;;

  protocol)
    # What each decline looks like, and state read from jco's tables.
    reset='reset instances 2 types 0 0 1 limit 3 max_lends 1 semantics spec'
    input=(
      'restab-protocol 1'
      "$reset" 'new host 1' 'new t0 1'
      "$reset" 'new t0 1' 'new t1 2'
      "$reset" 'new t0 0'
      "$reset" 'new t0 1073741824'
      "$reset" 'new t0 1' 'new t0 2' 'new t0 3'
      "$reset" 'lower_borrow t0 1'
      "$reset" 'lift_borrow t0 1'
      "$reset" 'exit'
      "$reset" 'new t0 5' 'enter' 'lift_borrow t0 1' 'lift_borrow t0 1'
      "$reset" 'new t0 5' 'enter' 'lift_borrow t0 1' 'lower_borrow t2 6' 'state' 'summary'
      'drop t2 1' 'exit' 'drop t0 1' 'state'
      'reset instances 1 types 0 limit 9 max_lends 4294967295 semantics wasmtime35'
      'quit'
    )
    expected='ok restab-protocol 1 profile=spec state summary
ok
declined no host table
declined no host table
ok
ok 1
declined one handle table per resource type
ok
declined rep outside 1..2^30-1
ok
declined rep outside 1..2^30-1
ok
ok 1
ok 2
declined no handle limit
ok
declined no call scope
ok
declined no call scope
ok
declined no call scope
ok
ok 1
ok
ok 5
declined no lend bound
ok
ok 1
ok
ok 5
ok 1
tables 3
table 0 size 1 next 2
slot 1 own t0 rep 5 lends 1
table 1 size 1 next 2
slot 1 borrow t2 rep 6 scope 0 lends 0
table 2 size 0 next 1
scopes 1
scope 0 borrows 1 lenders 1
lender 0 1
end
tables 3
table 0 size 1 next 2
table 1 size 1 next 2
table 2 size 0 next 1
scopes 1
scope 0 borrows 1 lenders 1
lender 0 1
end
ok none
ok
ok 5
tables 3
table 0 size 1 next 1
slot 1 free
table 1 size 1 next 1
slot 1 free
table 2 size 0 next 1
scopes 0
end
declined no wasmtime35 profile'
    got=$(printf '%s\n' "${input[@]}" | "$child")
    if [[ $got != "$expected" ]]; then
      diff <(printf '%s\n' "$expected") <(printf '%s\n' "$got") || true
      fail "the replies differ from the expected ones (diff: expected, got)"
    fi
    echo "PASS: ${#input[@]} requests answered as expected" ;;

  scripts)
    n=0
    for dir in known.d declined.d; do
      cmd=$child
      [[ $dir == declined.d ]] && cmd="$child --no-decline=reps,types"
      for script in "$src/examples/jco/$dir"/*.ops; do
        base=${script%.ops}
        jco=$(RESTAB_IMPL_CMD=$cmd "$replay" --script "$script")
        spec=$("$replay" --impl oracle --script "$script")
        [[ $jco == "$(cat "$base.jco")" ]] ||
          { printf '%s\n' "$jco"; fail "$script: jco's answers are not $base.jco"; }
        [[ $spec == "$(cat "$base.spec")" ]] ||
          { printf '%s\n' "$spec"; fail "$script: the spec's answers are not $base.spec"; }
        [[ $jco != "$spec" ]] || fail "$script: jco now answers as the spec does"
        n=$((n + 1))
      done
    done
    [[ $n -ge 7 ]] || fail "only $n scripts"
    echo "PASS: $n scripts, each still a divergence, with the recorded answers" ;;

  spec-answers)
    # NAME.spec is the oracle's answer (scripts); here the spec's own
    # definitions.py must give the same.
    defs=${4:-}
    command -v python3 >/dev/null || fail "python3 is missing (scripts/test installs it)"
    [[ -f $defs ]] || fail "'$defs' is missing: the spec's definitions.py must sit in ../shared/reference/ beside the checkout"
    n=0
    for script in "$src"/examples/jco/known.d/*.ops "$src"/examples/jco/declined.d/*.ops; do
      got=$(RESTAB_SPEC_DEFINITIONS=$defs RESTAB_IMPL_CMD=$src/examples/spec-reference/child \
              "$replay" --script "$script")
      [[ $got == "$(cat "${script%.ops}.spec")" ]] ||
        { printf '%s\n' "$got"; fail "$script: the spec's own code does not answer ${script%.ops}.spec"; }
      n=$((n + 1))
    done
    echo "PASS: $n scripts, the spec's own code answers as recorded" ;;

  scope-id)
    "$child" --setup >"$scratch/setup"
    gen=$(sed -n 's|.* is \(.*\)/tables.js$|\1|p' "$scratch/setup")
    [[ -d $gen ]] || fail "no generated folder in: $(cat "$scratch/setup")"
    node "$src/examples/jco/scope_id_demo.mjs" "$gen" || fail "the demonstration did not trap as documented"
    echo "PASS" ;;

  stretched)
    # A drop far past the end stretches jco's table past what a state
    # lists: the child answers that state `error protocol`. The drop's
    # result already differs, which is the report; the child stays in step
    # and serves the next input (a stopped child would be named in a
    # bridge paragraph, and restarting one costs seconds per input).
    printf 'semantics spec\nnew t0 7\ndrop t0 100000\nnew t0 8\n' >"$scratch/a-stretch.ops"
    printf 'semantics spec\nnew t0 7\nnew t0 8\ndrop t0 1\nnew t0 9\n' >"$scratch/b-plain.ops"
    set +e
    out=$(RESTAB_IMPL_CMD=$child "$replay" --keep-going "$scratch/a-stretch.ops" "$scratch/b-plain.ops" 2>&1)
    rc=$?
    set -e
    printf '%s\n' "$out" | tail -n 30
    [[ $rc -eq 1 ]] || fail "exit status $rc, expected 1 (one input differs)"
    grep -q '^signature: ops drop results-differ:none-vs-unknown-handle$' <<<"$out" ||
      fail "the stretching drop is not reported as its results difference"
    ! grep -q 'restab process bridge' <<<"$out" || fail "the bridge stopped the child"
    grep -q 'new t0 9 => ok 1' <<<"$out" || fail "the second input did not run to its end"
    echo "PASS" ;;

  corpus)
    # The corpus and the known scripts (encoded): every failure is a known
    # divergence, and every entry of the known file is met.
    known=$src/examples/jco/known
    mkdir -p "$scratch/known"
    for script in "$src"/examples/jco/known.d/*.ops; do
      "$replay" --encode "$script" "$scratch/known/$(basename "${script%.ops}").bin" >/dev/null
    done
    echo "+ scripts/replay --impl-cmd $child --build $build --known $known --keep-going --quiet $src/corpus/restab_ops $scratch/known"
    set +e
    out=$("$src/scripts/replay" --impl-cmd "$child" --build "$build" --known "$known" \
            --keep-going --quiet "$src/corpus/restab_ops" "$scratch/known" 2>&1)
    rc=$?
    set -e
    printf '%s\n' "$out" | tail -n 40
    [[ $rc -eq 0 ]] || fail "exit status $rc: a divergence that is not in $known, or a failure"
    grep -q 'new failures: 0 inputs' <<<"$out" || fail "no 'new failures: 0 inputs' line"
    for name in $(sed -n 's/^known //p' "$known"); do
      n=$(sed -nE "s/^ +([0-9]+) x $name .*/\1/p" <<<"$out")
      [[ -n $n && $n -ge 1 ]] || fail "the known divergence $name was not met (count '${n}')"
    done
    echo "PASS: every failure is a known divergence, and every known divergence is met" ;;

  fuzz)
    secs=${4:-60}
    known=$src/examples/jco/known
    echo "+ scripts/fuzz --impl-cmd $child --build $build --known $known --time $secs --work $scratch/work --quiet"
    set +e
    "$src/scripts/fuzz" --impl-cmd "$child" --build "$build" --known "$known" --time "$secs" \
      --work "$scratch/work" --quiet >"$scratch/out" 2>"$scratch/err"
    rc=$?
    set -e
    cat "$scratch/out"
    [[ $rc -eq 0 ]] || { tail -n 20 "$scratch/err"; fail "exit status $rc: a new signature (or a failure)"; }
    echo "PASS: ${secs}s of fuzzing, nothing new" ;;

  *) echo "unknown case '$kind'" >&2; exit 2 ;;
esac
