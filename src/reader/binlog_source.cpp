// Binlog sources over memory and files; see binlog_source.h. Sizes come from each event's
// header and are checked against what is left before anything is read.
#include "reader/binlog_source.h"

#include <fmt/format.h>

#include "reader/binlog_format.h"
#include "reader/byte_reader.h"

namespace chameleon::reader {
namespace {

// The event_size field of a header, checked for sanity.
Result<uint32_t> EventSizeOf(std::string_view header, uint64_t offset) {
  ByteReader in(header);
  in.Skip(9);
  uint32_t size = in.U32();
  if (!in.ok() || size < format::kHeaderSize || size > format::kMaxEventSize) {
    return Status::Corruption(
        fmt::format("binlog event at offset {} has an impossible size {}", offset, size));
  }
  return size;
}

}  // namespace

BytesBinlogSource::BytesBinlogSource(std::string_view bytes, bool has_magic) : bytes_(bytes) {
  if (!has_magic) return;
  if (bytes.substr(0, format::kBinlogMagicSize) !=
      std::string_view(format::kBinlogMagic, format::kBinlogMagicSize)) {
    status_ = Status::Corruption("not a binlog: the magic bytes are missing");
  }
  offset_ = format::kBinlogMagicSize;
}

Result<std::optional<std::string_view>> BytesBinlogSource::Next() {
  if (!status_.ok()) return status_;
  if (offset_ >= bytes_.size()) return std::optional<std::string_view>();
  std::string_view rest = bytes_.substr(offset_);
  if (rest.size() < format::kHeaderSize) {
    return Status::Corruption(fmt::format("binlog ends inside an event header at {}", offset_));
  }
  ASSIGN_OR_RETURN(uint32_t size, EventSizeOf(rest, offset_));
  if (size > rest.size()) {
    return Status::Corruption(fmt::format("binlog ends inside the event at {}", offset_));
  }
  offset_ += size;
  return std::optional<std::string_view>(rest.substr(0, size));
}

Result<std::unique_ptr<FileBinlogSource>> FileBinlogSource::Open(
    const std::filesystem::path& path) {
  std::unique_ptr<FileBinlogSource> source(new FileBinlogSource(path));
  source->file_.open(path, std::ios::binary);
  if (!source->file_) return Status::NotFound("cannot open binlog file " + path.string());
  char magic[format::kBinlogMagicSize];
  source->file_.read(magic, format::kBinlogMagicSize);
  if (!source->file_ || std::string_view(magic, format::kBinlogMagicSize) !=
                            std::string_view(format::kBinlogMagic, format::kBinlogMagicSize)) {
    return Status::Corruption(path.string() + " is not a binlog file");
  }
  source->offset_ = format::kBinlogMagicSize;
  return source;
}

Result<std::optional<std::string_view>> FileBinlogSource::Next() {
  event_.resize(format::kHeaderSize);
  file_.read(event_.data(), format::kHeaderSize);
  auto got = static_cast<size_t>(file_.gcount());
  if (got == 0) return std::optional<std::string_view>();
  if (got < format::kHeaderSize) {
    return Status::Corruption(
        fmt::format("{} ends inside an event header at {}", path_.string(), offset_));
  }
  ASSIGN_OR_RETURN(uint32_t size, EventSizeOf(event_, offset_));
  event_.resize(size);
  file_.read(event_.data() + format::kHeaderSize,
             static_cast<std::streamsize>(size - format::kHeaderSize));
  if (static_cast<size_t>(file_.gcount()) != size - format::kHeaderSize) {
    return Status::Corruption(
        fmt::format("{} ends inside the event at {}", path_.string(), offset_));
  }
  offset_ += size;
  return std::optional<std::string_view>(event_);
}

}  // namespace chameleon::reader
