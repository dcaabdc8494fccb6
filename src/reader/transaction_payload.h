// MySQL 8 TRANSACTION_PAYLOAD_EVENT (binlog_transaction_compression=ON): one transaction's
// events, compressed together. The body is a list of (type, length, value) fields, each a
// length-encoded integer (1 payload size, 2 compression type: 0 zstd or 255 none,
// 3 uncompressed size), ended by type 0; the payload follows. Inside are ordinary events
// (header, body, no checksum: the outer event carries it).
//
// PayloadReader streams the inner events: it decompresses only as far as the next event, so
// memory is the compressed payload (already in the outer event) plus one inner event.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace chameleon::reader {

// The largest declared uncompressed size accepted (4 GiB): MySQL itself refuses to compress
// a transaction bigger than that; a larger value is damage, refused before decompressing.
constexpr uint64_t kMaxPayloadUncompressedSize = uint64_t{4} << 30;

class PayloadReader {
 public:
  PayloadReader();
  ~PayloadReader();
  PayloadReader(const PayloadReader&) = delete;
  PayloadReader& operator=(const PayloadReader&) = delete;

  // Starts reading the payload event whose body (after the post-header, checksum removed)
  // is `body`; it must stay valid until Next returns nullopt or Open is called again.
  Status Open(std::string_view body);
  bool active() const { return active_; }
  void Close() { active_ = false; }

  // The next inner event's bytes (valid until the next call), or nullopt at the end.
  Result<std::optional<std::string_view>> Next();

 private:
  // Makes `buffer_` hold at least `size` unread bytes; false at the end of the payload.
  Result<bool> Fill(size_t size);

  struct Stream;
  std::unique_ptr<Stream> stream_;
  bool active_ = false;
  bool compressed_ = true;
  bool frame_complete_ = false;  // the last zstd frame ended (not cut short)
  std::string_view input_;       // the (compressed) payload
  size_t input_offset_ = 0;
  uint64_t declared_size_ = 0;
  uint64_t produced_ = 0;  // uncompressed bytes produced so far
  std::string buffer_;     // uncompressed bytes not yet returned start at `buffer_start_`
  size_t buffer_start_ = 0;
};

}  // namespace chameleon::reader
