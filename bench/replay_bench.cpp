// replay_bench: the replayer's throughput on a generated backlog (50% insert, 30% update,
// 20% delete) next to the same changes applied by a minimal pipelined libpq client (the
// physical limit of one connection, field-notes 3.1), in the same run on the same server.
// Usage: eval "$(tools/testenv.sh env)"; build/release/bench/replay_bench [changes]
#include <fmt/format.h>
#include <libpq-fe.h>
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <iostream>

#include "catalogue/catalogue.h"
#include "catalogue/sources.h"
#include "pg/connection.h"
#include "replayer/replayer.h"
#include "spool/spool.h"

namespace {

using namespace chameleon;  // NOLINT(google-build-using-namespace): a small program

std::string Env(const char* name) {
  const char* value = std::getenv(name);  // NOLINT(concurrency-mt-unsafe)
  if (value == nullptr) {
    std::cerr << "replay_bench: " << name << " is not set; run eval \"$(tools/testenv.sh env)\"\n";
    std::exit(2);  // NOLINT(concurrency-mt-unsafe)
  }
  return value;
}

pg::ConnectOptions Options(const std::string& user, const std::string& password,
                           const std::string& database) {
  pg::ConnectOptions options;
  options.host = Env("CHAMELEON_PG_HOST");
  options.port = std::atoi(Env("CHAMELEON_PG_PORT").c_str());
  options.user = user;
  options.password = Secret(password);
  options.database = database;
  return options;
}

void Check(const Status& status, const char* what) {
  if (!status.ok()) {
    std::cerr << "replay_bench: " << what << ": " << status.message() << "\n";
    std::exit(1);  // NOLINT(concurrency-mt-unsafe)
  }
}

// The change sequence, recomputed identically for both runs: a repeating pattern of five
// inserts (new ids), three updates and two deletes (distinct existing ids).
struct Change {
  Operation operation;
  int64_t id;
  int64_t number;
};

class Workload {
 public:
  Workload(int64_t preloaded, int64_t changes) : preloaded_(preloaded), changes_(changes) {}
  int64_t size() const { return changes_; }
  Change At(int64_t index) const {
    int64_t round = index / 10;
    int64_t slot = index % 10;
    if (slot < 5) return {Operation::kInsert, preloaded_ + round * 5 + slot, index};
    if (slot < 8) return {Operation::kUpdate, preloaded_ / 2 + round * 3 + (slot - 5), index};
    return {Operation::kDelete, round * 2 + (slot - 8), index};
  }

 private:
  int64_t preloaded_;
  int64_t changes_;
};

std::string Text(int64_t number) {
  return fmt::format("row {:08} {}", number, std::string(24, 'x'));
}
int64_t EpochMicros(int64_t number) {
  return (1700000000LL + number) * 1000000;
}
std::string TimestampText(int64_t number) {
  std::time_t seconds = static_cast<std::time_t>(1700000000LL + number);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char buffer[40];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%d %H:%M:%S+00", &utc);
  return buffer;
}

std::vector<Value> Image(int64_t id, int64_t number) {
  return {Value::Int(id), Value::Int(number % 100000), Value::String(Text(number)),
          Value::Timestamp(EpochMicros(number))};
}

long PeakRssMegabytes() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss / 1024;
}

// The baseline: prepared statements in pipeline mode, a sync every 1000 statements, a commit
// every `transaction_size` changes; nothing else.
double RunBaseline(const pg::ConnectOptions& options, const Workload& workload,
                   int64_t transaction_size) {
  std::string conninfo = fmt::format("host={} port={} user={} dbname={}", options.host,
                                     options.port, options.user, options.database);
  setenv("PGPASSWORD", options.password.reveal().c_str(), 1);  // NOLINT(concurrency-mt-unsafe)
  PGconn* conn = PQconnectdb(conninfo.c_str());
  if (PQstatus(conn) != CONNECTION_OK) {
    std::cerr << "baseline: " << PQerrorMessage(conn);
    std::exit(1);  // NOLINT(concurrency-mt-unsafe)
  }
  auto exec = [&](const char* sql) {
    PGresult* result = PQexec(conn, sql);
    if (PQresultStatus(result) != PGRES_COMMAND_OK) {
      std::cerr << "baseline: " << PQerrorMessage(conn);
      std::exit(1);  // NOLINT(concurrency-mt-unsafe)
    }
    PQclear(result);
  };
  exec("SET TIME ZONE 'UTC'");
  auto prepare = [&](const char* name, const char* sql, int count) {
    PGresult* result = PQprepare(conn, name, sql, count, nullptr);
    if (PQresultStatus(result) != PGRES_COMMAND_OK) {
      std::cerr << "baseline: " << PQerrorMessage(conn);
      std::exit(1);  // NOLINT(concurrency-mt-unsafe)
    }
    PQclear(result);
  };
  prepare("ins", "INSERT INTO bench_base.t (id, i, t, ts) VALUES ($1, $2, $3, $4)", 4);
  prepare("upd", "UPDATE bench_base.t SET id = $1, i = $2, t = $3, ts = $4 WHERE id = $5", 5);
  prepare("del", "DELETE FROM bench_base.t WHERE id = $1", 1);
  auto started = std::chrono::steady_clock::now();
  PQenterPipelineMode(conn);
  int64_t pending = 0;
  auto drain = [&]() {
    PQpipelineSync(conn);
    int64_t seen = 0;
    while (seen < pending) {
      PGresult* result = PQgetResult(conn);
      if (result == nullptr) {
        ++seen;
        continue;
      }
      ExecStatusType status = PQresultStatus(result);
      if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
        std::cerr << "baseline: " << PQresultErrorMessage(result);
        std::exit(1);  // NOLINT(concurrency-mt-unsafe)
      }
      PQclear(result);
    }
    PGresult* sync = PQgetResult(conn);  // PGRES_PIPELINE_SYNC
    PQclear(sync);
    pending = 0;
  };
  auto send = [&](const char* sql) {
    PQsendQueryParams(conn, sql, 0, nullptr, nullptr, nullptr, nullptr, 0);
    ++pending;
  };
  send("BEGIN");
  for (int64_t index = 0; index < workload.size(); ++index) {
    Change change = workload.At(index);
    std::string id = std::to_string(change.id);
    std::string number = std::to_string(change.number % 100000);
    std::string text = Text(change.number);
    std::string ts = TimestampText(change.number);
    if (change.operation == Operation::kInsert) {
      const char* values[] = {id.c_str(), number.c_str(), text.c_str(), ts.c_str()};
      PQsendQueryPrepared(conn, "ins", 4, values, nullptr, nullptr, 0);
    } else if (change.operation == Operation::kUpdate) {
      const char* values[] = {id.c_str(), number.c_str(), text.c_str(), ts.c_str(), id.c_str()};
      PQsendQueryPrepared(conn, "upd", 5, values, nullptr, nullptr, 0);
    } else {
      const char* values[] = {id.c_str()};
      PQsendQueryPrepared(conn, "del", 1, values, nullptr, nullptr, 0);
    }
    ++pending;
    if ((index + 1) % transaction_size == 0) {
      send("COMMIT");
      send("BEGIN");
    }
    if (pending >= 1000) drain();
  }
  send("COMMIT");
  drain();
  PQexitPipelineMode(conn);
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  PQfinish(conn);
  return seconds;
}

}  // namespace

int main(int argc, char** argv) {
  int64_t changes = argc > 1 ? std::atoll(argv[1]) : 1'000'000;
  const int64_t kBatchSize = 10000;  // replica_batch_size's default
  Workload workload(changes, changes);
  std::string database = fmt::format("replay_bench_{}", getpid());
  std::string user = Env("CHAMELEON_PG_USER");
  auto admin = pg::Connection::Open(
      Options(Env("CHAMELEON_PG_ADMIN_USER"), Env("CHAMELEON_PG_ADMIN_PASSWORD"), "postgres"));
  Check(admin.status(), "admin connection");
  Check(admin->Execute(fmt::format("CREATE DATABASE {} OWNER {}", pg::QuoteIdentifier(database),
                                   pg::QuoteIdentifier(user))),
        "create database");
  pg::ConnectOptions target = Options(user, Env("CHAMELEON_PG_PASSWORD"), database);
  int exit_code = 0;
  std::filesystem::path spool_dir =
      std::filesystem::temp_directory_path() / fmt::format("replay_bench_spool_{}", getpid());
  {
    auto connection = pg::Connection::Open(target);
    Check(connection.status(), "connection");
    catalogue::Catalogue catalogue(*connection);
    Check(catalogue.Create().status(), "catalogue");
    Check(catalogue::AddSource(*connection, "bench", "mysql", {{"app", "bench_replay"}}),
          "add_source");
    auto source = catalogue::FindSource(*connection, "bench");
    Check(source.status(), "find source");
    int64_t source_id = (*source)->id;
    for (const char* schema : {"bench_replay", "bench_base"}) {
      Check(connection->Execute(fmt::format(
                "CREATE SCHEMA {0}; CREATE TABLE {0}.t (id bigint PRIMARY KEY, i integer, t "
                "character varying(64), ts timestamp with time zone); INSERT INTO {0}.t SELECT "
                "g, g % 100000, 'row ' || lpad(g::text, 8, '0') || ' ' || repeat('x', 24), "
                "to_timestamp(1700000000 + g) FROM generate_series(0, {1} - 1) g",
                schema, changes)),
            "preload");
      Check(connection->Execute(fmt::format("VACUUM ANALYZE {}.t", schema)), "vacuum");
    }
    Check(connection
              ->Query("INSERT INTO sch_chameleon.t_replica_tables (i_id_source, "
                      "v_schema_name, v_table_name, v_table_pkey) VALUES ($1::bigint, "
                      "'bench_replay', 't', '{id}')",
                      {std::to_string(source_id)})
              .status(),
          "register table");

    spool::SpoolOptions spool_options;
    spool_options.directory = spool_dir;
    spool_options.source_id = static_cast<uint32_t>(source_id);
    spool_options.batch_size_events = kBatchSize;
    auto spool = spool::Spool::Open(spool_options);
    Check(spool.status(), "spool");
    TableShape shape;
    shape.schema = "app";
    shape.table = "t";
    shape.version = 1;
    shape.columns = {{"id", 8, 0, false, false, "bigint(20)"},
                     {"i", 3, 0, false, true, "int(11)"},
                     {"t", 15, 64, false, true, "varchar(64)"},
                     {"ts", 17, 0, false, true, "timestamp"}};
    shape.primary_key = {0};
    auto spool_started = std::chrono::steady_clock::now();
    std::vector<ChangeEvent> transaction;
    BinlogPosition position{1, 4};
    for (int64_t index = 0; index < workload.size(); ++index) {
      Change change = workload.At(index);
      ChangeEvent event;
      event.operation = change.operation;
      event.position = position;
      position.position += 100;
      event.source_timestamp_seconds = 1700000000;
      event.schema = "app";
      event.table = "t";
      event.shape_version = 1;
      std::vector<Value> image = Image(change.id, change.number);
      if (change.operation != Operation::kInsert) event.before = image;
      if (change.operation != Operation::kDelete) event.after = std::move(image);
      transaction.push_back(std::move(event));
      if (transaction.size() == 100 || index + 1 == workload.size()) {
        auto appended = (*spool).AppendTransaction(
            transaction, position,
            index < 100 ? std::span<const TableShape>(&shape, 1) : std::span<const TableShape>());
        Check(appended.status(), "append");
        transaction.clear();
      }
    }
    Check((*spool).CloseBatch().status(), "close");
    double spool_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - spool_started).count();

    replayer::ReplayerOptions options;
    options.source_id = source_id;
    options.source_name = "bench";
    options.schema_mappings = {{"app", "bench_replay"}};
    options.logger = nullptr;
    replayer::Replayer replayer(
        *spool, [&]() { return pg::Connection::Open(target); }, options);
    long rss_before = PeakRssMegabytes();
    auto started = std::chrono::steady_clock::now();
    int64_t batches = 0;
    while (true) {
      auto outcome = replayer.ReplayOneBatch();
      Check(outcome.status(), "replay");
      if (!outcome->has_value()) break;
      ++batches;
    }
    double replay_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    long rss_after = PeakRssMegabytes();
    double baseline_seconds = RunBaseline(target, workload, kBatchSize);

    auto differences = connection->QueryValue(
        "SELECT (SELECT count(*) FROM (SELECT * FROM bench_replay.t EXCEPT SELECT * FROM "
        "bench_base.t) a) + (SELECT count(*) FROM (SELECT * FROM bench_base.t EXCEPT SELECT * "
        "FROM bench_replay.t) b)");
    Check(differences.status(), "compare");
    double replay_rate = static_cast<double>(changes) / replay_seconds;
    double baseline_rate = static_cast<double>(changes) / baseline_seconds;
    fmt::print(
        "replay_bench changes={} batches={} mix=50/30/20 spool_write={:.2f}s\n"
        "replay_bench replayer: {:.2f}s {:.0f} changes/s peak_rss={} MB (before replay {} MB)\n"
        "replay_bench baseline (pipelined prepared statements, one connection): {:.2f}s {:.0f} "
        "changes/s\n"
        "replay_bench ratio replayer/baseline = {:.2f}; tables differ in {} rows\n",
        changes, batches, spool_seconds, replay_seconds, replay_rate, rss_after, rss_before,
        baseline_seconds, baseline_rate, replay_rate / baseline_rate, differences->value_or("?"));
    if (differences->value_or("?") != "0") exit_code = 1;
  }
  std::filesystem::remove_all(spool_dir);
  Check(admin->Execute(fmt::format("DROP DATABASE {} WITH (FORCE)", pg::QuoteIdentifier(database))),
        "drop database");
  return exit_code;
}
