// Position tracking over decoded events; see event_stream.h.
#include "reader/event_stream.h"

#include <fmt/format.h>

#include "reader/position.h"

namespace chameleon::reader {

EventStream::EventStream(BinlogSource* source, std::string file_name, const BinlogPosition& start)
    : source_(source), file_name_(std::move(file_name)), event_start_(start), next_(start) {
  decoder_.ExpectChecksumBeforeFormatDescription(source->checksum_before_format());
}

Result<bool> EventStream::Next(BinlogEvent* event) {
  while (true) {
    if (decoder_.in_payload()) {
      // The events of a TRANSACTION_PAYLOAD all sit at the payload's own position: a resume
      // position is never inside one, so its XID commits at the payload's end.
      Result<bool> inner = decoder_.NextInPayload(event);
      if (!inner.ok()) {
        return inner.status().WithContext(
            fmt::format("binlog {} at {}", file_name_, event_start_.position));
      }
      if (*inner) return true;
    }
    ASSIGN_OR_RETURN(bool more, NextFromSource(event));
    if (!more || event->kind != EventKind::kTransactionPayload) return more;
  }
}

Result<bool> EventStream::NextFromSource(BinlogEvent* event) {
  ASSIGN_OR_RETURN(std::optional<std::string_view> raw, source_->Next());
  if (!raw) return false;
  raw_ = *raw;
  Status status = decoder_.Decode(*raw, event);
  if (!status.ok()) {
    return status.WithContext(fmt::format("binlog {} at {}", file_name_, next_.position));
  }
  const EventHeader& header = event->header;
  event_start_ = next_;
  if (event->kind == EventKind::kRotate) {
    // Both the fake ROTATE that opens a stream and the real one that ends a file name where
    // the next event is.
    Result<uint32_t> number = ParseBinlogFileNumber(event->rotate.file_name);
    if (!number.ok()) return number.status().WithContext("ROTATE event");
    file_name_ = event->rotate.file_name;
    next_ = BinlogPosition{*number, event->rotate.position};
    if (IsArtificialEvent(header.type, header.flags, header.log_pos)) event_start_ = next_;
    return true;
  }
  if (!IsArtificialEvent(header.type, header.flags, header.log_pos)) {
    next_.position = NextEventPosition(event_start_.position, header.event_size, header.log_pos);
  }
  return true;
}

}  // namespace chameleon::reader
