// Value constructors, equality and readable text; see value.h.
#include "event/value.h"

#include <fmt/format.h>

#include <bit>
#include <cstdlib>

#include "common/strings.h"

namespace chameleon {
namespace {

std::string Quote(const std::string& text) {
  std::string quoted = "'";
  for (char c : text) {
    if (c == '\'') quoted += '\'';
    quoted += c;
  }
  return quoted + "'";
}

std::string Hex(const std::string& bytes) {
  std::string out = "x'";
  for (char c : bytes)
    out += fmt::format("{:02x}", static_cast<unsigned char>(c));
  return out + "'";
}

std::string DescribeTime(int64_t microseconds) {
  uint64_t magnitude = microseconds < 0 ? 0 - static_cast<uint64_t>(microseconds)
                                        : static_cast<uint64_t>(microseconds);
  uint64_t seconds = magnitude / 1000000;
  return fmt::format("{}{:02}:{:02}:{:02}.{:06}", microseconds < 0 ? "-" : "", seconds / 3600,
                     seconds / 60 % 60, seconds % 60, magnitude % 1000000);
}

}  // namespace

const char* ValueTypeName(ValueType type) {
  switch (type) {
    case ValueType::kNull:
      return "null";
    case ValueType::kInt:
      return "int";
    case ValueType::kUInt:
      return "uint";
    case ValueType::kFloat:
      return "float";
    case ValueType::kDouble:
      return "double";
    case ValueType::kDecimal:
      return "decimal";
    case ValueType::kString:
      return "string";
    case ValueType::kBytes:
      return "bytes";
    case ValueType::kDate:
      return "date";
    case ValueType::kTime:
      return "time";
    case ValueType::kDateTime:
      return "datetime";
    case ValueType::kTimestamp:
      return "timestamp";
    case ValueType::kYear:
      return "year";
    case ValueType::kBit:
      return "bit";
    case ValueType::kEnum:
      return "enum";
    case ValueType::kSet:
      return "set";
    case ValueType::kJson:
      return "json";
  }
  return "unknown";
}

Value Value::Int(int64_t value) {
  Value v;
  v.type_ = ValueType::kInt;
  v.scalar_.int_value = value;
  return v;
}

Value Value::UInt(uint64_t value) {
  Value v;
  v.type_ = ValueType::kUInt;
  v.scalar_.uint_value = value;
  return v;
}

Value Value::Float(float value) {
  Value v;
  v.type_ = ValueType::kFloat;
  v.scalar_.double_value = static_cast<double>(value);
  return v;
}

Value Value::Double(double value) {
  Value v;
  v.type_ = ValueType::kDouble;
  v.scalar_.double_value = value;
  return v;
}

Value Value::Decimal(std::string text) {
  return WithText(ValueType::kDecimal, std::move(text));
}
Value Value::String(std::string utf8) {
  return WithText(ValueType::kString, std::move(utf8));
}
Value Value::Bytes(std::string bytes) {
  return WithText(ValueType::kBytes, std::move(bytes));
}
Value Value::Enum(std::string label) {
  return WithText(ValueType::kEnum, std::move(label));
}
Value Value::Set(std::string joined_labels) {
  return WithText(ValueType::kSet, std::move(joined_labels));
}
Value Value::Json(std::string text) {
  return WithText(ValueType::kJson, std::move(text));
}

Value Value::MakeDate(Date date) {
  Value v;
  v.type_ = ValueType::kDate;
  v.scalar_.date = date;
  return v;
}

Value Value::Time(int64_t microseconds) {
  Value v = Int(microseconds);
  v.type_ = ValueType::kTime;
  return v;
}

Value Value::MakeDateTime(DateTime datetime) {
  Value v;
  v.type_ = ValueType::kDateTime;
  v.scalar_.datetime = datetime;
  return v;
}

Value Value::Timestamp(int64_t epoch_microseconds) {
  Value v = Int(epoch_microseconds);
  v.type_ = ValueType::kTimestamp;
  return v;
}

Value Value::Year(uint16_t year) {
  Value v = UInt(year);
  v.type_ = ValueType::kYear;
  return v;
}

Value Value::Bit(uint64_t bits, uint8_t width) {
  Value v = UInt(bits);
  v.type_ = ValueType::kBit;
  v.bit_width_ = width;
  return v;
}

Value Value::WithText(ValueType type, std::string text) {
  Value v;
  v.type_ = type;
  v.text_ = std::move(text);
  return v;
}

bool Value::has_text() const {
  switch (type_) {
    case ValueType::kDecimal:
    case ValueType::kString:
    case ValueType::kBytes:
    case ValueType::kEnum:
    case ValueType::kSet:
    case ValueType::kJson:
      return true;
    default:
      return false;
  }
}

std::vector<std::string> Value::set_labels() const {
  if (text_.empty()) return {};
  return Split(text_, ',');
}

bool operator==(const Value& a, const Value& b) {
  if (a.type_ != b.type_) return false;
  switch (a.type_) {
    case ValueType::kNull:
      return true;
    case ValueType::kInt:
    case ValueType::kTime:
    case ValueType::kTimestamp:
      return a.scalar_.int_value == b.scalar_.int_value;
    case ValueType::kUInt:
    case ValueType::kYear:
      return a.scalar_.uint_value == b.scalar_.uint_value;
    case ValueType::kBit:
      return a.scalar_.uint_value == b.scalar_.uint_value && a.bit_width_ == b.bit_width_;
    case ValueType::kFloat:
    case ValueType::kDouble:
      return std::bit_cast<uint64_t>(a.scalar_.double_value) ==
             std::bit_cast<uint64_t>(b.scalar_.double_value);
    case ValueType::kDate:
      return a.scalar_.date == b.scalar_.date;
    case ValueType::kDateTime:
      return a.scalar_.datetime == b.scalar_.datetime;
    default:
      return a.text_ == b.text_;
  }
}

std::string DescribeValue(const Value& value) {
  switch (value.type()) {
    case ValueType::kNull:
      return "NULL";
    case ValueType::kInt:
      return std::to_string(value.int_value());
    case ValueType::kUInt:
    case ValueType::kYear:
      return std::to_string(value.uint_value());
    case ValueType::kFloat:
    case ValueType::kDouble:
      return fmt::format("{}", value.double_value());
    case ValueType::kDecimal:
      return value.text();
    case ValueType::kString:
    case ValueType::kEnum:
    case ValueType::kSet:
      return Quote(value.text());
    case ValueType::kJson:
      return "JSON " + Quote(value.text());
    case ValueType::kBytes:
      return Hex(value.text());
    case ValueType::kDate: {
      Date d = value.date();
      return fmt::format("DATE '{:04}-{:02}-{:02}'", d.year, d.month, d.day);
    }
    case ValueType::kTime:
      return "TIME '" + DescribeTime(value.int_value()) + "'";
    case ValueType::kDateTime: {
      DateTime d = value.datetime();
      return fmt::format("DATETIME '{:04}-{:02}-{:02} {:02}:{:02}:{:02}.{:06}'", d.year, d.month,
                         d.day, d.hour, d.minute, d.second, d.microsecond);
    }
    case ValueType::kTimestamp:
      return fmt::format("TIMESTAMP {}us", value.int_value());
    case ValueType::kBit: {
      std::string bits;
      for (int i = value.bit_width() - 1; i >= 0; --i) {
        bits += ((value.uint_value() >> i) & 1U) != 0 ? '1' : '0';
      }
      return "b'" + bits + "'";
    }
  }
  return "?";
}

}  // namespace chameleon
