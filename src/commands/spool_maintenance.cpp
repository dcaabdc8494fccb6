// Spool compaction; see spool_maintenance.h.
#include "commands/spool_maintenance.h"

#include <spdlog/spdlog.h>

#include <chrono>

#include "catalogue/maintenance.h"

namespace chameleon::commands {

Status MaintainSpool(pg::Connection& connection, spool::Spool& spool, const std::string& source,
                     bool full) {
  uint64_t before = spool.DiskUsageBytes();
  auto started = std::chrono::steady_clock::now();
  RETURN_IF_ERROR(spool.Compact(full));
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  spdlog::info("maintenance of source {}: {} spool compaction in {:.1f} s, {} -> {} bytes", source,
               full ? "full" : "replayed-prefix", seconds, before, spool.DiskUsageBytes());
  return catalogue::RecordMaintenance(connection, source);
}

}  // namespace chameleon::commands
