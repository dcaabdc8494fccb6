// Spool maintenance records; see maintenance.h.
#include "catalogue/maintenance.h"

#include <fmt/format.h>

namespace chameleon::catalogue {

Status RecordMaintenance(pg::Connection& connection, const std::string& source) {
  ASSIGN_OR_RETURN(pg::Rows updated,
                   connection.Query("UPDATE sch_chameleon.t_sources SET ts_last_maintenance = "
                                    "clock_timestamp()::timestamp WHERE t_source = $1 RETURNING 1",
                                    {source}));
  if (updated.empty()) {
    return Status::NotFound(fmt::format("source {} is not registered in sch_chameleon", source));
  }
  // Outside a transaction block: VACUUM refuses to run inside one.
  return connection.Execute("VACUUM (ANALYZE) sch_chameleon.t_replica_batch");
}

Result<std::string> LastMaintenance(pg::Connection& connection, const std::string& source) {
  ASSIGN_OR_RETURN(pg::Rows rows,
                   connection.Query("SELECT coalesce(to_char(ts_last_maintenance, "
                                    "'YYYY-MM-DD HH24:MI:SS.US'), '') FROM sch_chameleon.t_sources "
                                    "WHERE t_source = $1",
                                    {source}));
  if (rows.empty()) {
    return Status::NotFound(fmt::format("source {} is not registered in sch_chameleon", source));
  }
  return rows.Value(0, 0).value_or("");
}

Result<bool> MaintenanceDue(pg::Connection& connection, const std::string& source,
                            const std::string& interval) {
  auto rows = connection.Query(
      "SELECT coalesce(ts_last_maintenance, '-infinity'::timestamp) + $2::interval <= "
      "clock_timestamp()::timestamp FROM sch_chameleon.t_sources WHERE t_source = $1",
      {source, interval});
  if (!rows.ok()) {
    if (connection.last_sqlstate() == "22007" || connection.last_sqlstate() == "22P02" ||
        connection.last_sqlstate() == "22015") {
      return Status::InvalidArgument(fmt::format(
          "auto_maintenance of source {}: '{}' is not a PostgreSQL interval (e.g. \"1 day\", "
          "\"6 hours\") nor disabled",
          source, interval));
    }
    return rows.status();
  }
  if (rows->empty()) {
    return Status::NotFound(fmt::format("source {} is not registered in sch_chameleon", source));
  }
  return rows->Value(0, 0) == "t";
}

}  // namespace chameleon::catalogue
