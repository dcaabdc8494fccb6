#!/usr/bin/env bash
# The Debian package as an operator gets it, from the Release build:
#   - cpack builds the .deb; its Depends names the package of every shared library the
#     binary needs (so it installs on a Debian 12 with only its dependencies), no -dev one;
#   - it holds the binary, start-instance, the systemd unit, the man page, the docs, the
#     example configuration (the very file set_configuration_files writes) and the SQL;
#   - the extracted binary runs; the man page names every command and option of --help;
#   - systemd-analyze verify accepts the unit; start-instance splits instance names right;
#   - the unit's command line, run against the test servers, keeps the replica in the
#     foreground (the pid systemd would watch is chameleon's own), shows it running, and
#     SIGTERM stops it cleanly (exit 0, status stopped) well within TimeoutStopSec.
# Starting the unit under systemd is not tested: the test containers have no systemd PID 1.
#
# usage: tests/package/deb_test.sh BUILD_DIR    (the test servers' env: tools/testenv.sh env)
# CHAMELEON_TEST_DPKG_INSTALL=1 (CI sets it; root only) also installs the .deb on this
# machine with dpkg -i, runs the unit's command from /usr as the user chameleon the postinst
# created, then removes the package (and the user, when the test created it).
set -euo pipefail

build=$(cd "${1:?usage: deb_test.sh BUILD_DIR}" && pwd)
work=$(mktemp -d /tmp/chameleon-deb-XXXXXX)
chmod 755 "$work"
step() { echo "deb_test: [${SECONDS} s] $*"; }
fail() {
  echo "deb_test: FAIL: $*" >&2
  exit 1
}
cleanups=()
cleanup() {
  local i
  for ((i = ${#cleanups[@]} - 1; i >= 0; i--)); do eval "${cleanups[i]}" || true; done
  rm -rf "$work"
}
trap cleanup EXIT

# --- the package -----------------------------------------------------------------------
step "cpack"
(cd "$build" && cpack -G DEB -B "$work/cpack") >"$work/cpack.log" 2>&1 ||
  { cat "$work/cpack.log" >&2; fail "cpack failed"; }
deb=$(echo "$work"/cpack/chameleon_*.deb)
[ -f "$deb" ] || fail "cpack wrote no chameleon_*.deb: $(ls "$work/cpack")"
built_version=$("$build/src/cli/chameleon" --version)
[ "$(dpkg-deb -f "$deb" Package)" = chameleon ] || fail "Package is not chameleon"
[ "chameleon $(dpkg-deb -f "$deb" Version)" = "$built_version" ] ||
  fail "Version $(dpkg-deb -f "$deb" Version) is not the binary's ($built_version)"

depends=$(dpkg-deb -f "$deb" Depends)
step "Depends: $depends"
dep_names=" $(echo "$depends" | sed -E 's/\([^)]*\)//g; s/[,|]/ /g') "
[[ $dep_names == *" adduser "* ]] || fail "Depends lacks adduser (the postinst needs it)"
[[ $dep_names != *-dev* ]] || fail "Depends names a -dev package: $depends"
# Every library the binary needs comes from a package the .deb depends on (or from one that
# provides a name it depends on, as libspdlog1.10 provides libspdlog1.10-fmt9).
mapfile -t sonames < <(readelf -d "$build/src/cli/chameleon" | sed -nE 's/.*\(NEEDED\).*\[(.*)\]/\1/p')
[ ${#sonames[@]} -gt 0 ] || fail "readelf finds no NEEDED library in the binary"
# Which package holds each library: dpkg's file lists, read once (dpkg -S is much slower).
regex=$(printf '%s\n' "${sonames[@]}" | sed 's/[.+]/\\&/g' | paste -sd'|')
grep -E "/($regex)\$" /var/lib/dpkg/info/*.list >"$work/owners" || true
for soname in "${sonames[@]}"; do
  # /var/lib/dpkg/info/libc6:amd64.list:/lib/x86_64-linux-gnu/libc.so.6 -> libc6
  mapfile -t owners < <(awk -F '[.]list:' -v so="/$soname" \
    'substr($2, length($2) - length(so) + 1) == so { sub(/.*\/info\//, "", $1); sub(/:.*/, "", $1); print $1 }' \
    "$work/owners" | sort -u)
  [ ${#owners[@]} -gt 0 ] || fail "no installed package holds $soname"
  names=" $(dpkg-query -W -f='${Package} ${Provides} ' "${owners[@]}" | sed -E 's/\([^)]*\)//g; s/,/ /g') "
  found=0
  for name in $names; do
    if [[ $dep_names == *" $name "* ]]; then found=1; fi
  done
  [ "$found" = 1 ] || fail "$soname comes from ${owners[*]}, which Depends does not name"
done

dpkg-deb -c "$deb" | awk '{print $1, $2, $6}' >"$work/contents"
expected=(
  "-rwxr-xr-x ./usr/bin/chameleon"
  "-rwxr-xr-x ./usr/libexec/chameleon/start-instance"
  "-rw-r--r-- ./usr/lib/systemd/system/chameleon@.service"
  "-rw-r--r-- ./usr/share/man/man1/chameleon.1.gz"
  "-rw-r--r-- ./usr/share/doc/chameleon/README.md"
  "-rw-r--r-- ./usr/share/doc/chameleon/CHANGELOG.md"
  "-rw-r--r-- ./usr/share/doc/chameleon/commands.md"
  "-rw-r--r-- ./usr/share/doc/chameleon/configuration.md"
  "-rw-r--r-- ./usr/share/doc/chameleon/examples/config-example.yml"
)
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
for sql in "$repo"/sql/catalogue/*.sql; do
  expected+=("-rw-r--r-- ./usr/share/chameleon/sql/catalogue/$(basename "$sql")")
done
for entry in "${expected[@]}"; do
  mode=${entry%% *}
  path=${entry#* }
  grep -qx -- "$mode root/root $path" "$work/contents" ||
    fail "the .deb lacks $path ($mode root/root); it holds: $(cat "$work/contents")"
done
dpkg-deb -e "$deb" "$work/control"
for script in postinst prerm postrm; do
  [ -x "$work/control/$script" ] || fail "the .deb has no executable $script"
  sh -n "$work/control/$script" || fail "$script is not valid sh"
done

# --- what it holds ------------------------------------------------------------------------
root=$work/root
dpkg-deb -x "$deb" "$root"
[ "$("$root/usr/bin/chameleon" --version)" = "$built_version" ] || fail "the packaged binary's --version"
"$root/usr/bin/chameleon" --help >"$work/help.txt" || fail "the packaged binary's --help"
mkdir -p "$work/home-example"
HOME=$work/home-example "$root/usr/bin/chameleon" set_configuration_files >/dev/null
cmp "$root/usr/share/doc/chameleon/examples/config-example.yml" \
  "$work/home-example/.pg_chameleon/configuration/config-example.yml" ||
  fail "examples/config-example.yml is not what set_configuration_files writes"

step "man page"
zcat "$root/usr/share/man/man1/chameleon.1.gz" >"$work/chameleon.1"
groff -man -ww -z "$work/chameleon.1" 2>"$work/groff.txt" || fail "groff cannot read chameleon.1"
[ ! -s "$work/groff.txt" ] || fail "groff warns about chameleon.1: $(cat "$work/groff.txt")"
grep -q "^\.TH CHAMELEON 1 .*\"$built_version\"" "$work/chameleon.1" ||
  fail "docs/chameleon.1's .TH line does not say \"$built_version\""
man_text=$(sed 's/\\-/-/g; s/\\f[BIRP]//g' "$work/chameleon.1")
options=$(grep -oE -- '--[a-z][a-z-]+' "$work/help.txt" | sort -u)
commands=$(sed -n '/^Commands:/,/^$/p' "$work/help.txt" | awk 'NR > 1 && NF {print $1}')
[[ -n $commands && -n $options ]] || fail "cannot read the commands and options of --help"
for word in $options $commands; do
  grep -qF -- "$word" <<<"$man_text" || fail "docs/chameleon.1 does not describe $word (--help has it)"
done

step "systemd unit"
unit=$root/usr/lib/systemd/system/chameleon@.service
unit_key() { sed -nE "s/^$1=(.*)/\1/p" "$unit"; }
[ "$(unit_key ExecStart)" = "/usr/libexec/chameleon/start-instance %I" ] || fail "ExecStart"
[ "$(unit_key Restart)" = on-failure ] || fail "Restart= is not on-failure"
[ "$(unit_key User)" = chameleon ] || fail "User= is not chameleon"
stop_timeout=$(unit_key TimeoutStopSec)
[ "${stop_timeout%s}" -gt 30 ] || fail "TimeoutStopSec=$stop_timeout is not above the 30 s stop bound"
for key in NoNewPrivileges=yes ProtectSystem=strict ReadWritePaths=/var/lib/chameleon; do
  grep -qx "$key" "$unit" || fail "the unit lacks $key"
done
if command -v systemd-analyze >/dev/null; then
  # verify checks ExecStart's program exists: point it at the extracted tree.
  mkdir -p "$work/units"
  sed "s|^ExecStart=/usr|ExecStart=$root/usr|" "$unit" >"$work/units/chameleon@pkg-test-mysql.service"
  # Any remark (an unknown key, a bad value, a missing program) fails the test.
  systemd-analyze verify --man=no "$work/units/chameleon@pkg-test-mysql.service" \
    >"$work/verify.txt" 2>&1 || fail "systemd-analyze verify: $(cat "$work/verify.txt")"
  [ ! -s "$work/verify.txt" ] || fail "systemd-analyze verify: $(cat "$work/verify.txt")"
else
  step "systemd-analyze is not installed: the unit's keys were checked above"
fi

step "start-instance"
stub=$work/stub
install -D -m 755 "$root/usr/libexec/chameleon/start-instance" "$stub/usr/libexec/chameleon/start-instance"
install -D -m 755 /dev/stdin "$stub/usr/bin/chameleon" <<<'#!/bin/sh
echo "$@"'
percent_i() {  # what systemd passes as %I for a unit instance name: '-' -> '/', \xNN -> char
  if command -v systemd-escape >/dev/null; then
    systemd-escape --unescape -- "$1"
  else
    local slashed=${1//-//}
    printf '%b\n' "$slashed"
  fi
}
check_instance() {  # <unit instance as written> <expected chameleon arguments>
  local unescaped got
  unescaped=$(percent_i "$1")
  got=$("$stub/usr/libexec/chameleon/start-instance" "$unescaped")
  [ "$got" = "$2" ] || fail "chameleon@$1: ran '$got', expected '$2'"
}
check_instance default-mysql "start_replica --config default --source mysql --debug"
check_instance eu-prod-mysql "start_replica --config eu-prod --source mysql --debug"
check_instance 'default-my\x2dsrc' "start_replica --config default --source my-src --debug"
check_instance 'eu\x2dprod-mysql' "start_replica --config eu-prod --source mysql --debug"
if "$stub/usr/libexec/chameleon/start-instance" mysql 2>"$work/bad-instance.txt"; then
  fail "chameleon@mysql (no <config>-) was accepted"
fi
grep -q "must be <config>-<source>" "$work/bad-instance.txt" || fail "chameleon@mysql: $(cat "$work/bad-instance.txt")"

# --- the unit's command against the test servers --------------------------------------------
: "${CHAMELEON_MYSQL_PORT:?the test servers: eval \"\$(tools/testenv.sh env)\" first}"
start_instance=$root/usr/libexec/chameleon/start-instance
home=$work/home
run_as=(env "HOME=$home")
owner=$(id -un)
if [ "${CHAMELEON_TEST_DPKG_INSTALL:-0}" = 1 ]; then
  [ "$(id -u)" -eq 0 ] || fail "CHAMELEON_TEST_DPKG_INSTALL=1 needs root"
  if dpkg-query -W -f='${Status}' chameleon 2>/dev/null | grep -q "install ok installed"; then
    fail "a chameleon package is already installed here; remove it (dpkg -r chameleon) or unset CHAMELEON_TEST_DPKG_INSTALL"
  fi
  had_user=0
  getent passwd chameleon >/dev/null && had_user=1
  step "dpkg -i $(basename "$deb")"
  # Undone in reverse: the package first (dpkg --purge runs prerm and postrm), then the user.
  [ "$had_user" = 1 ] || cleanups+=("deluser --quiet --system chameleon >/dev/null 2>&1; rm -rf /var/lib/chameleon")
  cleanups+=("dpkg --purge chameleon >/dev/null")
  dpkg -i "$deb" >"$work/dpkg.log" 2>&1 || { cat "$work/dpkg.log" >&2; fail "dpkg -i failed"; }
  [ "$(getent passwd chameleon | cut -d: -f6)" = /var/lib/chameleon ] ||
    fail "the postinst did not create the user chameleon with home /var/lib/chameleon"
  [ "$(stat -c %U /var/lib/chameleon)" = chameleon ] || fail "/var/lib/chameleon is not chameleon's"
  [ "$(/usr/bin/chameleon --version)" = "$built_version" ] || fail "the installed /usr/bin/chameleon"
  if [ -e /usr/share/man/man1/chameleon.1.gz ] && command -v man >/dev/null; then  # dpkg may exclude man pages
    man -w chameleon >/dev/null || fail "man chameleon finds no page"
  fi
  start_instance=/usr/libexec/chameleon/start-instance
  home=/var/lib/chameleon
  owner=chameleon
  run_as=(setpriv --reuid=chameleon --regid=chameleon --init-groups env HOME=/var/lib/chameleon)
  cleanups+=("rm -rf /var/lib/chameleon/.pg_chameleon")
fi

names=chameleon_pkg_$$
my() {
  MYSQL_PWD="$CHAMELEON_MYSQL_ADMIN_PASSWORD" mysql -h "$CHAMELEON_MYSQL_HOST" \
    -P "$CHAMELEON_MYSQL_PORT" -u "$CHAMELEON_MYSQL_ADMIN_USER" "$@"
}
pg() {
  PGPASSWORD="$CHAMELEON_PG_ADMIN_PASSWORD" psql -h "$CHAMELEON_PG_HOST" -p "$CHAMELEON_PG_PORT" \
    -U "$CHAMELEON_PG_ADMIN_USER" -qAt -v ON_ERROR_STOP=1 "$@"
}
cleanups+=("my -e 'DROP DATABASE IF EXISTS $names'" "pg -d postgres -c 'DROP DATABASE IF EXISTS $names WITH (FORCE)'")
my -e "CREATE DATABASE $names; CREATE TABLE $names.t (id int PRIMARY KEY, v varchar(10)); INSERT INTO $names.t VALUES (1, 'a');"
pg -d postgres -c "CREATE DATABASE $names OWNER \"$CHAMELEON_PG_USER\""

# A configuration whose name holds a '-', with log_dest: file: only --debug keeps the
# replica in the foreground.
config_dir=$home/.pg_chameleon/configuration
mkdir -p "$config_dir"
cat >"$config_dir/pkg-test.yml" <<YML
log_dest: file
log_level: info
pg_conn: {host: "$CHAMELEON_PG_HOST", port: "$CHAMELEON_PG_PORT", user: "$CHAMELEON_PG_USER", password: "$CHAMELEON_PG_PASSWORD", database: "$names", charset: utf8}
sources:
  mysql:
    db_conn: {host: "$CHAMELEON_MYSQL_HOST", port: "$CHAMELEON_MYSQL_PORT", user: "$CHAMELEON_MYSQL_USER", password: "$CHAMELEON_MYSQL_PASSWORD", charset: utf8, connect_timeout: 5}
    schema_mappings: {$names: ${names}_pg}
    sleep_loop: 1
    type: mysql
YML
chmod 600 "$config_dir/pkg-test.yml"
chown -R "$owner" "$home/.pg_chameleon"
chameleon_as() { "${run_as[@]}" "$(dirname "$start_instance")/../../bin/chameleon" --config pkg-test "$@"; }
chameleon_as create_replica_schema >/dev/null
chameleon_as add_source --source mysql >/dev/null
chameleon_as init_replica --source mysql --debug >"$work/init.log" 2>&1 ||
  { cat "$work/init.log" >&2; fail "init_replica"; }
status() { pg -d "$names" -c "SELECT enm_status || ' ' || coalesce(i_pid, 0) FROM sch_chameleon.t_sources WHERE t_source = 'mysql'"; }

step "chameleon@pkg-test-mysql's command line: $start_instance $(percent_i pkg-test-mysql)"
"${run_as[@]}" "$start_instance" "$(percent_i pkg-test-mysql)" >"$work/replica.log" 2>&1 &
pid=$!
cleanups+=("kill -KILL $pid 2>/dev/null")
for _ in $(seq 100); do
  [ "$(status)" = "running $pid" ] && break
  kill -0 "$pid" 2>/dev/null || { cat "$work/replica.log" >&2; fail "the replica exited (it must stay in the foreground)"; }
  sleep 0.2
done
[ "$(status)" = "running $pid" ] ||
  { cat "$work/replica.log" >&2; fail "status is '$(status)', not 'running $pid': the replica is not the process systemd started"; }
[ "$(cat /proc/$pid/comm)" = chameleon ] || fail "pid $pid is $(cat /proc/$pid/comm), not chameleon (start-instance must exec it)"
[ "$(cat "$home/.pg_chameleon/pid/mysql.pid")" = "$pid" ] || fail "the pid file does not hold $pid"
[ "$(stat -c %U /proc/$pid)" = "$owner" ] || fail "the replica does not run as $owner"
sleep 1
kill -0 "$pid" || fail "the replica left the foreground"

step "SIGTERM (systemctl stop)"
started=$(date +%s)
kill -TERM "$pid"
rc=0
wait "$pid" || rc=$?
took=$(($(date +%s) - started))
[ "$rc" = 0 ] || { cat "$work/replica.log" >&2; fail "the replica exited $rc on SIGTERM (systemd would count a failure)"; }
[ "$took" -lt 30 ] || fail "the replica took $took s to stop"
[ "$(status)" = "stopped 0" ] || fail "status after SIGTERM is '$(status)', not stopped"
grep -q "replica of source mysql stopped" "$work/replica.log" ||
  fail "the journal (stderr) lacks the stop: $(cat "$work/replica.log")"
step "stopped in $took s, exit 0; package OK: $(basename "$deb")"
