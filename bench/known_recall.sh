#!/usr/bin/env bash
# Leave-one-out recall of a known-divergence list: for each entry in turn,
# fuzz from an empty corpus with every other entry known, and time how long
# the fuzzer takes to stop on a new divergence; it is found when that
# divergence's signature is one of the left-out entry's.
#
#   bench/known_recall.sh [--impl-cmd CMD | --impl NAME --build DIR] --known FILE
#                         [--time SECONDS] [--entry NAME]... [--work DIR]
#
# One line per entry: NAME, found|missed|other SIGNATURE, seconds, executions.
# libFuzzer (the fuzz preset's process_ops, or the build's NAME_ops), one
# job, no seeds, no dictionary; --time (default 300) bounds each run. With
# --work DIR, each entry's run keeps its log and crash in DIR/NAME/ (else
# they go with a scratch folder).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/common.sh"
USAGE='usage: bench/known_recall.sh [--impl-cmd CMD | --impl NAME --build DIR] --known FILE
                             [--time SECONDS] [--entry NAME]... [--work DIR]
'"$IMPL_HELP"'
  Without them: restab. The fuzz preset'"'"'s NAME_ops runs, or the --build'"'"'s;
  RESTAB_IMPL_TIMEOUT defaults to 10 here, as a child may start slowly.
  --known FILE    the known-divergence list (docs/triage.md) whose entries are left out in turn
  --time SECONDS  the cap of each run (default 300)
  --cap SECONDS   the old name of --time, still taken
  --entry NAME    only this entry (repeatable; default: every entry of --known)
  --work DIR      keep each entry'"'"'s log and crash in DIR/NAME/ (default: a scratch folder, removed)'
known="" cap=300 entries=() work=""
while [ $# -gt 0 ]; do
  take_impl_option "$@"
  if [ "$IMPL_SHIFT" -gt 0 ]; then shift "$IMPL_SHIFT"; continue; fi
  case "$1" in
    --known|--time|--cap|--entry|--work)
      [ $# -ge 2 ] || die_usage "$1 needs a value"
      case "$1" in --known) known=$2 ;; --time|--cap) cap=$2 ;; --entry) entries+=("$2") ;; --work) work=$2 ;; esac
      shift 2 ;;
    -h|--help) echo "$USAGE"; exit 0 ;;
    *) die_unknown "$1" ;;
  esac
done
check_impl
[ -f "$known" ] || die_usage "--known FILE is required"
[[ "$cap" =~ ^[1-9][0-9]*$ ]] || die_usage "--time takes a positive number of seconds"
known=$(realpath "$known")
[ -z "$work" ] || { mkdir -p "$work" && work=$(realpath "$work"); } || die_usage "--work: cannot create '$work'"
cd "$RESTAB_ROOT"
# A child may start slowly on a loaded machine.
export RESTAB_IMPL_TIMEOUT=${RESTAB_IMPL_TIMEOUT:-10}
if [ -n "$IMPL_BUILD" ]; then
  bin=$(impl_binary ops) replay=$(impl_binary replay)
else
  run cmake --preset fuzz >/dev/null
  run cmake --build --preset fuzz --target "${IMPL}_ops" >&2
  ensure_tools
  bin=build/fuzz/fuzz/${IMPL}_ops replay=$IMPL_REPLAY
fi
list=$(mktemp)
tmp=$(mktemp -d)
trap 'rm -rf "$list" "$tmp"' EXIT
"$replay" --known "$known" --list-known >"$list" || exit 2
[ ${#entries[@]} -gt 0 ] || mapfile -t entries < <(cut -f1 "$list" | uniq)
printf '%-40s %-8s %8s %10s  %s\n' entry result seconds execs signature
for name in "${entries[@]}"; do
  # The list without NAME (its `known` line and the indented lines under
  # it), in the scratch folder, its scripts' paths made absolute.
  awk -v n="$name" -v dir="$(dirname "$known")" '
    /^known / {skip = ($2 == n)}
    !skip && /^[ \t]+script / && $2 !~ /^\// {sub(/script /, "script " dir "/")}
    !skip' "$known" >"$tmp/known-but-$name"
  out=${work:-$tmp}/$name
  rm -rf "$out"
  mkdir -p "$out/corpus" "$out/artifacts"
  start=$(date +%s.%N)
  RESTAB_KNOWN="$tmp/known-but-$name" "$bin" -max_total_time="$cap" \
    -artifact_prefix="$out/artifacts/" -print_final_stats=1 -timeout=10 \
    -rss_limit_mb=2048 "$out/corpus" >"$out/log" 2>&1 || true
  end=$(date +%s.%N)
  sig=$(awk '/^signature: / {s = substr($0, 12)} END {print s}' "$out/log")
  execs=$(awk '/^stat::number_of_executed_units:/ {print $2}' "$out/log")
  result=missed
  if [ -n "$sig" ]; then
    result=other
    awk -F'\t' -v n="$name" -v s="$sig" '$1 == n && $2 == s {f = 1} END {exit !f}' "$list" && result=found
  fi
  printf '%-40s %-8s %8.1f %10s  %s\n' "$name" "$result" "$(awk -v a="$start" -v b="$end" 'BEGIN {print b - a}')" "${execs:-?}" "${sig:--}"
done
