// Column values from binlog row images. Formats: the MySQL source's Field::pack and
// my_time.cc (temporal "packed" forms) as documented in the binlog event reference.
#include "reader/row_decoder.h"

#include <fmt/format.h>

#include <array>
#include <bit>

#include "reader/binlog_format.h"
#include "reader/charset.h"
#include "reader/json_binary.h"
#include "reader/json_diff.h"

namespace chameleon::reader {
namespace {

constexpr std::array<int, 10> kDigitBytes = {0, 1, 1, 2, 2, 3, 3, 4, 4, 4};
constexpr int kDigitsPerGroup = 9;
constexpr std::array<uint32_t, 10> kPowersOfTen = {
    1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000, 1000000000};

int64_t MicrosecondsOf(int64_t hours, int64_t minutes, int64_t seconds, int64_t micros) {
  return ((hours * 60 + minutes) * 60 + seconds) * 1000000 + micros;
}

// Fractional seconds of the *2 temporal types: (fsp + 1) / 2 big-endian bytes, as micros.
// Returns the raw stored number and its scale to microseconds.
uint64_t ReadFraction(ByteReader& in, int fsp, int64_t* scale) {
  switch (fsp) {
    case 1:
    case 2:
      *scale = 10000;
      return in.FixedBigEndian(1);
    case 3:
    case 4:
      *scale = 100;
      return in.FixedBigEndian(2);
    case 5:
    case 6:
      *scale = 1;
      return in.FixedBigEndian(3);
    default:
      *scale = 0;
      return 0;
  }
}

Status DecodeTime2(ByteReader& in, int fsp, Value* out) {
  // A 24-bit "hours:10 minutes:6 seconds:6" field offset by 2^23, then the fraction; negative
  // values are stored as the two's complement of the whole (intpart, fraction) number.
  constexpr int64_t kIntOffset = 0x800000;
  constexpr int64_t kFullOffset = 0x800000000000;
  int64_t packed = 0;  // (intpart << 24) + microseconds
  if (fsp >= 5) {
    packed = static_cast<int64_t>(in.FixedBigEndian(6)) - kFullOffset;
  } else {
    int64_t intpart = static_cast<int64_t>(in.FixedBigEndian(3)) - kIntOffset;
    int64_t scale = 0;
    auto fraction = static_cast<int64_t>(ReadFraction(in, fsp, &scale));
    if (fsp > 0 && intpart < 0 && fraction != 0) {
      ++intpart;
      fraction -= fsp <= 2 ? 0x100 : 0x10000;
    }
    packed = intpart * (int64_t{1} << 24) + fraction * scale;
  }
  bool negative = packed < 0;
  uint64_t magnitude = negative ? 0 - static_cast<uint64_t>(packed) : static_cast<uint64_t>(packed);
  uint64_t hms = magnitude >> 24;
  auto micros = static_cast<int64_t>(magnitude & 0xffffff);
  auto hours = static_cast<int64_t>((hms >> 12) & 0x3ff);
  auto minutes = static_cast<int64_t>((hms >> 6) & 0x3f);
  auto seconds = static_cast<int64_t>(hms & 0x3f);
  if (micros > 999999 || minutes > 59 || seconds > 59) in.Fail();
  int64_t total = MicrosecondsOf(hours, minutes, seconds, micros);
  *out = Value::Time(negative ? -total : total);
  return Status::Ok();
}

Status DecodeDateTime2(ByteReader& in, int fsp, Value* out) {
  constexpr int64_t kIntOffset = 0x8000000000;
  int64_t intpart = static_cast<int64_t>(in.FixedBigEndian(5)) - kIntOffset;
  int64_t scale = 0;
  uint64_t fraction = ReadFraction(in, fsp, &scale);
  if (intpart < 0) {
    in.Fail();
    return Status::Ok();
  }
  auto packed = static_cast<uint64_t>(intpart);
  uint64_t ymd = packed >> 17;
  uint64_t year_month = ymd >> 5;
  uint64_t hms = packed & 0x1ffff;
  DateTime value;
  value.year = static_cast<uint16_t>(year_month / 13);
  value.month = static_cast<uint8_t>(year_month % 13);
  value.day = static_cast<uint8_t>(ymd & 31);
  value.hour = static_cast<uint8_t>(hms >> 12);
  value.minute = static_cast<uint8_t>((hms >> 6) & 63);
  value.second = static_cast<uint8_t>(hms & 63);
  value.microsecond = static_cast<uint32_t>(fraction * static_cast<uint64_t>(scale));
  if (year_month / 13 > 9999 || value.hour > 23 || value.minute > 59 || value.second > 59 ||
      value.microsecond > 999999) {
    in.Fail();
  }
  *out = Value::MakeDateTime(value);
  return Status::Ok();
}

Value DecodeOldDateTime(uint64_t packed) {
  // YYYYMMDDhhmmss as a decimal number (DATETIME before MySQL 5.6.4).
  uint64_t date = packed / 1000000;
  uint64_t time = packed % 1000000;
  DateTime value;
  value.year = static_cast<uint16_t>(date / 10000 % 10000);
  value.month = static_cast<uint8_t>(date / 100 % 100);
  value.day = static_cast<uint8_t>(date % 100);
  value.hour = static_cast<uint8_t>(time / 10000);
  value.minute = static_cast<uint8_t>(time / 100 % 100);
  value.second = static_cast<uint8_t>(time % 100);
  return Value::MakeDateTime(value);
}

// Length-prefixed bytes: the prefix is `prefix_bytes` little-endian bytes.
std::string_view ReadPrefixed(ByteReader& in, size_t prefix_bytes) {
  if (prefix_bytes < 1 || prefix_bytes > 4) {
    in.Fail();
    return {};
  }
  return in.Take(in.Fixed(prefix_bytes));
}

Value TextValue(std::string_view bytes, uint32_t collation) {
  Charset charset = CharsetOfCollation(collation);
  if (charset == Charset::kBinary) return Value::Bytes(std::string(bytes));
  std::string text;
  AppendUtf8(bytes, charset, &text);
  return Value::String(std::move(text));
}

std::string LabelText(const std::string& label, uint32_t collation) {
  Charset charset = CharsetOfCollation(collation);
  if (charset == Charset::kUtf8 || charset == Charset::kUnknown || charset == Charset::kBinary ||
      charset == Charset::kAscii) {
    return label;
  }
  std::string text;
  AppendUtf8(label, charset, &text);
  return text;
}

std::string ColumnName(const ColumnInfo& column, size_t index) {
  return column.name.empty() ? fmt::format("column {}", index + 1) : column.name;
}

// A JSON column of a PARTIAL_UPDATE_ROWS after image: diffs applied to the before image.
Status ApplyPartialJson(const ColumnInfo& column, ByteReader& in, const Value& before, Value* out) {
  if (before.type() != ValueType::kJson) {
    return Status::FailedPrecondition(
        fmt::format("partial JSON update of {} without its document in the before image: set "
                    "binlog_row_image=FULL on the source (or binlog_row_value_options='')",
                    column.name.empty() ? "a JSON column" : column.name));
  }
  std::string document = before.text();
  RETURN_IF_ERROR(ApplyJsonDiffs(in, &document));
  *out = Value::Json(std::move(document));
  return Status::Ok();
}

// The shared image of a PARTIAL_UPDATE_ROWS row: value_options, then, when it has
// PARTIAL_JSON_UPDATES, one bit per JSON column of the table (present or not), low bit first.
Status ReadSharedImage(const TableMap& table, ByteReader& in, std::vector<bool>* partial) {
  constexpr uint64_t kPartialJsonUpdates = 1;
  partial->assign(table.columns.size(), false);
  uint64_t value_options = in.LengthEncoded();
  if (!in.ok()) return Status::Corruption("partial update row truncated in its value options");
  if ((value_options & kPartialJsonUpdates) == 0) return Status::Ok();
  size_t json_columns = 0;
  for (const ColumnInfo& column : table.columns) {
    if (column.real_type == format::kTypeJson) ++json_columns;
  }
  std::string_view bits = in.Take((json_columns + 7) / 8);
  if (!in.ok()) return Status::Corruption("partial update row truncated in its partial bits");
  size_t json_index = 0;
  for (size_t i = 0; i < table.columns.size(); ++i) {
    if (table.columns[i].real_type != format::kTypeJson) continue;
    (*partial)[i] = BitIsSet(bits, json_index++);
  }
  return Status::Ok();
}

// `partial` (PARTIAL_UPDATE_ROWS after images): per column, true when a JSON column holds
// diffs against `before` rather than a whole document.
Status DecodeImage(const TableMap& table, std::string_view present, ByteReader& in,
                   std::vector<Value>* values, const std::vector<bool>* partial = nullptr,
                   const std::vector<Value>* before = nullptr) {
  size_t count = table.columns.size();
  values->assign(count, Value());
  size_t present_count = 0;
  for (size_t i = 0; i < count; ++i) {
    if (BitIsSet(present, i)) ++present_count;
  }
  std::string_view nulls = in.Take((present_count + 7) / 8);
  if (!in.ok()) return Status::Corruption("row image truncated before its NULL bitmap");
  size_t present_index = 0;
  for (size_t i = 0; i < count; ++i) {
    if (!BitIsSet(present, i)) continue;
    bool is_null = BitIsSet(nulls, present_index);
    ++present_index;
    if (is_null) continue;
    Status status = partial != nullptr && (*partial)[i]
                        ? ApplyPartialJson(table.columns[i], in, (*before)[i], &(*values)[i])
                        : DecodeColumnValue(table.columns[i], in, &(*values)[i]);
    if (!status.ok()) {
      return status.WithContext(fmt::format("{}.{} {} (type {})", table.schema, table.table,
                                            ColumnName(table.columns[i], i),
                                            table.columns[i].real_type));
    }
  }
  return Status::Ok();
}

}  // namespace

size_t DecimalBinarySize(int precision, int scale) {
  int integer_digits = precision - scale;
  return static_cast<size_t>(integer_digits / kDigitsPerGroup * 4 +
                             kDigitBytes[static_cast<size_t>(integer_digits % kDigitsPerGroup)] +
                             scale / kDigitsPerGroup * 4 +
                             kDigitBytes[static_cast<size_t>(scale % kDigitsPerGroup)]);
}

Result<std::string> DecodeDecimal(ByteReader& in, int precision, int scale) {
  if (precision < 1 || precision > 81 || scale < 0 || scale > precision) {
    in.Fail();
    return Status::Corruption(fmt::format("DECIMAL({},{}) is not a valid type", precision, scale));
  }
  size_t size = DecimalBinarySize(precision, scale);
  std::string bytes(in.Take(size));
  if (!in.ok() || bytes.empty()) return Status::Corruption("DECIMAL value truncated");
  // The sign is the top bit, inverted; a negative number is stored with every bit inverted.
  bool negative = (static_cast<uint8_t>(bytes[0]) & 0x80) == 0;
  bytes[0] = static_cast<char>(bytes[0] ^ 0x80);
  if (negative) {
    for (char& c : bytes)
      c = static_cast<char>(~c);
  }
  ByteReader digits_in(bytes);
  std::string integer;
  std::string fraction;
  bool valid = true;
  auto group = [&](int digits, std::string* out) {
    if (digits == 0) return;
    size_t width = static_cast<size_t>(kDigitBytes[static_cast<size_t>(digits)]);
    uint64_t value = digits_in.FixedBigEndian(width);
    if (value >= kPowersOfTen[static_cast<size_t>(digits)]) valid = false;
    *out += fmt::format("{:0{}}", value, digits);
  };
  int integer_digits = precision - scale;
  group(integer_digits % kDigitsPerGroup, &integer);
  for (int i = 0; i < integer_digits / kDigitsPerGroup; ++i)
    group(kDigitsPerGroup, &integer);
  for (int i = 0; i < scale / kDigitsPerGroup; ++i)
    group(kDigitsPerGroup, &fraction);
  group(scale % kDigitsPerGroup, &fraction);
  if (!valid || !digits_in.ok()) {
    in.Fail();
    return Status::Corruption("DECIMAL value has a digit group out of range");
  }
  size_t first = integer.find_first_not_of('0');
  integer = first == std::string::npos ? "0" : integer.substr(first);
  bool zero = integer == "0" && fraction.find_first_not_of('0') == std::string::npos;
  std::string text = negative && !zero ? "-" : "";
  text += integer;
  if (scale > 0) text += "." + fraction;
  return text;
}

Status DecodeColumnValue(const ColumnInfo& column, ByteReader& in, Value* out) {
  uint16_t meta = column.metadata;
  switch (column.real_type) {
    case format::kTypeTiny: {
      uint64_t raw = in.Fixed(1);
      *out = column.is_unsigned ? Value::UInt(raw) : Value::Int(static_cast<int8_t>(raw));
      break;
    }
    case format::kTypeShort: {
      uint64_t raw = in.Fixed(2);
      *out = column.is_unsigned ? Value::UInt(raw) : Value::Int(static_cast<int16_t>(raw));
      break;
    }
    case format::kTypeInt24: {
      uint64_t raw = in.Fixed(3);
      int64_t signed_value =
          (raw & 0x800000) != 0 ? static_cast<int64_t>(raw) - 0x1000000 : static_cast<int64_t>(raw);
      *out = column.is_unsigned ? Value::UInt(raw) : Value::Int(signed_value);
      break;
    }
    case format::kTypeLong: {
      uint64_t raw = in.Fixed(4);
      *out = column.is_unsigned ? Value::UInt(raw) : Value::Int(static_cast<int32_t>(raw));
      break;
    }
    case format::kTypeLongLong: {
      uint64_t raw = in.Fixed(8);
      *out = column.is_unsigned ? Value::UInt(raw) : Value::Int(static_cast<int64_t>(raw));
      break;
    }
    case format::kTypeFloat:
      *out = Value::Float(std::bit_cast<float>(static_cast<uint32_t>(in.Fixed(4))));
      break;
    case format::kTypeDouble:
      *out = Value::Double(std::bit_cast<double>(in.Fixed(8)));
      break;
    case format::kTypeNewDecimal: {
      Result<std::string> text = DecodeDecimal(in, meta >> 8, meta & 0xff);
      if (!text.ok()) return text.status();
      *out = Value::Decimal(std::move(text).value());
      break;
    }
    case format::kTypeYear: {
      uint64_t raw = in.Fixed(1);
      *out = Value::Year(static_cast<uint16_t>(raw == 0 ? 0 : 1900 + raw));
      break;
    }
    case format::kTypeDate:
    case format::kTypeNewDate: {
      uint64_t raw = in.Fixed(3);
      Date date;
      date.day = static_cast<uint8_t>(raw & 31);
      date.month = static_cast<uint8_t>((raw >> 5) & 15);
      date.year = static_cast<uint16_t>(raw >> 9);
      *out = Value::MakeDate(date);
      break;
    }
    case format::kTypeTime: {
      // Before MySQL 5.6.4: a signed 3-byte HHMMSS decimal number.
      uint64_t raw = in.Fixed(3);
      int64_t number =
          (raw & 0x800000) != 0 ? static_cast<int64_t>(raw) - 0x1000000 : static_cast<int64_t>(raw);
      int64_t magnitude = number < 0 ? -number : number;
      int64_t total = MicrosecondsOf(magnitude / 10000, magnitude / 100 % 100, magnitude % 100, 0);
      *out = Value::Time(number < 0 ? -total : total);
      break;
    }
    case format::kTypeTime2:
      RETURN_IF_ERROR(DecodeTime2(in, meta, out));
      break;
    case format::kTypeDateTime:
      *out = DecodeOldDateTime(in.Fixed(8));
      break;
    case format::kTypeDateTime2:
      RETURN_IF_ERROR(DecodeDateTime2(in, meta, out));
      break;
    case format::kTypeTimestamp:
      *out = Value::Timestamp(static_cast<int64_t>(in.Fixed(4)) * 1000000);
      break;
    case format::kTypeTimestamp2: {
      auto seconds = static_cast<int64_t>(in.FixedBigEndian(4));
      int64_t scale = 0;
      auto fraction = static_cast<int64_t>(ReadFraction(in, meta, &scale));
      *out = Value::Timestamp(seconds * 1000000 + fraction * scale);
      break;
    }
    case format::kTypeBit: {
      size_t bytes = (static_cast<size_t>(meta) + 7) / 8;
      if (meta == 0 || meta > 64) {
        in.Fail();
        break;
      }
      *out = Value::Bit(in.FixedBigEndian(bytes), static_cast<uint8_t>(meta));
      break;
    }
    case format::kTypeVarchar:
    case format::kTypeVarString:
      *out = TextValue(ReadPrefixed(in, meta < 256 ? 1 : 2), column.collation);
      break;
    case format::kTypeString: {
      std::string_view bytes = ReadPrefixed(in, meta < 256 ? 1 : 2);
      *out = TextValue(bytes, column.collation);
      // BINARY(n) is stored without its trailing 0x00 padding; SELECT returns it padded.
      if (out->type() == ValueType::kBytes && bytes.size() < meta) {
        std::string padded(bytes);
        padded.resize(meta, '\0');
        *out = Value::Bytes(std::move(padded));
      }
      break;
    }
    case format::kTypeBlob:
    case format::kTypeTinyBlob:
    case format::kTypeMediumBlob:
    case format::kTypeLongBlob: {
      std::string_view bytes = ReadPrefixed(in, meta);
      // Without charset metadata a TEXT cannot be told from a BLOB: keep the bytes exact.
      *out = column.collation == 0 ? Value::Bytes(std::string(bytes))
                                   : TextValue(bytes, column.collation);
      break;
    }
    case format::kTypeGeometry:
      *out = Value::Bytes(std::string(ReadPrefixed(in, meta)));
      break;
    case format::kTypeJson: {
      std::string_view bytes = ReadPrefixed(in, meta);
      if (!in.ok()) break;
      Result<std::string> text = JsonBinaryToText(bytes);
      if (!text.ok()) return text.status();
      *out = Value::Json(std::move(text).value());
      break;
    }
    case format::kTypeEnum: {
      uint64_t index = in.Fixed(meta);
      if (!in.ok()) break;
      if (index == 0) {
        *out = Value::Enum("");
      } else if (index <= column.labels.size()) {
        *out = Value::Enum(LabelText(column.labels[index - 1], column.collation));
      } else {
        return Status::FailedPrecondition(
            fmt::format("ENUM index {} has no label ({} known): the table map lacks ENUM values "
                        "(binlog_row_metadata=FULL) and no table shape supplied them",
                        index, column.labels.size()));
      }
      break;
    }
    case format::kTypeSet: {
      if (meta < 1 || meta > 8) {
        in.Fail();
        break;
      }
      uint64_t bits = in.Fixed(meta);
      if (!in.ok()) break;
      std::string joined;
      for (size_t bit = 0; bit < 64; ++bit) {
        if ((bits >> bit & 1U) == 0) continue;
        if (bit >= column.labels.size()) {
          return Status::FailedPrecondition(
              fmt::format("SET bit {} has no label ({} known): the table map lacks SET values "
                          "(binlog_row_metadata=FULL) and no table shape supplied them",
                          bit, column.labels.size()));
        }
        if (!joined.empty()) joined += ',';
        joined += LabelText(column.labels[bit], column.collation);
      }
      *out = Value::Set(std::move(joined));
      break;
    }
    default:
      return Status::NotSupported(
          fmt::format("column type {} is not supported in row images", column.real_type));
  }
  if (!in.ok()) return Status::Corruption("value truncated or out of range");
  return Status::Ok();
}

Status DecodeRowChanges(const RowsEventInfo& rows, std::vector<RowChange>* changes) {
  size_t used = 0;
  if (rows.table == nullptr) {
    changes->clear();
    return Status::Ok();
  }
  const TableMap& table = *rows.table;
  ByteReader in(rows.rows);
  uint64_t count = in.LengthEncoded();
  if (!in.ok() || count != table.columns.size()) {
    return Status::Corruption(fmt::format("rows event for {}.{} has {} columns, its table map {}",
                                          table.schema, table.table, count, table.columns.size()));
  }
  size_t bitmap_bytes = (table.columns.size() + 7) / 8;
  std::string_view present_before = in.Take(bitmap_bytes);
  std::string_view present_after = present_before;
  if (rows.action == RowsAction::kUpdate) present_after = in.Take(bitmap_bytes);
  if (!in.ok()) return Status::Corruption("rows event truncated in its column bitmaps");
  std::vector<bool> partial;
  while (!in.empty()) {
    if (used == changes->size()) changes->emplace_back();
    RowChange& change = (*changes)[used++];
    size_t start = in.offset();
    change.before.clear();
    change.after.clear();
    switch (rows.action) {
      case RowsAction::kWrite:
        RETURN_IF_ERROR(DecodeImage(table, present_after, in, &change.after));
        break;
      case RowsAction::kDelete:
        RETURN_IF_ERROR(DecodeImage(table, present_before, in, &change.before));
        break;
      case RowsAction::kUpdate:
        RETURN_IF_ERROR(DecodeImage(table, present_before, in, &change.before));
        if (rows.partial_json) {
          RETURN_IF_ERROR(ReadSharedImage(table, in, &partial));
          RETURN_IF_ERROR(
              DecodeImage(table, present_after, in, &change.after, &partial, &change.before));
        } else {
          RETURN_IF_ERROR(DecodeImage(table, present_after, in, &change.after));
        }
        break;
    }
    // An image of no columns reads no bytes: stop rather than loop forever.
    if (in.offset() == start) return Status::Corruption("rows event with an empty row image");
  }
  changes->resize(used);
  return Status::Ok();
}

}  // namespace chameleon::reader
