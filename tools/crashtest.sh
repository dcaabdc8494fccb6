#!/usr/bin/env bash
# The replica crash test: SIGKILLs the replica daemon under load at random moments and at named
# kill points, restarts it each time, then compares every table source vs target exactly (no row
# lost, none applied twice); then restarts PostgreSQL and MariaDB under the running daemon.
# Runs against a PRIVATE sandbox of its own (it restarts the servers), never the shared one.
#
#   tools/crashtest.sh [--kills N] [--seed S] [--build DIR | --test-binary PATH] [--keep-servers]
#
#   --kills N        SIGKILLs of the daemon (default 20; ctest runs 20 too)
#   --seed S         replays the random choices of an earlier run (printed by every run)
#   --build DIR      the build to use (default build/release); replica_crash_test is built there
#   --test-binary P  a built replica_crash_test (what ctest passes)
#   --keep-servers   leave the private sandbox running at the end (default: stopped)
#   -- ARGS          passed on to the test binary (e.g. --gtest_filter='*Kills*')
#
# The sandbox: CHAMELEON_CRASH_TESTENV_NAME (default crashtest) on ports CHAMELEON_CRASH_MYSQL_PORT
# and CHAMELEON_CRASH_PG_PORT (default: the test servers' ports + 7, 33068 and 54328).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
kills=20
seed=""
build="$repo/build/release"
binary=""
keep=0
while [ $# -gt 0 ]; do
  case "$1" in
    --kills) kills=$2; shift 2 ;;
    --seed) seed=$2; shift 2 ;;
    --build) build=$2; shift 2 ;;
    --test-binary) binary=$2; shift 2 ;;
    --keep-servers) keep=1; shift ;;
    --) shift; break ;;
    -h | --help) sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "crashtest: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
case "$kills" in '' | *[!0-9]*) echo "crashtest: --kills needs a number, got '$kills'" >&2; exit 2 ;; esac

if [ -z "$binary" ]; then
  cmake --build "$build" --target replica_crash_test >/dev/null
  binary="$build/tests/replica_crash_test"
fi
[ -x "$binary" ] || { echo "crashtest: $binary is not built" >&2; exit 1; }

# Private servers: nothing of the shared sandbox's environment may leak into them.
name=${CHAMELEON_CRASH_TESTENV_NAME:-crashtest}
mysql_port=${CHAMELEON_CRASH_MYSQL_PORT:-$((${CHAMELEON_MYSQL_PORT:-33061} + 7))}
pg_port=${CHAMELEON_CRASH_PG_PORT:-$((${CHAMELEON_PG_PORT:-54321} + 7))}
while read -r variable; do unset "$variable"; done < <(compgen -e | grep '^CHAMELEON_' || true)
export CHAMELEON_TESTENV_NAME=$name CHAMELEON_MYSQL_PORT=$mysql_port CHAMELEON_PG_PORT=$pg_port

# One run per sandbox at a time: the second test stops and starts its servers.
# fd 8 is closed for everything started from here, so no server holds the lock.
exec 8>"$repo/.$name.lock"
flock -w 900 8 || { echo "crashtest: another crash test holds $repo/.$name.lock" >&2; exit 1; }

started=$(date +%s)
"$repo/tools/testenv.sh" start 8>&-
stop_servers() { [ "$keep" -eq 1 ] || "$repo/tools/testenv.sh" stop >/dev/null 8>&- || true; }
trap stop_servers EXIT
eval "$("$repo/tools/testenv.sh" env)"
export CHAMELEON_CRASH_PRIVATE_SERVERS=1 CHAMELEON_CRASH_KILLS=$kills
[ -z "$seed" ] || export CHAMELEON_CRASH_SEED=$seed
echo "crashtest: $kills kills against the private sandbox '$name' (MariaDB $mysql_port, PostgreSQL $pg_port)"
"$binary" --gtest_color=no "$@" 8>&-
echo "crashtest: passed in $(($(date +%s) - started)) s"
