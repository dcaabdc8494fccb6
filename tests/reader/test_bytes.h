// Test helper: a byte string from a list of byte values, for hand-built binlog fixtures.
#pragma once

#include <initializer_list>
#include <string>

namespace chameleon::reader {

inline std::string Bytes(std::initializer_list<int> values) {
  std::string out;
  for (int v : values)
    out += static_cast<char>(v);
  return out;
}

}  // namespace chameleon::reader
