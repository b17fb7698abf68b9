# Sourced by the scripts in this folder: the repository root, echoed
# commands, and the tools build that replay/encode/reproduce share.
# shellcheck shell=bash

RESTAB_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export RESTAB_ROOT

# Runs a command after echoing it to standard error.
run() {
  printf '+ %s\n' "$*" >&2
  "$@"
}

die_usage() {
  printf '%s: %s\n%s\n' "$(basename "$0")" "$1" "$USAGE" >&2
  exit 2
}

# Builds the harness tools (restab-replay and the standalone targets) into
# build/tools on first use; later calls only let ninja check for changes,
# quietly unless something has to be rebuilt and fails.
ensure_tools() {
  local dir="$RESTAB_ROOT/build/tools"
  if [ ! -f "$dir/CMakeCache.txt" ]; then
    run cmake -S "$RESTAB_ROOT" -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DRESTAB_BUILD_TESTS=OFF -DRESTAB_BUILD_FUZZERS=ON >&2
  fi
  local log
  log=$(mktemp)
  if ! cmake --build "$dir" --target restab-replay "$@" >"$log" 2>&1; then
    cat "$log" >&2
    rm -f "$log"
    echo "$(basename "$0"): building the tools failed" >&2
    exit 2
  fi
  rm -f "$log"
  RESTAB_REPLAY="$dir/fuzz/restab-replay"
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
                 afl++ gnuplot-nox zip unzip file python3 python3-yaml)
