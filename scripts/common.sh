# Sourced by the scripts in this folder: the repository root, echoed
# commands, and the tools build that replay/encode/reproduce share.
# shellcheck shell=bash

RESTAB_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export RESTAB_ROOT
# The Rust toolchain of a rustup install (the Rust examples' builds), when
# a login shell's profile has not put it on the PATH.
if ! command -v cargo >/dev/null 2>&1 && [ -x "${CARGO_HOME:-$HOME/.cargo}/bin/cargo" ]; then
  export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
fi

# Runs a command after echoing it to standard error.
run() {
  printf '+ %s\n' "$*" >&2
  "$@"
}

# One line on standard error and exit 2 (bad input, no usage text).
die() {
  printf '%s: %s\n' "$(basename "$0")" "$1" >&2
  exit 2
}

# ---- Usage -------------------------------------------------------------
# Every script: USAGE is its --help text, which lists each option it takes
# with a line of meaning (tests/scripts/help_lists_options.sh checks it);
# -h and --help print it on standard output and exit 0; a bad argument is
# one line on standard error that points to --help, and exit 2.

# The script as it is run from the repository root (scripts/fuzz).
script_name() {
  realpath -s --relative-to="$RESTAB_ROOT" "$0" 2>/dev/null || basename "$0"
}

# A bad command line: one line naming the problem, and exit 2.
die_usage() {
  printf '%s: %s (%s --help lists the options)\n' "$(basename "$0")" "$1" "$(script_name)" >&2
  exit 2
}

# The last branch of an option loop: ARG is not one of the script's options.
die_unknown() {
  case "$1" in
    -?*) die_usage "unknown option '$1'" ;;
    *) die_usage "unexpected argument '$1'" ;;
  esac
}

# Builds the harness tools (restab-replay, and process-replay after
# --impl-cmd) into build/tools on first use; later calls only let ninja
# check for changes, quietly unless something has to be rebuilt and fails.
# Sets RESTAB_REPLAY, and IMPL_REPLAY: the replay tool of $IMPL.
ensure_tools() {
  local dir="$RESTAB_ROOT/build/tools"
  if [ ! -f "$dir/CMakeCache.txt" ]; then
    run cmake -S "$RESTAB_ROOT" -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DRESTAB_BUILD_TESTS=OFF -DRESTAB_BUILD_FUZZERS=ON >&2
  fi
  local log
  log=$(mktemp)
  local targets=(restab-replay)
  [ "${IMPL:-restab}" != process ] || targets+=(process-replay)
  if ! cmake --build "$dir" --target "${targets[@]}" "$@" >"$log" 2>&1; then
    cat "$log" >&2
    rm -f "$log"
    echo "$(basename "$0"): building the tools failed" >&2
    exit 2
  fi
  rm -f "$log"
  RESTAB_REPLAY="$dir/fuzz/restab-replay"
  IMPL_REPLAY="$dir/fuzz/${targets[${#targets[@]}-1]}"
}

# Installs the Debian packages that are missing (as root, with apt-get);
# anyone else is told what to install.
ensure_packages() {
  local missing=() pkg
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" ||
      missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    echo "$(basename "$0"): missing Debian packages: ${missing[*]} (run as root, or: sudo apt-get install ${missing[*]})" >&2
    exit 2
  fi
  run apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive run apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
}

# Everything the tests and the fuzzing scripts use.
RESTAB_PACKAGES=(cmake ninja-build gcc clang llvm libclang-rt-14-dev pkg-config
                 afl++ gnuplot-nox zip unzip file python3 python3-yaml nodejs)

# ---- Implementations: --impl NAME [--build DIR] ------------------------
# restab_add_implementation(NAME ...) writes DIR/restab-implementations/
# NAME.txt (key=value: engine, sanitize, ops, ops_mut, oom, replay) in the
# build directory where it ran. Without --build, NAME must be restab or
# process (the bridge, impls/process) and the scripts build restab's own
# presets. --impl-cmd CMD is --impl process with RESTAB_IMPL_CMD=CMD, the
# child that speaks docs/protocol.md.
IMPL=restab IMPL_BUILD="" IMPL_CMD="" IMPL_GIVEN=0

# The --help lines of the options take_impl_option reads: each script that
# calls it puts these in its USAGE, then says which implementation it runs
# when none is named.
IMPL_HELP='  --impl NAME     the implementation: restab, process (with --impl-cmd), or NAME
                  registered with restab_add_implementation(NAME ...) (needs --build)
  --build DIR     the build directory where restab_add_implementation(NAME ...) ran
  --impl-cmd CMD  a child process speaking docs/protocol.md, through the process bridge
                  (run with /bin/sh -c; RESTAB_IMPL_TIMEOUT: seconds per reply, default 2)'

# Call from an option loop: handles "--impl NAME", "--build DIR" and
# "--impl-cmd CMD" and sets IMPL_SHIFT to the number of arguments taken
# (0: not ours).
take_impl_option() {
  IMPL_SHIFT=0
  case "${1:-}" in
    --impl|--build|--impl-cmd)
      [ $# -ge 2 ] || die_usage "$1 needs a value"
      case "$1" in
        --impl) IMPL=$2 ;; --build) IMPL_BUILD=$2 ;;
        --impl-cmd) IMPL=process IMPL_CMD=$2; export RESTAB_IMPL_CMD=$2 ;;
      esac
      IMPL_GIVEN=1 IMPL_SHIFT=2 ;;
  esac
}

# ---- The implementation a crash came from ------------------------------
# scripts/fuzz writes IMPL_RECORD into each folder it files crashes in
# (WORK/crashes/<signature>/): key=value lines impl, impl-cmd, build,
# engine, target, profiles. Given one of those crashes (or the folder),
# replay, reproduce, minimize and add-regression take the implementation
# from it unless the command line names one.
IMPL_RECORD=implementation.txt

# Writes the record of the current implementation into DIR (ENGINE and
# KIND: the run's engine and target kind; PROFILES: the profiles it ran).
write_impl_record() {
  local dir=$1 engine=$2 kind=$3 profiles=$4
  {
    echo "# The implementation these crashes came from (scripts/fuzz). scripts/replay,"
    echo "# reproduce, minimize and add-regression use it when given one of them."
    echo "impl=$IMPL"
    echo "impl-cmd=$IMPL_CMD"
    echo "build=$IMPL_BUILD"
    echo "engine=$engine"
    echo "target=$kind"
    echo "profiles=$profiles"
  } >"$dir/$IMPL_RECORD"
}

# A key of a record file.
record_value() {
  sed -n "s/^$2=//p" "$1" | head -n 1
}

# When the command line named no implementation and PATH (a crash file, or
# a folder of them) has a record beside it, takes the implementation from
# it (and sets RECORD_ENGINE and RECORD_TARGET). Says so on stderr.
RECORD_ENGINE="" RECORD_TARGET=""
impl_from_crash() {
  [ "$IMPL_GIVEN" -eq 0 ] || return 0
  local dir=$1
  [ -d "$dir" ] || dir=$(dirname "$dir")
  local record=$dir/$IMPL_RECORD
  [ -f "$record" ] || return 0
  IMPL=$(record_value "$record" impl)
  IMPL_BUILD=$(record_value "$record" build)
  IMPL_CMD=$(record_value "$record" impl-cmd)
  [ -z "$IMPL_CMD" ] || export RESTAB_IMPL_CMD=$IMPL_CMD
  RECORD_ENGINE=$(record_value "$record" engine)
  RECORD_TARGET=$(record_value "$record" target)
  printf '%s: implementation %s%s%s (from %s; --impl or --impl-cmd overrides)\n' \
    "$(basename "$0")" "$IMPL" "${IMPL_CMD:+ running \`$IMPL_CMD\`}" \
    "${IMPL_BUILD:+ built in $IMPL_BUILD}" "$record" >&2
}

# A name for the implementation in paths: NAME, or for a child process
# process-WORDS, WORDS its command's characters ([A-Za-z0-9._-], the rest
# as '-'; longer than 40, cut and followed by a hash of the command).
impl_label() {
  if [ -z "$IMPL_CMD" ]; then
    printf '%s\n' "$IMPL"
    return 0
  fi
  local slug
  slug=$(printf '%s' "$IMPL_CMD" | tr -c 'A-Za-z0-9._-' '-' | sed -E 's/-+/-/g; s/^-//; s/-$//')
  if [ ${#slug} -gt 40 ]; then
    slug="${slug:0:31}-$(printf '%s' "$IMPL_CMD" | sha1sum | cut -c1-8)"
  fi
  printf 'process-%s\n' "$slug"
}

# Checks --impl/--build/--impl-cmd after the options are read.
check_impl() {
  [[ "$IMPL" =~ ^[A-Za-z][A-Za-z0-9_]*$ ]] || die "'$IMPL' is not an implementation name"
  if [ "$IMPL" = process ]; then
    [ -n "${RESTAB_IMPL_CMD:-}" ] || die "implementation 'process' needs --impl-cmd CMD (or RESTAB_IMPL_CMD)"
    IMPL_CMD=$RESTAB_IMPL_CMD
    # The first word that is not a VAR=value assignment: a command or a file.
    local word=""
    for word in $IMPL_CMD; do [[ "$word" =~ ^[A-Za-z_][A-Za-z0-9_]*= ]] || break; done
    command -v -- "$word" >/dev/null 2>&1 || [ -f "$word" ] ||
      die "--impl-cmd: '$word' is neither a command nor a file"
  fi
  if [ -z "$IMPL_BUILD" ]; then
    [ "$IMPL" = restab ] || [ "$IMPL" = process ] ||
      die "implementation '$IMPL' needs --build DIR (the build directory where restab_add_implementation($IMPL ...) ran)"
    return 0
  fi
  [ -d "$IMPL_BUILD" ] || die "--build: '$IMPL_BUILD' is not a directory"
  IMPL_BUILD=$(realpath "$IMPL_BUILD")
  local manifest=$IMPL_BUILD/restab-implementations/$IMPL.txt
  if [ ! -f "$manifest" ]; then
    local known
    known=$(cd "$IMPL_BUILD/restab-implementations" 2>/dev/null && ls -- *.txt 2>/dev/null | sed 's/\.txt$//' | tr '\n' ' ')
    die "no implementation '$IMPL' in $IMPL_BUILD (registered there: ${known:-none}; build it first)"
  fi
}

# The value of KEY in the implementation's manifest (empty when absent).
impl_value() {
  sed -n "s/^$1=//p" "$IMPL_BUILD/restab-implementations/$IMPL.txt" | head -n 1
}

# The executable of KIND (ops, ops_mut, oom, replay) of a --build
# implementation; exits 2 when the build does not have it.
impl_binary() {
  local bin
  bin=$(impl_value "$1")
  [ -n "$bin" ] || die "implementation '$IMPL' has no $1 executable (oom needs ALLOC_HOOK in restab_add_implementation)"
  [ -x "$bin" ] || die "$bin is not built yet (cmake --build $IMPL_BUILD)"
  printf '%s\n' "$bin"
}

# ---- Target kinds: fuzz/targets.txt ------------------------------------
# A field of a kind's line: 2 sources, 3 input (program|script), 4 prefix,
# 5 corpus, 6 for (every|alloc-hook|restab), 7 oss-fuzz.
target_field() {
  awk -v k="$1" -v f="$2" '/^[a-z]/ && $1 == k { print $f }' "$RESTAB_ROOT/fuzz/targets.txt"
}

# The kinds, space-separated.
target_kinds() {
  awk '/^[a-z]/ { printf "%s%s", sep, $1; sep = " " }' "$RESTAB_ROOT/fuzz/targets.txt"
}

# The kind a --target value names (restab_oom, tinytab_ops_mut, oom), or
# exits 2; checks that $IMPL has it.
kind_of_target() {
  local value=$1 kind
  for kind in $(target_kinds); do
    case "$value" in
      "$kind"|*_"$kind") ;;
      *) continue ;;
    esac
    # ops_mut ends in _ops_mut, not in _ops: the longer kind wins.
    [[ "$value" == *_mut && "$kind" != *_mut ]] && continue
    if [ "$(target_field "$kind" 6)" = restab ] && [ "$IMPL" != restab ]; then
      die "only restab has a $kind target (fuzz/targets.txt)"
    fi
    printf '%s\n' "$kind"
    return 0
  done
  die "unknown target '$value' (kinds: $(target_kinds))"
}

# The kind a crash file's path names (its nearest component that mentions
# _KIND, as in clusterfuzz-testcase-minimized-restab_oom-123), else ops.
kind_of_path() {
  local path=$1 part kind
  while [ "$path" != / ] && [ -n "$path" ]; do
    part=$(basename "$path")
    for kind in $(target_kinds); do
      [ "$kind" = ops ] && continue
      case "$part" in *_"$kind"*) printf '%s\n' "$kind"; return 0 ;; esac
    done
    case "$part" in *_ops*) echo ops; return 0 ;; esac
    path=$(dirname "$path")
  done
  echo ops
}

# The command that reproduces crash FILE of target kind KIND with the
# current implementation: the one line the scripts suggest.
reproduce_hint() {
  printf 'scripts/reproduce %s--target %s %s\n' "$(impl_hint_args)" "$2" "$1"
}

# The implementation options of the current run, for the commands the
# scripts suggest ("--impl-cmd 'CMD' ", "--impl NAME --build DIR ", or
# nothing), each followed by a space.
impl_hint_args() {
  if [ -n "$IMPL_CMD" ]; then
    printf -- "--impl-cmd '%s' " "${IMPL_CMD//\'/\'\\\'\'}"
    [ -z "$IMPL_BUILD" ] || printf -- '--build %s ' "$IMPL_BUILD"
  elif [ -n "$IMPL_BUILD" ]; then
    printf -- '--impl %s --build %s ' "$IMPL" "$IMPL_BUILD"
  fi
}
