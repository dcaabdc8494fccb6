#!/usr/bin/env bash
# Owns a private MariaDB 10.11 (binlog ROW/FULL) and PostgreSQL 15 on loopback for tests, benchmarks
# and the quickstart: testenv.sh start|stop|status|env|psql|mysql|destroy (eval "$(testenv.sh env)").
# start-mysql|stop-mysql: the MariaDB alone (tests that restart a private source use them).
# start-pg|stop-pg: the PostgreSQL alone (the crash test restarts a private target with them).
set -euo pipefail

readonly PROG=testenv
readonly USAGE="usage: testenv.sh start|stop|status|env|destroy|start-mysql|stop-mysql|start-pg|stop-pg | testenv.sh mysql|psql [client args...]"

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
repo_dir="$(dirname "$script_dir")"

# ----------------------------------------------------------------------------------------------
# Configuration. Every path is derived from CHAMELEON_TESTENV_DIR, so two sandboxes with distinct
# dirs and ports (e.g. tests and benchmarks) run side by side without sharing anything.
# ----------------------------------------------------------------------------------------------
# True when every directory from / down to $1 lets other users through (o+x): the servers run
# as the mysql and postgres users, who must reach their data directories.
world_traversable() {
  local path=$1
  while [ "$path" != "/" ] && [ -n "$path" ]; do
    [ -d "$path" ] && [ "$(( 0$(stat -c '%a' "$path") & 1 ))" -eq 1 ] || return 1
    path=$(dirname "$path")
  done
}
default_dir() {
  # In the checkout when the servers can reach it; otherwise (a clone in a private temporary
  # directory, say) a directory of its own under /var/tmp, named after the checkout.
  # CHAMELEON_TESTENV_NAME tells sandboxes apart: testenv (tests), quickstart, benchenv.
  local name=${CHAMELEON_TESTENV_NAME:-testenv}
  if [ "$(id -u)" -ne 0 ] || world_traversable "$repo_dir"; then
    printf '%s\n' "$repo_dir/.$name"
  else
    printf '/var/tmp/chameleon-%s-%s\n' "$name" "$(printf '%s' "$repo_dir" | sha1sum | cut -c1-10)"
  fi
}
DIR="${CHAMELEON_TESTENV_DIR:-$(default_dir)}"
DIR="$(realpath -m -- "$DIR")" # absolute, normalised; the dir itself may not exist yet
MYSQL_PORT="${CHAMELEON_MYSQL_PORT:-33061}"
PG_PORT="${CHAMELEON_PG_PORT:-54321}"

readonly MYSQL_ADMIN_USER=root MYSQL_ADMIN_PASSWORD=root_password
readonly MYSQL_USER=usr_replica MYSQL_PASSWORD=replica_password
readonly PG_ADMIN_USER=postgres PG_ADMIN_PASSWORD=postgres_password
readonly PG_USER=usr_replica PG_PASSWORD=replica_password PG_DATABASE=db_replica

readonly DIR_MARKER="$DIR/.chameleon-testenv" # proves the dir is ours; destroy requires it

readonly MY_DIR="$DIR/mariadb"
readonly MY_DATA="$MY_DIR/data"
readonly MY_SOCKET="$MY_DIR/mariadb.sock"
readonly MY_PIDFILE="$MY_DIR/mariadb.pid"
readonly MY_ERRLOG="$MY_DIR/error.log"
readonly MY_OUTLOG="$MY_DIR/mariadbd.out"   # stdout/stderr of the detached mariadbd
readonly MY_PORTFILE="$MY_DIR/port"         # port of the running server, for status
readonly MY_SETUP_DONE="$MY_DIR/.setup-done" # users and grants created

readonly PG_BIN=/usr/lib/postgresql/15/bin
readonly PG_DIR="$DIR/postgresql"
readonly PG_DATA="$PG_DIR/data"
readonly PG_SOCKET_DIR="$PG_DIR"
readonly PG_LOG="$PG_DIR/postgresql.log"
readonly PG_SETUP_DONE="$PG_DIR/.setup-done"

readonly START_TIMEOUT=60
readonly STOP_TIMEOUT=60

msg() { printf '%s: %s\n' "$PROG" "$*"; }
die() {
  printf '%s: error: %s\n' "$PROG" "$*" >&2
  exit 1
}
usage() {
  printf '%s\n' "$USAGE" >&2
  exit 2
}

is_root() { [ "$(id -u)" -eq 0 ]; }

check_port() {
  case "$2" in
    '' | *[!0-9]*) die "$1 must be a TCP port number, got '$2'" ;;
  esac
  if [ "$2" -lt 1 ] || [ "$2" -gt 65535 ]; then die "$1 out of range: $2"; fi
}

# Unix socket paths are limited to 107 bytes; fail early with a clear message instead of an
# obscure bind error in a server log.
check_socket_path() {
  [ "${#2}" -le 107 ] || die "$1 socket path too long (${#2} > 107 bytes): $2; use a shorter CHAMELEON_TESTENV_DIR"
}

# Single-quote a value for POSIX shells: ' becomes '\''.
shell_quote() {
  local q="'\\''"
  printf "'%s'" "${1//\'/$q}"
}

# pid_alive PIDFILE EXPECTED_COMM: prints the pid and succeeds when the pid file names a live
# process. The process name is only checked as a guard against a recycled pid; processes are never
# looked up by name.
pid_alive() {
  local pidfile="$1" comm="$2" pid
  [ -s "$pidfile" ] || return 1
  pid="$(head -n 1 "$pidfile" | tr -d '[:space:]')"
  case "$pid" in '' | *[!0-9]*) return 1 ;; esac
  kill -0 "$pid" 2>/dev/null || return 1
  if [ -r "/proc/$pid/comm" ] && [ "$(cat "/proc/$pid/comm")" != "$comm" ]; then
    return 1
  fi
  printf '%s\n' "$pid"
}

# Runs a command as the server's OS user: PostgreSQL and MariaDB refuse to run as root.
# Called from / so an unreadable caller cwd (e.g. /root) does not bother the tools.
as_user() {
  local user="$1"
  shift
  if is_root; then
    (cd / && runuser -u "$user" -- "$@")
  else
    "$@"
  fi
}

# Serialises start/stop/destroy on one sandbox dir (two concurrent "start" would race on initdb).
# Servers are started with fd 9 closed, otherwise they would hold the lock for their lifetime.
take_lock() {
  exec 9>>"$DIR/.lock"
  flock -w 180 9 || die "timed out waiting for the lock on $DIR"
}

# Creates the sandbox dir, or adopts it only if it is empty or already ours: destroy deletes the
# whole dir, so it must never have been pointed at somebody else's files.
prepare_dir() {
  if [ -e "$DIR" ] && [ ! -e "$DIR_MARKER" ]; then
    [ -d "$DIR" ] || die "$DIR exists and is not a directory"
    [ -z "$(ls -A -- "$DIR")" ] || die "$DIR is not empty and is not a testenv dir (no $DIR_MARKER); refusing to use it"
  fi
  mkdir -p -- "$DIR"
  if [ ! -e "$DIR_MARKER" ]; then
    printf 'chameleon testenv sandbox; managed by tools/testenv.sh (destroy removes this dir)\n' >"$DIR_MARKER"
  fi
  # The server users must be able to traverse into the dir.
  is_root && chmod 755 "$DIR"
  return 0
}

# ----------------------------------------------------------------------------------------------
# MariaDB
# ----------------------------------------------------------------------------------------------
# Admin client via the socket. root@localhost has no password until the first-start setup ran.
my_client() {
  local pw=()
  [ -e "$MY_SETUP_DONE" ] && pw=("--password=$MYSQL_ADMIN_PASSWORD")
  mariadb --no-defaults --default-character-set=utf8mb4 --socket="$MY_SOCKET" \
    --user="$MYSQL_ADMIN_USER" "${pw[@]}" "$@"
}

my_init() {
  [ -d "$MY_DATA/mysql" ] && return 0
  msg "initialising MariaDB datadir $MY_DATA"
  mkdir -p "$MY_DIR"
  if is_root; then
    chown mysql:mysql "$MY_DIR"
    chmod 755 "$MY_DIR" # socket dir: clients of any user connect here; the datadir itself is 0700
    runuser -u mysql -- test -w "$MY_DIR" ||
      die "user mysql cannot write $MY_DIR: every parent dir of $DIR must be world-traversable (o+x)"
  fi
  local user_opt=()
  is_root && user_opt=(--user=mysql)
  if ! (cd / && mariadb-install-db --no-defaults "${user_opt[@]}" --datadir="$MY_DATA" \
    --auth-root-authentication-method=normal --skip-test-db --skip-name-resolve \
    --character-set-server=utf8mb4 --collation-server=utf8mb4_general_ci) >"$MY_DIR/install-db.log" 2>&1; then
    tail -n 20 "$MY_DIR/install-db.log" >&2
    rm -rf -- "$MY_DATA" # half-initialised datadir would be mistaken for a good one next time
    die "mariadb-install-db failed (full log: $MY_DIR/install-db.log)"
  fi
}

my_start() {
  local pid
  if pid="$(pid_alive "$MY_PIDFILE" mariadbd)"; then
    msg "mariadb already running (pid $pid, port $(cat "$MY_PORTFILE" 2>/dev/null || echo "$MYSQL_PORT"))"
    my_setup # no-op unless an earlier start failed half-way
    return 0
  fi
  rm -f -- "$MY_PIDFILE" "$MY_SOCKET" "$MY_SOCKET.lock"
  my_init
  is_root && chown mysql:mysql "$MY_DIR" # datadir content is owned by mysql already

  local user_opt=()
  is_root && user_opt=(--user=mysql)
  # --no-defaults: nothing from /etc/mysql or ~/.my.cnf may change the sandbox.
  # The binlog options are what pg_chameleon requires of a source (ROW, FULL image, metadata).
  local args=(
    --no-defaults "${user_opt[@]}"
    --datadir="$MY_DATA" --socket="$MY_SOCKET" --pid-file="$MY_PIDFILE" --log-error="$MY_ERRLOG"
    --port="$MYSQL_PORT" --bind-address=127.0.0.1 --skip-name-resolve
    --log-bin="$MY_DATA/binlog" --binlog-format=ROW --binlog-row-image=FULL
    --binlog-row-metadata=FULL --server-id=1 --log-slave-updates --expire-logs-days=2
    --gtid-strict-mode=OFF
    --character-set-server=utf8mb4 --collation-server=utf8mb4_general_ci
    --innodb-buffer-pool-size=256M --max-connections=200
  )
  msg "starting mariadb on 127.0.0.1:$MYSQL_PORT"
  # Own session, so the server survives the caller's process group being signalled; fd 9 (the
  # sandbox lock) is closed so the long-lived server does not hold it.
  (cd / && exec setsid nohup mariadbd "${args[@]}" >>"$MY_OUTLOG" 2>&1 </dev/null 9>&-) &
  local launched=$!

  local deadline=$((SECONDS + START_TIMEOUT))
  until mariadb-admin --no-defaults --socket="$MY_SOCKET" --connect-timeout=2 ping >/dev/null 2>&1; do
    if ! kill -0 "$launched" 2>/dev/null; then
      msg "mariadbd exited during startup; last lines of $MY_ERRLOG:" >&2
      tail -n 20 "$MY_ERRLOG" >&2 2>/dev/null || true
      exit 1
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      msg "mariadb did not answer within ${START_TIMEOUT}s; last lines of $MY_ERRLOG:" >&2
      tail -n 20 "$MY_ERRLOG" >&2 2>/dev/null || true
      exit 1
    fi
    sleep 0.2
  done
  printf '%s\n' "$MYSQL_PORT" >"$MY_PORTFILE"
  my_setup
  msg "mariadb running (pid $(pid_alive "$MY_PIDFILE" mariadbd || echo '?'), port $MYSQL_PORT)"
}

# One-time accounts and grants. Idempotent SQL, so a setup interrupted half-way can simply rerun.
#
# usr_replica gets what pg_chameleon documents, RELOAD, REPLICATION CLIENT, REPLICATION SLAVE, which
# is also the minimum on MariaDB 10.11 (each checked there with an account lacking it):
#   RELOAD              FLUSH TABLES WITH READ LOCK, for init_replica's consistent snapshot.
#   REPLICATION CLIENT  since 10.5 an alias of BINLOG MONITOR (SHOW GRANTS prints that name), which
#                       SHOW MASTER STATUS, SHOW BINARY LOGS and SHOW BINLOG EVENTS require.
#   REPLICATION SLAVE   COM_BINLOG_DUMP: streaming the binlog, by file/position or by GTID.
# Not needed: REPLICATION SLAVE ADMIN (START/STOP SLAVE, CHANGE MASTER: managing a replica),
# SLAVE MONITOR (SHOW SLAVE STATUS), SUPER; @@gtid_binlog_pos and BINLOG_GTID_POS() need nothing.
# ALL on `chameleon\_%`.* (test databases) and `demo`.* (quickstart): reading the data, LOCK
# TABLES, and the DDL/DML tests run as that user.
my_setup() {
  [ -e "$MY_SETUP_DONE" ] && return 0
  msg "creating MariaDB accounts (root, usr_replica)"
  my_client --batch <<'SQL'
-- mariadb-install-db also creates root@<hostname> and root@'::1' without a password (unreachable
-- here: skip-name-resolve, IPv4 loopback only) and, on some versions, anonymous accounts. Drop
-- them: the only admin accounts are root@localhost (socket) and root@127.0.0.1 (TCP).
SET @drop = (SELECT GROUP_CONCAT(CONCAT(QUOTE(user), '@', QUOTE(host))) FROM mysql.user
              WHERE user = '' OR (user = 'root' AND host NOT IN ('localhost', '127.0.0.1')));
SET @drop = IF(@drop IS NULL, 'DO 0', CONCAT('DROP USER ', @drop));
PREPARE drop_extra FROM @drop;
EXECUTE drop_extra;
DEALLOCATE PREPARE drop_extra;

CREATE USER IF NOT EXISTS 'root'@'127.0.0.1';
ALTER USER 'root'@'127.0.0.1' IDENTIFIED BY 'root_password';
GRANT ALL PRIVILEGES ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION;

CREATE USER IF NOT EXISTS 'usr_replica'@'%';
ALTER USER 'usr_replica'@'%' IDENTIFIED BY 'replica_password';
GRANT RELOAD, REPLICATION CLIENT, REPLICATION SLAVE ON *.* TO 'usr_replica'@'%';
GRANT ALL PRIVILEGES ON `chameleon\_%`.* TO 'usr_replica'@'%';
GRANT ALL PRIVILEGES ON `demo`.* TO 'usr_replica'@'%';

CREATE USER IF NOT EXISTS 'usr_replica'@'localhost';
ALTER USER 'usr_replica'@'localhost' IDENTIFIED BY 'replica_password';
GRANT RELOAD, REPLICATION CLIENT, REPLICATION SLAVE ON *.* TO 'usr_replica'@'localhost';
GRANT ALL PRIVILEGES ON `chameleon\_%`.* TO 'usr_replica'@'localhost';
GRANT ALL PRIVILEGES ON `demo`.* TO 'usr_replica'@'localhost';

-- Last, so a rerun after a failure above still gets in without a password.
ALTER USER 'root'@'localhost' IDENTIFIED BY 'root_password';
SQL
  : >"$MY_SETUP_DONE"
}

my_stop() {
  local pid
  if ! pid="$(pid_alive "$MY_PIDFILE" mariadbd)"; then
    if [ -e "$MY_PIDFILE" ]; then
      msg "mariadb not running; removing stale pid file"
      rm -f -- "$MY_PIDFILE"
    else
      msg "mariadb not running"
    fi
    return 0
  fi
  msg "stopping mariadb (pid $pid)"
  kill -TERM "$pid"
  local deadline=$((SECONDS + STOP_TIMEOUT))
  while kill -0 "$pid" 2>/dev/null; do
    [ "$SECONDS" -lt "$deadline" ] || die "mariadb (pid $pid) still running ${STOP_TIMEOUT}s after SIGTERM; see $MY_ERRLOG"
    sleep 0.2
  done
  rm -f -- "$MY_PIDFILE" "$MY_PORTFILE"
  msg "mariadb stopped"
}

my_status() {
  local pid
  if pid="$(pid_alive "$MY_PIDFILE" mariadbd)"; then
    echo "mariadb: running pid $pid on port $(cat "$MY_PORTFILE" 2>/dev/null || echo "$MYSQL_PORT")"
    return 0
  fi
  echo "mariadb: stopped"
  return 1
}

# ----------------------------------------------------------------------------------------------
# PostgreSQL
# ----------------------------------------------------------------------------------------------
pg_user() { if is_root; then echo postgres; else id -un; fi; }

# Admin client over the socket (local connections use trust), running as the caller so files
# passed with -f are read with the caller's rights. Defaults come from the environment so that
# the caller's own options (-d, -U, ...) override them.
pg_client() {
  (
    unset PGSERVICE # a service definition would override host/port
    PGHOST="$PG_SOCKET_DIR" PGPORT="$PG_PORT" PGUSER="$PG_ADMIN_USER" PGDATABASE=postgres \
      PGPASSWORD="$PG_ADMIN_PASSWORD" exec "$PG_BIN/psql" "$@"
  )
}

pg_conf_value() {
  local q="''"
  printf "'%s'" "${1//\'/$q}"
}

pg_init() {
  [ -s "$PG_DATA/PG_VERSION" ] && return 0
  msg "initialising PostgreSQL datadir $PG_DATA"
  mkdir -p "$PG_DIR"
  if is_root; then
    chown postgres:postgres "$PG_DIR"
    runuser -u postgres -- test -w "$PG_DIR" ||
      die "user postgres cannot write $PG_DIR: every parent dir of $DIR must be world-traversable (o+x)"
  fi
  chmod 755 "$PG_DIR" # socket dir: clients of any user connect here
  local locale=C
  if locale -a 2>/dev/null | grep -qixE 'c\.utf-?8'; then locale=C.UTF-8; fi
  if ! as_user "$(pg_user)" "$PG_BIN/initdb" -D "$PG_DATA" -U "$PG_ADMIN_USER" \
    --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --locale="$locale" >"$PG_DIR/initdb.log" 2>&1; then
    tail -n 20 "$PG_DIR/initdb.log" >&2
    rm -rf -- "$PG_DATA"
    die "initdb failed (full log: $PG_DIR/initdb.log)"
  fi
  printf "\n# Sandbox settings, rewritten by tools/testenv.sh on every start.\ninclude_if_exists = 'testenv.conf'\n" \
    | as_user "$(pg_user)" tee -a "$PG_DATA/postgresql.conf" >/dev/null
}

pg_pid() { pid_alive "$PG_DATA/postmaster.pid" postgres; }

pg_start() {
  local pid
  if pid="$(pg_pid)"; then
    msg "postgresql already running (pid $pid, port $(sed -n 4p "$PG_DATA/postmaster.pid"))"
    pg_setup # no-op unless an earlier start failed half-way
    return 0
  fi
  if [ -e "$PG_DATA/postmaster.pid" ]; then
    msg "removing stale postgresql pid file"
    rm -f -- "$PG_DATA/postmaster.pid"
  fi
  pg_init
  # Written on every start, so the port follows CHAMELEON_PG_PORT.
  {
    echo "# Written by tools/testenv.sh on every start; edits are lost."
    echo "listen_addresses = '127.0.0.1'"
    echo "port = $PG_PORT"
    echo "unix_socket_directories = $(pg_conf_value "$PG_SOCKET_DIR")"
    echo "shared_buffers = 256MB"
    echo "max_wal_size = 4GB"
    echo "max_connections = 100"
    echo "fsync = on"
  } | as_user "$(pg_user)" tee "$PG_DATA/testenv.conf" >/dev/null
  msg "starting postgresql on 127.0.0.1:$PG_PORT"
  if ! as_user "$(pg_user)" "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$PG_LOG" -w -t "$START_TIMEOUT" start >/dev/null 9>&-; then
    msg "postgresql did not start; last lines of $PG_LOG:" >&2
    tail -n 20 "$PG_LOG" >&2 2>/dev/null || true
    exit 1
  fi
  pg_setup
  msg "postgresql running (pid $(pg_pid || echo '?'), port $PG_PORT)"
}

pg_setup() {
  [ -e "$PG_SETUP_DONE" ] && return 0
  msg "creating PostgreSQL role usr_replica and database db_replica"
  pg_client -X -q -v ON_ERROR_STOP=1 <<'SQL'
SELECT format('CREATE ROLE %I', 'usr_replica')
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'usr_replica') \gexec
ALTER ROLE usr_replica LOGIN CREATEDB PASSWORD 'replica_password';
SELECT 'CREATE DATABASE db_replica OWNER usr_replica'
 WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'db_replica') \gexec
ALTER ROLE postgres PASSWORD 'postgres_password';
SQL
  as_user "$(pg_user)" touch "$PG_SETUP_DONE"
}

pg_stop() {
  local pid
  if ! pid="$(pg_pid)"; then
    if [ -e "$PG_DATA/postmaster.pid" ]; then
      msg "postgresql not running; removing stale pid file"
      rm -f -- "$PG_DATA/postmaster.pid"
    else
      msg "postgresql not running"
    fi
    return 0
  fi
  msg "stopping postgresql (pid $pid)"
  as_user "$(pg_user)" "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w -t "$STOP_TIMEOUT" stop >/dev/null ||
    die "pg_ctl stop failed; see $PG_LOG"
  # pg_ctl returns once postmaster.pid is gone, a moment before the process exits; wait for it so
  # that destroy or an immediate restart never races the old postmaster.
  local deadline=$((SECONDS + 10))
  while kill -0 "$pid" 2>/dev/null && [ "$SECONDS" -lt "$deadline" ]; do sleep 0.1; done
  msg "postgresql stopped"
}

pg_status() {
  local pid
  if pid="$(pg_pid)"; then
    echo "postgresql: running pid $pid on port $(sed -n 4p "$PG_DATA/postmaster.pid")"
    return 0
  fi
  echo "postgresql: stopped"
  return 1
}

# ----------------------------------------------------------------------------------------------
# Commands
# ----------------------------------------------------------------------------------------------
cmd_start() {
  check_port CHAMELEON_MYSQL_PORT "$MYSQL_PORT"
  check_port CHAMELEON_PG_PORT "$PG_PORT"
  [ "$MYSQL_PORT" != "$PG_PORT" ] || die "CHAMELEON_MYSQL_PORT and CHAMELEON_PG_PORT are both $PG_PORT"
  check_socket_path MariaDB "$MY_SOCKET"
  check_socket_path PostgreSQL "$PG_SOCKET_DIR/.s.PGSQL.$PG_PORT"
  command -v mariadbd >/dev/null || die "mariadbd not found; run tools/install-deps.sh"
  [ -x "$PG_BIN/pg_ctl" ] || die "$PG_BIN/pg_ctl not found; run tools/install-deps.sh"
  prepare_dir
  take_lock
  my_start
  pg_start
}

# The MariaDB alone: a private source a test can stop and start again (the reader's survival
# tests) without a PostgreSQL it does not need. destroy stops both and removes the dir.
cmd_start_mysql() {
  check_port CHAMELEON_MYSQL_PORT "$MYSQL_PORT"
  check_socket_path MariaDB "$MY_SOCKET"
  command -v mariadbd >/dev/null || die "mariadbd not found; run tools/install-deps.sh"
  prepare_dir
  take_lock
  my_start
}

cmd_stop_mysql() {
  [ -d "$DIR" ] || {
    msg "no sandbox at $DIR"
    return 0
  }
  take_lock
  my_stop
}

# The PostgreSQL alone, for tests that restart a private target under a running replica.
cmd_start_pg() {
  check_port CHAMELEON_PG_PORT "$PG_PORT"
  check_socket_path PostgreSQL "$PG_SOCKET_DIR/.s.PGSQL.$PG_PORT"
  [ -x "$PG_BIN/pg_ctl" ] || die "$PG_BIN/pg_ctl not found; run tools/install-deps.sh"
  prepare_dir
  take_lock
  pg_start
}

cmd_stop_pg() {
  [ -d "$DIR" ] || {
    msg "no sandbox at $DIR"
    return 0
  }
  take_lock
  pg_stop
}

cmd_stop() {
  [ -d "$DIR" ] || {
    msg "no sandbox at $DIR"
    return 0
  }
  take_lock
  local rc=0
  (my_stop) || rc=1
  (pg_stop) || rc=1
  return "$rc"
}

cmd_status() {
  local rc=0
  my_status || rc=3
  pg_status || rc=3
  return "$rc"
}

cmd_env() {
  local pair
  for pair in \
    "CHAMELEON_TESTENV_DIR=$DIR" \
    "CHAMELEON_MYSQL_HOST=127.0.0.1" \
    "CHAMELEON_MYSQL_PORT=$MYSQL_PORT" \
    "CHAMELEON_MYSQL_USER=$MYSQL_USER" \
    "CHAMELEON_MYSQL_PASSWORD=$MYSQL_PASSWORD" \
    "CHAMELEON_MYSQL_ADMIN_USER=$MYSQL_ADMIN_USER" \
    "CHAMELEON_MYSQL_ADMIN_PASSWORD=$MYSQL_ADMIN_PASSWORD" \
    "CHAMELEON_MYSQL_SOCKET=$MY_SOCKET" \
    "CHAMELEON_PG_HOST=127.0.0.1" \
    "CHAMELEON_PG_PORT=$PG_PORT" \
    "CHAMELEON_PG_USER=$PG_USER" \
    "CHAMELEON_PG_PASSWORD=$PG_PASSWORD" \
    "CHAMELEON_PG_DATABASE=$PG_DATABASE" \
    "CHAMELEON_PG_ADMIN_USER=$PG_ADMIN_USER" \
    "CHAMELEON_PG_ADMIN_PASSWORD=$PG_ADMIN_PASSWORD" \
    "CHAMELEON_PG_SOCKET_DIR=$PG_SOCKET_DIR"; do
    printf 'export %s=%s\n' "${pair%%=*}" "$(shell_quote "${pair#*=}")"
  done
}

cmd_destroy() {
  [ -e "$DIR" ] || {
    msg "nothing to destroy at $DIR"
    return 0
  }
  [ -e "$DIR_MARKER" ] || die "$DIR has no $DIR_MARKER; refusing to delete it"
  case "$DIR" in / | "${HOME:-/}" | "$repo_dir") die "refusing to delete $DIR" ;; esac
  cmd_stop || die "could not stop the servers; $DIR left in place"
  rm -rf -- "$DIR"
  msg "removed $DIR"
}

cmd_mysql() {
  pid_alive "$MY_PIDFILE" mariadbd >/dev/null || die "mariadb is not running (tools/testenv.sh start)"
  [ -e "$MY_SETUP_DONE" ] || die "mariadb setup incomplete (tools/testenv.sh start)"
  my_client "$@"
}

cmd_psql() {
  pg_pid >/dev/null || die "postgresql is not running (tools/testenv.sh start)"
  pg_client "$@"
}

[ $# -ge 1 ] || usage
command="$1"
shift
case "$command" in
  start | stop | status | env | destroy)
    [ $# -eq 0 ] || usage
    "cmd_$command"
    ;;
  start-mysql | stop-mysql | start-pg | stop-pg)
    [ $# -eq 0 ] || usage
    "cmd_${command//-/_}"
    ;;
  mysql | psql) "cmd_$command" "$@" ;;
  *) usage ;;
esac
