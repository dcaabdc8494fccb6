// Spool maintenance in the catalogue: when a source's spool was last compacted
// (t_sources.ts_last_maintenance, shown by show_status) and whether auto_maintenance is due.
#pragma once

#include <string>

#include "common/status.h"
#include "pg/connection.h"

namespace chameleon::catalogue {

// Sets ts_last_maintenance to now and vacuums the source's batch bookkeeping
// (t_replica_batch, which batch_retention prunes).
Status RecordMaintenance(pg::Connection& connection, const std::string& source);

// ts_last_maintenance as text ("" when never): what run_maintenance waits to see change.
Result<std::string> LastMaintenance(pg::Connection& connection, const std::string& source);

// auto_maintenance: true when `interval` (a PostgreSQL interval, e.g. "1 day") has passed
// since the last maintenance (or there was none). InvalidArgument for a bad interval.
Result<bool> MaintenanceDue(pg::Connection& connection, const std::string& source,
                            const std::string& interval);

}  // namespace chameleon::catalogue
