#!/bin/bash
# Peak RSS (VmHWM) of init_replica copying a 2-million-row MariaDB table into PostgreSQL:
# the copy must stream, so the peak stays far below the table's size (~230 MB of rows).
# usage: tests/init/copy_peak_rss.sh [path/to/chameleon]   (env: COPY_MAX_MEMORY, LIMIT_KIB)
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)"
cd "$repo" && eval "$(tools/testenv.sh env)"
BIN=${1:-$repo/build/src/cli/chameleon}
LIMIT_KIB=${LIMIT_KIB:-131072}
H=$(mktemp -d /tmp/chameleon-rss-XXXX); chmod 755 "$H"
S=chameleon_rss_$$; D=chameleon_rss_db_$$
# Passwords through the environment, never on a command line.
my() {
  MYSQL_PWD="$CHAMELEON_MYSQL_ADMIN_PASSWORD" mysql -h "$CHAMELEON_MYSQL_HOST" \
    -P "$CHAMELEON_MYSQL_PORT" -u "$CHAMELEON_MYSQL_ADMIN_USER" "$@"
}
pg() {
  PGPASSWORD="$CHAMELEON_PG_ADMIN_PASSWORD" psql -h "$CHAMELEON_PG_HOST" -p "$CHAMELEON_PG_PORT" \
    -U "$CHAMELEON_PG_ADMIN_USER" -qAt "$@"
}
cleanup() {
  my -e "DROP DATABASE IF EXISTS $S" || true
  pg -d postgres -c "DROP DATABASE IF EXISTS $D WITH (FORCE)" || true
  rm -rf "$H"
}
trap cleanup EXIT
my -e "CREATE DATABASE $S; USE $S; CREATE TABLE $S.big (id bigint PRIMARY KEY, v varchar(120), d datetime, n decimal(12,2), e enum('a','b'), b blob);
INSERT INTO $S.big SELECT seq, REPEAT(CHAR(97 + seq % 26), 20 + seq % 100), '2024-01-01' + INTERVAL seq SECOND, seq / 7, IF(seq % 2, 'a', 'b'), UNHEX(SHA1(seq)) FROM seq_1_to_2000000;"
pg -d postgres -c "CREATE DATABASE $D OWNER \"$CHAMELEON_PG_USER\""
mkdir -p "$H/.pg_chameleon/configuration"
cat > "$H/.pg_chameleon/configuration/default.yml" <<YML
pid_dir: '~/.pg_chameleon/pid/'
log_dir: '~/.pg_chameleon/logs/'
log_dest: file
log_level: info
log_days_keep: 3
rollbar_key: ''
rollbar_env: ''
pg_conn: {host: "$CHAMELEON_PG_HOST", port: "$CHAMELEON_PG_PORT", user: "$CHAMELEON_PG_USER", password: "$CHAMELEON_PG_PASSWORD", database: "$D", charset: utf8}
sources:
  mysql:
    db_conn: {host: "$CHAMELEON_MYSQL_HOST", port: "$CHAMELEON_MYSQL_PORT", user: "$CHAMELEON_MYSQL_USER", password: "$CHAMELEON_MYSQL_PASSWORD", charset: utf8, connect_timeout: 5}
    schema_mappings: {$S: big_pg}
    limit_tables:
    skip_tables:
    grant_select_to:
    lock_timeout: "120s"
    my_server_id: 100
    replica_batch_size: 10000
    replay_max_rows: 10000
    batch_retention: '1 day'
    copy_max_memory: "${COPY_MAX_MEMORY:-300M}"
    copy_mode: 'file'
    out_dir: /tmp
    sleep_loop: 1
    on_error_replay: continue
    on_error_read: continue
    auto_maintenance: "disabled"
    gtid_enable: false
    type: mysql
YML
chmod 600 "$H/.pg_chameleon/configuration/default.yml"
HOME="$H" "$BIN" create_replica_schema >/dev/null
HOME="$H" "$BIN" add_source --source mysql >/dev/null
HOME="$H" /usr/bin/time -o "$H/time.txt" -f "%e %M" "$BIN" init_replica --source mysql --debug \
  > "$H/init.log" 2>&1 || { tail -5 "$H/init.log"; exit 1; }
read -r seconds peak_kib < "$H/time.txt"
rows=$(pg -d "$D" -c 'SELECT count(*) FROM big_pg.big')
echo "2000000-row table: $rows rows copied in $seconds s, peak RSS (VmHWM) $peak_kib KiB" \
  "(copy_max_memory ${COPY_MAX_MEMORY:-300M}, limit $LIMIT_KIB KiB)"
[ "$rows" = 2000000 ] && [ "$peak_kib" -le "$LIMIT_KIB" ]
