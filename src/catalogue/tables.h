// Replicated tables in the catalogue (sch_chameleon.t_replica_tables): what init_replica
// and sync_tables copied, the binlog coordinates each copy is consistent with, and whether
// the replica applies changes to it (and why not).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "pg/connection.h"

namespace chameleon::catalogue {

// en_src_status values the copy commands move through.
inline constexpr const char* kStatusInitialising = "initialising";
inline constexpr const char* kStatusInitialised = "initialised";
inline constexpr const char* kStatusSyncing = "syncing";
inline constexpr const char* kStatusSynced = "synced";

struct ReplicaTable {
  std::string schema;  // PostgreSQL destination schema
  std::string table;
  std::vector<std::string> primary_key;  // empty: not replicated
  std::optional<std::string> binlog_name;
  std::optional<int64_t> binlog_position;
  bool enabled = true;
  std::string disabled_reason;  // "" when enabled
};

// Inserts or replaces the row of (source, schema, table).
Status SaveTable(pg::Connection& connection, int64_t source_id, const ReplicaTable& table);

// Removes the rows of `source_id` (all of them when `schema` is empty, else that schema's).
Status DeleteTables(pg::Connection& connection, int64_t source_id, const std::string& schema);

Result<std::vector<ReplicaTable>> ListTables(pg::Connection& connection, int64_t source_id);

// Replayed DDL (src/replayer/ddl_replay.h) keeps the rows in step with the tables:
// DROP TABLE forgets one, RENAME moves it, a primary key change rewrites its key (an empty
// key takes the table out of the replica with `disabled_reason`).
Status DeleteTable(pg::Connection& connection, int64_t source_id, const std::string& schema,
                   const std::string& table);
Status RenameTable(pg::Connection& connection, int64_t source_id, const std::string& schema,
                   const std::string& table, const std::string& new_schema,
                   const std::string& new_table);
Status SetTablePrimaryKey(pg::Connection& connection, int64_t source_id, const std::string& schema,
                          const std::string& table, const std::vector<std::string>& primary_key,
                          const std::string& disabled_reason);

// The source's coordinates after a copy: where its replica starts reading.
Status SetSourceCoordinates(pg::Connection& connection, int64_t source_id,
                            const std::optional<std::string>& binlog_name,
                            const std::optional<int64_t>& binlog_position, bool consistent);

struct SourceCoordinates {
  std::optional<std::string> binlog_name;
  std::optional<int64_t> binlog_position;
};

// What SetSourceCoordinates stored: where a new replica starts reading.
Result<SourceCoordinates> GetSourceCoordinates(pg::Connection& connection, int64_t source_id);

}  // namespace chameleon::catalogue
