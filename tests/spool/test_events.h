// Events for spool tests: a deterministic transaction generator whose every event can be
// recomputed from its transaction number, so a reader can check what it finds.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "event/change_event.h"

namespace chameleon::spool_test {

// Transaction t sits in binlog file 1 + t / 1000, past 4 GiB, and holds 1 + t % 5 rows of
// one rows event; the next transaction's start is its resume position.
inline BinlogPosition TransactionStart(uint64_t t) {
  return {static_cast<uint32_t>(1 + t / 1000), 5'000'000'000ULL + (t % 1000) * 4096};
}

inline size_t TransactionRows(uint64_t t) {
  return 1 + t % 5;
}

inline ChangeEvent RowEvent(uint64_t t, uint32_t row, size_t payload_bytes = 40) {
  ChangeEvent event;
  event.operation = t % 3 == 0 ? Operation::kUpdate : Operation::kInsert;
  event.position = TransactionStart(t);
  event.sequence = row;
  event.source_timestamp_seconds = 1700000000U + static_cast<uint32_t>(t);
  event.schema = "app";
  event.table = "orders";
  event.shape_version = 1;
  event.after = {Value::UInt(t), Value::Int(row), Value::String(std::string(payload_bytes, 'x')),
                 Value::Null()};
  if (event.operation == Operation::kUpdate) event.before = event.after;
  return event;
}

inline std::vector<ChangeEvent> Transaction(uint64_t t, size_t payload_bytes = 40) {
  std::vector<ChangeEvent> events;
  for (uint32_t row = 0; row < TransactionRows(t); ++row) {
    events.push_back(RowEvent(t, row, payload_bytes));
  }
  return events;
}

}  // namespace chameleon::spool_test
