// Value: one column value of a row image, typed as MySQL typed it, exact (no lossy text).
// The reader produces them, the spool stores them, the replayer turns them into PostgreSQL.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace chameleon {

// The numbers are the spool's on-disk value tags (src/spool/FORMAT.md): never renumber.
enum class ValueType : uint8_t {
  kNull = 0,
  kInt = 1,         // signed integer types
  kUInt = 2,        // UNSIGNED integer types (BIGINT UNSIGNED max fits)
  kFloat = 3,       // FLOAT: kept as the float it was
  kDouble = 4,      // DOUBLE
  kDecimal = 5,     // DECIMAL/NUMERIC as exact decimal text, e.g. "-12.3400"
  kString = 6,      // character types, already converted to UTF-8 by the reader
  kBytes = 7,       // BINARY/VARBINARY/BLOB and binary-collated text: raw bytes
  kDate = 8,        // DATE; zero dates (0000-00-00) and zero parts allowed
  kTime = 9,        // TIME as signed microseconds; may exceed +-24 h (MySQL: +-838:59:59)
  kDateTime = 10,   // DATETIME as parts; zero allowed
  kTimestamp = 11,  // TIMESTAMP as UTC epoch microseconds; 0 is MySQL's zero timestamp
  kYear = 12,       // YEAR (0 is the zero year)
  kBit = 13,        // BIT(width): the bits as an unsigned number
  kEnum = 14,       // ENUM: the label ("" is MySQL's invalid-value index 0)
  kSet = 15,        // SET: the labels joined by ',' (MySQL forbids ',' in SET members)
  kJson = 16,       // JSON as text
};
constexpr uint8_t kLastValueType = static_cast<uint8_t>(ValueType::kJson);

const char* ValueTypeName(ValueType type);

struct Date {
  uint16_t year = 0;
  uint8_t month = 0;
  uint8_t day = 0;
  bool operator==(const Date&) const = default;
};

struct DateTime {
  uint16_t year = 0;
  uint8_t month = 0;
  uint8_t day = 0;
  uint8_t hour = 0;
  uint8_t minute = 0;
  uint8_t second = 0;
  uint32_t microsecond = 0;
  bool operator==(const DateTime&) const = default;
};

// A tag, a 16-byte scalar and a string (used only by the text-like types): 56 bytes, cheap to
// move, no heap allocation for numbers and temporal values.
class Value {
 public:
  Value() = default;  // NULL

  static Value Null() { return {}; }
  static Value Int(int64_t value);
  static Value UInt(uint64_t value);
  static Value Float(float value);
  static Value Double(double value);
  static Value Decimal(std::string text);
  static Value String(std::string utf8);
  static Value Bytes(std::string bytes);
  static Value MakeDate(Date date);
  static Value Time(int64_t microseconds);
  static Value MakeDateTime(DateTime datetime);
  static Value Timestamp(int64_t epoch_microseconds);
  static Value Year(uint16_t year);
  static Value Bit(uint64_t bits, uint8_t width);
  static Value Enum(std::string label);
  static Value Set(std::string joined_labels);
  static Value Json(std::string text);

  ValueType type() const { return type_; }
  bool is_null() const { return type_ == ValueType::kNull; }
  // True for the types whose payload is text(): decimal, string, bytes, enum, set, json.
  bool has_text() const;

  // kInt; kTime (microseconds); kTimestamp (epoch microseconds).
  int64_t int_value() const { return scalar_.int_value; }
  // kUInt; kYear; kBit.
  uint64_t uint_value() const { return scalar_.uint_value; }
  // kFloat (exactly the float), kDouble.
  double double_value() const { return scalar_.double_value; }
  const std::string& text() const { return text_; }
  Date date() const { return scalar_.date; }
  DateTime datetime() const { return scalar_.datetime; }
  uint8_t bit_width() const { return bit_width_; }
  std::vector<std::string> set_labels() const;

  // Same type and same payload; doubles compare by bit pattern (NaN == NaN, 0.0 != -0.0).
  friend bool operator==(const Value& a, const Value& b);

 private:
  static Value WithText(ValueType type, std::string text);

  union Scalar {
    Scalar() : int_value(0) {}
    int64_t int_value;
    uint64_t uint_value;
    double double_value;
    Date date;
    DateTime datetime;
  };

  Scalar scalar_;
  ValueType type_ = ValueType::kNull;
  uint8_t bit_width_ = 0;
  std::string text_;
};

// One line of readable text for `spool inspect` and error messages: NULL, 42, 'it''s',
// x'00ff', DATE '2024-01-31', TIME '-838:59:59.000000', b'101' ...
std::string DescribeValue(const Value& value);

}  // namespace chameleon
