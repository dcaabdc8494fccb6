// The MySQL/MariaDB settings a binlog replica needs (log_bin, binlog_format=ROW,
// binlog_row_image=FULL, ...), checked by add_source, init_replica and the reader.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "mysql/connection.h"

namespace chameleon::mysql {

struct ServerCheck {
  std::vector<std::string> problems;  // each one line: what is wrong and how to fix it
  std::vector<std::string> warnings;  // works, but not as well
};

// The variables the check reads; nullopt when the server does not have the variable.
struct ServerVariables {
  std::optional<std::string> log_bin;
  std::optional<std::string> binlog_format;
  std::optional<std::string> binlog_row_image;     // absent on MySQL 5.5
  std::optional<std::string> binlog_row_metadata;  // absent before MySQL 8.0.14 / MariaDB 10.5
  bool is_aurora = false;                          // AURORA_VERSION() works
};

// Every unmet prerequisite at once; `server` names the server in the messages. Pure.
ServerCheck EvaluatePrerequisites(const ServerVariables& variables, const std::string& server);

// Reads the server variables and evaluates them.
Result<ServerCheck> CheckReplicationPrerequisites(Connection& connection);

// The origin schemas of `schemas` that do not exist on the server.
Result<std::vector<std::string>> MissingSchemas(Connection& connection,
                                                const std::vector<std::string>& schemas);

}  // namespace chameleon::mysql
