// The parallel copy: one consistent snapshot shared by `copy_workers` MySQL connections,
// each streaming whole tables or primary-key ranges of big ones (mysql_use_result) into
// PostgreSQL COPY; a table's keys are built once all its rows have landed.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "common/status.h"
#include "init/source_tables.h"
#include "mysql/connection.h"
#include "pg/connection.h"

namespace chameleon::init {

// The binlog coordinates the snapshot is consistent with.
struct Coordinates {
  std::string binlog_name;
  int64_t binlog_position = 0;
};

// One table to copy into `loading_schema` (already created there, without keys).
struct CopyJob {
  const SourceTable* table = nullptr;
  std::string loading_schema;  // with keep_existing_schema: the destination schema itself
  bool build_keys = true;      // false: the caller puts the table's own keys back
};

struct CopyOutcome {
  Status status;  // this table's failure; the other tables go on
  int64_t rows = 0;
  int ranges = 1;                            // primary-key ranges it was copied in
  std::vector<std::string> skipped_indexes;  // indexes PostgreSQL cannot build
};

struct CopyOptions {
  int workers = 1;
  uint64_t max_memory_bytes = 0;  // copy_max_memory: all workers' buffers together
  uint64_t split_rows = 0;        // copy_split_rows: bigger tables go in key ranges; 0 never
  std::chrono::milliseconds progress_every{5000};  // progress log lines, off a terminal
  std::function<Result<mysql::Connection>()> connect_source;
  std::function<Result<pg::Connection>()> connect_target;
  // Called once the snapshot is taken and its lock released, before any row is read (tests
  // write to the source there: such writes must reach the replica only through the binlog).
  std::function<void(const Coordinates&)> after_snapshot;
};

// Takes the snapshot (FLUSH TABLES WITH READ LOCK only while the workers start their
// transactions and the coordinates are read), copies every job (a table with more than
// `split_rows` estimated rows and a single integer primary key in ranges that several
// workers copy at once), and returns the coordinates. `outcomes` gets one entry per job, in job
// order. The Status is a failure to take the snapshot or to connect; a table's failure is only in
// its outcome.
Result<Coordinates> CopyTables(const CopyOptions& options, const std::vector<CopyJob>& jobs,
                               std::vector<CopyOutcome>* outcomes);

// Ends a COPY FROM STDIN fed from a source: sends what `*buffer` still holds and ends it,
// or aborts it (the server rolls it back) when `streamed` reports a failed read.
Status FinishCopy(pg::Connection& target, Status streamed, std::string* buffer);

// The SELECT that reads a table for the copy (exact text for every type).
std::string SelectSql(const translation::TableDefinition& table);

}  // namespace chameleon::init
