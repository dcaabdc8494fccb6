// Binlog file names and FILE:POS text; see binlog_position.h.
#include "event/binlog_position.h"

#include <fmt/format.h>

#include <charconv>
#include <limits>

namespace chameleon {
namespace {

// Strict decimal: no sign, no spaces, the whole text, within T.
template <typename T>
bool ParseDigits(std::string_view digits, T& out) {
  if (digits.empty()) return false;
  auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), out);
  return error == std::errc() && end == digits.data() + digits.size() && digits.front() != '+';
}

}  // namespace

Result<uint32_t> ParseBinlogFileNumber(std::string_view file_name) {
  size_t dot = file_name.rfind('.');
  std::string_view digits = dot == std::string_view::npos ? file_name : file_name.substr(dot + 1);
  uint32_t number = 0;
  if (!ParseDigits(digits, number)) {
    return Status::InvalidArgument(
        fmt::format("'{}' is not a binlog file name (expected name.NNNNNN with a number up to {})",
                    file_name, std::numeric_limits<uint32_t>::max()));
  }
  return number;
}

Result<BinlogPosition> ParseBinlogPosition(std::string_view text) {
  size_t colon = text.rfind(':');
  if (colon == std::string_view::npos) {
    return Status::InvalidArgument(fmt::format(
        "'{}' is not a binlog position (expected FILE:POS, e.g. mysql-bin.000042:4)", text));
  }
  ASSIGN_OR_RETURN(uint32_t file_number, ParseBinlogFileNumber(text.substr(0, colon)));
  uint64_t offset = 0;
  if (!ParseDigits(text.substr(colon + 1), offset)) {
    return Status::InvalidArgument(fmt::format(
        "'{}' is not a binlog position: '{}' is not a byte offset", text, text.substr(colon + 1)));
  }
  return BinlogPosition{file_number, offset};
}

std::string ToString(const BinlogPosition& position) {
  return fmt::format("{}:{}", position.file_number, position.position);
}

std::string BinlogFileName(std::string_view base_name, uint32_t file_number) {
  return fmt::format("{}.{:06}", base_name, file_number);
}

}  // namespace chameleon
