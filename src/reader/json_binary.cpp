// MySQL binary JSON to text. Layout: MySQL's json_binary.h (type byte, then small or large
// objects/arrays of offsets, inlined scalars, variable-length strings and opaque values).
#include "reader/json_binary.h"

#include <fmt/format.h>

#include <bit>

#include "reader/binlog_format.h"
#include "reader/byte_reader.h"
#include "reader/row_decoder.h"

namespace chameleon::reader {
namespace {

enum JsonType : uint8_t {
  kSmallObject = 0x00,
  kLargeObject = 0x01,
  kSmallArray = 0x02,
  kLargeArray = 0x03,
  kLiteral = 0x04,
  kInt16 = 0x05,
  kUInt16 = 0x06,
  kInt32 = 0x07,
  kUInt32 = 0x08,
  kInt64 = 0x09,
  kUInt64 = 0x0a,
  kDouble = 0x0b,
  kString = 0x0c,
  kOpaque = 0x0f,
};

constexpr int kMaxDepth = 150;

class JsonPrinter {
 public:
  JsonPrinter(std::string* out, size_t max_output_bytes)
      : out_(out), max_output_bytes_(max_output_bytes) {}

  // `doc` is the whole document (offsets of a container count from its own start).
  bool Value(uint8_t type, std::string_view data, int depth) {
    // Offsets may point many entries at one value: bound the output, not just the depth.
    if (depth > kMaxDepth || out_->size() > max_output_bytes_) return false;
    switch (type) {
      case kSmallObject:
      case kLargeObject:
        return Container(data, type == kLargeObject, true, depth);
      case kSmallArray:
      case kLargeArray:
        return Container(data, type == kLargeArray, false, depth);
      case kLiteral: {
        ByteReader in(data);
        uint8_t literal = in.U8();
        if (!in.ok() || literal > 2) return false;
        *out_ += literal == 0 ? "null" : literal == 1 ? "true" : "false";
        return true;
      }
      case kInt16:
      case kUInt16:
      case kInt32:
      case kUInt32:
      case kInt64:
      case kUInt64: {
        ByteReader in(data);
        size_t size = type <= kUInt16 ? 2 : type <= kUInt32 ? 4 : 8;
        uint64_t raw = in.Fixed(size);
        if (!in.ok()) return false;
        bool is_signed = type == kInt16 || type == kInt32 || type == kInt64;
        if (is_signed) {
          int64_t value = size == 2   ? static_cast<int16_t>(raw)
                          : size == 4 ? static_cast<int32_t>(raw)
                                      : static_cast<int64_t>(raw);
          *out_ += std::to_string(value);
        } else {
          *out_ += std::to_string(raw);
        }
        return true;
      }
      case kDouble: {
        ByteReader in(data);
        double value = std::bit_cast<double>(in.U64());
        if (!in.ok()) return false;
        std::string text = fmt::format("{}", value);
        // MySQL prints a double with an exponent or a point; keep "1.0" from reading as int.
        if (text.find_first_of(".eEn") == std::string::npos) text += ".0";
        *out_ += text;
        return true;
      }
      case kString: {
        ByteReader in(data);
        uint64_t length = VariableLength(in);
        std::string_view text = in.Take(length);
        if (!in.ok()) return false;
        Quote(text);
        return true;
      }
      case kOpaque:
        return Opaque(data);
      default:
        return false;
    }
  }

 private:
  static uint64_t VariableLength(ByteReader& in) {
    uint64_t length = 0;
    for (int shift = 0; shift < 35; shift += 7) {
      uint8_t byte = in.U8();
      length |= static_cast<uint64_t>(byte & 0x7f) << shift;
      if ((byte & 0x80) == 0) return length;
    }
    in.Fail();
    return 0;
  }

  void Quote(std::string_view text) {
    *out_ += '"';
    for (char c : text) {
      switch (c) {
        case '"':
          *out_ += "\\\"";
          break;
        case '\\':
          *out_ += "\\\\";
          break;
        case '\n':
          *out_ += "\\n";
          break;
        case '\r':
          *out_ += "\\r";
          break;
        case '\t':
          *out_ += "\\t";
          break;
        case '\b':
          *out_ += "\\b";
          break;
        case '\f':
          *out_ += "\\f";
          break;
        default:
          if (static_cast<uint8_t>(c) < 0x20) {
            *out_ += fmt::format("\\u{:04x}", static_cast<uint8_t>(c));
          } else {
            *out_ += c;
          }
      }
    }
    *out_ += '"';
  }

  // Scalars small enough live in the value entry itself instead of at an offset.
  static bool IsInlined(uint8_t type, bool large) {
    switch (type) {
      case kLiteral:
      case kInt16:
      case kUInt16:
        return true;
      case kInt32:
      case kUInt32:
        return large;
      default:
        return false;
    }
  }

  bool Container(std::string_view data, bool large, bool is_object, int depth) {
    size_t width = large ? 4 : 2;
    ByteReader in(data);
    uint64_t count = in.Fixed(width);
    uint64_t size = in.Fixed(width);
    if (!in.ok() || size > data.size()) return false;
    uint64_t header = 2 * width + count * (is_object ? width + 2 : 0) + count * (1 + width);
    if (count > data.size() || header > size) return false;
    *out_ += is_object ? '{' : '[';
    for (uint64_t i = 0; i < count; ++i) {
      if (i > 0) *out_ += ", ";
      if (is_object) {
        ByteReader key_entry(data.substr(2 * width + i * (width + 2)));
        uint64_t key_offset = key_entry.Fixed(width);
        uint64_t key_length = key_entry.Fixed(2);
        if (!key_entry.ok() || key_offset > size || key_length > size - key_offset) return false;
        Quote(data.substr(key_offset, key_length));
        *out_ += ": ";
      }
      size_t value_entry_at = 2 * width + (is_object ? count * (width + 2) : 0) + i * (1 + width);
      ByteReader entry(data.substr(value_entry_at));
      uint8_t type = entry.U8();
      if (!entry.ok()) return false;
      if (IsInlined(type, large)) {
        if (!Value(type, data.substr(value_entry_at + 1, width), depth + 1)) return false;
        continue;
      }
      uint64_t offset = entry.Fixed(width);
      if (!entry.ok() || offset >= size) return false;
      if (!Value(type, data.substr(offset, size - offset), depth + 1)) return false;
    }
    *out_ += is_object ? '}' : ']';
    return true;
  }

  bool Opaque(std::string_view data) {
    ByteReader in(data);
    uint8_t field_type = in.U8();
    uint64_t length = VariableLength(in);
    std::string_view payload = in.Take(length);
    if (!in.ok()) return false;
    ByteReader value(payload);
    switch (field_type) {
      case format::kTypeNewDecimal: {
        int precision = value.U8();
        int scale = value.U8();
        if (!value.ok()) return false;
        Result<std::string> text = DecodeDecimal(value, precision, scale);
        if (!text.ok()) return false;
        *out_ += *text;
        return true;
      }
      case format::kTypeDate:
      case format::kTypeTime:
      case format::kTypeTime2:
      case format::kTypeDateTime:
      case format::kTypeDateTime2:
      case format::kTypeTimestamp:
      case format::kTypeTimestamp2:
        return Temporal(field_type, value);
      default: {
        // Any other opaque value (BLOB, BIT, GEOMETRY in JSON): MySQL prints base64.
        *out_ += "\"base64:type" + std::to_string(field_type) + ":" + Base64(payload) + "\"";
        return true;
      }
    }
  }

  // MySQL's in-memory "packed" temporal: int64 = (intpart << 24) | microseconds.
  bool Temporal(uint8_t field_type, ByteReader& value) {
    auto packed = static_cast<int64_t>(value.U64());
    if (!value.ok()) return false;
    bool negative = packed < 0;
    uint64_t magnitude =
        negative ? 0 - static_cast<uint64_t>(packed) : static_cast<uint64_t>(packed);
    uint64_t micros = magnitude & 0xffffff;
    uint64_t intpart = magnitude >> 24;
    std::string fraction = micros != 0 ? fmt::format(".{:06}", micros) : "";
    if (field_type == format::kTypeTime || field_type == format::kTypeTime2) {
      *out_ +=
          fmt::format("\"{}{:02}:{:02}:{:02}{}\"", negative ? "-" : "", (intpart >> 12) & 0x3ff,
                      (intpart >> 6) & 0x3f, intpart & 0x3f, fraction);
      return true;
    }
    uint64_t ymd = intpart >> 17;
    uint64_t year_month = ymd >> 5;
    uint64_t hms = intpart & 0x1ffff;
    if (field_type == format::kTypeDate) {
      *out_ += fmt::format("\"{:04}-{:02}-{:02}\"", year_month / 13, year_month % 13, ymd & 31);
      return true;
    }
    *out_ += fmt::format("\"{:04}-{:02}-{:02} {:02}:{:02}:{:02}{}\"", year_month / 13,
                         year_month % 13, ymd & 31, hms >> 12, (hms >> 6) & 63, hms & 63, fraction);
    return true;
  }

  static std::string Base64(std::string_view bytes) {
    static constexpr char kAlphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    size_t i = 0;
    for (; i + 3 <= bytes.size(); i += 3) {
      uint32_t n = static_cast<uint32_t>(static_cast<uint8_t>(bytes[i])) << 16 |
                   static_cast<uint32_t>(static_cast<uint8_t>(bytes[i + 1])) << 8 |
                   static_cast<uint8_t>(bytes[i + 2]);
      for (int shift = 18; shift >= 0; shift -= 6)
        out += kAlphabet[(n >> shift) & 63];
    }
    if (i < bytes.size()) {
      uint32_t n = static_cast<uint32_t>(static_cast<uint8_t>(bytes[i])) << 16;
      if (i + 1 < bytes.size()) n |= static_cast<uint32_t>(static_cast<uint8_t>(bytes[i + 1])) << 8;
      out += kAlphabet[(n >> 18) & 63];
      out += kAlphabet[(n >> 12) & 63];
      out += i + 1 < bytes.size() ? kAlphabet[(n >> 6) & 63] : '=';
      out += '=';
    }
    return out;
  }

  std::string* out_;
  size_t max_output_bytes_;
};

}  // namespace

Result<std::string> JsonBinaryToText(std::string_view bytes) {
  // An empty value is what MySQL stores for JSON NULL set by some paths: print null.
  if (bytes.empty()) return std::string("null");
  std::string out;
  // Text is at most a few times the binary; anything far beyond is a damaged document.
  JsonPrinter printer(&out, 16 * bytes.size() + 4096);
  auto type = static_cast<uint8_t>(bytes[0]);
  if (!printer.Value(type, bytes.substr(1), 0)) {
    return Status::Corruption(fmt::format("binary JSON of {} bytes is damaged", bytes.size()));
  }
  return out;
}

}  // namespace chameleon::reader
