// Replication prerequisites of a MySQL/MariaDB source; see server_checks.h.
#include "mysql/server_checks.h"

#include <fmt/format.h>

#include <cctype>

#include "common/strings.h"

namespace chameleon::mysql {
namespace {

std::string Upper(const std::optional<std::string>& value) {
  std::string text = value.value_or("");
  for (char& c : text)
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return text;
}

}  // namespace

ServerCheck EvaluatePrerequisites(const ServerVariables& variables, const std::string& server) {
  ServerCheck check;
  // Aurora MySQL reports log_bin OFF yet streams a binlog (pg_chameleon 2.0.17 skips it too).
  if (!variables.is_aurora && Upper(variables.log_bin) != "ON") {
    check.problems.push_back(
        fmt::format("MySQL {}: log_bin is {}; start the server with --log-bin (binary logging on)",
                    server, variables.log_bin.value_or("missing")));
  }
  if (Upper(variables.binlog_format) != "ROW") {
    check.problems.push_back(fmt::format(
        "MySQL {}: binlog_format is {}; set binlog_format=ROW (SET GLOBAL binlog_format='ROW' "
        "and in the server configuration)",
        server, variables.binlog_format.value_or("missing")));
  }
  // MySQL 5.5 has no binlog_row_image: its row images are always full.
  if (variables.binlog_row_image && Upper(variables.binlog_row_image) != "FULL") {
    check.problems.push_back(fmt::format(
        "MySQL {}: binlog_row_image is {}; set binlog_row_image=FULL so that updates and "
        "deletes carry every column",
        server, *variables.binlog_row_image));
  }
  // MySQL 8.0.14+ and MariaDB 10.5+ can put column names in the binlog; without them the
  // reader must track table shapes from DDL alone.
  if (variables.binlog_row_metadata && Upper(variables.binlog_row_metadata) != "FULL") {
    check.warnings.push_back(fmt::format(
        "MySQL {}: binlog_row_metadata is {}; FULL is recommended (column names and types in "
        "every table map event)",
        server, *variables.binlog_row_metadata));
  }
  return check;
}

Result<ServerCheck> CheckReplicationPrerequisites(Connection& connection) {
  ServerVariables variables;
  ASSIGN_OR_RETURN(variables.log_bin, connection.Variable("log_bin"));
  ASSIGN_OR_RETURN(variables.binlog_format, connection.Variable("binlog_format"));
  ASSIGN_OR_RETURN(variables.binlog_row_image, connection.Variable("binlog_row_image"));
  ASSIGN_OR_RETURN(variables.binlog_row_metadata, connection.Variable("binlog_row_metadata"));
  // Only Aurora has AURORA_VERSION(); elsewhere the call fails, which is the answer.
  variables.is_aurora = connection.QueryValue("SELECT AURORA_VERSION()").ok();
  return EvaluatePrerequisites(variables, connection.description());
}

Result<std::vector<std::string>> MissingSchemas(Connection& connection,
                                                const std::vector<std::string>& schemas) {
  ASSIGN_OR_RETURN(Rows rows,
                   connection.Query("SELECT schema_name FROM information_schema.schemata"));
  std::vector<std::string> missing;
  for (const auto& schema : schemas) {
    bool found = false;
    for (const auto& row : rows.rows)
      found = found || (row[0] && *row[0] == schema);
    if (!found) missing.push_back(schema);
  }
  return missing;
}

}  // namespace chameleon::mysql
