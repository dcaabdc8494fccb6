// A whole copy from a MySQL source, as init_replica, refresh_schema and sync_tables run it:
// read the tables, create them in loading schemas, copy them from one snapshot, swap each
// finished table into its destination schema and record it in the catalogue.
#pragma once

#include <cstdint>
#include <functional>
#include <set>
#include <string>
#include <vector>

#include "catalogue/tables.h"
#include "common/status.h"
#include "config/config.h"
#include "init/snapshot_copy.h"
#include "mysql/connection.h"
#include "pg/connection.h"

namespace chameleon::init {

enum class CopyScope {
  kAllSchemas,  // init_replica: every mapped schema; catalogue rows of the source replaced
  kOneSchema,   // refresh_schema: `origin_schemas` holds the one schema
  kTables,      // sync_tables: `only` lists schema.table
  kStructure,   // copy_schema: the tables without data, not recorded in the catalogue
};

struct CopyRequest {
  const config::Config* config = nullptr;
  const config::Source* source = nullptr;
  int64_t source_id = 0;
  CopyScope scope = CopyScope::kAllSchemas;
  std::vector<std::string> origin_schemas;  // MySQL schemas to read
  std::vector<std::string> only;            // kTables: "schema.table" (MySQL names)
  std::function<Result<mysql::Connection>()> connect_source;
  std::function<Result<pg::Connection>()> connect_target;
  std::function<Result<pg::Connection>()> connect_pgsql_source;  // type: pgsql sources
};

struct CopySummary {
  Coordinates coordinates;
  int tables_copied = 0;
  int64_t rows_copied = 0;
  std::vector<std::string> failures;        // one line per table that did not make it
  std::vector<std::string> not_replicated;  // schema.table without a primary key
  bool consistent = true;                   // false: a pgsql copy from a hot standby
};

// The copy options of `request`'s source (copy_workers, copy_max_memory, copy_split_rows).
CopyOptions CopyOptionsFor(const CopyRequest& request);

// Runs the copy. The Status is a failure of the whole copy (nothing swapped in); a table's
// failure leaves that table out (recorded as not replicated, with the reason) and is
// listed in the summary while the other tables complete.
Result<CopySummary> RunMysqlCopy(const CopyRequest& request);

// Moves one loaded table (and its enum types) from `loading` into its destination schema,
// replacing the table of the same name (views on it are re-created), in one transaction
// with its catalogue row (none for copy_schema).
Status SwapIn(pg::Connection& connection, const CopyRequest& request, const SourceTable& table,
              const std::string& loading, const catalogue::ReplicaTable& record);

// The catalogue row of a table copied at `summary->coordinates`; a table without a primary
// key is recorded not replicated and listed in `summary->not_replicated`.
catalogue::ReplicaTable CopiedRecord(const SourceTable& table, CopySummary* summary);
// The catalogue row of a table whose copy failed: out of the replica, with the reason.
catalogue::ReplicaTable FailedRecord(const SourceTable& table, const std::string& reason);

// The loading schema chameleon owns for `destination`: created and dropped by each copy.
std::string LoadingSchema(const std::string& destination);

// Creates the loading schema of each destination afresh (one left by a killed copy is
// dropped first), and the destination schema when it does not exist.
Status CreateLoadingSchemas(pg::Connection& connection, const std::set<std::string>& destinations);
// Drops them; a failure is only logged (the next copy drops them anyway).
void DropLoadingSchemas(pg::Connection& connection, const std::set<std::string>& destinations);

}  // namespace chameleon::init
