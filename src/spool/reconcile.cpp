// Reconciliation rules; see reconcile.h. Each refusal names both sides so the message alone
// tells an operator what happened.
#include "spool/reconcile.h"

#include <fmt/format.h>

#include <algorithm>

namespace chameleon::spool {
namespace {

std::string DescribeCatalogue(const CatalogueState& catalogue) {
  std::string text =
      fmt::format("the catalogue has replayed batch {}", catalogue.last_replayed_batch_id);
  if (catalogue.replayed_position) text += " up to " + ToString(*catalogue.replayed_position);
  return text;
}

}  // namespace

Result<ReconciliationPlan> PlanReconciliation(const SpoolSummary& spool,
                                              const CatalogueState& catalogue) {
  uint64_t highest_batch = std::max(spool.last_replayed_batch_id, spool.open_batch_id);
  if (!spool.closed_batch_ids.empty()) {
    highest_batch = std::max(highest_batch, spool.closed_batch_ids.back());
  }
  bool empty = highest_batch == 0 && !spool.resume;

  if (spool.last_replayed_batch_id > catalogue.last_replayed_batch_id) {
    return Status::FailedPrecondition(fmt::format(
        "the spool has replayed batch {} but {}: the catalogue is older than the spool (was it "
        "reset or restored?); run init_replica for this source",
        spool.last_replayed_batch_id, DescribeCatalogue(catalogue)));
  }
  if (catalogue.last_replayed_batch_id == 0) return ReconciliationPlan{};
  if (empty) {
    return Status::NotFound(fmt::format(
        "the spool is {} but {}: resuming from the catalogue's coordinates",
        spool.created_now ? "missing (created anew)" : "empty", DescribeCatalogue(catalogue)));
  }
  bool behind_position =
      catalogue.replayed_position && spool.resume && *spool.resume < *catalogue.replayed_position;
  if (highest_batch < catalogue.last_replayed_batch_id || behind_position) {
    return Status::FailedPrecondition(fmt::format(
        "the spool (last batch {}, resume position {}) is older than the catalogue: {}; move the "
        "spool directory away to resume from the catalogue's coordinates",
        highest_batch, spool.resume ? ToString(*spool.resume) : "none",
        DescribeCatalogue(catalogue)));
  }
  if (spool.open_batch_id != 0 && spool.open_batch_id <= catalogue.last_replayed_batch_id) {
    return Status::FailedPrecondition(
        fmt::format("the spool's open batch {} cannot have been replayed, yet {}",
                    spool.open_batch_id, DescribeCatalogue(catalogue)));
  }
  ReconciliationPlan plan;
  for (uint64_t id : spool.closed_batch_ids) {
    if (id <= catalogue.last_replayed_batch_id) plan.delete_batch_ids.push_back(id);
  }
  return plan;
}

}  // namespace chameleon::spool
