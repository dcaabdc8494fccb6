// The MySQL/MariaDB settings a binlog replica needs (log_bin, binlog_format=ROW,
// binlog_row_image=FULL, ...), checked by add_source, init_replica and the reader.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"
#include "mysql/connection.h"

namespace chameleon::mysql {

struct ServerCheck {
  std::vector<std::string> problems;  // each one line: what is wrong and how to fix it
  std::vector<std::string> warnings;  // works, but not as well
};

// Reads the server variables and reports every unmet prerequisite at once.
Result<ServerCheck> CheckReplicationPrerequisites(Connection& connection);

// The origin schemas of `schemas` that do not exist on the server.
Result<std::vector<std::string>> MissingSchemas(Connection& connection,
                                                const std::vector<std::string>& schemas);

}  // namespace chameleon::mysql
