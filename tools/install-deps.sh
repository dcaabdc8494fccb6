#!/usr/bin/env bash
# Installs every Debian package chameleon needs to build, test and run its sandboxes.
# Idempotent: packages already present are skipped by apt; safe to run on every build.
set -euo pipefail

packages=(
  build-essential cmake pkg-config ninja-build ccache
  clang-format clang-tidy
  librocksdb-dev libmariadb-dev libpq-dev libyaml-cpp-dev libcli11-dev
  libspdlog-dev libfmt-dev libzstd-dev nlohmann-json3-dev libbackward-cpp-dev libdw-dev
  libcurl4-openssl-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  mariadb-server mariadb-client postgresql-15 postgresql-client-15
  groff-base systemd  # package_deb_test: the man page's check, systemd-analyze verify
)

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)

# The server packages would start system-wide MariaDB/PostgreSQL services on install; the
# project runs its own sandboxes (tools/testenv.sh), so keep invoke-rc.d from starting them.
policy=/usr/sbin/policy-rc.d
made_policy=0
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' | "${sudo_cmd[@]}" tee "$policy" >/dev/null
  "${sudo_cmd[@]}" chmod 755 "$policy"
  made_policy=1
fi
cleanup() { [ "$made_policy" -eq 0 ] || "${sudo_cmd[@]}" rm -f "$policy"; }
trap cleanup EXIT

echo "install-deps: installing ${missing[*]}"
"${sudo_cmd[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
