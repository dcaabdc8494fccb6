// Collation ids and conversion to UTF-8; see charset.h.
#include "reader/charset.h"

#include <array>

namespace chameleon::reader {
namespace {

// MySQL's latin1 is Windows-1252 with the five undefined bytes kept as C1 controls.
constexpr std::array<uint16_t, 32> kLatin1High = {
    0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0x008D, 0x017D, 0x008F, 0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178};

constexpr uint32_t kReplacement = 0xFFFD;

void AppendCodePoint(uint32_t code, std::string* out) {
  if (code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) code = kReplacement;
  if (code < 0x80) {
    out->push_back(static_cast<char>(code));
  } else if (code < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (code >> 6)));
    out->push_back(static_cast<char>(0x80 | (code & 0x3F)));
  } else if (code < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (code >> 12)));
    out->push_back(static_cast<char>(0x80 | ((code >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (code & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (code >> 18)));
    out->push_back(static_cast<char>(0x80 | ((code >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((code >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (code & 0x3F)));
  }
}

uint32_t Unit(std::string_view bytes, size_t at, size_t width, bool little_endian) {
  uint32_t value = 0;
  for (size_t i = 0; i < width; ++i) {
    uint32_t byte = static_cast<uint8_t>(bytes[at + i]);
    value |= little_endian ? byte << (8 * i) : byte << (8 * (width - 1 - i));
  }
  return value;
}

void AppendUtf16(std::string_view bytes, bool little_endian, std::string* out) {
  size_t i = 0;
  for (; i + 2 <= bytes.size(); i += 2) {
    uint32_t unit = Unit(bytes, i, 2, little_endian);
    if (unit >= 0xD800 && unit <= 0xDBFF && i + 4 <= bytes.size()) {
      uint32_t low = Unit(bytes, i + 2, 2, little_endian);
      if (low >= 0xDC00 && low <= 0xDFFF) {
        AppendCodePoint(0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00), out);
        i += 2;
        continue;
      }
    }
    AppendCodePoint(unit, out);
  }
  if (i < bytes.size()) AppendCodePoint(kReplacement, out);
}

}  // namespace

Charset CharsetOfCollation(uint32_t collation) {
  if (collation == 63) return Charset::kBinary;
  if (collation >= 2048) {
    // MariaDB 10.10+ UCA-14.0 collations: 256 ids per charset.
    switch ((collation - 2048) / 256) {
      case 0:
      case 1:
        return Charset::kUtf8;
      case 2:
        return Charset::kUcs2;
      case 3:
        return Charset::kUtf16;
      case 4:
        return Charset::kUtf32;
      default:
        return Charset::kUnknown;
    }
  }
  // MariaDB's NOPAD variants sit 1024 above their PAD collation.
  if (collation >= 1024) collation -= 1024;
  switch (collation) {
    case 5:
    case 8:
    case 15:
    case 31:
    case 47:
    case 48:
    case 49:
    case 94:
      return Charset::kLatin1;
    case 11:
    case 65:
      return Charset::kAscii;
    case 33:
    case 45:
    case 46:
    case 76:
    case 83:
      return Charset::kUtf8;
    case 35:
    case 90:
    case 159:
      return Charset::kUcs2;
    case 54:
    case 55:
      return Charset::kUtf16;
    case 56:
    case 62:
      return Charset::kUtf16Le;
    case 60:
    case 61:
      return Charset::kUtf32;
    default:
      break;
  }
  if (collation >= 192 && collation <= 247) return Charset::kUtf8;  // utf8mb3 / utf8mb4 UCA
  if (collation >= 255 && collation <= 323) return Charset::kUtf8;  // MySQL 8 utf8mb4_0900_*
  if (collation >= 128 && collation <= 151) return Charset::kUcs2;
  if (collation >= 101 && collation <= 124) return Charset::kUtf16;
  if (collation >= 160 && collation <= 183) return Charset::kUtf32;
  return Charset::kUnknown;
}

void AppendUtf8(std::string_view bytes, Charset charset, std::string* out) {
  switch (charset) {
    case Charset::kLatin1:
      out->reserve(out->size() + bytes.size());
      for (char c : bytes) {
        auto byte = static_cast<uint8_t>(c);
        if (byte < 0x80) {
          out->push_back(c);
        } else if (byte < 0xA0) {
          AppendCodePoint(kLatin1High[byte - 0x80U], out);
        } else {
          AppendCodePoint(byte, out);
        }
      }
      return;
    case Charset::kUcs2:
      for (size_t i = 0; i + 2 <= bytes.size(); i += 2)
        AppendCodePoint(Unit(bytes, i, 2, false), out);
      if (bytes.size() % 2 != 0) AppendCodePoint(kReplacement, out);
      return;
    case Charset::kUtf16:
      AppendUtf16(bytes, false, out);
      return;
    case Charset::kUtf16Le:
      AppendUtf16(bytes, true, out);
      return;
    case Charset::kUtf32:
      for (size_t i = 0; i + 4 <= bytes.size(); i += 4)
        AppendCodePoint(Unit(bytes, i, 4, false), out);
      if (bytes.size() % 4 != 0) AppendCodePoint(kReplacement, out);
      return;
    case Charset::kAscii:
    case Charset::kUtf8:
    case Charset::kBinary:
    case Charset::kUnknown:
      out->append(bytes);
      return;
  }
}

}  // namespace chameleon::reader
