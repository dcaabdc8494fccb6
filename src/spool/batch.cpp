// The batch state machine; see batch.h.
#include "spool/batch.h"

#include <string>

namespace chameleon::spool {

const char* BatchStateName(BatchState state) {
  switch (state) {
    case BatchState::kOpen:
      return "open";
    case BatchState::kClosed:
      return "closed";
    case BatchState::kReplayed:
      return "replayed";
  }
  return "unknown";
}

Status CheckBatchTransition(BatchState from, BatchState to) {
  bool allowed = (from == BatchState::kOpen && to == BatchState::kClosed) ||
                 (from == BatchState::kClosed && to == BatchState::kReplayed);
  if (allowed) return Status::Ok();
  return Status::FailedPrecondition(std::string("a batch cannot go from ") + BatchStateName(from) +
                                    " to " + BatchStateName(to));
}

}  // namespace chameleon::spool
