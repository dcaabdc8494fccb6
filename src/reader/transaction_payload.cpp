// Streaming decompression of MySQL's TRANSACTION_PAYLOAD_EVENT; see transaction_payload.h.
// Layout: MySQL's binlog/control_events (Transaction_payload_event::read).
#include "reader/transaction_payload.h"

#include <fmt/format.h>
#include <zstd.h>

#include "reader/binlog_format.h"
#include "reader/byte_reader.h"

namespace chameleon::reader {
namespace {

enum PayloadField : uint64_t {
  kHeaderEnd = 0,
  kPayloadSize = 1,
  kCompressionType = 2,
  kUncompressedSize = 3,
};
constexpr uint64_t kCompressionZstd = 0;
constexpr uint64_t kCompressionNone = 255;
constexpr size_t kChunk = size_t{64} * 1024;

}  // namespace

struct PayloadReader::Stream {
  ZSTD_DStream* zstd = nullptr;
  ~Stream() { ZSTD_freeDStream(zstd); }
};

PayloadReader::PayloadReader() : stream_(std::make_unique<Stream>()) {}
PayloadReader::~PayloadReader() = default;

Status PayloadReader::Open(std::string_view body) {
  active_ = false;
  buffer_.clear();
  buffer_start_ = 0;
  produced_ = 0;
  input_offset_ = 0;
  frame_complete_ = false;
  ByteReader in(body);
  uint64_t payload_size = 0;
  uint64_t compression = kCompressionZstd;
  bool have_size = false;
  while (true) {
    uint64_t type = in.LengthEncoded();
    if (!in.ok()) return Status::Corruption("TRANSACTION_PAYLOAD header truncated");
    if (type == kHeaderEnd) break;
    ByteReader value(in.LengthEncodedString());
    uint64_t number = value.LengthEncoded();
    if (!in.ok() || !value.ok()) {
      return Status::Corruption(
          fmt::format("TRANSACTION_PAYLOAD header field {} is truncated", type));
    }
    if (type == kPayloadSize) {
      payload_size = number;
      have_size = true;
    } else if (type == kCompressionType) {
      compression = number;
    } else if (type == kUncompressedSize) {
      declared_size_ = number;
    }  // later servers may add fields: skipped
  }
  std::string_view payload = in.Rest();
  if (have_size && payload_size != payload.size()) {
    return Status::Corruption(fmt::format("TRANSACTION_PAYLOAD says {} payload bytes but has {}",
                                          payload_size, payload.size()));
  }
  if (compression != kCompressionZstd && compression != kCompressionNone) {
    return Status::NotSupported(fmt::format(
        "TRANSACTION_PAYLOAD compression type {} is not supported (zstd only)", compression));
  }
  if (declared_size_ > kMaxPayloadUncompressedSize) {
    return Status::Corruption(
        fmt::format("TRANSACTION_PAYLOAD declares {} uncompressed bytes, over the {}-byte limit",
                    declared_size_, kMaxPayloadUncompressedSize));
  }
  compressed_ = compression == kCompressionZstd;
  if (compressed_) {
    if (stream_->zstd == nullptr) stream_->zstd = ZSTD_createDStream();
    if (stream_->zstd == nullptr) return Status::Internal("cannot allocate a zstd stream");
    ZSTD_DCtx_reset(stream_->zstd, ZSTD_reset_session_only);
  }
  input_ = payload;
  active_ = true;
  return Status::Ok();
}

Result<bool> PayloadReader::Fill(size_t size) {
  if (buffer_start_ > 0 && buffer_start_ >= buffer_.size() / 2) {
    buffer_.erase(0, buffer_start_);
    buffer_start_ = 0;
  }
  while (buffer_.size() - buffer_start_ < size) {
    if (!compressed_) {
      size_t take = std::min(kChunk, input_.size() - input_offset_);
      if (take == 0) return false;
      buffer_.append(input_.substr(input_offset_, take));
      input_offset_ += take;
      produced_ += take;
    } else {
      size_t old_size = buffer_.size();
      buffer_.resize(old_size + kChunk);
      ZSTD_inBuffer in{input_.data(), input_.size(), input_offset_};
      ZSTD_outBuffer out{buffer_.data() + old_size, kChunk, 0};
      size_t code = ZSTD_decompressStream(stream_->zstd, &out, &in);
      buffer_.resize(old_size + out.pos);
      bool progress = out.pos > 0 || in.pos > input_offset_;
      input_offset_ = in.pos;
      produced_ += out.pos;
      if (ZSTD_isError(code) != 0U) {
        return Status::Corruption(fmt::format("TRANSACTION_PAYLOAD does not decompress (zstd: {})",
                                              ZSTD_getErrorName(code)));
      }
      if (progress) frame_complete_ = code == 0;
      if (!progress && in.pos == in.size) {
        if (!frame_complete_) {
          return Status::Corruption("TRANSACTION_PAYLOAD zstd stream is truncated");
        }
        return false;
      }
    }
    if (declared_size_ != 0 && produced_ > declared_size_) {
      return Status::Corruption(
          fmt::format("TRANSACTION_PAYLOAD inflates past its declared {} bytes", declared_size_));
    }
  }
  return true;
}

Result<std::optional<std::string_view>> PayloadReader::Next() {
  if (!active_) return std::optional<std::string_view>();
  Result<bool> have_header = Fill(format::kHeaderSize);
  if (!have_header.ok()) active_ = false;
  if (!have_header.ok()) return have_header.status();
  if (!*have_header) {
    active_ = false;
    if (buffer_.size() != buffer_start_) {
      return Status::Corruption("TRANSACTION_PAYLOAD ends inside an event header");
    }
    return std::optional<std::string_view>();
  }
  ByteReader header(std::string_view(buffer_).substr(buffer_start_, format::kHeaderSize));
  header.Skip(9);  // timestamp, type, server id
  uint32_t size = header.U32();
  if (size < format::kHeaderSize || size > format::kMaxEventSize) {
    active_ = false;
    return Status::Corruption(
        fmt::format("TRANSACTION_PAYLOAD holds an event of impossible size {}", size));
  }
  Result<bool> have_event = Fill(size);
  if (!have_event.ok()) active_ = false;
  if (!have_event.ok()) return have_event.status();
  if (!*have_event) {
    active_ = false;
    return Status::Corruption("TRANSACTION_PAYLOAD ends inside an event");
  }
  std::string_view event = std::string_view(buffer_).substr(buffer_start_, size);
  buffer_start_ += size;
  return std::optional<std::string_view>(event);
}

}  // namespace chameleon::reader
