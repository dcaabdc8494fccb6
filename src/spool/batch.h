// Batches: the unit the reader closes and the replayer applies in one PostgreSQL transaction.
// A batch moves open -> closed -> replayed, never back; this header is that state machine.
#pragma once

#include <compare>
#include <cstdint>
#include <optional>

#include "common/status.h"
#include "event/binlog_position.h"

namespace chameleon::spool {

// The key of one event in the events column family; byte order of its encoding is this order.
struct EventKey {
  uint32_t source_id = 0;
  BinlogPosition position;
  uint32_t sequence = 0;

  auto operator<=>(const EventKey&) const = default;
};

enum class BatchState : uint8_t {
  kOpen = 1,      // the reader is appending to it; the replayer does not see it
  kClosed = 2,    // complete and synced to disk; the replayer may apply it
  kReplayed = 3,  // applied and committed in PostgreSQL; its events are deleted
};

const char* BatchStateName(BatchState state);

// Ok when a batch may move from `from` to `to`; FailedPrecondition naming both otherwise.
Status CheckBatchTransition(BatchState from, BatchState to);

struct BatchInfo {
  uint64_t id = 0;  // 1, 2, ...: continues across spool loss via the catalogue
  BatchState state = BatchState::kOpen;
  EventKey first_key;
  EventKey last_key;  // inclusive
  uint64_t event_count = 0;
  uint64_t payload_bytes = 0;  // encoded event values, before RocksDB compression
  // Set when the batch closes: where reading resumes after its last transaction. The
  // catalogue records it with the replayed batch, so a lost spool resumes from there.
  std::optional<BinlogPosition> resume;

  bool operator==(const BatchInfo&) const = default;
};

}  // namespace chameleon::spool
