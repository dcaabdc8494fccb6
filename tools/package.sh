#!/usr/bin/env bash
# Builds the Release binary and the Debian package; prints the .deb's path on stdout.
#   tools/package.sh [BUILD_DIR]      (default build/release; the .deb is written there)
# Needs dpkg-dev (dpkg-shlibdeps computes the Depends field), which build-essential brings.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
build=${1:-build/release}
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release >&2
cmake --build "$build" -j "$(nproc)" --target chameleon chameleon_man_page >&2
build=$(cd "$build" && pwd)
(cd "$build" && cpack -G DEB >&2)
version=$("$build/src/cli/chameleon" --version | awk '{print $2}')
deb="$build/chameleon_${version}_$(dpkg --print-architecture).deb"
[ -f "$deb" ] || { echo "package: $deb was not written; cpack's output above says why" >&2; exit 1; }
echo "$deb"
