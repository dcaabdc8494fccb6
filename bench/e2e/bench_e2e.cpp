// bench_e2e: the end-to-end benchmark's programs behind bench/run.sh — workload loader, change
// generator, raw baselines, lag probe, correctness check and JSON report, one subcommand each.
#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "change_sinks.h"
#include "change_stream.h"
#include "clients.h"
#include "lag_probe.h"
#include "raw_copy.h"
#include "replica_probe.h"
#include "table_checksum.h"
#include "workload.h"

namespace chameleon::bench {
namespace {

constexpr const char* kUsage = R"(usage: bench_e2e <command> [--option value ...]
  load     --database DB --scale F [--seed N]            generate and load the workload into MariaDB
  copy     --database DB --schema S                      baseline: SELECT -> COPY into PostgreSQL
  changes  --sink mariadb|postgres --database DB | --schema S --scale F [--seed N]
           --from N --to N [--rate ROWS_PER_S] [--max-seconds S] [--batch-row-changes N]
           [--markers] [--lag-schema S] [--lag-timeout-s T]
                                                         apply the change stream's row changes [from, to)
  fsync-probe --dir D                                    time an 8 KiB write + fdatasync in D
  wait-marker --schema S --min-id N [--timeout-s T]      wait until a marker row reaches PostgreSQL
  wait-replayed --source NAME --binlog-file N --binlog-position P [--timeout-s T]
                                                         wait until chameleon's catalogue has replayed
                                                         an event at or past binlog N:P
  big-transaction --database DB --rows N [--first-id I] one source transaction of N rows into bench_big
  big-check --database DB --schema S                     bench_big complete on PostgreSQL?
  check    --database DB --schema S [--schema S2 ...]    compare MariaDB with PostgreSQL schemas
  micro-results --file GOOGLE_BENCHMARK.json --prefix P  one metric line per micro-benchmark
  report   --results R.tsv --facts F.txt --run R.txt --check C.txt --out OUT.json
Connection settings come from tools/testenv.sh env (CHAMELEON_MYSQL_*, CHAMELEON_PG_*).
Metrics are printed one a line: <key> <value> <unit>.)";

constexpr uint64_t kDefaultSeed = 20240611;
constexpr int64_t kMarkerIntervalMs = 50;

// --name value options and --flag switches, checked against what the command accepts.
class Arguments {
 public:
  static Result<Arguments> Parse(int argc, char** argv, const std::set<std::string>& options,
                                 const std::set<std::string>& flags) {
    Arguments arguments;
    for (int i = 2; i < argc; ++i) {
      std::string word = argv[i];
      if (word.rfind("--", 0) != 0) return Status::InvalidArgument("unexpected argument " + word);
      std::string name = word.substr(2);
      if (flags.count(name) != 0) {
        arguments.values_[name].push_back("1");
      } else if (options.count(name) != 0) {
        if (i + 1 >= argc) return Status::InvalidArgument("--" + name + " needs a value");
        arguments.values_[name].push_back(argv[++i]);
      } else {
        return Status::InvalidArgument("unknown option --" + name);
      }
    }
    return arguments;
  }

  bool Has(const std::string& name) const { return values_.count(name) != 0; }
  std::vector<std::string> All(const std::string& name) const {
    auto found = values_.find(name);
    return found == values_.end() ? std::vector<std::string>{} : found->second;
  }
  Result<std::string> Text(const std::string& name) const {
    auto found = values_.find(name);
    if (found == values_.end()) return Status::InvalidArgument("--" + name + " is required");
    return found->second.back();
  }
  Result<double> Number(const std::string& name, std::optional<double> fallback) const {
    if (!Has(name)) {
      if (fallback) return *fallback;
      return Status::InvalidArgument("--" + name + " is required");
    }
    const std::string& text = values_.at(name).back();
    size_t used = 0;
    double value = 0;
    try {
      value = std::stod(text, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used != text.size() || !std::isfinite(value) || value < 0) {
      return Status::InvalidArgument(
          fmt::format("--{}: not a non-negative number: '{}'", name, text));
    }
    return value;
  }
  Result<uint64_t> Count(const std::string& name, std::optional<uint64_t> fallback) const {
    std::optional<double> as_double;
    if (fallback) as_double = static_cast<double>(*fallback);
    ASSIGN_OR_RETURN(double value, Number(name, as_double));
    if (value != std::floor(value) || value > 9.0e18) {
      return Status::InvalidArgument(fmt::format("--{}: not a whole number: {}", name, value));
    }
    return static_cast<uint64_t>(value);
  }

 private:
  std::map<std::string, std::vector<std::string>> values_;
};

void Metric(std::string_view key, double value, std::string_view unit, int decimals = 0) {
  fmt::print("{} {:.{}f} {}\n", key, value, decimals, unit);
}

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

double MiB(uint64_t bytes) {
  return static_cast<double>(bytes) / (1024.0 * 1024.0);
}

Result<Workload> WorkloadFrom(const Arguments& arguments) {
  ASSIGN_OR_RETURN(double scale, arguments.Number("scale", std::nullopt));
  if (scale <= 0) return Status::InvalidArgument("--scale must be above 0");
  ASSIGN_OR_RETURN(uint64_t seed, arguments.Count("seed", kDefaultSeed));
  return Workload(seed, scale);
}

std::vector<std::string> TableNames() {
  std::vector<std::string> names;
  for (const TableSpec& table : Tables())
    names.emplace_back(table.name);
  return names;
}

// ------------------------------------------------------------------------------------------
Status Load(const Arguments& arguments) {
  ASSIGN_OR_RETURN(Workload workload, WorkloadFrom(arguments));
  ASSIGN_OR_RETURN(std::string database, arguments.Text("database"));
  ASSIGN_OR_RETURN(Endpoint endpoint, MariadbAdminFromEnvironment());
  ASSIGN_OR_RETURN(MariadbSession session, MariadbSession::Open(endpoint));
  // The initial data is not part of any replica stream: keep it out of the binlog.
  RETURN_IF_ERROR(
      session.Execute("SET sql_log_bin = 0, unique_checks = 0, foreign_key_checks = 0"));
  constexpr size_t kStatementBytes = 1 << 20;
  auto start = std::chrono::steady_clock::now();
  uint64_t total_rows = 0;
  for (const TableSpec& table : Tables()) {
    std::string prefix = fmt::format("INSERT INTO {}.{} (", MariadbIdentifier(database),
                                     MariadbIdentifier(table.name));
    for (size_t i = 0; i < table.columns.size(); ++i) {
      prefix += (i == 0 ? "" : ", ") + std::string(table.columns[i].name);
    }
    prefix += ") VALUES ";
    std::string sql;
    uint64_t rows = workload.InitialRows(table.id);
    for (uint64_t n = 0; n < rows; ++n) {
      sql += sql.empty() ? prefix + "(" : ", (";
      Row row = workload.MakeRow(table.id, table.first_id + n, 0);
      for (size_t i = 0; i < row.size(); ++i) {
        if (i > 0) sql += ", ";
        AppendMysqlLiteral(sql, table.columns[i].kind, row[i]);
      }
      sql += ')';
      if (sql.size() >= kStatementBytes || n + 1 == rows) {
        RETURN_IF_ERROR(session.Execute(sql));
        sql.clear();
      }
    }
    total_rows += rows;
  }
  double seconds = SecondsSince(start);
  Metric("rows", static_cast<double>(total_rows), "rows");
  Metric("seconds", seconds, "s", 3);
  Metric("rows_per_s", static_cast<double>(total_rows) / seconds, "rows/s");
  return Status::Ok();
}

// ------------------------------------------------------------------------------------------
Status Copy(const Arguments& arguments) {
  ASSIGN_OR_RETURN(std::string database, arguments.Text("database"));
  ASSIGN_OR_RETURN(std::string schema, arguments.Text("schema"));
  ASSIGN_OR_RETURN(Endpoint mariadb, MariadbAdminFromEnvironment());
  ASSIGN_OR_RETURN(Endpoint postgres, PostgresFromEnvironment());
  ASSIGN_OR_RETURN(MariadbSession source, MariadbSession::Open(mariadb));
  ASSIGN_OR_RETURN(PgSession target, PgSession::Open(postgres, "bench_e2e copy"));
  ASSIGN_OR_RETURN(CopyTotals totals, RawCopy(source, target, database, schema, TableNames()));
  Metric("rows", static_cast<double>(totals.rows), "rows");
  Metric("bytes", static_cast<double>(totals.bytes), "bytes");
  Metric("seconds", totals.seconds, "s", 3);
  Metric("rows_per_s", static_cast<double>(totals.rows) / totals.seconds, "rows/s");
  Metric("mib_per_s", MiB(totals.bytes) / totals.seconds, "MiB/s", 1);
  Metric("peak_rss_mib", static_cast<double>(PeakRssKib()) / 1024.0, "MiB", 1);
  return Status::Ok();
}

// ------------------------------------------------------------------------------------------
Status Changes(const Arguments& arguments) {
  ASSIGN_OR_RETURN(Workload workload, WorkloadFrom(arguments));
  ASSIGN_OR_RETURN(std::string sink_name, arguments.Text("sink"));
  ASSIGN_OR_RETURN(uint64_t from, arguments.Count("from", 0));
  ASSIGN_OR_RETURN(uint64_t to, arguments.Count("to", std::nullopt));
  ASSIGN_OR_RETURN(double rate, arguments.Number("rate", 0.0));
  ASSIGN_OR_RETURN(double lag_timeout_s, arguments.Number("lag-timeout-s", 120.0));
  ASSIGN_OR_RETURN(double max_seconds, arguments.Number("max-seconds", 0.0));
  bool markers = arguments.Has("markers");

  std::unique_ptr<ChangeSink> sink;
  std::optional<MariadbSession> binlog_session;  // SHOW MASTER STATUS before the end marker
  if (sink_name == "mariadb") {
    ASSIGN_OR_RETURN(std::string database, arguments.Text("database"));
    ASSIGN_OR_RETURN(Endpoint endpoint, MariadbAdminFromEnvironment());
    ASSIGN_OR_RETURN(MariadbSession session, MariadbSession::Open(endpoint));
    sink = MakeMariadbSink(std::move(session), workload, database);
    ASSIGN_OR_RETURN(binlog_session, MariadbSession::Open(endpoint));
  } else if (sink_name == "postgres") {
    ASSIGN_OR_RETURN(std::string schema, arguments.Text("schema"));
    ASSIGN_OR_RETURN(Endpoint endpoint, PostgresFromEnvironment());
    ASSIGN_OR_RETURN(PgSession session, PgSession::Open(endpoint, "bench_e2e changes"));
    ASSIGN_OR_RETURN(uint64_t batch_row_changes, arguments.Count("batch-row-changes", 0));
    ASSIGN_OR_RETURN(sink,
                     MakePgPipelineSink(std::move(session), workload, schema, batch_row_changes));
  } else {
    return Status::InvalidArgument("--sink must be mariadb or postgres, not " + sink_name);
  }

  std::unique_ptr<LagProbe> probe;
  int64_t run_start_us = WallMicros();
  if (arguments.Has("lag-schema")) {
    ASSIGN_OR_RETURN(std::string lag_schema, arguments.Text("lag-schema"));
    ASSIGN_OR_RETURN(Endpoint endpoint, PostgresFromEnvironment());
    ASSIGN_OR_RETURN(PgSession session, PgSession::Open(endpoint, "bench_e2e lag probe"));
    probe = std::make_unique<LagProbe>(std::move(session), lag_schema, run_start_us);
    probe->Start();
  }

  // Marker ids are send times in microseconds, kept strictly increasing.
  int64_t last_marker = run_start_us;
  auto write_marker = [&]() -> Status {
    RETURN_IF_ERROR(sink->Flush());
    int64_t now = WallMicros();
    last_marker = std::max(now, last_marker + 1);
    return sink->WriteMarker(last_marker, now);
  };

  ChangeStream stream(workload);
  // Transactions are numbered by the row changes before them, so every process that asks for
  // [from, to) applies exactly the same transactions.
  while (stream.counts().row_changes() < from)
    stream.Next();
  ChangeCounts before = stream.counts();
  auto start = std::chrono::steady_clock::now();
  double cpu_start = CpuSeconds();
  auto next_marker = start;
  while (stream.counts().row_changes() < to) {
    if (max_seconds > 0 && SecondsSince(start) >= max_seconds) break;
    uint64_t applied = stream.counts().row_changes() - before.row_changes();
    const Transaction& transaction = stream.Next();
    if (rate > 0) {
      auto due = start + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                             std::chrono::duration<double>(static_cast<double>(applied) / rate));
      if (due > std::chrono::steady_clock::now()) {
        RETURN_IF_ERROR(sink->Flush());  // what is sent must not wait for the next batch
        std::this_thread::sleep_until(due);
      }
    }
    RETURN_IF_ERROR(sink->Apply(transaction));
    if (markers && std::chrono::steady_clock::now() >= next_marker) {
      RETURN_IF_ERROR(write_marker());
      next_marker += std::chrono::milliseconds(kMarkerIntervalMs);
    }
  }
  // Where the binlog ends after the last change: every event of the end marker's transaction
  // lies past it, so a replica whose replayed position reaches it has applied every change.
  std::optional<BinlogPoint> changes_end;
  if (binlog_session) {
    RETURN_IF_ERROR(sink->Flush());
    ASSIGN_OR_RETURN(changes_end, MasterPosition(*binlog_session));
  }
  RETURN_IF_ERROR(write_marker());  // the end marker: a replica has caught up when it arrives
  double seconds = SecondsSince(start);
  double cpu_seconds = CpuSeconds() - cpu_start;

  ChangeCounts counts = stream.counts();
  uint64_t row_changes = counts.row_changes() - before.row_changes();
  Metric("transactions", static_cast<double>(counts.transactions - before.transactions), "txn");
  Metric("statements", static_cast<double>(counts.statements - before.statements), "stmt");
  Metric("row_changes", static_cast<double>(row_changes), "rows");
  Metric("inserts", static_cast<double>(counts.inserts - before.inserts), "rows");
  Metric("updates", static_cast<double>(counts.updates - before.updates), "rows");
  Metric("deletes", static_cast<double>(counts.deletes - before.deletes), "rows");
  Metric("seconds", seconds, "s", 3);
  Metric("row_changes_per_s", static_cast<double>(row_changes) / seconds, "rows/s");
  Metric("cpu_percent", 100.0 * cpu_seconds / seconds, "%", 1);
  Metric("peak_rss_mib", static_cast<double>(PeakRssKib()) / 1024.0, "MiB", 1);
  Metric("end_marker", static_cast<double>(last_marker), "id");
  // Where this run stopped: `--to` for a run that must apply exactly the same transactions.
  Metric("next_from", static_cast<double>(counts.row_changes()), "rows");
  if (changes_end) {
    Metric("binlog_file", static_cast<double>(changes_end->file_number), "number");
    Metric("binlog_position", static_cast<double>(changes_end->position), "bytes");
  }
  if (probe) {
    RETURN_IF_ERROR(probe->WaitFor(last_marker, static_cast<int64_t>(lag_timeout_s * 1000)));
    LagStats lag = probe->Stats();
    Metric("lag_samples", static_cast<double>(lag.samples), "markers");
    Metric("lag_p50_ms", lag.p50_ms, "ms", 1);
    Metric("lag_p99_ms", lag.p99_ms, "ms", 1);
    Metric("lag_max_ms", lag.max_ms, "ms", 1);
  }
  return Status::Ok();
}

// ------------------------------------------------------------------------------------------
Status WaitMarker(const Arguments& arguments) {
  ASSIGN_OR_RETURN(std::string schema, arguments.Text("schema"));
  ASSIGN_OR_RETURN(uint64_t min_id, arguments.Count("min-id", std::nullopt));
  ASSIGN_OR_RETURN(double timeout_s, arguments.Number("timeout-s", 600.0));
  ASSIGN_OR_RETURN(Endpoint endpoint, PostgresFromEnvironment());
  ASSIGN_OR_RETURN(PgSession session, PgSession::Open(endpoint, "bench_e2e wait-marker"));
  auto start = std::chrono::steady_clock::now();
  RETURN_IF_ERROR(WaitForMarker(session, schema, static_cast<int64_t>(min_id),
                                static_cast<int64_t>(timeout_s * 1000)));
  Metric("seconds", SecondsSince(start), "s", 3);
  return Status::Ok();
}

// ------------------------------------------------------------------------------------------
Status WaitReplayedCommand(const Arguments& arguments) {
  ASSIGN_OR_RETURN(std::string source, arguments.Text("source"));
  BinlogPoint target;
  ASSIGN_OR_RETURN(target.file_number, arguments.Count("binlog-file", std::nullopt));
  ASSIGN_OR_RETURN(target.position, arguments.Count("binlog-position", std::nullopt));
  ASSIGN_OR_RETURN(double timeout_s, arguments.Number("timeout-s", 600.0));
  ASSIGN_OR_RETURN(Endpoint endpoint, PostgresFromEnvironment());
  ASSIGN_OR_RETURN(PgSession session, PgSession::Open(endpoint, "bench_e2e wait-replayed"));
  auto start = std::chrono::steady_clock::now();
  RETURN_IF_ERROR(WaitReplayed(session, source, target, static_cast<int64_t>(timeout_s * 1000)));
  Metric("seconds", SecondsSince(start), "s", 3);
  return Status::Ok();
}

// One source transaction of --rows rows into bench_big; prints where the binlog ends after it
// and how many binlog bytes it took.
Status BigTransaction(const Arguments& arguments) {
  ASSIGN_OR_RETURN(std::string database, arguments.Text("database"));
  ASSIGN_OR_RETURN(uint64_t rows, arguments.Count("rows", std::nullopt));
  ASSIGN_OR_RETURN(uint64_t first_id, arguments.Count("first-id", 1));
  ASSIGN_OR_RETURN(Endpoint endpoint, MariadbAdminFromEnvironment());
  ASSIGN_OR_RETURN(MariadbSession session, MariadbSession::Open(endpoint));
  ASSIGN_OR_RETURN(BinlogPoint before, MasterPosition(session));
  auto start = std::chrono::steady_clock::now();
  RETURN_IF_ERROR(InsertBigTransaction(session, database, first_id, rows));
  double seconds = SecondsSince(start);
  ASSIGN_OR_RETURN(BinlogPoint after, MasterPosition(session));
  Metric("rows", static_cast<double>(rows), "rows");
  Metric("seconds", seconds, "s", 3);
  // Where the binlog ends after it: write a marker next, and wait for the replayed position
  // to reach this point (as for the change stream's end).
  Metric("binlog_file", static_cast<double>(after.file_number), "number");
  Metric("binlog_position", static_cast<double>(after.position), "bytes");
  if (after.file_number == before.file_number) {
    Metric("binlog_bytes", static_cast<double>(after.position - before.position), "bytes");
  }
  return Status::Ok();
}

Status BigCheck(const Arguments& arguments) {
  ASSIGN_OR_RETURN(std::string database, arguments.Text("database"));
  ASSIGN_OR_RETURN(std::string schema, arguments.Text("schema"));
  ASSIGN_OR_RETURN(Endpoint mariadb, MariadbAdminFromEnvironment());
  ASSIGN_OR_RETURN(Endpoint postgres, PostgresFromEnvironment());
  ASSIGN_OR_RETURN(MariadbSession source, MariadbSession::Open(mariadb));
  ASSIGN_OR_RETURN(PgSession target, PgSession::Open(postgres, "bench_e2e big-check"));
  ASSIGN_OR_RETURN(BigDigest expected, MariadbBigDigest(source, database));
  ASSIGN_OR_RETURN(BigDigest actual, PostgresBigDigest(target, schema));
  if (!(actual == expected)) {
    fmt::print(
        "check {}.bench_big MISMATCH rows source {} target {}, sums source {}:{} target {}:{}\n",
        schema, expected.rows, actual.rows, expected.id_sum, expected.payload_sum, actual.id_sum,
        actual.payload_sum);
    (void)std::fflush(stdout);
    return Status::FailedPrecondition("source and target differ in " + schema + ".bench_big");
  }
  fmt::print("check {}.bench_big ok rows {} sums {}:{}\n", schema, expected.rows, expected.id_sum,
             expected.payload_sum);
  return Status::Ok();
}

// ------------------------------------------------------------------------------------------
// The cost of one durable commit on this disk, the floor under every per-transaction figure:
// an 8 KiB write (a WAL page) plus fdatasync, repeated for about a second.
Status FsyncProbe(const Arguments& arguments) {
  ASSIGN_OR_RETURN(std::string directory, arguments.Text("dir"));
  std::string path = directory + "/fsync-probe.tmp";
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return Status::IoError("cannot create " + path);
  std::string page(8192, 'x');
  auto start = std::chrono::steady_clock::now();
  int operations = 0;
  Status status = Status::Ok();
  while (operations < 1000 && SecondsSince(start) < 1.0) {
    if (pwrite(fd, page.data(), page.size(), 0) != static_cast<ssize_t>(page.size()) ||
        fdatasync(fd) != 0) {
      status = Status::IoError("write or fdatasync failed on " + path);
      break;
    }
    ++operations;
  }
  double seconds = SecondsSince(start);
  close(fd);
  unlink(path.c_str());
  RETURN_IF_ERROR(status);
  Metric("fdatasync_us", seconds * 1e6 / operations, "us");
  return Status::Ok();
}

// ------------------------------------------------------------------------------------------
// Prints `check <schema>.<table> ok|MISMATCH|ERROR <detail>` per table; fails on any non-ok.
Status Check(const Arguments& arguments) {
  ASSIGN_OR_RETURN(std::string database, arguments.Text("database"));
  std::vector<std::string> schemas = arguments.All("schema");
  if (schemas.empty()) return Status::InvalidArgument("--schema is required");
  ASSIGN_OR_RETURN(Endpoint mariadb, MariadbAdminFromEnvironment());
  ASSIGN_OR_RETURN(Endpoint postgres, PostgresFromEnvironment());
  ASSIGN_OR_RETURN(MariadbSession source, MariadbSession::Open(mariadb));
  ASSIGN_OR_RETURN(PgSession target, PgSession::Open(postgres, "bench_e2e check"));
  std::vector<std::string> failed;
  for (const std::string& table : TableNames()) {
    ASSIGN_OR_RETURN(TableDigest expected, MariadbDigest(source, database, table));
    for (const std::string& schema : schemas) {
      std::string name = schema + "." + table;
      Result<TableDigest> actual = PostgresDigest(source, database, target, schema, table);
      if (!actual.ok()) {
        fmt::print("check {} ERROR {}\n", name, actual.status().message());
        failed.push_back(name);
      } else if (*actual == expected) {
        fmt::print("check {} ok rows {} checksum {}:{}\n", name, expected.rows, expected.sum_high,
                   expected.sum_low);
      } else {
        fmt::print(
            "check {} MISMATCH rows source {} target {}, checksum source {}:{} target {}:{}\n",
            name, expected.rows, actual->rows, expected.sum_high, expected.sum_low,
            actual->sum_high, actual->sum_low);
        failed.push_back(name);
      }
    }
  }
  (void)std::fflush(stdout);
  if (failed.empty()) return Status::Ok();
  std::string names;
  for (const std::string& name : failed)
    names += (names.empty() ? "" : ", ") + name;
  return Status::FailedPrecondition("source and target differ in " + names);
}

// ------------------------------------------------------------------------------------------
// Google Benchmark's JSON output to metric lines: items/s where the benchmark counts items,
// else bytes/s, else time per iteration; plus one line per user counter.
Status MicroResults(const Arguments& arguments) {
  ASSIGN_OR_RETURN(std::string path, arguments.Text("file"));
  ASSIGN_OR_RETURN(std::string prefix, arguments.Text("prefix"));
  std::ifstream file(path);
  if (!file) return Status::IoError("cannot read " + path);
  nlohmann::json document = nlohmann::json::parse(file, nullptr, false);
  if (document.is_discarded() || !document.contains("benchmarks")) {
    return Status::Corruption(path + ": not Google Benchmark JSON output");
  }
  for (const auto& benchmark : document["benchmarks"]) {
    if (benchmark.value("run_type", "iteration") == "aggregate") continue;
    std::string name = prefix + "." + benchmark.value("name", "?");
    for (char& c : name) {
      if (c == ' ' || c == '\t') c = '_';
    }
    if (benchmark.contains("items_per_second")) {
      Metric(name, benchmark["items_per_second"].get<double>(), "items/s");
    } else if (benchmark.contains("bytes_per_second")) {
      Metric(name, benchmark["bytes_per_second"].get<double>() / (1024.0 * 1024.0), "MiB/s", 1);
    } else {
      Metric(name, benchmark.value("real_time", 0.0),
             benchmark.value("time_unit", std::string("ns")) + "/op", 1);
    }
    // User counters (state.counters) come as extra numeric keys; their names carry the unit.
    static const std::set<std::string> kStandardKeys = {"name",
                                                        "family_index",
                                                        "per_family_instance_index",
                                                        "run_name",
                                                        "run_type",
                                                        "repetitions",
                                                        "repetition_index",
                                                        "threads",
                                                        "iterations",
                                                        "real_time",
                                                        "cpu_time",
                                                        "time_unit",
                                                        "bytes_per_second",
                                                        "items_per_second",
                                                        "label",
                                                        "error_occurred",
                                                        "error_message",
                                                        "aggregate_name",
                                                        "aggregate_unit"};
    for (const auto& [key, value] : benchmark.items()) {
      if (kStandardKeys.count(key) == 0 && value.is_number()) {
        Metric(name + "." + key, value.get<double>(), "counter", 2);
      }
    }
  }
  return Status::Ok();
}

// ------------------------------------------------------------------------------------------
std::vector<std::string> ReadLines(const std::string& path) {
  std::vector<std::string> lines;
  std::ifstream file(path);
  for (std::string line; std::getline(file, line);) {
    if (!line.empty()) lines.push_back(line);
  }
  return lines;
}

nlohmann::json NumberOrNull(const std::string& text) {
  try {
    size_t used = 0;
    double value = std::stod(text, &used);
    if (used == text.size()) return value;
  } catch (const std::exception&) {
  }
  return nullptr;
}

nlohmann::json Facts(const std::string& path) {
  nlohmann::json facts = nlohmann::json::object();
  for (const std::string& line : ReadLines(path)) {
    size_t equals = line.find('=');
    if (equals != std::string::npos) facts[line.substr(0, equals)] = line.substr(equals + 1);
  }
  return facts;
}

// results: TSV of name, value, unit, ratio, note. facts and run: key=value lines. check: the
// lines of `bench_e2e check` after a `check-stage <label>` line each, then `check passed` or
// `check FAILED ...`.
Status Report(const Arguments& arguments) {
  ASSIGN_OR_RETURN(std::string results_path, arguments.Text("results"));
  ASSIGN_OR_RETURN(std::string facts_path, arguments.Text("facts"));
  ASSIGN_OR_RETURN(std::string run_path, arguments.Text("run"));
  ASSIGN_OR_RETURN(std::string check_path, arguments.Text("check"));
  ASSIGN_OR_RETURN(std::string out_path, arguments.Text("out"));
  nlohmann::json report;
  report["machine"] = Facts(facts_path);
  report["run"] = Facts(run_path);
  nlohmann::json results = nlohmann::json::array();
  for (const std::string& line : ReadLines(results_path)) {
    std::vector<std::string> fields;
    size_t begin = 0;
    while (true) {
      size_t tab = line.find('\t', begin);
      fields.push_back(line.substr(begin, tab - begin));
      if (tab == std::string::npos) break;
      begin = tab + 1;
    }
    fields.resize(5);
    nlohmann::json result;
    result["name"] = fields[0];
    result["value"] = NumberOrNull(fields[1]);
    result["unit"] = fields[2];
    result["ratio_to_baseline"] = NumberOrNull(fields[3]);
    result["status"] = fields[1] == "SKIPPED" ? "skipped" : "measured";
    if (!fields[4].empty()) result["note"] = fields[4];
    results.push_back(result);
  }
  report["results"] = results;
  nlohmann::json tables = nlohmann::json::array();
  std::string check_status = "not run";
  std::string stage;
  for (const std::string& line : ReadLines(check_path)) {
    if (line.rfind("check-stage ", 0) == 0) {
      stage = line.substr(12);
      continue;
    }
    if (line.rfind("check ", 0) != 0) continue;
    std::string rest = line.substr(6);
    if (rest == "passed" || rest.rfind("FAILED", 0) == 0) {
      check_status = rest == "passed" ? "passed" : "failed";
      if (check_status == "failed") report["check_failure"] = rest;
      continue;
    }
    size_t space = rest.find(' ');
    size_t second = rest.find(' ', space + 1);
    nlohmann::json table;
    table["stage"] = stage;
    table["table"] = rest.substr(0, space);
    table["status"] = rest.substr(space + 1, second - space - 1);
    if (second != std::string::npos) table["detail"] = rest.substr(second + 1);
    tables.push_back(table);
  }
  report["check"] = {{"status", check_status}, {"tables", tables}};
  std::ofstream out(out_path);
  out << report.dump(2) << '\n';
  if (!out) return Status::IoError("cannot write " + out_path);
  return Status::Ok();
}

Status Dispatch(int argc, char** argv) {
  std::string command = argv[1];
  auto parse = [&](const std::set<std::string>& options, const std::set<std::string>& flags = {}) {
    return Arguments::Parse(argc, argv, options, flags);
  };
  if (command == "load") {
    ASSIGN_OR_RETURN(Arguments arguments, parse({"database", "scale", "seed"}));
    return Load(arguments);
  }
  if (command == "copy") {
    ASSIGN_OR_RETURN(Arguments arguments, parse({"database", "schema"}));
    return Copy(arguments);
  }
  if (command == "changes") {
    ASSIGN_OR_RETURN(Arguments arguments,
                     parse({"sink", "database", "schema", "scale", "seed", "from", "to", "rate",
                            "max-seconds", "batch-row-changes", "lag-schema", "lag-timeout-s"},
                           {"markers"}));
    return Changes(arguments);
  }
  if (command == "wait-marker") {
    ASSIGN_OR_RETURN(Arguments arguments, parse({"schema", "min-id", "timeout-s"}));
    return WaitMarker(arguments);
  }
  if (command == "wait-replayed") {
    ASSIGN_OR_RETURN(Arguments arguments,
                     parse({"source", "binlog-file", "binlog-position", "timeout-s"}));
    return WaitReplayedCommand(arguments);
  }
  if (command == "big-transaction") {
    ASSIGN_OR_RETURN(Arguments arguments, parse({"database", "rows", "first-id"}));
    return BigTransaction(arguments);
  }
  if (command == "big-check") {
    ASSIGN_OR_RETURN(Arguments arguments, parse({"database", "schema"}));
    return BigCheck(arguments);
  }
  if (command == "fsync-probe") {
    ASSIGN_OR_RETURN(Arguments arguments, parse({"dir"}));
    return FsyncProbe(arguments);
  }
  if (command == "check") {
    ASSIGN_OR_RETURN(Arguments arguments, parse({"database", "schema"}));
    return Check(arguments);
  }
  if (command == "micro-results") {
    ASSIGN_OR_RETURN(Arguments arguments, parse({"file", "prefix"}));
    return MicroResults(arguments);
  }
  if (command == "report") {
    ASSIGN_OR_RETURN(Arguments arguments, parse({"results", "facts", "run", "check", "out"}));
    return Report(arguments);
  }
  return Status::InvalidArgument("unknown command " + command);
}

}  // namespace
}  // namespace chameleon::bench

int main(int argc, char** argv) {
  if (argc < 2 || std::string(argv[1]) == "--help") {
    std::cerr << chameleon::bench::kUsage << '\n';
    return argc < 2 ? 2 : 0;
  }
  chameleon::Status status = chameleon::bench::Dispatch(argc, argv);
  (void)std::fflush(stdout);
  if (!status.ok()) {
    std::cerr << "bench_e2e " << argv[1] << ": " << status.message() << '\n';
    return status.code() == chameleon::StatusCode::kInvalidArgument ? 2 : 1;
  }
  return 0;
}
