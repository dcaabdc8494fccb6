// ByteReader: a bounds-checked cursor over untrusted bytes from the wire or a file.
// A read past the end returns zeros/empty and makes ok() false for good, so a decoder reads
// a whole structure and checks once, and a damaged length can never reach outside the buffer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace chameleon::reader {

class ByteReader {
 public:
  ByteReader() = default;
  explicit ByteReader(std::string_view bytes) : bytes_(bytes) {}

  bool ok() const { return ok_; }
  size_t remaining() const { return bytes_.size() - offset_; }
  size_t offset() const { return offset_; }
  bool empty() const { return remaining() == 0; }

  // Little-endian unsigned integer of `size` bytes (0..8).
  uint64_t Fixed(size_t size) {
    if (size > 8 || !Has(size)) return Fail();
    uint64_t value = 0;
    for (size_t i = 0; i < size; ++i) {
      value |= static_cast<uint64_t>(Byte(offset_ + i)) << (8 * i);
    }
    offset_ += size;
    return value;
  }
  // Big-endian unsigned integer of `size` bytes (0..8): the temporal and decimal formats.
  uint64_t FixedBigEndian(size_t size) {
    if (size > 8 || !Has(size)) return Fail();
    uint64_t value = 0;
    for (size_t i = 0; i < size; ++i)
      value = (value << 8) | Byte(offset_ + i);
    offset_ += size;
    return value;
  }
  uint8_t U8() { return static_cast<uint8_t>(Fixed(1)); }
  uint16_t U16() { return static_cast<uint16_t>(Fixed(2)); }
  uint32_t U32() { return static_cast<uint32_t>(Fixed(4)); }
  uint64_t U64() { return Fixed(8); }

  // MySQL's length-encoded integer (1, 3, 4 or 9 bytes). 0xFB (SQL NULL) and 0xFF fail.
  uint64_t LengthEncoded() {
    uint8_t first = U8();
    if (first < 0xfb) return first;
    if (first == 0xfc) return Fixed(2);
    if (first == 0xfd) return Fixed(3);
    if (first == 0xfe) return Fixed(8);
    return Fail();
  }

  std::string_view Take(uint64_t size) {
    if (!Has(size)) {
      Fail();
      return {};
    }
    std::string_view out = bytes_.substr(offset_, static_cast<size_t>(size));
    offset_ += static_cast<size_t>(size);
    return out;
  }
  std::string_view LengthEncodedString() { return Take(LengthEncoded()); }
  std::string_view Rest() { return Take(remaining()); }
  void Skip(uint64_t size) { Take(size); }

  // A failure found by the caller (a value out of its domain) also sticks.
  uint64_t Fail() {
    ok_ = false;
    offset_ = bytes_.size();
    return 0;
  }

 private:
  bool Has(uint64_t size) const { return ok_ && size <= remaining(); }
  uint8_t Byte(size_t index) const { return static_cast<uint8_t>(bytes_[index]); }

  std::string_view bytes_;
  size_t offset_ = 0;
  bool ok_ = true;
};

// Bit `index` of a little-endian-within-byte bitmap (the binlog's NULL and column bitmaps);
// the caller guarantees index / 8 < bits.size().
inline bool BitIsSet(std::string_view bits, size_t index) {
  auto byte = static_cast<unsigned>(static_cast<unsigned char>(bits[index / 8]));
  return ((byte >> (index % 8)) & 1U) != 0;
}

}  // namespace chameleon::reader
