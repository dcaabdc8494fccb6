// The replayer's view of sch_chameleon.t_replica_tables during one attempt at a batch: the
// rows apply through it and replayed DDL changes it (a created, renamed or dropped table).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "event/binlog_position.h"

namespace chameleon::replayer {

struct TableState {
  std::vector<std::string> primary_key;
  std::optional<BinlogPosition> copy_position;  // events before it are skipped
  bool enabled = true;
  bool dropped = false;  // a DROP TABLE of this batch removed it
};

// Keyed by TableKey(PostgreSQL schema, table).
using TableStates = std::map<std::string, TableState>;

inline std::string TableKey(const std::string& schema, const std::string& table) {
  return schema + '\n' + table;
}

}  // namespace chameleon::replayer
