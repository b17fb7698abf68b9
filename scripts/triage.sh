# Sourced by scripts/fuzz, minimize and add-regression: crash signatures
# (fuzz/FORMAT.md, "Signatures") and a minimiser that keeps one.
# shellcheck shell=bash

# The signature of FILE as the fuzz target SIG_TARGET_BIN sees it (through
# the replay tool SIG_REPLAY, which runs it in a child and reads its
# report); an .ops script runs through the replay tool itself. Prints the
# signature, or nothing when FILE passes; exit 2 when it cannot be run.
input_signature() {
  local status=0 out
  if [[ "$1" == *.ops ]] || [ -z "${SIG_TARGET_BIN:-}" ]; then
    out=$(timeout 60 "$SIG_REPLAY" --signature "$1" 2>/dev/null) || status=$?
  else
    out=$(timeout 60 "$SIG_REPLAY" --signature "$1" --exec "$SIG_TARGET_BIN" 2>/dev/null) || status=$?
  fi
  case "$status" in
    0|1) printf '%s\n' "$out" ;;
    124) echo "${SIG_KIND:-ops} - timeout" ;;
    *) return 2 ;;
  esac
}

# The directory name of a signature (spaces become '+').
signature_dir() { printf '%s\n' "${1// /+}"; }

# Delta debugging over bytes (ddmin, chunks halving down to one byte) of
# IN into OUT, keeping only candidates whose signature is SIG; stops at the
# deadline (a $SECONDS value). OUT always fails with SIG.
minimize_keeping() {
  local in=$1 out=$2 sig=$3 deadline=$4 cand=$out.cand
  cp "$in" "$out"
  local size chunk at removed
  size=$(stat -c %s "$out")
  chunk=$(( size / 2 > 0 ? size / 2 : 1 ))
  while [ "$chunk" -ge 1 ] && [ "$SECONDS" -lt "$deadline" ]; do
    at=0 removed=0
    while [ "$at" -lt "$size" ] && [ "$SECONDS" -lt "$deadline" ]; do
      { head -c "$at" "$out"; tail -c +$((at + chunk + 1)) "$out"; } >"$cand"
      if [ "$(input_signature "$cand" || true)" = "$sig" ]; then
        mv "$cand" "$out"
        size=$(stat -c %s "$out")
        removed=1
      else
        at=$((at + chunk))
      fi
    done
    if [ "$chunk" -gt 1 ]; then chunk=$((chunk / 2)); elif [ "$removed" -eq 0 ]; then break; fi
  done
  rm -f "$cand"
}
