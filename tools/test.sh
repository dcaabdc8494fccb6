#!/usr/bin/env bash
# The whole test suite from a fresh clone: install dependencies, build (Release and an
# ASan/UBSan build), check formatting, start the test servers, run ctest in both builds.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
jobs=$(nproc)

tools/install-deps.sh

build() {  # build <dir> <cmake args...>
  local dir=$1
  shift
  cmake -S . -B "$dir" -G Ninja "$@" >/dev/null
  cmake --build "$dir" -j "$jobs"
}
echo "test: building Release"
build build/release -DCMAKE_BUILD_TYPE=Release
echo "test: building Debug with AddressSanitizer and UndefinedBehaviorSanitizer"
build build/asan -DCMAKE_BUILD_TYPE=Debug -DSANITIZE=address,undefined -DCHAMELEON_BUILD_BENCH=OFF

echo "test: checking formatting"
tools/lint.sh --format-only

started_here=0
if ! tools/testenv.sh status >/dev/null 2>&1; then
  tools/testenv.sh start
  started_here=1
fi
stop_servers() { [ "$started_here" -eq 0 ] || tools/testenv.sh stop; }
trap stop_servers EXIT
eval "$(tools/testenv.sh env)"

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
for dir in build/release build/asan; do
  echo "test: ctest in $dir"
  (cd "$dir" && ctest --output-on-failure -j "$jobs" --timeout 600)
done
echo "test: all tests passed"
