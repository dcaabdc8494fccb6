// BinlogPosition: where an event sits in a source's binlog, as (file number, byte offset).
// 64-bit offsets everywhere: MySQL's 32-bit log_pos wraps past 4 GiB, ours never does.
#pragma once

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace chameleon {

struct BinlogPosition {
  uint32_t file_number = 0;  // mysql-bin.000123 -> 123
  uint64_t position = 0;     // byte offset in that file

  // File first, then offset: stream order across file rotations.
  auto operator<=>(const BinlogPosition&) const = default;
};

// "mysql-bin.000042" -> 42: the digits after the last '.', at most UINT32_MAX.
Result<uint32_t> ParseBinlogFileNumber(std::string_view file_name);

// "mysql-bin.000042:1234" or "42:1234" -> {42, 1234}: the `--from FILE:POS` option.
Result<BinlogPosition> ParseBinlogPosition(std::string_view text);

// "42:1234"; ParseBinlogPosition reads it back.
std::string ToString(const BinlogPosition& position);

// "mysql-bin" + 42 -> "mysql-bin.000042": MySQL pads to six digits and grows beyond.
std::string BinlogFileName(std::string_view base_name, uint32_t file_number);

}  // namespace chameleon
