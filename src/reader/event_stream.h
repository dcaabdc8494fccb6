// EventStream: a BinlogSource, an EventDecoder and the 64-bit position of every event, in one.
// Positions follow ROTATE events across files and survive the 4 GiB log_pos wrap.
#pragma once

#include <string>

#include "common/status.h"
#include "event/binlog_position.h"
#include "reader/binlog_event.h"
#include "reader/binlog_source.h"
#include "reader/event_decoder.h"

namespace chameleon::reader {

class EventStream {
 public:
  // Reads `source` (not owned; must outlive this) whose first event starts at `start` of
  // `file_name`. A server stream's fake ROTATE resets both anyway.
  EventStream(BinlogSource* source, std::string file_name, const BinlogPosition& start);
  EventStream(const EventStream&) = delete;
  EventStream& operator=(const EventStream&) = delete;

  // Decodes the next event into `*event`; false at the end of the source. The events inside
  // a MySQL TRANSACTION_PAYLOAD come one by one, in place of the payload event.
  Result<bool> Next(BinlogEvent* event);

  // Where the event Next returned last starts (artificial events: where the next real one
  // will start).
  const BinlogPosition& event_start() const { return event_start_; }
  // Where the event after it starts: the resume position once this event is stored.
  const BinlogPosition& next_position() const { return next_; }
  const std::string& file_name() const { return file_name_; }
  // The bytes of the event Next returned last, valid until the next call (for an event from
  // inside a TRANSACTION_PAYLOAD: the whole payload event, as stored in the binlog).
  std::string_view raw_event() const { return raw_; }
  EventDecoder& decoder() { return decoder_; }

 private:
  Result<bool> NextFromSource(BinlogEvent* event);

  BinlogSource* source_;
  EventDecoder decoder_;
  std::string file_name_;
  std::string_view raw_;
  BinlogPosition event_start_;
  BinlogPosition next_;
};

}  // namespace chameleon::reader
