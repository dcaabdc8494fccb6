// The parallel snapshot copy; see snapshot_copy.h.
#include "init/snapshot_copy.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>

#include "common/strings.h"
#include "translation/value_text.h"

namespace chameleon::init {
namespace {

using Clock = std::chrono::steady_clock;

constexpr uint64_t kMinChunkBytes = 64 * 1024;
constexpr uint64_t kMaxChunkBytes = 8 * 1024 * 1024;
constexpr auto kProgressEvery = std::chrono::seconds(5);

std::string Name(const translation::TableDefinition& table) {
  return table.origin_schema + "." + table.table;
}

Result<Coordinates> ReadCoordinates(mysql::Connection& control) {
  auto rows = control.Query("SHOW MASTER STATUS");
  if (!rows.ok()) rows = control.Query("SHOW BINARY LOG STATUS");  // MySQL 8.4 and later
  if (!rows.ok()) return rows.status();
  if (rows->empty()) {
    return Status::FailedPrecondition(
        "MySQL " + control.description() +
        " has no binary log (SHOW MASTER STATUS is empty); enable log_bin and restart it");
  }
  Coordinates coordinates;
  coordinates.binlog_name = rows->rows[0][0].value_or("");
  coordinates.binlog_position = std::stoll(rows->rows[0][1].value_or("0"));
  return coordinates;
}

class Worker {
 public:
  Worker(mysql::Connection source, pg::Connection target, uint64_t chunk_bytes)
      : source_(std::move(source)), target_(std::move(target)), chunk_bytes_(chunk_bytes) {}

  mysql::Connection& source() { return source_; }

  CopyOutcome Copy(const CopyJob& job) {
    CopyOutcome outcome;
    const auto& table = job.table->definition;
    auto started = Clock::now();
    outcome.status = CopyRows(job, &outcome.rows);
    if (outcome.status.ok() && job.build_keys) {
      outcome.status = BuildKeys(job, &outcome.skipped_indexes);
    }
    double seconds = std::chrono::duration<double>(Clock::now() - started).count();
    if (outcome.status.ok()) {
      spdlog::info("copied {}: {} rows in {:.1f} s ({:.0f} rows/s)", Name(table), outcome.rows,
                   seconds, seconds > 0 ? static_cast<double>(outcome.rows) / seconds : 0.0);
    } else {
      outcome.status = outcome.status.WithContext("table " + Name(table));
      spdlog::error("{}", outcome.status.message());
    }
    return outcome;
  }

 private:
  Status CopyRows(const CopyJob& job, int64_t* rows) {
    const auto& table = job.table->definition;
    std::vector<std::string> columns;
    for (const auto& column : table.columns)
      columns.push_back(pg::QuoteIdentifier(column.name));
    std::string copy_sql =
        fmt::format("COPY {}.{} ({}) FROM STDIN", pg::QuoteIdentifier(job.loading_schema),
                    pg::QuoteIdentifier(table.table), Join(columns, ", "));
    RETURN_IF_ERROR(target_.BeginCopy(copy_sql));
    buffer_.clear();
    auto last_progress = Clock::now();
    size_t count = table.columns.size();
    Status streamed = source_.Stream(SelectSql(table), [&](const mysql::RowView& row) -> Status {
      for (unsigned int column = 0; column < count; ++column) {
        if (column > 0) buffer_.push_back('\t');
        if (row.IsNull(column)) {
          translation::AppendCopyNull(&buffer_);
          continue;
        }
        Status rendered = translation::AppendCopyValue(
            table.types[column], table.columns[column].name, row.Bytes(column), &buffer_);
        if (!rendered.ok()) return rendered;
      }
      buffer_.push_back('\n');
      ++*rows;
      if (buffer_.size() >= chunk_bytes_) {
        RETURN_IF_ERROR(target_.PutCopyData(buffer_));
        buffer_.clear();
        if (Clock::now() - last_progress >= kProgressEvery) {
          last_progress = Clock::now();
          spdlog::info("copying {}: {} rows so far", Name(table), *rows);
        }
      }
      return Status::Ok();
    });
    return FinishCopy(target_, streamed, &buffer_);
  }

  Status BuildKeys(const CopyJob& job, std::vector<std::string>* skipped) {
    for (const auto& statement :
         translation::IndexStatements(job.table->definition, job.loading_schema, skipped)) {
      RETURN_IF_ERROR(target_.Execute(statement));
    }
    return Status::Ok();
  }

  mysql::Connection source_;
  pg::Connection target_;
  uint64_t chunk_bytes_;
  std::string buffer_;
};

}  // namespace

Status FinishCopy(pg::Connection& target, Status streamed, std::string* buffer) {
  if (streamed.ok() && !buffer->empty()) streamed = target.PutCopyData(*buffer);
  buffer->clear();
  buffer->shrink_to_fit();  // a worker's buffer is given back between tables
  if (!streamed.ok()) {
    (void)target.AbortCopy("chameleon: the source read failed");
    return streamed;
  }
  return target.EndCopy();
}

std::string SelectSql(const translation::TableDefinition& table) {
  std::vector<std::string> expressions;
  for (const auto& column : table.columns) {
    std::string quoted = mysql::QuoteIdentifier(column.name);
    // FLOAT's text form has 6 digits; its exact double converts back to the same real.
    if (ToLower(column.data_type) == "float") quoted = "CAST(" + quoted + " AS DOUBLE)";
    expressions.push_back(quoted);
  }
  return fmt::format("SELECT {} FROM {}.{}", Join(expressions, ", "),
                     mysql::QuoteIdentifier(table.origin_schema),
                     mysql::QuoteIdentifier(table.table));
}

Result<Coordinates> CopyTables(const CopyOptions& options, const std::vector<CopyJob>& jobs,
                               std::vector<CopyOutcome>* outcomes) {
  outcomes->assign(jobs.size(), CopyOutcome{});
  int worker_count = std::max(1, std::min<int>(options.workers, static_cast<int>(jobs.size())));
  uint64_t chunk = options.max_memory_bytes / static_cast<uint64_t>(worker_count);
  chunk = std::clamp(chunk, kMinChunkBytes, kMaxChunkBytes);

  std::vector<std::unique_ptr<Worker>> workers;
  for (int index = 0; index < worker_count; ++index) {
    ASSIGN_OR_RETURN(mysql::Connection source, options.connect_source());
    ASSIGN_OR_RETURN(pg::Connection target, options.connect_target());
    workers.push_back(std::make_unique<Worker>(std::move(source), std::move(target), chunk));
  }
  // The snapshot: writes stop only while every worker opens its transaction and the
  // coordinates are read, so all workers see the same data at the same binlog position.
  ASSIGN_OR_RETURN(mysql::Connection control, options.connect_source());
  Status locked = control.Execute("FLUSH TABLES WITH READ LOCK");
  if (!locked.ok()) {
    return locked.WithContext(
        "cannot take the snapshot lock (the source user needs the RELOAD privilege)");
  }
  Coordinates coordinates;
  Status snapshot = [&]() -> Status {
    for (auto& worker : workers) {
      RETURN_IF_ERROR(
          worker->source().Execute("SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ"));
      RETURN_IF_ERROR(
          worker->source().Execute("START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY"));
    }
    ASSIGN_OR_RETURN(coordinates, ReadCoordinates(control));
    return Status::Ok();
  }();
  Status unlocked = control.Execute("UNLOCK TABLES");
  RETURN_IF_ERROR(snapshot);
  RETURN_IF_ERROR(unlocked);
  spdlog::info("snapshot taken at {}:{}; copying {} tables with {} workers",
               coordinates.binlog_name, coordinates.binlog_position, jobs.size(), worker_count);

  // The biggest tables start first so the last worker does not finish long after the rest.
  std::vector<size_t> order(jobs.size());
  for (size_t index = 0; index < order.size(); ++index)
    order[index] = index;
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return jobs[a].table->estimated_bytes > jobs[b].table->estimated_bytes;
  });
  std::atomic<size_t> next{0};
  std::atomic<size_t> done{0};
  std::vector<std::thread> threads;
  for (auto& worker : workers) {
    threads.emplace_back([&, raw = worker.get()]() {
      for (size_t slot = next++; slot < order.size(); slot = next++) {
        (*outcomes)[order[slot]] = raw->Copy(jobs[order[slot]]);
        spdlog::info("{}/{} tables done", ++done, jobs.size());
      }
    });
  }
  for (auto& thread : threads)
    thread.join();
  return coordinates;
}

}  // namespace chameleon::init
