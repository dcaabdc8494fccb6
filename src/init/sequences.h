// Sequences after a copy: detach_replica hands the destination schemas over to their own
// writers, so every identity and serial sequence must start past the copied keys.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"
#include "pg/connection.h"

namespace chameleon::init {

struct SequenceReset {
  std::string sequence;  // qualified and quoted
  std::string column;    // schema.table.column it belongs to, for messages
  std::string next_value;
};

// Sets every sequence owned by a column of `schemas` (identity columns, serial columns) so
// that its next value is max(column) + 1 (or its start on an empty table). Sequences that
// nothing owns are left alone: chameleon never creates them.
Result<std::vector<SequenceReset>> ResetSequences(pg::Connection& connection,
                                                  const std::vector<std::string>& schemas);

}  // namespace chameleon::init
