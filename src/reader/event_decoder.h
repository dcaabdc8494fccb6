// EventDecoder: turns the bytes of one binlog event into a BinlogEvent. It keeps what later
// events need (the FORMAT_DESCRIPTION's checksum and post-header lengths, the table maps),
// so one decoder reads one stream, in order. Never trusts a length: bad bytes are a Status.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/status.h"
#include "reader/binlog_event.h"
#include "reader/transaction_payload.h"

namespace chameleon::reader {

// Reads the 19-byte common header; false when `raw` is shorter.
bool ReadEventHeader(std::string_view raw, EventHeader* header);

// CRC32 (zlib's polynomial) of `bytes`: the binlog's checksum.
uint32_t Crc32(std::string_view bytes);

class EventDecoder {
 public:
  EventDecoder() = default;
  EventDecoder(const EventDecoder&) = delete;
  EventDecoder& operator=(const EventDecoder&) = delete;

  // The server sends a fake ROTATE before its FORMAT_DESCRIPTION; whether that one carries a
  // checksum follows the checksum the replica negotiated (@master_binlog_checksum).
  void ExpectChecksumBeforeFormatDescription(bool crc32) { checksum_ = crc32; }
  // Verifying costs ~1 GB/s of CRC; on by default, as the issue requires.
  void set_verify_checksums(bool verify) { verify_checksums_ = verify; }

  // Decodes one whole event (header to checksum). `raw` must stay valid until the next call:
  // the result's string_views may point into it.
  Status Decode(std::string_view raw, BinlogEvent* event);

  // After Decode returned a kTransactionPayload event: decodes its next inner event into
  // `*event`; false when the payload is exhausted. The outer event's bytes must stay valid.
  Result<bool> NextInPayload(BinlogEvent* event);
  bool in_payload() const { return payload_.active(); }

  const TableMap* FindTable(uint64_t table_id) const;
  bool checksum_enabled() const { return checksum_; }
  const std::string& server_version() const { return server_version_; }

 private:
  Status DecodeEvent(std::string_view raw, bool has_checksum, BinlogEvent* event);
  Status DecodeFormatDescription(std::string_view body, std::string_view raw, BinlogEvent* event);
  Status DecodeTableMap(std::string_view post_header, std::string_view body, BinlogEvent* event);
  Status DecodeRows(uint8_t type, std::string_view post_header, std::string_view body,
                    BinlogEvent* event);
  Status DecodeQuery(uint8_t type, std::string_view post_header, std::string_view body,
                     BinlogEvent* event);
  size_t PostHeaderLength(uint8_t type) const;

  bool checksum_ = false;
  bool verify_checksums_ = true;
  bool have_format_ = false;
  std::string server_version_;
  std::vector<uint8_t> post_header_lengths_;  // index = type - 1
  std::unordered_map<uint64_t, TableMap> tables_;
  bool clear_tables_before_next_map_ = false;
  std::string inflated_;  // a MariaDB compressed event's body, inflated
  PayloadReader payload_;
};

// MariaDB's compressed payload (a header byte, the inflated size, a zlib stream) -> bytes.
Status InflateMariadbPayload(std::string_view compressed, std::string* out);

}  // namespace chameleon::reader
