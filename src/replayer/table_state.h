// The replayer's view of sch_chameleon.t_replica_tables during one attempt at a batch: the
// rows apply through it and replayed DDL changes it (a created, renamed or dropped table).
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "event/binlog_position.h"

namespace chameleon::replayer {

struct TableState {
  std::vector<std::string> primary_key;
  std::optional<BinlogPosition> copy_position;  // events before it are skipped
  bool enabled = true;
  bool dropped = false;  // a DROP TABLE of this batch removed it
  // Its boolean columns in PostgreSQL: a type_override sent the MySQL integer there, which
  // the binlog's shapes (no display width, tinyint not tinyint(1)) cannot tell.
  std::set<std::string> boolean_columns;
};

// Keyed by TableKey(PostgreSQL schema, table).
using TableStates = std::map<std::string, TableState>;

inline std::string TableKey(const std::string& schema, const std::string& table) {
  return schema + '\n' + table;
}

}  // namespace chameleon::replayer
