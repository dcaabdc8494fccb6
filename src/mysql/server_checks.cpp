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

Result<ServerCheck> CheckReplicationPrerequisites(Connection& connection) {
  ServerCheck check;
  const std::string& server = connection.description();
  ASSIGN_OR_RETURN(auto log_bin, connection.Variable("log_bin"));
  // Aurora MySQL reports log_bin OFF yet streams a binlog (pg_chameleon 2.0.17 skips it too).
  auto aurora = connection.QueryValue("SELECT AURORA_VERSION()");
  if (!aurora.ok() && Upper(log_bin) != "ON") {
    check.problems.push_back(
        fmt::format("MySQL {}: log_bin is {}; start the server with --log-bin (binary logging on)",
                    server, log_bin.value_or("missing")));
  }
  ASSIGN_OR_RETURN(auto format, connection.Variable("binlog_format"));
  if (Upper(format) != "ROW") {
    check.problems.push_back(fmt::format(
        "MySQL {}: binlog_format is {}; set binlog_format=ROW (SET GLOBAL binlog_format='ROW' "
        "and in the server configuration)",
        server, format.value_or("missing")));
  }
  // MySQL 5.5 has no binlog_row_image: its row images are always full.
  ASSIGN_OR_RETURN(auto row_image, connection.Variable("binlog_row_image"));
  if (row_image && Upper(row_image) != "FULL") {
    check.problems.push_back(fmt::format(
        "MySQL {}: binlog_row_image is {}; set binlog_row_image=FULL so that updates and "
        "deletes carry every column",
        server, *row_image));
  }
  // MySQL 8.0.14+ and MariaDB 10.5+ can put column names in the binlog; without them the
  // reader must track table shapes from DDL alone.
  ASSIGN_OR_RETURN(auto row_metadata, connection.Variable("binlog_row_metadata"));
  if (row_metadata && Upper(row_metadata) != "FULL") {
    check.warnings.push_back(fmt::format(
        "MySQL {}: binlog_row_metadata is {}; FULL is recommended (column names and types in "
        "every table map event)",
        server, *row_metadata));
  }
  return check;
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
