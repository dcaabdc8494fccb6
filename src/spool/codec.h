// Byte encodings of the spool (FORMAT.md): event keys, event values, table shapes and the
// metadata records. Pure functions, no RocksDB; the same code serves writer, reader, inspect.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"
#include "event/change_event.h"
#include "spool/batch.h"

namespace chameleon::spool {

// Fixed-width big-endian: RocksDB's bytewise order of encodings is EventKey order.
std::string EncodeEventKey(const EventKey& key);
void AppendEventKey(const EventKey& key, std::string* out);
Result<EventKey> DecodeEventKey(std::string_view bytes);
EventKey KeyOf(uint32_t source_id, const ChangeEvent& event);
// The smallest encoding greater than `key`'s: the exclusive end of a range ending at `key`.
std::string KeySuccessor(const EventKey& key);

// The event value (everything but the key's position and sequence). `*out` is overwritten;
// reusing one string across calls avoids an allocation per event.
void EncodeEventValue(const ChangeEvent& event, std::string* out);
// Fills every field of `*event` but position and sequence; reuses its vectors' capacity.
Status DecodeEventValue(std::string_view value, ChangeEvent* event);
// Key and value together: a complete event.
Status DecodeStoredEvent(std::string_view key, std::string_view value, ChangeEvent* event);

std::string ShapeKey(std::string_view schema, std::string_view table, uint32_t version);
std::string EncodeTableShape(const TableShape& shape);
Result<TableShape> DecodeTableShape(std::string_view value);

std::string BatchKey(uint64_t batch_id);
Result<uint64_t> DecodeBatchKey(std::string_view key);
std::string EncodeBatchRecord(const BatchInfo& batch);
Result<BatchInfo> DecodeBatchRecord(uint64_t batch_id, std::string_view value);

// Written with every appended transaction: where the reader resumes, and how far the open
// batch has grown (so its batch record needs writing only when it opens and closes).
struct WriterRecord {
  std::optional<BinlogPosition> resume;
  uint64_t open_batch_id = 0;  // 0: no open batch
  uint64_t open_event_count = 0;
  uint64_t open_payload_bytes = 0;
  EventKey open_last_key;

  bool operator==(const WriterRecord&) const = default;
};
std::string EncodeWriterRecord(const WriterRecord& record);
Result<WriterRecord> DecodeWriterRecord(std::string_view value);

// The newest batch marked replayed: batch ids continue from it, and reconciliation and
// the crash test know where the deleted prefix of the stream ends.
struct ReplayedRecord {
  uint64_t batch_id = 0;
  EventKey last_key;

  bool operator==(const ReplayedRecord&) const = default;
};
std::string EncodeReplayedRecord(const ReplayedRecord& record);
Result<ReplayedRecord> DecodeReplayedRecord(std::string_view value);

std::string EncodeFixed32(uint32_t value);
Result<uint32_t> DecodeFixed32(std::string_view bytes);

}  // namespace chameleon::spool
