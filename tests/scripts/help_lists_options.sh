#!/usr/bin/env bash
# Every script in scripts/ and bench/*.sh speaks with one voice:
#   - `--help` and `-h` print the usage on standard output and exit 0;
#   - the usage names every option the script accepts on a line of meaning
#     (a line that starts with an option: "  --time S   seconds of ...");
#     the accepted options are read from the script itself: the patterns of
#     its option loops (`--time|--jobs)`, `--check) check=1 ;;`), those of
#     take_impl_option in scripts/common.sh when it calls it, the argparse
#     options of a tests/**.py it runs, and for scripts/replay every option
#     tools/replay.c reads (it forwards them);
#   - an old option name is still taken beside the common one (--out and
#     --work, --cap and --time, ...);
#   - an unknown option exits 2 with one line on standard error that names
#     it and points to --help, before anything is built or run;
#   - bash -n passes.
# Cheap (a few seconds), builds nothing. Usage: help_lists_options.sh [ROOT]
set -euo pipefail
trap 'echo "FAIL: $0: line $LINENO: a command failed (status $?)" >&2' ERR
root=$(cd "${1:-$(dirname "$0")/../..}" && pwd)
cd "$root"

errfile=$(mktemp)
trap 'rm -f "$errfile"' EXIT
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }

# The option words of a shell file's case patterns: a pattern of one or
# more options ending in ")", outside comments. Short options count only
# beside a long one (`--quiet|-q)`), so that `$(cmd -O1)` is not read as one.
case_options() {
  grep -v '^[[:space:]]*#' "$@" |
    grep -oE -- '(^|[[:space:]|(])-{1,2}[A-Za-z][A-Za-z0-9-]*(\|-{1,2}[A-Za-z][A-Za-z0-9-]*)*\)' |
    grep -E -- '--[A-Za-z]' | grep -oE -- '-{1,2}[A-Za-z][A-Za-z0-9-]*' || true
}

# The option strings of a Python file's argparse add_argument calls; one
# without help= is printed as "!no-help OPTION".
argparse_options() {
  python3 - "$1" <<'PY'
import ast, sys
for node in ast.walk(ast.parse(open(sys.argv[1]).read())):
    if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "add_argument":
        opts = [a.value for a in node.args
                if isinstance(a, ast.Constant) and str(a.value).startswith("-")]
        print("\n".join(opts))
        if opts and not any(k.arg == "help" for k in node.keywords):
            print("!no-help", opts[0])
PY
}

# Whether the --help text on standard input describes OPTION: a line that
# starts with an option names it, and that line (or the next one, when it
# does not start with an option) has words of meaning: two lowercase words
# in a row once the option words, METAVARS and {choices} are left out.
describes() {
  awk -v opt="$1" '
    function meaning(s) {
      gsub(/\{[^}]*\}/, " ", s)
      gsub(/(^|[ \t,(\[])-{1,2}[A-Za-z][A-Za-z0-9-]*/, " ", s)
      return s ~ /(^|[ \t(])[a-z]+[ \t,;]+[a-z]+/
    }
    { line[NR] = $0 }
    END {
      for (i = 1; i <= NR; i++) {
        if (line[i] !~ /^[ \t]*-/) continue
        if (line[i] !~ ("(^|[^A-Za-z0-9-])" opt "([^A-Za-z0-9-]|$)")) continue
        if (meaning(line[i])) exit 0
        if (i < NR && line[i + 1] !~ /^[ \t]*-/ && meaning(line[i + 1])) exit 0
      }
      exit 1
    }'
}

# The options tools/replay.c compares its arguments with.
c_options() {
  grep -oE -- 'strcmp\((arg|argv\[i\]), "-{1,2}[A-Za-z][A-Za-z0-9-]*"\)' "$1" |
    grep -oE -- '-{1,2}[A-Za-z][A-Za-z0-9-]*' || true
}

# Old name -> the common one (issue 22: --impl, --impl-cmd, --build,
# --work, --time, --known, --keep-going, --engine, --target, --jobs).
aliases=(--out:--work --dir:--work --cap:--time --seconds:--time --duration:--time
         --fuzz-seconds:--time --fuzz-target:--target --engines:--engine
         --report:--report-only --parallel:--jobs --continue:--keep-going)

scripts=()
for f in scripts/* bench/*.sh; do
  [ -f "$f" ] && [ -x "$f" ] && scripts+=("$f")
done
[ ${#scripts[@]} -ge 10 ] || { echo "FAIL: only ${#scripts[@]} scripts found in $root" >&2; exit 1; }

for f in scripts/common.sh scripts/triage.sh "${scripts[@]}"; do
  bash -n "$f" || fail "$f: bash -n"
done

impl_options=$(sed -n '/^take_impl_option()/,/^}/p' scripts/common.sh | case_options /dev/stdin)
[ -n "$impl_options" ] || fail "scripts/common.sh: no options found in take_impl_option"

for script in "${scripts[@]}"; do
  accepted=$(
    case_options "$script"
    if grep -q '^[^#]*take_impl_option' "$script"; then printf '%s\n' "$impl_options"; fi
    { grep -v '^[[:space:]]*#' "$script" | grep -oE 'tests/[A-Za-z0-9_/-]+\.py' || true; } |
      sort -u | while read -r py; do argparse_options "$py"; done
  )
  while read -r opt; do
    [ -z "$opt" ] || fail "$script: $opt has no help= in its argparse parser"
  done < <(sed -n 's/^!no-help //p' <<<"$accepted")
  accepted=$(printf '%s\n' "$accepted" | grep -v -- '^-h$\|^--help$\|^!no-help ' | sort -u || true)
  if [ "$script" = scripts/replay ]; then
    # What the replay tool reads, scripts/replay must take and describe.
    for opt in $(c_options tools/replay.c | sort -u); do
      case "$opt" in -h|--help) continue ;; esac
      grep -qxF -- "$opt" <<<"$accepted" || fail "$script: does not take $opt, which tools/replay.c reads"
    done
  fi

  for flag in --help -h; do
    status=0
    out=$(timeout 30 "$script" "$flag" </dev/null 2>"$errfile") || status=$?
    err=$(cat "$errfile")
    [ "$status" -eq 0 ] || fail "$script $flag: exit $status (want 0)"
    [ -z "$err" ] || fail "$script $flag: wrote to standard error: $err"
    grep -q '^usage: ' <<<"$out" || fail "$script $flag: no 'usage:' line on standard output"
  done
  help=$(timeout 30 "$script" --help </dev/null 2>/dev/null || true)
  for opt in $accepted; do
    describes "$opt" <<<"$help" || fail "$script: accepts $opt, but no line of its --help describes it"
  done
  for pair in "${aliases[@]}"; do
    old=${pair%%:*} new=${pair#*:}
    if grep -qxF -- "$old" <<<"$accepted" && ! grep -qxF -- "$new" <<<"$accepted"; then
      fail "$script: takes $old but not the common name $new"
    fi
  done

  status=0
  out=$(timeout 30 "$script" --no-such-option </dev/null 2>"$errfile") || status=$?
  err=$(cat "$errfile")
  [ "$status" -eq 2 ] || fail "$script --no-such-option: exit $status (want 2)"
  [ -z "$out" ] || fail "$script --no-such-option: wrote to standard output"
  grep -q -- "--no-such-option" <<<"$err" || fail "$script --no-such-option: the message does not name it: $err"
  grep -q -- "--help" <<<"$err" || fail "$script --no-such-option: the message does not point to --help: $err"
  echo "ok $script: $(tr '\n' ' ' <<<"$accepted")"
done

if [ "$failures" -gt 0 ]; then
  echo "$failures problem(s)" >&2
  exit 1
fi
echo "all ${#scripts[@]} scripts document their options"
