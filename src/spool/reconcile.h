// Startup reconciliation of the spool with the catalogue, which is authoritative: a pure
// function from both sides' state to a plan (batches to delete) or a Status saying why not.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "common/status.h"
#include "event/binlog_position.h"

namespace chameleon::spool {

// What sch_chameleon says was last replayed for this source; the caller reads it.
struct CatalogueState {
  uint64_t last_replayed_batch_id = 0;              // 0: nothing replayed yet
  std::optional<BinlogPosition> replayed_position;  // last event of that batch, when known
};

// What the spool holds, as Spool::Summary() reports it.
struct SpoolSummary {
  bool created_now = false;  // Open created the database: there was no spool (for messages)
  std::optional<BinlogPosition> resume;
  uint64_t last_replayed_batch_id = 0;
  std::vector<uint64_t> closed_batch_ids;                // ascending
  uint64_t open_batch_id = 0;                            // 0: none
  std::optional<BinlogPosition> last_replayed_position;  // last event of the last replayed batch
};

struct ReconciliationPlan {
  std::vector<uint64_t> delete_batch_ids;  // replayed per the catalogue, still in the spool
};

// Ok with a plan when the spool can go on. Otherwise:
//   kNotFound           the spool is missing or empty while the catalogue has replayed
//                       batches: resume reading from the catalogue's coordinates
//                       (Spool::ResetFromCatalogue), or refuse if the binlog lost them;
//   kFailedPrecondition the spool is older than the catalogue (restored from a backup, or
//                       another source's), or newer (the catalogue was reset): events would
//                       be lost or applied twice, so an operator must decide.
Result<ReconciliationPlan> PlanReconciliation(const SpoolSummary& spool,
                                              const CatalogueState& catalogue);

}  // namespace chameleon::spool
