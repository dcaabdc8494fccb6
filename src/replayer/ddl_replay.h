// Replays one MySQL DDL statement of the spool on PostgreSQL, inside the batch's transaction:
// CREATE TABLE [LIKE], ALTER TABLE (column, index, key and rename clauses), RENAME, DROP and
// TRUNCATE TABLE, CREATE/DROP INDEX — translated with init_replica's type map and naming,
// with the catalogue (t_replica_tables) kept in step. docs/replica.md lists what is skipped.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"
#include "event/change_event.h"
#include "pg/connection.h"
#include "replayer/replayer.h"
#include "replayer/table_state.h"

namespace chameleon::replayer {

struct DdlResult {
  int64_t applied = 0;  // tables the statement changed
  int64_t skipped = 0;  // tables it names that the replica does not follow (or not yet)
  // On failure: true when the statement has no PostgreSQL form (or names what is not
  // there); false when PostgreSQL refused it (`sqlstate`, `failed_sql`).
  bool untranslatable = false;
  std::string sqlstate;
  std::string failed_sql;
  std::string pg_schema;  // the first table the statement is about, for t_error_log
  std::string pg_table;
  // Parts left out while the rest applied (e.g. a table renamed into a replicated schema
  // whose rows were never copied): each is recorded in t_error_log.
  std::vector<std::string> notes;
  // MySQL (schema, table) whose cached row appliers no longer fit the table.
  std::vector<std::pair<std::string, std::string>> stale;
};

// Applies `event` (Operation::kDdl) on `connection`, which is inside the batch transaction;
// the statement applies whole or not at all (a savepoint). `tables` is the attempt's view of
// the catalogue, changed only when the statement applies. `where` names the event in logs.
Status ReplayDdl(pg::Connection& connection, const ReplayerOptions& options, spdlog::logger& log,
                 const std::string& where, const ChangeEvent& event, TableStates* tables,
                 DdlResult* result);

}  // namespace chameleon::replayer
