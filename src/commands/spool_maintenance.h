// Spool compaction, shared by run_maintenance (no daemon running) and the replica daemon
// (on run_maintenance's signal, or when auto_maintenance is due).
#pragma once

#include <string>

#include "common/status.h"
#include "pg/connection.h"
#include "spool/spool.h"

namespace chameleon::commands {

// Compacts what the replayer has deleted from the spool (everything with `full`), online:
// RocksDB compacts beside the reader's writes and the replayer's reads, so neither pauses.
// Then records the maintenance in the catalogue (show_status's Last maintenance).
Status MaintainSpool(pg::Connection& connection, spool::Spool& spool, const std::string& source,
                     bool full);

}  // namespace chameleon::commands
