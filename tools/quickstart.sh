#!/usr/bin/env bash
# shellcheck disable=SC2153  # CHAMELEON_*_HOST etc. come from `eval "$(tools/testenv.sh env)"`
# The quickstart a new user can watch: install dependencies, build chameleon, start a
# MariaDB and a PostgreSQL sandbox with a demo database, write a configuration, and run the
# chameleon commands that exist, ending with show_status.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"

# The quickstart's own sandboxes, beside (not inside) the test servers.
export CHAMELEON_TESTENV_NAME=quickstart
export CHAMELEON_MYSQL_PORT=${CHAMELEON_MYSQL_PORT:-33071}
export CHAMELEON_PG_PORT=${CHAMELEON_PG_PORT:-54331}
config_name=quickstart
binary=$repo/build/release/src/cli/chameleon

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() { printf '$ %s\n' "$*"; "$@"; }

step "Installing dependencies (Debian packages)"
tools/install-deps.sh

step "Building chameleon (Release)"
cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build/release -j "$(nproc)" --target chameleon

step "Starting the MariaDB and PostgreSQL sandboxes"
tools/testenv.sh start
eval "$(tools/testenv.sh env)"
echo "sandboxes in $CHAMELEON_TESTENV_DIR"

step "Loading the demo database 'demo' into MariaDB"
tools/testenv.sh mysql < tools/demo/demo_schema.sql
tools/testenv.sh mysql -e "SELECT table_name, table_rows FROM information_schema.tables WHERE table_schema = 'demo'"

step "Writing the configuration ~/.pg_chameleon/configuration/$config_name.yml"
run "$binary" set_configuration_files >/dev/null
config_file=$HOME/.pg_chameleon/configuration/$config_name.yml
cat > "$config_file" <<YAML
---
# Written by tools/quickstart.sh for the local sandboxes.
pid_dir: '~/.pg_chameleon/pid/'
log_dir: '~/.pg_chameleon/logs/'
log_dest: file
log_level: info
log_days_keep: 10
rollbar_key: ''
rollbar_env: ''
type_override:
  "tinyint(1)":
    override_to: boolean
    override_tables:
      - "*"
pg_conn:
  host: "$CHAMELEON_PG_HOST"
  port: "$CHAMELEON_PG_PORT"
  user: "$CHAMELEON_PG_USER"
  password: "$CHAMELEON_PG_PASSWORD"
  database: "$CHAMELEON_PG_DATABASE"
  charset: "utf8"
sources:
  demo:
    db_conn:
      host: "$CHAMELEON_MYSQL_HOST"
      port: "$CHAMELEON_MYSQL_PORT"
      user: "$CHAMELEON_MYSQL_USER"
      password: "$CHAMELEON_MYSQL_PASSWORD"
      charset: 'utf8mb4'
      connect_timeout: 10
    schema_mappings:
      demo: demo
    my_server_id: 100
    replica_batch_size: 10000
    replay_max_rows: 10000
    sleep_loop: 1
    on_error_replay: continue
    on_error_read: continue
    type: mysql
YAML
chmod 600 "$config_file"
run "$binary" show_config --config "$config_name"

step "Creating the replica catalogue and registering the source"
run "$binary" create_replica_schema --config "$config_name"
run "$binary" add_source --config "$config_name" --source demo

step "Copying the demo database into PostgreSQL (init_replica, in the background)"
run "$binary" init_replica --config "$config_name" --source demo
for _ in $(seq 1 120); do
  status=$("$binary" show_status --config "$config_name" --source demo --json |
           sed -n 's/^ *"status": "\(.*\)",$/\1/p' | head -1)
  [ "$status" = "initialising" ] || [ "$status" = "ready" ] || break
  sleep 1
done
echo "source status: $status"
tools/testenv.sh psql "$CHAMELEON_PG_DATABASE" -c \
  "SELECT table_name, (xpath('/row/c/text()', query_to_xml(format('SELECT count(*) AS c FROM demo.%I', table_name), false, true, '')))[1]::text AS rows FROM information_schema.tables WHERE table_schema = 'demo' ORDER BY 1"

step "chameleon start_replica: the replica daemon reads the binlog and replays it"
run "$binary" start_replica --config "$config_name" --source demo

step "Changing the demo database on MariaDB"
changes="START TRANSACTION;
INSERT INTO customers (email, name, country, created_at) VALUES ('quickstart@example.org', 'Quick Start', 'IT', NOW(6));
UPDATE products SET price = price + 1.00 WHERE id <= 3;
DELETE FROM orders ORDER BY id LIMIT 2;
COMMIT;"
printf '%s\n' "$changes"
tools/testenv.sh mysql demo -e "$changes"

step "Watching the changes arrive in PostgreSQL"
query="SELECT (SELECT count(*) FROM demo.customers WHERE email = 'quickstart@example.org') AS new_customer,
       (SELECT string_agg(id || '=' || price, ' ' ORDER BY id) FROM demo.products WHERE id <= 3) AS prices,
       (SELECT count(*) FROM demo.orders) AS orders"
expected_orders=$(tools/testenv.sh mysql demo -N -e "SELECT count(*) FROM orders")
arrived=0
for _ in $(seq 1 60); do
  got=$(tools/testenv.sh psql "$CHAMELEON_PG_DATABASE" -At -c \
        "SELECT (SELECT count(*) FROM demo.customers WHERE email = 'quickstart@example.org') || ' ' || (SELECT count(*) FROM demo.orders)")
  if [ "$got" = "1 $expected_orders" ]; then arrived=1; break; fi
  sleep 1
done
tools/testenv.sh psql "$CHAMELEON_PG_DATABASE" -c "$query"
if [ "$arrived" -eq 1 ]; then
  echo "the changes arrived in PostgreSQL"
else
  echo "the changes did not arrive within 60 s: see the logs in ~/.pg_chameleon/logs" >&2
fi

step "Replica status"
sleep 6  # the daemon reports its lags and spool every 5 s
run "$binary" show_status --config "$config_name" --source demo

cat <<DONE

The sandboxes and the replica keep running: change the demo database on MariaDB and
watch PostgreSQL follow. Try:
  $binary show_status --config $config_name
  $binary stop_replica --config $config_name --source demo
  CHAMELEON_TESTENV_NAME=quickstart tools/testenv.sh mysql demo
  CHAMELEON_TESTENV_NAME=quickstart tools/testenv.sh psql $CHAMELEON_PG_DATABASE
Stop them with:
  CHAMELEON_TESTENV_NAME=quickstart tools/testenv.sh stop
DONE
