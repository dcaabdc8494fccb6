#!/usr/bin/env bash
# Style checks: clang-format on every C++ file; clang-tidy (config in .clang-tidy) on the
# files given, or on every source file with --all. --format-only skips clang-tidy.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
mapfile -t cpp_files < <(git ls-files '*.cpp' '*.h')

clang-format --dry-run --Werror "${cpp_files[@]}"
echo "lint: clang-format clean (${#cpp_files[@]} files)"
[ "${1:-}" = "--format-only" ] && exit 0

build=build/lint
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Debug >/dev/null
cmake --build "$build" --target chameleon >/dev/null  # generates embedded sources and headers
if [ "${1:-}" = "--all" ]; then
  mapfile -t tidy_files < <(git ls-files 'src/*.cpp')
else
  tidy_files=("$@")
fi
[ ${#tidy_files[@]} -gt 0 ] || { echo "lint: no files for clang-tidy (give files or --all)"; exit 0; }
clang-tidy -p "$build" --quiet "${tidy_files[@]}"
echo "lint: clang-tidy clean (${#tidy_files[@]} files)"
