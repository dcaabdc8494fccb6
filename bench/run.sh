#!/usr/bin/env bash
# The end-to-end benchmark: builds Release, runs its own MariaDB and PostgreSQL, loads a generated
# workload, runs init / cdc / micro next to same-run baselines, prints one line per result and
# ends with a source-versus-target correctness check. See bench/README.md.
set -euo pipefail

readonly USAGE="usage: bench/run.sh [--scale F] [--only init|cdc|micro] [--json OUT.json]
                    [--break-target] [--keep-servers] [--skip-build]"

caller_dir=$(pwd -P)
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
cd "$repo"

die() {
  printf 'bench: error: %s\n' "$*" >&2
  exit 1
}
usage_error() {
  printf 'bench: %s\n%s\n' "$*" "$USAGE" >&2
  exit 2
}

# ----------------------------------------------------------------------------------------------
# Options and settings
# ----------------------------------------------------------------------------------------------
scale=1
only=''
json_out=''
break_target=0
keep_servers=0
skip_build=0
while [ $# -gt 0 ]; do
  case "$1" in
    --scale | --only | --json)
      [ $# -ge 2 ] || usage_error "$1 needs a value"
      case "$1" in
        --scale) scale=$2 ;;
        --only) only=$2 ;;
        --json) json_out=$2 ;;
      esac
      shift 2
      ;;
    --break-target) break_target=1 && shift ;;
    --keep-servers) keep_servers=1 && shift ;;
    --skip-build) skip_build=1 && shift ;;
    -h | --help)
      printf '%s\n' "$USAGE"
      exit 0
      ;;
    *) usage_error "unknown argument '$1'" ;;
  esac
done
if ! [[ "$scale" =~ ^[0-9]*\.?[0-9]+$ ]] || ! awk -v s="$scale" 'BEGIN { exit !(s > 0) }'; then
  usage_error "--scale must be a number above 0, got '$scale'"
fi
case "$only" in '' | init | cdc | micro) ;; *) usage_error "--only must be init, cdc or micro" ;; esac
if [ -n "$json_out" ] && [ "${json_out#/}" = "$json_out" ]; then json_out=$caller_dir/$json_out; fi

bench_dir=${BENCH_DIR:-$repo/.benchenv}
export CHAMELEON_TESTENV_DIR=$bench_dir/servers
export CHAMELEON_MYSQL_PORT=${BENCH_MYSQL_PORT:-33081}
export CHAMELEON_PG_PORT=${BENCH_PG_PORT:-54341}
# The tests' and the quickstart's servers listen there; never start, stop or load into them.
for port in "$CHAMELEON_MYSQL_PORT" "$CHAMELEON_PG_PORT"; do
  case "$port" in
    33061 | 54321 | 33071 | 54331) die "port $port belongs to the test or quickstart servers; choose other BENCH_*_PORT" ;;
  esac
done

readonly build=$repo/build/release
readonly bench=$build/bench/e2e/bench_e2e
readonly chameleon=${BENCH_CHAMELEON:-$build/src/cli/chameleon} # override: to test the harness
readonly testenv=$repo/tools/testenv.sh
readonly work=$bench_dir/work
readonly logs=$work/logs
readonly results=$work/results.tsv facts=$work/facts.txt run_facts=$work/run.txt checks=$work/check.txt
readonly source_db=chameleon_bench          # MariaDB database of the workload
readonly baseline_schema=bench_copy          # PostgreSQL: the baselines' target
readonly per_txn_schema=bench_copy_per_txn   # PostgreSQL: the per-transaction baseline's target
readonly replica_schema=bench_replica        # PostgreSQL: chameleon's target
readonly source_name=bench                   # chameleon source name
readonly batch_row_changes=10000             # replica_batch_size's default

# Row changes of the backlog (1M at scale 1) and the steady phases (rate x seconds each).
changes=${BENCH_CHANGES:-$(awk -v s="$scale" 'BEGIN { printf "%d", 1000000 * s + 0.5 }')}
steady_seconds=${BENCH_STEADY_SECONDS:-$(awk -v s="$scale" 'BEGIN { d = 60 * s; printf "%d", d < 10 ? 10 : d + 0.5 }')}
steady_rates=${BENCH_STEADY_RATES:-5000,20000,max}
# Rows of the big transaction (5M at scale 1): one source transaction streamed through the replica.
big_rows=${BENCH_BIG_ROWS:-$(awk -v s="$scale" 'BEGIN { printf "%d", 5000000 * s + 0.5 }')}

mkdir -p "$logs"
rm -f "$results" "$facts" "$run_facts" "$checks" "$work"/*.metrics
: >"$results"
: >"$checks"

# ----------------------------------------------------------------------------------------------
# Output: '# ' lines are information; every other line is a result `name value unit ratio`.
# ----------------------------------------------------------------------------------------------
say() { printf '# %s\n' "$*"; }

fact() {
  printf '# %-16s %s\n' "$1:" "$2"
  printf '%s=%s\n' "$1" "$2" >>"$3"
}

# result NAME VALUE UNIT RATIO [NOTE]
result() {
  printf '%-48s %14s %-7s %s\n' "$1" "$2" "$3" "$4"
  [ -z "${5:-}" ] || printf '#   %s\n' "$5"
  printf '%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "${5:-}" >>"$results"
}

skipped() { result "$1" SKIPPED - - "$2"; }

# ratio A B: A / B with two decimals, or - when either is not a number.
ratio() {
  awk -v a="$1" -v b="$2" 'BEGIN {
    if (a ~ /^[0-9]*\.?[0-9]+$/ && b ~ /^[0-9]*\.?[0-9]+$/ && b > 0) printf "%.2f", a / b; else printf "-" }'
}

# logged NAME COMMAND...: output to $logs/NAME.log; on failure, its last lines and exit.
logged() {
  local name=$1
  shift
  if ! "$@" >"$logs/$name.log" 2>&1; then
    printf 'bench: error: %s failed; last lines of %s:\n' "$name" "$logs/$name.log" >&2
    tail -n 20 "$logs/$name.log" >&2
    exit 1
  fi
}

# measure NAME bench_e2e-ARGS...: bench_e2e's metric lines into $work/NAME.metrics.
measure() {
  local name=$1
  shift
  if ! "$bench" "$@" >"$work/$name.metrics" 2>"$logs/$name.err"; then
    cat "$logs/$name.err" >&2
    die "bench_e2e $1 ($name) failed"
  fi
}

# metric NAME KEY: one value printed by `measure NAME`.
metric() { awk -v key="$2" '$1 == key { print $2; found = 1 } END { exit !found }' "$work/$1.metrics"; }

now_ns() { date +%s%N; }
seconds_since() { awk -v a="$1" -v b="$(now_ns)" 'BEGIN { printf "%.3f", (b - a) / 1e9 }'; }

mysql_admin() { "$testenv" mysql --batch --skip-column-names "$@"; }
psql_admin() { "$testenv" psql -X -q -v ON_ERROR_STOP=1 -d "$CHAMELEON_PG_DATABASE" "$@"; }

# ----------------------------------------------------------------------------------------------
# Build
# ----------------------------------------------------------------------------------------------
chameleon_unbuilt='' # why the chameleon halves cannot run when the binary does not build
if [ "$skip_build" = 0 ]; then
  say "building Release in $build (log: $logs/build.log)"
  logged configure cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCHAMELEON_BUILD_BENCH=ON
  if ! cmake --build "$build" >"$logs/build.log" 2>&1; then
    # Work in progress elsewhere in the tree must not stop the baselines: build what we need
    # one target at a time, and run the chameleon halves only if chameleon itself builds.
    say "WARNING: the full Release build failed (see $logs/build.log); building bench_e2e and chameleon alone"
    grep -m 3 -E 'error|FAILED' "$logs/build.log" | cut -c1-160 | sed 's/^/#   /' || true
    logged build-bench_e2e cmake --build "$build" --target bench_e2e
    if ! cmake --build "$build" --target chameleon >"$logs/build-chameleon.log" 2>&1; then
      chameleon_unbuilt="chameleon does not build in this tree ($(grep -m 1 -E 'error' "$logs/build-chameleon.log" | cut -c1-120 || true); see $logs/build-chameleon.log)"
    fi
  fi
fi
[ -x "$bench" ] || die "$bench is missing (build first, or drop --skip-build)"
[ -z "${BENCH_CHAMELEON:-}" ] || chameleon_unbuilt=''
if [ -z "$chameleon_unbuilt" ] && [ ! -x "$chameleon" ]; then chameleon_unbuilt="$chameleon is missing"; fi
bench_start=$(now_ns)

# ----------------------------------------------------------------------------------------------
# Machine and run facts
# ----------------------------------------------------------------------------------------------
rocksdb_version() {
  local header=/usr/include/rocksdb/version.h
  [ -r "$header" ] || {
    echo unknown
    return
  }
  awk '/define ROCKSDB_(MAJOR|MINOR|PATCH)/ { v = v (v == "" ? "" : ".") $3 } END { print v }' "$header"
}
say "machine"
fact date "$(date '+%Y-%m-%d %H:%M:%S %Z')" "$facts"
fact cores "$(nproc)" "$facts"
fact cpu "$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)" "$facts"
fact kernel "$(uname -sr)" "$facts"
fact memory "$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)" "$facts"
fact load_average "$(cut -d' ' -f1-3 /proc/loadavg) (at start; 2 cores shared with other work = noisy figures)" "$facts"
fact fdatasync "$("$bench" fsync-probe --dir "$work" | awk '{ print $2 " us per 8 KiB write + fdatasync" }')" "$facts"
fact rocksdb "$(rocksdb_version)" "$facts"
chameleon_version=$([ -n "$chameleon_unbuilt" ] || "$chameleon" --version 2>&1 | head -n 1)
fact chameleon "${chameleon_version:-not built}, commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet HEAD -- src 2>/dev/null || echo ' + uncommitted changes in src/')" "$facts"

say "run"
fact scale "$scale" "$run_facts"
fact only "${only:-all}" "$run_facts"
fact changes "$changes" "$run_facts"
fact steady_rates "$steady_rates" "$run_facts"
fact steady_seconds "$steady_seconds" "$run_facts"
fact big_rows "$big_rows" "$run_facts"

write_json() {
  fact bench_seconds "$(seconds_since "$bench_start") (everything after the build)" "$run_facts"
  [ -n "$json_out" ] || return 0
  "$bench" report --results "$results" --facts "$facts" --run "$run_facts" --check "$checks" \
    --out "$json_out" || die "could not write $json_out"
  say "JSON written to $json_out"
}

# ----------------------------------------------------------------------------------------------
# micro: the Google Benchmark executables of the Release build's bench/ directory
# ----------------------------------------------------------------------------------------------
# The executables the build defines directly under bench/ (bench/e2e/ is ours), from Ninja's graph
# so that they are found even when a failed full build did not produce them.
micro_targets() {
  ninja -C "$build" -t targets all 2>/dev/null |
    sed -n 's|^bench/\([^/:]*\): CXX_EXECUTABLE_LINKER.*|\1|p' | sort -u
}

run_micro() {
  say "scenario micro"
  local min_time seen=0 name executable
  min_time=$(awk -v s="$scale" 'BEGIN { t = 0.5 * s; printf "%.2f", t < 0.05 ? 0.05 : t }')
  while IFS= read -r name; do
    seen=1
    executable=$build/bench/$name
    # Built on its own: a failed full build may have stopped before it, or left it stale.
    if ! cmake --build "$build" --target "$name" >"$logs/build-$name.log" 2>&1; then
      skipped "micro.$name" "does not build in this tree (see $logs/build-$name.log)"
      continue
    fi
    if ! "$executable" --help 2>&1 | grep -q -- '--benchmark_filter'; then
      skipped "micro.$name" "not a Google Benchmark executable"
      continue
    fi
    logged "micro_$name" "$executable" --benchmark_min_time="$min_time" \
      --benchmark_out="$work/micro_$name.json" --benchmark_out_format=json
    measure "micro_$name" micro-results --file "$work/micro_$name.json" --prefix "micro.$name"
    while read -r key value unit; do result "$key" "$value" "$unit" -; done <"$work/micro_$name.metrics"
  done < <(micro_targets)
  [ "$seen" = 1 ] ||
    skipped micro "no Google Benchmark executable under bench/ in this build (bench/CMakeLists.txt defines none)"
}

if [ -z "$only" ] || [ "$only" = micro ]; then run_micro; fi
if [ "$only" = micro ]; then
  write_json
  exit 0
fi

# ----------------------------------------------------------------------------------------------
# Servers: our own sandbox, stopped again on exit unless --keep-servers
# ----------------------------------------------------------------------------------------------
replica_running=0
cleanup() {
  local rc=$?
  if [ "$replica_running" = 1 ]; then
    "$chameleon" stop_replica --config "$replica_config" --source "$source_name" >>"$logs/replica.log" 2>&1 || true
  fi
  if [ "$keep_servers" = 0 ] && [ -d "$CHAMELEON_TESTENV_DIR" ]; then
    "$testenv" stop >>"$logs/servers.log" 2>&1 || true
  fi
  exit "$rc"
}
trap cleanup EXIT

say "starting MariaDB :$CHAMELEON_MYSQL_PORT and PostgreSQL :$CHAMELEON_PG_PORT in $CHAMELEON_TESTENV_DIR"
logged servers "$testenv" start
eval "$("$testenv" env)"
# The source commits without an fsync each (flushed once a second): the benchmark measures the
# replicator, and the generator must not be held to this disk's fsync rate. The binlog is the same.
mysql_admin -e "SET GLOBAL innodb_flush_log_at_trx_commit = 2"
fact mariadb "$(mysql_admin -e 'SELECT VERSION()')" "$facts"
fact postgresql "$(psql_admin -At -c 'SHOW server_version')" "$facts"

say "resetting $source_db (MariaDB), $baseline_schema, $replica_schema and sch_chameleon (PostgreSQL)"
logged schema-mariadb "$testenv" mysql <bench/e2e/sql/mariadb_schema.sql
psql_admin -c "DROP SCHEMA IF EXISTS $replica_schema CASCADE" -c "DROP SCHEMA IF EXISTS sch_chameleon CASCADE" \
  -c "DROP SCHEMA IF EXISTS $per_txn_schema CASCADE" >"$logs/schema-reset.log" 2>&1
for schema in "$baseline_schema" "$per_txn_schema"; do
  logged "schema-$schema" psql_admin -U "$CHAMELEON_PG_USER" -v schema="$schema" -f bench/e2e/sql/postgresql_baseline.sql
done
rm -rf "$work/chameleon"
mkdir -p "$work/chameleon/pid" "$work/chameleon/logs" "$work/chameleon/spool"

# chameleon's configuration: log_dest stdout keeps init_replica in the foreground (timed);
# the replica daemon uses log files.
replica_config=$work/bench.yml
init_config=$work/bench-init.yml
# shellcheck disable=SC2153 # the CHAMELEON_* connection settings come from `testenv.sh env` above
write_config() {
  cat >"$1" <<YAML
---
# Written by bench/run.sh for the benchmark's sandboxes; rewritten on every run.
pid_dir: '$work/chameleon/pid/'
log_dir: '$work/chameleon/logs/'
spool_dir: '$work/chameleon/spool/'
log_dest: $2
log_level: info
log_days_keep: 2
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
  $source_name:
    db_conn:
      host: "$CHAMELEON_MYSQL_HOST"
      port: "$CHAMELEON_MYSQL_PORT"
      user: "$CHAMELEON_MYSQL_USER"
      password: "$CHAMELEON_MYSQL_PASSWORD"
      charset: 'utf8mb4'
      connect_timeout: 10
    schema_mappings:
      $source_db: $replica_schema
    my_server_id: 100
    replica_batch_size: $batch_row_changes
    replay_max_rows: 10000
    sleep_loop: 1
    on_error_replay: exit
    on_error_read: exit
    type: mysql
YAML
  chmod 600 "$1"
}
write_config "$replica_config" file
write_config "$init_config" stdout
if [ -z "$chameleon_unbuilt" ]; then
  logged create_replica_schema "$chameleon" create_replica_schema --config "$replica_config"
  logged add_source "$chameleon" add_source --config "$replica_config" --source "$source_name"
fi

# chameleon_lacks COMMAND...: the commands chameleon --help marks "not implemented yet".
chameleon_lacks() {
  local command missing=()
  for command in "$@"; do
    if "$chameleon" --help 2>&1 | grep -Eq "^ +$command +.*\(not implemented yet\)"; then
      missing+=("$command")
    fi
  done
  printf '%s' "${missing[*]}"
}

# ----------------------------------------------------------------------------------------------
# Workload
# ----------------------------------------------------------------------------------------------
say "loading the workload at scale $scale into MariaDB $source_db"
measure load load --database "$source_db" --scale "$scale"
initial_rows=$(metric load rows)
say "loaded $initial_rows rows in $(metric load seconds) s ($(metric load rows_per_s) rows/s)"

# ----------------------------------------------------------------------------------------------
# init: chameleon init_replica vs the raw SELECT -> COPY pipeline
# ----------------------------------------------------------------------------------------------
chameleon_init_ran=0
chameleon_cdc_ran=0
init_skip_reason=''
say "scenario init: $initial_rows rows"
measure copy copy --database "$source_db" --schema "$baseline_schema"
copy_bytes=$(metric copy bytes)
result init.baseline.rows_per_s "$(metric copy rows_per_s)" rows/s -
result init.baseline.mib_per_s "$(metric copy mib_per_s)" MiB/s -
result init.baseline.peak_rss "$(metric copy peak_rss_mib)" MiB -
result init.baseline.seconds "$(metric copy seconds)" s -

init_status=0
init_start=$(now_ns)
if [ -n "$chameleon_unbuilt" ]; then
  init_status=unbuilt
elif [ -x /usr/bin/time ]; then
  /usr/bin/time -f '%M' -o "$work/init_replica.maxrss" \
    "$chameleon" init_replica --config "$init_config" --source "$source_name" \
    >"$logs/init_replica.log" 2>"$logs/init_replica.err" || init_status=$?
else
  "$chameleon" init_replica --config "$init_config" --source "$source_name" \
    >"$logs/init_replica.log" 2>"$logs/init_replica.err" || init_status=$?
fi
init_seconds=$(seconds_since "$init_start")
if [ "$init_status" = unbuilt ] ||
  { [ "$init_status" = 2 ] && grep -q 'not implemented' "$logs/init_replica.err"; }; then
  init_skip_reason=${chameleon_unbuilt:-$(head -n 1 "$logs/init_replica.err")}
  for name in rows_per_s mib_per_s peak_rss seconds; do skipped "init.chameleon.$name" "$init_skip_reason"; done
elif [ "$init_status" != 0 ]; then
  tail -n 20 "$logs/init_replica.err" >&2
  die "chameleon init_replica failed (exit $init_status); logs: $logs/init_replica.{log,err}"
else
  chameleon_init_ran=1
  init_rows_per_s=$(awk -v r="$initial_rows" -v s="$init_seconds" 'BEGIN { printf "%d", r / s }')
  init_mib_per_s=$(awk -v b="$copy_bytes" -v s="$init_seconds" 'BEGIN { printf "%.1f", b / 1048576 / s }')
  init_rss='-'
  [ -s "$work/init_replica.maxrss" ] &&
    init_rss=$(tail -n 1 "$work/init_replica.maxrss" | awk '{ printf "%.1f", $1 / 1024 }')
  result init.chameleon.rows_per_s "$init_rows_per_s" rows/s "$(ratio "$init_rows_per_s" "$(metric copy rows_per_s)")"
  result init.chameleon.mib_per_s "$init_mib_per_s" MiB/s "$(ratio "$init_mib_per_s" "$(metric copy mib_per_s)")"
  result init.chameleon.peak_rss "$init_rss" MiB "$(ratio "$init_rss" "$(metric copy peak_rss_mib)")"
  result init.chameleon.seconds "$init_seconds" s "$(ratio "$init_seconds" "$(metric copy seconds)")"
fi

# ----------------------------------------------------------------------------------------------
# Correctness: every table of the source against each target schema
# ----------------------------------------------------------------------------------------------
# run_check LABEL SCHEMA...: prints and records the per-table lines; exits 1 on any difference.
run_check() {
  local label=$1 status=0 schema
  shift
  local arguments=()
  for schema in "$@"; do arguments+=(--schema "$schema"); done
  say "correctness check ($label): MariaDB $source_db vs PostgreSQL $*"
  printf 'check-stage %s\n' "$label" >>"$checks"
  "$bench" check --database "$source_db" "${arguments[@]}" >"$work/check.out" 2>"$logs/check.err" || status=$?
  cat "$work/check.out"
  cat "$work/check.out" >>"$checks"
  if [ "$status" != 0 ]; then
    local failure
    failure=$(cat "$logs/check.err")
    printf 'check FAILED (%s): %s\n' "$label" "$failure" | tee -a "$checks"
    printf 'bench: CORRECTNESS CHECK FAILED (%s): %s\n' "$label" "$failure" >&2
    write_json
    exit 1
  fi
}

# ----------------------------------------------------------------------------------------------
# cdc: backlog catch-up and steady-rate lag
# ----------------------------------------------------------------------------------------------
# marker_now: writes one marker row on MariaDB and prints its id.
marker_now() {
  measure marker changes --sink mariadb --database "$source_db" --scale "$scale" --from 0 --to 0
  metric marker end_marker
}

# daemon_pid / daemon_cpu_ticks / daemon_peak_rss_mib: the replica daemon, from its pid file.
daemon_pid() { tr -d '[:space:]' <"$work/chameleon/pid/$source_name.pid" 2>/dev/null; }
daemon_cpu_ticks() {
  local pid
  pid=$(daemon_pid) && [ -r "/proc/$pid/stat" ] && sed 's/.*) //' "/proc/$pid/stat" | awk '{ print $12 + $13 }'
}
daemon_peak_rss_mib() {
  local pid
  pid=$(daemon_pid) && awk '/^VmHWM/ { printf "%.1f", $2 / 1024 }' "/proc/$pid/status" 2>/dev/null
}

# wait_replayed NAME METRICS: waits until chameleon's catalogue has replayed an event at or past
# the binlog point a `measure METRICS` run printed (binlog_file, binlog_position): the newest
# t_replica_batch row of the source, committed with the batch's rows, ends there or later.
wait_replayed() {
  measure "$1" wait-replayed --source "$source_name" --binlog-file "$(metric "$2" binlog_file)" \
    --binlog-position "$(metric "$2" binlog_position)" --timeout-s 3600
}

start_replica() {
  logged start_replica "$chameleon" start_replica --config "$replica_config" --source "$source_name"
  replica_running=1
}
stop_replica() {
  logged stop_replica "$chameleon" stop_replica --config "$replica_config" --source "$source_name"
  replica_running=0
}

run_cdc() {
  local chameleon_cdc=0 reason='' missing
  if [ "$chameleon_init_ran" = 0 ]; then
    reason="needs init_replica, which was skipped ($init_skip_reason)"
    missing=$(chameleon_lacks start_replica stop_replica)
    [ -z "$missing" ] || reason="$reason; also not implemented yet: $missing"
  else
    missing=$(chameleon_lacks start_replica stop_replica)
    if [ -n "$missing" ]; then reason="chameleon: not implemented yet: $missing"; else chameleon_cdc=1; fi
  fi

  if [ "$chameleon_init_ran" = 1 ]; then
    run_check "after init" "$replica_schema" "$baseline_schema"
  fi
  if [ "$chameleon_cdc" = 1 ]; then
    chameleon_cdc_ran=1
    # Let the replica catch up with the init copy, then stop it so the backlog piles up.
    start_replica
    measure catch-up wait-marker --schema "$replica_schema" --min-id "$(marker_now)" --timeout-s 600
    stop_replica
  fi

  say "setup: a second raw copy into $per_txn_schema for the per-transaction baseline"
  measure copy-per-txn copy --database "$source_db" --schema "$per_txn_schema"

  say "scenario cdc_backlog: $changes row changes (transactions of 1-20 statements, ~50/30/20% insert/update/delete)"
  measure backlog-source changes --sink mariadb --database "$source_db" --scale "$scale" --from 0 --to "$changes"
  local applied
  applied=$(metric backlog-source row_changes)
  say "source: $(metric backlog-source transactions) transactions, $(metric backlog-source statements) statements, $applied row changes ($(metric backlog-source inserts) inserts, $(metric backlog-source updates) updates, $(metric backlog-source deletes) deletes)"
  result cdc_backlog.source.row_changes_per_s "$(metric backlog-source row_changes_per_s)" rows/s - \
    "how fast MariaDB took the changes (one client, one multi-statement query per transaction)"
  measure backlog-batched changes --sink postgres --schema "$baseline_schema" --scale "$scale" \
    --from 0 --to "$changes" --batch-row-changes "$batch_row_changes"
  result cdc_backlog.baseline.row_changes_per_s "$(metric backlog-batched row_changes_per_s)" rows/s - \
    "pipelined libpq client, whole source transactions grouped into commits of >= $batch_row_changes row changes"
  measure backlog-per-txn changes --sink postgres --schema "$per_txn_schema" --scale "$scale" \
    --from 0 --to "$changes"
  result cdc_backlog.baseline_per_txn.row_changes_per_s "$(metric backlog-per-txn row_changes_per_s)" rows/s - \
    "the same client with BEGIN/COMMIT per source transaction (one WAL flush each)"

  if [ "$chameleon_cdc" = 1 ]; then
    local start seconds rate rss load_before
    load_before=$(cut -d' ' -f1 /proc/loadavg)
    start=$(now_ns)
    start_replica
    # Caught up: the catalogue's replayed position reached SHOW MASTER STATUS taken after the
    # last change (the generator prints it before writing its end marker); the end marker must
    # then be in PostgreSQL too, and the checksum below must agree.
    wait_replayed backlog-chameleon backlog-source
    seconds=$(seconds_since "$start")
    rss=$(daemon_peak_rss_mib || true)
    measure backlog-marker wait-marker --schema "$replica_schema" \
      --min-id "$(metric backlog-source end_marker)" --timeout-s 60
    rate=$(awk -v n="$applied" -v s="$seconds" 'BEGIN { printf "%d", n / s }')
    result cdc_backlog.chameleon.row_changes_per_s "$rate" rows/s "$(ratio "$rate" "$(metric backlog-batched row_changes_per_s)")" \
      "start_replica until the catalogue's replayed position reached the source's binlog end (load average $load_before -> $(cut -d' ' -f1 /proc/loadavg))"
    result cdc_backlog.chameleon.seconds "$seconds" s "$(ratio "$seconds" "$(metric backlog-batched seconds)")"
    result cdc_backlog.chameleon.peak_rss "${rss:--}" MiB "$(ratio "$rss" "$(metric backlog-batched peak_rss_mib)")" \
      "the daemon's VmHWM since its start, read once caught up"
    run_check "after cdc_backlog" "$baseline_schema" "$per_txn_schema" "$replica_schema"
  else
    skipped cdc_backlog.chameleon.row_changes_per_s "$reason"
    run_check "after cdc_backlog" "$baseline_schema" "$per_txn_schema"
  fi
  psql_admin -c "DROP SCHEMA $per_txn_schema CASCADE" >>"$logs/schema-reset.log" 2>&1

  local from=$changes rate to prefix ticks_before='' ticks_after='' achieved source baseline
  local lag_options=()
  [ "$chameleon_cdc" = 0 ] || lag_options=(--lag-schema "$replica_schema" --lag-timeout-s 600)
  local per_s limit phase_start phase_seconds sustained
  for rate in ${steady_rates//,/ }; do
    # `max`: flat out, the generator as fast as MariaDB takes it (rate 0 to bench_e2e).
    if [ "$rate" = max ]; then
      per_s=0 limit=$((from + 1000000000))
    else
      per_s=$rate limit=$((from + rate * steady_seconds))
    fi
    prefix=cdc_steady.r$rate
    source=steady-$rate-source
    baseline=steady-$rate-baseline
    say "scenario cdc_steady at $rate row changes/s for ${steady_seconds} s, a lag marker every 50 ms"
    # The source writes first, for steady_seconds; then the baseline applies exactly the
    # transactions the source took, at the same rate, lag measured on its own target.
    [ "$chameleon_cdc" = 0 ] || ticks_before=$(daemon_cpu_ticks || true)
    phase_start=$(now_ns)
    measure "$source" changes --sink mariadb --database "$source_db" --scale "$scale" --from "$from" \
      --to "$limit" --rate "$per_s" --max-seconds "$steady_seconds" \
      --markers "${lag_options[@]}"
    phase_seconds=$(seconds_since "$phase_start")
    [ "$chameleon_cdc" = 0 ] || ticks_after=$(daemon_cpu_ticks || true)
    to=$(metric "$source" next_from)
    measure "$baseline" changes --sink postgres --schema "$baseline_schema" --scale "$scale" \
      --from "$from" --to "$to" --rate "$per_s" --batch-row-changes "$batch_row_changes" --markers \
      --lag-schema "$baseline_schema"

    achieved=$(metric "$source" row_changes_per_s)
    result "$prefix.source.row_changes_per_s" "$achieved" rows/s - "$(awk -v a="$achieved" -v r="$per_s" \
      'BEGIN { if (a < 0.9 * r) printf "below the %d/s asked: MariaDB does not take this rate from one client here; the phase holds only the row changes it took", r }')"
    if [ "$chameleon_cdc" = 1 ]; then
      # Sustained: the phase's row changes over the time from its first change until its last
      # marker was visible through chameleon; ratio to the source's own rate (1.00: kept up,
      # apart from the final lag).
      sustained=$(awk -v n="$(metric "$source" row_changes)" -v s="$phase_seconds" 'BEGIN { printf "%d", n / s }')
      result "$prefix.chameleon.row_changes_per_s" "$sustained" rows/s "$(ratio "$sustained" "$achieved")" \
        "row changes of the phase / (phase + time until its last marker arrived); ratio to the source's rate; load average $(cut -d' ' -f1 /proc/loadavg)"
    fi
    achieved=$(metric "$baseline" row_changes_per_s)
    result "$prefix.baseline.row_changes_per_s" "$achieved" rows/s - "$(awk -v a="$achieved" -v r="$per_s" \
      'BEGIN { if (a < 0.9 * r) printf "below the %d/s asked: the direct client does not keep this rate here", r }')"
    result "$prefix.baseline.lag_p50" "$(metric "$baseline" lag_p50_ms)" ms -
    result "$prefix.baseline.lag_p99" "$(metric "$baseline" lag_p99_ms)" ms -
    result "$prefix.baseline.lag_max" "$(metric "$baseline" lag_max_ms)" ms -
    result "$prefix.baseline.cpu" "$(metric "$baseline" cpu_percent)" % -
    result "$prefix.baseline.peak_rss" "$(metric "$baseline" peak_rss_mib)" MiB -
    if [ "$chameleon_cdc" = 1 ]; then
      result "$prefix.chameleon.lag_p50" "$(metric "$source" lag_p50_ms)" ms -
      result "$prefix.chameleon.lag_p99" "$(metric "$source" lag_p99_ms)" ms -
      result "$prefix.chameleon.lag_max" "$(metric "$source" lag_max_ms)" ms -
      local cpu='-' rss
      if [ -n "$ticks_before" ] && [ -n "$ticks_after" ]; then
        cpu=$(awk -v a="$ticks_before" -v b="$ticks_after" -v hz="$(getconf CLK_TCK)" \
          -v s="$(metric "$source" seconds)" 'BEGIN { printf "%.1f", 100 * (b - a) / hz / s }')
      fi
      rss=$(daemon_peak_rss_mib || true)
      result "$prefix.chameleon.cpu" "$cpu" % "$(ratio "$cpu" "$(metric "$baseline" cpu_percent)")"
      result "$prefix.chameleon.peak_rss" "${rss:--}" MiB "$(ratio "$rss" "$(metric "$baseline" peak_rss_mib)")"
    else
      skipped "$prefix.chameleon.lag_p99" "$reason"
    fi
    from=$to
  done

  if [ "$chameleon_cdc" = 1 ]; then
    run_big_transaction
    stop_replica
  else
    skipped big_transaction.chameleon.peak_rss "$reason"
  fi
}

# The big transaction: one source transaction of $big_rows rows (INSERT ... SELECT into bench_big)
# through a freshly started daemon, so its VmHWM is this transaction's.
run_big_transaction() {
  say "scenario big_transaction: one source transaction of $big_rows rows into bench_big"
  stop_replica
  start_replica
  local start seconds rss rate
  measure big-source big-transaction --database "$source_db" --rows "$big_rows" --first-id 1
  start=$(now_ns)
  marker_now >/dev/null
  wait_replayed big-chameleon big-source
  seconds=$(seconds_since "$start")
  rss=$(daemon_peak_rss_mib || true)
  rate=$(awk -v n="$big_rows" -v s="$seconds" 'BEGIN { printf "%d", n / s }')
  result big_transaction.source.seconds "$(metric big-source seconds)" s - \
    "MariaDB's INSERT ... SELECT of $big_rows rows, $(awk -v b="$(metric big-source binlog_bytes 2>/dev/null || echo 0)" 'BEGIN { printf "%.0f", b / 1048576 }') MiB of binlog"
  result big_transaction.chameleon.seconds "$seconds" s - "from the source's COMMIT until the replayed position passed it"
  result big_transaction.chameleon.rows_per_s "$rate" rows/s -
  result big_transaction.chameleon.peak_rss "${rss:--}" MiB - \
    "the daemon's VmHWM, started just before the transaction (goal <= 256 MB)"
  say "big_transaction: bench_big complete on $replica_schema?"
  if ! "$bench" big-check --database "$source_db" --schema "$replica_schema" >"$work/big-check.out" 2>"$logs/big-check.err"; then
    cat "$work/big-check.out"
    printf 'check FAILED (big_transaction): %s\n' "$(cat "$logs/big-check.err")" | tee -a "$checks"
    printf 'bench: CORRECTNESS CHECK FAILED (big_transaction): %s\n' "$(cat "$logs/big-check.err")" >&2
    write_json
    exit 1
  fi
  cat "$work/big-check.out"
  printf 'check-stage big_transaction\n' >>"$checks"
  cat "$work/big-check.out" >>"$checks"
}

if [ -z "$only" ] || [ "$only" = cdc ]; then run_cdc; fi

# ----------------------------------------------------------------------------------------------
# Final correctness check: the baselines' copy, and chameleon's when it followed the source
# all along (init_replica, plus the replica when cdc ran)
# ----------------------------------------------------------------------------------------------
targets=("$baseline_schema")
if [ "$chameleon_init_ran" = 1 ] && { [ "$only" = init ] || [ "$chameleon_cdc_ran" = 1 ]; }; then
  targets=("$replica_schema" "$baseline_schema")
fi
if [ "$break_target" = 1 ]; then
  broken=${targets[0]}
  say "--break-target: deleting one orders row and changing one customers balance in $broken"
  psql_admin -U "$CHAMELEON_PG_USER" \
    -c "DELETE FROM $broken.orders WHERE id = (SELECT min(id) FROM $broken.orders)" \
    -c "UPDATE $broken.customers SET balance = balance + 0.01 WHERE id = (SELECT min(id) FROM $broken.customers)" \
    >>"$logs/break-target.log" 2>&1
fi
run_check final "${targets[@]}"
printf 'check passed\n' | tee -a "$checks"
write_json
