// BinlogSource: the decoder's one input seam. The same EventDecoder reads events from bytes
// in memory (fixtures, fuzzing), from a binlog file on disk, or from a server's stream.
#pragma once

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"
#include "mysql/binlog_stream.h"

namespace chameleon::reader {

class BinlogSource {
 public:
  virtual ~BinlogSource() = default;
  // The next whole event (header to checksum), valid until the next call; nullopt at the
  // end of the input. A file or buffer that ends inside an event is kCorruption.
  virtual Result<std::optional<std::string_view>> Next() = 0;
  // Whether events before the first FORMAT_DESCRIPTION carry a checksum (server streams).
  virtual bool checksum_before_format() const { return false; }
};

// Events back to back in memory, after the 4-byte binlog magic when `has_magic`. The bytes
// must outlive the source.
class BytesBinlogSource final : public BinlogSource {
 public:
  explicit BytesBinlogSource(std::string_view bytes, bool has_magic = true);
  Result<std::optional<std::string_view>> Next() override;

 private:
  std::string_view bytes_;
  size_t offset_ = 0;
  Status status_;
};

// A binlog file (mysql-bin.000042), read event by event: memory holds one event.
class FileBinlogSource final : public BinlogSource {
 public:
  static Result<std::unique_ptr<FileBinlogSource>> Open(const std::filesystem::path& path);
  Result<std::optional<std::string_view>> Next() override;

 private:
  explicit FileBinlogSource(std::filesystem::path path) : path_(std::move(path)) {}
  std::filesystem::path path_;
  std::ifstream file_;
  std::string event_;
  uint64_t offset_ = 0;
};

// A server's replication stream.
class ServerBinlogSource final : public BinlogSource {
 public:
  explicit ServerBinlogSource(mysql::BinlogStream stream) : stream_(std::move(stream)) {}
  Result<std::optional<std::string_view>> Next() override { return stream_.Next(); }
  bool checksum_before_format() const override { return stream_.checksum_crc32(); }
  const mysql::BinlogStream& stream() const { return stream_; }

 private:
  mysql::BinlogStream stream_;
};

}  // namespace chameleon::reader
