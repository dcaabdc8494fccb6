// Value and column-shape adapters for the translation module; see row_text.h.
#include "replayer/row_text.h"

#include <fmt/format.h>

#include <charconv>
#include <cstdlib>

#include "common/strings.h"
#include "translation/column_definition.h"

namespace chameleon::replayer {
namespace {

template <typename Number>
void AppendNumber(Number number, std::string* out) {
  char buffer[32];
  auto [end, error] = std::to_chars(buffer, buffer + sizeof buffer, number);
  (void)error;  // 32 bytes hold every integer and the shortest float text
  out->append(buffer, end);
}

void AppendDigits(uint64_t number, int width, std::string* out) {
  char buffer[24];
  auto [end, error] = std::to_chars(buffer, buffer + sizeof buffer, number);
  (void)error;
  for (auto length = end - buffer; length < width; ++length)
    out->push_back('0');
  out->append(buffer, end);
}

void AppendFraction(uint32_t microsecond, std::string* out) {
  if (microsecond == 0) return;
  out->push_back('.');
  AppendDigits(microsecond, 6, out);
}

void AppendDateTime(const DateTime& value, std::string* out) {
  AppendDigits(value.year, 4, out);
  out->push_back('-');
  AppendDigits(value.month, 2, out);
  out->push_back('-');
  AppendDigits(value.day, 2, out);
  out->push_back(' ');
  AppendDigits(value.hour, 2, out);
  out->push_back(':');
  AppendDigits(value.minute, 2, out);
  out->push_back(':');
  AppendDigits(value.second, 2, out);
  AppendFraction(value.microsecond, out);
}

// Days since 1970-01-01 to a civil date (Howard Hinnant's algorithm): no time zone data,
// no locale, valid for every date MySQL's TIMESTAMP holds.
DateTime FromEpochMicroseconds(int64_t epoch_microseconds) {
  int64_t seconds = epoch_microseconds / 1000000;
  int64_t micros = epoch_microseconds % 1000000;
  if (micros < 0) {
    micros += 1000000;
    --seconds;
  }
  int64_t days = seconds / 86400;
  int64_t second_of_day = seconds % 86400;
  if (second_of_day < 0) {
    second_of_day += 86400;
    --days;
  }
  days += 719468;
  int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  int64_t day_of_era = days - era * 146097;
  int64_t year_of_era =
      (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
  int64_t day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
  int64_t month_index = (5 * day_of_year + 2) / 153;
  int64_t day = day_of_year - (153 * month_index + 2) / 5 + 1;
  int64_t month = month_index < 10 ? month_index + 3 : month_index - 9;
  int64_t year = year_of_era + era * 400 + (month <= 2 ? 1 : 0);
  DateTime out;
  out.year = static_cast<uint16_t>(year);
  out.month = static_cast<uint8_t>(month);
  out.day = static_cast<uint8_t>(day);
  out.hour = static_cast<uint8_t>(second_of_day / 3600);
  out.minute = static_cast<uint8_t>(second_of_day / 60 % 60);
  out.second = static_cast<uint8_t>(second_of_day % 60);
  out.microsecond = static_cast<uint32_t>(micros);
  return out;
}

// MYSQL_TYPE_* codes of a table map, for shapes whose COLUMN_TYPE is unknown.
const char* DataTypeForCode(uint8_t code) {
  switch (code) {
    case 0:
    case 246:
      return "decimal";
    case 1:
      return "tinyint";
    case 2:
      return "smallint";
    case 3:
      return "int";
    case 4:
      return "float";
    case 5:
      return "double";
    case 7:
    case 17:
      return "timestamp";
    case 8:
      return "bigint";
    case 9:
      return "mediumint";
    case 10:
    case 14:
      return "date";
    case 11:
    case 19:
      return "time";
    case 12:
    case 18:
      return "datetime";
    case 13:
      return "year";
    case 15:
      return "varchar";
    case 16:
      return "bit";
    case 245:
      return "json";
    case 247:
      return "enum";
    case 248:
      return "set";
    case 249:
    case 250:
    case 251:
    case 252:
      return "longblob";
    case 253:
      return "varchar";
    case 254:
      return "char";
    case 255:
      return "geometry";
    default:
      return "";
  }
}

}  // namespace

std::string_view MysqlText(const Value& value, std::string* scratch) {
  if (value.has_text()) return value.text();
  scratch->clear();
  switch (value.type()) {
    case ValueType::kInt:
      AppendNumber(value.int_value(), scratch);
      break;
    case ValueType::kUInt:
    case ValueType::kYear:
      AppendNumber(value.uint_value(), scratch);
      break;
    case ValueType::kFloat:
      // The shortest text that reads back as the same float: what init's copy stores.
      AppendNumber(static_cast<float>(value.double_value()), scratch);
      break;
    case ValueType::kDouble:
      AppendNumber(value.double_value(), scratch);
      break;
    case ValueType::kDate: {
      Date date = value.date();
      AppendDigits(date.year, 4, scratch);
      scratch->push_back('-');
      AppendDigits(date.month, 2, scratch);
      scratch->push_back('-');
      AppendDigits(date.day, 2, scratch);
      break;
    }
    case ValueType::kTime: {
      int64_t micros = value.int_value();
      uint64_t magnitude =
          micros < 0 ? 0 - static_cast<uint64_t>(micros) : static_cast<uint64_t>(micros);
      uint64_t seconds = magnitude / 1000000;
      if (micros < 0) scratch->push_back('-');
      AppendDigits(seconds / 3600, 2, scratch);
      scratch->push_back(':');
      AppendDigits(seconds / 60 % 60, 2, scratch);
      scratch->push_back(':');
      AppendDigits(seconds % 60, 2, scratch);
      AppendFraction(static_cast<uint32_t>(magnitude % 1000000), scratch);
      break;
    }
    case ValueType::kDateTime:
      AppendDateTime(value.datetime(), scratch);
      break;
    case ValueType::kTimestamp:
      if (value.int_value() == 0) {
        scratch->append("0000-00-00 00:00:00");  // MySQL's zero timestamp
      } else {
        AppendDateTime(FromEpochMicroseconds(value.int_value()), scratch);
      }
      break;
    case ValueType::kBit: {
      // BIT(n) travels as ceil(n/8) big-endian bytes, as the server sends it.
      size_t bytes = (static_cast<size_t>(value.bit_width()) + 7) / 8;
      if (bytes == 0) bytes = 1;
      for (size_t index = bytes; index-- > 0;) {
        scratch->push_back(
            static_cast<char>(index >= 8 ? 0 : (value.uint_value() >> (8 * index)) & 0xff));
      }
      break;
    }
    default:
      break;
  }
  return *scratch;
}

translation::SourceColumn SourceColumnFor(const ColumnShape& shape) {
  translation::SourceColumn column;
  column.name = shape.name;
  column.nullable = shape.nullable;
  column.column_type = shape.column_type;
  std::string lowered = ToLower(Trim(shape.column_type));
  if (lowered.substr(0, lowered.find_first_of("( ")).empty()) {
    column.column_type =
        std::string(DataTypeForCode(shape.type_code)) + (shape.is_unsigned ? " unsigned" : "");
  }
  translation::FillFromColumnType(&column);
  column.is_json = shape.type_code == 245;
  return column;
}

}  // namespace chameleon::replayer
