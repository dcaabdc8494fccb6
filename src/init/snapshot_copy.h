// The parallel copy: one consistent snapshot shared by `copy_workers` MySQL connections,
// each streaming whole tables (mysql_use_result) into PostgreSQL COPY, then building keys.
#pragma once

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
  std::vector<std::string> skipped_indexes;  // indexes PostgreSQL cannot build
};

struct CopyOptions {
  int workers = 1;
  uint64_t max_memory_bytes = 0;  // copy_max_memory: all workers' buffers together
  std::function<Result<mysql::Connection>()> connect_source;
  std::function<Result<pg::Connection>()> connect_target;
};

// Takes the snapshot (FLUSH TABLES WITH READ LOCK only while the workers start their
// transactions and the coordinates are read), copies every job, and returns the
// coordinates. `outcomes` gets one entry per job, in job order. The Status is a failure to
// take the snapshot or to connect; a table's failure is only in its outcome.
Result<Coordinates> CopyTables(const CopyOptions& options, const std::vector<CopyJob>& jobs,
                               std::vector<CopyOutcome>* outcomes);

// Ends a COPY FROM STDIN fed from a source: sends what `*buffer` still holds and ends it,
// or aborts it (the server rolls it back) when `streamed` reports a failed read.
Status FinishCopy(pg::Connection& target, Status streamed, std::string* buffer);

// The SELECT that reads a table for the copy (exact text for every type).
std::string SelectSql(const translation::TableDefinition& table);

}  // namespace chameleon::init
