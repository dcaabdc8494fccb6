// The parallel snapshot copy; see snapshot_copy.h.
#include "init/snapshot_copy.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <thread>

#include "common/strings.h"
#include "init/copy_progress.h"
#include "init/key_ranges.h"
#include "translation/value_text.h"

namespace chameleon::init {
namespace {

constexpr uint64_t kMinChunkBytes = uint64_t{64} * 1024;
constexpr uint64_t kMaxChunkBytes = uint64_t{8} * 1024 * 1024;

std::string Name(const translation::TableDefinition& table) {
  return table.origin_schema + "." + table.table;
}

std::string RangeText(const KeyRange& range) {
  return fmt::format("[{}, {})", range.from.value_or("min"), range.to.value_or("max"));
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

// One piece of work: a table, or one key range of a split table.
struct WorkItem {
  size_t job = 0;
  KeyRange range;
  int64_t estimated_bytes = 0;
};

// A job while its ranges are copied: the worker that finishes its last range builds its
// keys and ends it.
struct JobRun {
  std::mutex mutex;
  int remaining = 0;
  CopyOutcome outcome;
};

class Worker {
 public:
  Worker(mysql::Connection source, pg::Connection target, uint64_t chunk_bytes,
         CopyProgress* progress)
      : source_(std::move(source)),
        target_(std::move(target)),
        chunk_bytes_(chunk_bytes),
        progress_(progress) {}

  mysql::Connection& source() { return source_; }

  // Copies `item`; when it was the job's last range, builds the keys and ends the job.
  void Copy(const CopyJob& job, const WorkItem& item, JobRun& run) {
    const auto& table = job.table->definition;
    Status copied = Status::Ok();
    bool skip = false;
    {
      std::lock_guard lock(run.mutex);
      skip = !run.outcome.status.ok();  // another range of it failed: the table is lost
    }
    int64_t rows = 0;
    if (!skip) {
      progress_->TableStarted(item.job);
      spdlog::debug("copying {} keys {}", Name(table), RangeText(item.range));
      copied = CopyRows(job, item, &rows);
    }
    bool last = false;
    {
      std::lock_guard lock(run.mutex);
      run.outcome.rows += rows;
      if (!copied.ok() && run.outcome.status.ok()) {
        std::string where = run.outcome.ranges > 1
                                ? "table " + Name(table) + " keys " + RangeText(item.range)
                                : "table " + Name(table);
        run.outcome.status = copied.WithContext(where);
      }
      last = --run.remaining == 0;
    }
    if (!last) return;
    if (run.outcome.status.ok() && job.build_keys) {
      run.outcome.status = BuildKeys(job, &run.outcome.skipped_indexes)
                               .WithContext("table " + Name(table) + ": building its keys");
    }
    if (!run.outcome.status.ok()) spdlog::error("{}", run.outcome.status.message());
    progress_->TableDone(item.job, run.outcome.status.ok());
  }

 private:
  Status CopyRows(const CopyJob& job, const WorkItem& item, int64_t* rows) {
    const auto& table = job.table->definition;
    std::vector<std::string> columns;
    for (const auto& column : table.columns)
      columns.push_back(pg::QuoteIdentifier(column.name));
    std::string copy_sql =
        fmt::format("COPY {}.{} ({}) FROM STDIN", pg::QuoteIdentifier(job.loading_schema),
                    pg::QuoteIdentifier(table.table), Join(columns, ", "));
    RETURN_IF_ERROR(target_.BeginCopy(copy_sql));
    buffer_.clear();
    int64_t reported = 0;
    auto report = [&]() {
      progress_->AddRows(item.job, *rows - reported, static_cast<int64_t>(buffer_.size()));
      reported = *rows;
    };
    size_t count = table.columns.size();
    std::string select = SelectSql(table) + RangeCondition(table, item.range);
    Status streamed = source_.Stream(select, [&](const mysql::RowView& row) -> Status {
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
        report();
        buffer_.clear();
      }
      return Status::Ok();
    });
    if (streamed.ok()) report();
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
  CopyProgress* progress_;
  std::string buffer_;
};

// The work of every job: its ranges (read over `planner`, inside its snapshot), biggest
// pieces first so that the last worker does not finish long after the others.
std::vector<WorkItem> PlanWork(mysql::Connection& planner, const std::vector<CopyJob>& jobs,
                               const std::vector<int>& planned, std::vector<JobRun>* runs) {
  std::vector<WorkItem> items;
  for (size_t index = 0; index < jobs.size(); ++index) {
    const SourceTable& table = *jobs[index].table;
    std::vector<KeyRange> ranges{KeyRange{}};
    if (planned[index] > 1) {
      auto read = ReadKeyRanges(planner, table.definition, planned[index]);
      if (read.ok()) {
        ranges = std::move(*read);
      } else {
        spdlog::warn("table {}: cannot read its key bounds, copied whole: {}",
                     Name(table.definition), read.status().message());
      }
    }
    if (ranges.size() > 1) {
      spdlog::info("table {}: about {} rows, copied in {} key ranges", Name(table.definition),
                   table.estimated_rows, ranges.size());
    }
    (*runs)[index].remaining = static_cast<int>(ranges.size());
    (*runs)[index].outcome.ranges = static_cast<int>(ranges.size());
    int64_t share = table.estimated_bytes / static_cast<int64_t>(ranges.size());
    for (auto& range : ranges)
      items.push_back({index, std::move(range), share});
  }
  std::stable_sort(items.begin(), items.end(), [](const WorkItem& a, const WorkItem& b) {
    return a.estimated_bytes > b.estimated_bytes;
  });
  return items;
}

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
  // How many pieces each table is copied in, from information_schema's estimates (one
  // worker gains nothing from splitting).
  uint64_t split_rows = options.workers > 1 ? options.split_rows : 0;
  std::vector<int> planned;
  int pieces = 0;
  for (const auto& job : jobs) {
    planned.push_back(PlannedRanges(job.table->definition, job.table->estimated_rows, split_rows));
    pieces += planned.back();
  }
  int worker_count = std::max(1, std::min(options.workers, pieces));
  uint64_t chunk = options.max_memory_bytes / static_cast<uint64_t>(worker_count);
  chunk = std::clamp(chunk, kMinChunkBytes, kMaxChunkBytes);

  CopyProgress progress(CopyProgress::DetectOutput(), options.progress_every);
  for (const auto& job : jobs)
    progress.AddTable(Name(job.table->definition), job.table->estimated_rows);
  std::vector<std::unique_ptr<Worker>> workers;
  for (int index = 0; index < worker_count; ++index) {
    ASSIGN_OR_RETURN(mysql::Connection source, options.connect_source());
    ASSIGN_OR_RETURN(pg::Connection target, options.connect_target());
    workers.push_back(
        std::make_unique<Worker>(std::move(source), std::move(target), chunk, &progress));
  }
  // The snapshot. FLUSH TABLES WITH READ LOCK stops every write while each worker opens a
  // REPEATABLE READ transaction WITH CONSISTENT SNAPSHOT and the binlog coordinates are
  // read: nothing commits in between, so every worker's snapshot is the same one, exactly
  // at those coordinates. The ranges of a split table are read by different workers, each
  // inside its own transaction, so together they are that table at those coordinates too;
  // a write committed after UNLOCK TABLES is invisible to every worker and reaches the
  // replica only through the binlog from the coordinates on. (MariaDB's
  // binlog_snapshot_file/position would date one connection's snapshot without the lock,
  // but cannot make several connections' snapshots the same.)
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

  // The key bounds are read inside the first worker's snapshot, so they are the bounds of
  // the rows being copied (the ranges are open at both ends anyway: no key is missed).
  std::vector<JobRun> runs(jobs.size());
  std::vector<WorkItem> items = PlanWork(workers[0]->source(), jobs, planned, &runs);
  if (options.after_snapshot) options.after_snapshot(coordinates);

  progress.Start();
  std::atomic<size_t> next{0};
  std::vector<std::thread> threads;
  threads.reserve(workers.size());
  for (auto& worker : workers) {
    threads.emplace_back([&, raw = worker.get()]() {
      for (size_t slot = next++; slot < items.size(); slot = next++) {
        const WorkItem& item = items[slot];
        raw->Copy(jobs[item.job], item, runs[item.job]);
      }
    });
  }
  for (auto& thread : threads)
    thread.join();
  progress.Stop();
  for (size_t index = 0; index < jobs.size(); ++index)
    (*outcomes)[index] = std::move(runs[index].outcome);
  return coordinates;
}

}  // namespace chameleon::init
