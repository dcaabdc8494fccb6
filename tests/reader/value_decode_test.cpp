// Column value decoding from hand-made bytes: every type family, their edges (unsigned
// maxima, negative TIME beyond 24 h, zero dates, DECIMAL signs), and damaged input.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "reader/binlog_format.h"
#include "reader/charset.h"
#include "reader/row_decoder.h"
#include "reader/test_bytes.h"
#include "reader/value_printer.h"

namespace chameleon::reader {
namespace {

ColumnInfo Column(uint8_t type, uint16_t metadata = 0, bool is_unsigned = false,
                  uint32_t collation = 45) {
  ColumnInfo column;
  column.type = type;
  column.real_type = type;
  column.metadata = metadata;
  column.is_unsigned = is_unsigned;
  column.collation = collation;
  return column;
}

Value Decode(const ColumnInfo& column, const std::string& bytes) {
  ByteReader in(bytes);
  Value value;
  Status status = DecodeColumnValue(column, in, &value);
  EXPECT_TRUE(status.ok()) << status.message();
  EXPECT_EQ(in.remaining(), 0U) << "left undecoded";
  return value;
}

Status DecodeError(const ColumnInfo& column, const std::string& bytes) {
  ByteReader in(bytes);
  Value value;
  return DecodeColumnValue(column, in, &value);
}

TEST(ValueDecodeTest, Integers) {
  EXPECT_EQ(Decode(Column(format::kTypeTiny), Bytes({0x80})), Value::Int(-128));
  EXPECT_EQ(Decode(Column(format::kTypeTiny, 0, true), Bytes({0xff})), Value::UInt(255));
  EXPECT_EQ(Decode(Column(format::kTypeShort), Bytes({0x00, 0x80})), Value::Int(-32768));
  EXPECT_EQ(Decode(Column(format::kTypeShort, 0, true), Bytes({0xff, 0xff})), Value::UInt(65535));
  EXPECT_EQ(Decode(Column(format::kTypeInt24), Bytes({0x00, 0x00, 0x80})), Value::Int(-8388608));
  EXPECT_EQ(Decode(Column(format::kTypeInt24, 0, true), Bytes({0xff, 0xff, 0xff})),
            Value::UInt(16777215));
  EXPECT_EQ(Decode(Column(format::kTypeLong), Bytes({0x00, 0x00, 0x00, 0x80})),
            Value::Int(-2147483648LL));
  EXPECT_EQ(Decode(Column(format::kTypeLong, 0, true), Bytes({0xff, 0xff, 0xff, 0xff})),
            Value::UInt(4294967295ULL));
  EXPECT_EQ(Decode(Column(format::kTypeLongLong), Bytes({0, 0, 0, 0, 0, 0, 0, 0x80})),
            Value::Int(INT64_MIN));
  EXPECT_EQ(Decode(Column(format::kTypeLongLong, 0, true),
                   Bytes({0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff})),
            Value::UInt(UINT64_MAX));
}

TEST(ValueDecodeTest, DecimalTable) {
  struct Case {
    int precision, scale;
    std::string bytes;
    const char* text;
  };
  const Case cases[] = {
      // The MySQL manual's own example of the binary format.
      {14, 4, Bytes({0x81, 0x0d, 0xfb, 0x38, 0xd2, 0x04, 0xd2}), "1234567890.1234"},
      {14, 4, Bytes({0x7e, 0xf2, 0x04, 0xc7, 0x2d, 0xfb, 0x2d}), "-1234567890.1234"},
      {5, 2, Bytes({0x80, 0x00, 0x00}), "0.00"},
      {5, 2, Bytes({0x80, 0x01, 0x05}), "1.05"},
      {5, 2, Bytes({0x7f, 0xfe, 0xfa}), "-1.05"},
      {10, 0, Bytes({0x80, 0x00, 0x00, 0x00, 0x07}), "7"},
      {3, 3, Bytes({0x81, 0xf3}), "0.499"},
      {65, 30, std::string(), nullptr},  // size only, below
  };
  for (const Case& c : cases) {
    if (c.text == nullptr) continue;
    ByteReader in(c.bytes);
    Result<std::string> text = DecodeDecimal(in, c.precision, c.scale);
    ASSERT_TRUE(text.ok()) << c.text << ": " << text.status().message();
    EXPECT_EQ(*text, c.text);
    EXPECT_EQ(in.remaining(), 0U) << c.text;
  }
  EXPECT_EQ(DecimalBinarySize(65, 30), 30U);
  EXPECT_EQ(DecimalBinarySize(14, 4), 7U);
  // The readers view these strings: they must outlive them.
  std::string bad_bytes = Bytes({0x80, 0xff, 0xff});  // digit group 65535 > 99
  std::string one_byte = Bytes({0x80});
  ByteReader bad(bad_bytes);
  EXPECT_FALSE(DecodeDecimal(bad, 5, 2).ok());
  ByteReader short_input(one_byte);
  EXPECT_FALSE(DecodeDecimal(short_input, 14, 4).ok());
  ByteReader nonsense(one_byte);
  EXPECT_FALSE(DecodeDecimal(nonsense, 2, 5).ok());
}

TEST(ValueDecodeTest, FloatAndDouble) {
  EXPECT_EQ(Decode(Column(format::kTypeFloat, 4), Bytes({0x00, 0x00, 0xc0, 0x3f})),
            Value::Float(1.5F));
  EXPECT_EQ(Decode(Column(format::kTypeDouble, 8), Bytes({0, 0, 0, 0, 0, 0, 0xf8, 0xbf})),
            Value::Double(-1.5));
}

TEST(ValueDecodeTest, Time2) {
  constexpr int64_t kHour = 3600LL * 1000000;
  // '838:59:59', '-838:59:59', fsp 0.
  int64_t max_hms = (838 << 12) | (59 << 6) | 59;
  auto be3 = [](int64_t v) {
    return Bytes({int(v >> 16 & 0xff), int(v >> 8 & 0xff), int(v & 0xff)});
  };
  EXPECT_EQ(Decode(Column(format::kTypeTime2, 0), be3(0x800000 + max_hms)),
            Value::Time(838 * kHour + 59 * 60000000LL + 59000000LL));
  EXPECT_EQ(Decode(Column(format::kTypeTime2, 0), be3(0x800000 - max_hms)),
            Value::Time(-(838 * kHour + 59 * 60000000LL + 59000000LL)));
  // '-01:00:00.500' at fsp 3: intpart -4097, fraction 0xec78 (see MySQL's my_time.cc).
  EXPECT_EQ(Decode(Column(format::kTypeTime2, 3), Bytes({0x7f, 0xef, 0xff, 0xec, 0x78})),
            Value::Time(-(kHour + 500000)));
  // '-00:00:00.000001' at fsp 6: the whole 48-bit number is -1 + 2^47.
  EXPECT_EQ(Decode(Column(format::kTypeTime2, 6), Bytes({0x7f, 0xff, 0xff, 0xff, 0xff, 0xff})),
            Value::Time(-1));
  // '25:00:00.12' at fsp 2.
  EXPECT_EQ(Decode(Column(format::kTypeTime2, 2), Bytes({0x81, 0x90, 0x00, 12})),
            Value::Time(25 * kHour + 120000));
}

TEST(ValueDecodeTest, DateTimeAndDate) {
  // DATETIME2(0) '2024-02-29 13:14:15': ym = 2024*13+2.
  uint64_t ym = 2024 * 13 + 2;
  uint64_t packed = ((ym << 5 | 29) << 17) | (13 << 12) | (14 << 6) | 15;
  packed += 0x8000000000;
  std::string bytes;
  for (int i = 4; i >= 0; --i)
    bytes += static_cast<char>(packed >> (8 * i) & 0xff);
  DateTime expected{2024, 2, 29, 13, 14, 15, 0};
  EXPECT_EQ(Decode(Column(format::kTypeDateTime2, 0), bytes), Value::MakeDateTime(expected));
  // With fsp 6 and .000001.
  expected.microsecond = 1;
  EXPECT_EQ(Decode(Column(format::kTypeDateTime2, 6), bytes + Bytes({0, 0, 1})),
            Value::MakeDateTime(expected));
  // Zero datetime.
  EXPECT_EQ(Decode(Column(format::kTypeDateTime2, 0), Bytes({0x80, 0, 0, 0, 0})),
            Value::MakeDateTime(DateTime{}));
  // DATE '0009-12-04' and the zero date.
  uint32_t date = (9 << 9) | (12 << 5) | 4;
  EXPECT_EQ(Decode(Column(format::kTypeDate), Bytes({int(date & 0xff), int(date >> 8 & 0xff), 0})),
            Value::MakeDate(Date{9, 12, 4}));
  EXPECT_EQ(Decode(Column(format::kTypeDate), Bytes({0, 0, 0})), Value::MakeDate(Date{}));
  // Old DATETIME: 20240229131415 as a little-endian number.
  uint64_t old = 20240229131415ULL;
  std::string old_bytes;
  for (int i = 0; i < 8; ++i)
    old_bytes += static_cast<char>(old >> (8 * i) & 0xff);
  EXPECT_EQ(Decode(Column(format::kTypeDateTime), old_bytes),
            Value::MakeDateTime(DateTime{2024, 2, 29, 13, 14, 15, 0}));
  // TIMESTAMP2(3) 1700000000.123, big-endian seconds then 2 bytes of 1/10000 s... *100 us.
  EXPECT_EQ(Decode(Column(format::kTypeTimestamp2, 3), Bytes({0x65, 0x53, 0xf1, 0x00, 0x04, 0xce})),
            Value::Timestamp(1700000000LL * 1000000 + 123000));
  EXPECT_EQ(Decode(Column(format::kTypeTimestamp2, 0), Bytes({0, 0, 0, 0})), Value::Timestamp(0));
  EXPECT_EQ(Decode(Column(format::kTypeYear), Bytes({0})), Value::Year(0));
  EXPECT_EQ(Decode(Column(format::kTypeYear), Bytes({155})), Value::Year(2055));
}

TEST(ValueDecodeTest, Strings) {
  EXPECT_EQ(Decode(Column(format::kTypeVarchar, 40), Bytes({2, 'h', 'i'})), Value::String("hi"));
  // VARCHAR(300) in utf8mb4 is 1200 bytes: a two-byte length.
  EXPECT_EQ(Decode(Column(format::kTypeVarchar, 1200), Bytes({2, 0, 'h', 'i'})),
            Value::String("hi"));
  // latin1 'é€' -> UTF-8.
  EXPECT_EQ(Decode(Column(format::kTypeVarchar, 10, false, 8), Bytes({2, 0xe9, 0x80})),
            Value::String("\xc3\xa9\xe2\x82\xac"));
  // VARBINARY keeps its bytes, NUL included.
  EXPECT_EQ(Decode(Column(format::kTypeVarchar, 10, false, 63), Bytes({3, 0, 1, 0})),
            Value::Bytes(Bytes({0, 1, 0})));
  // BINARY(4) comes without its zero padding; SELECT returns it padded.
  EXPECT_EQ(Decode(Column(format::kTypeString, 4, false, 63), Bytes({1, 'a'})),
            Value::Bytes(Bytes({'a', 0, 0, 0})));
  EXPECT_EQ(Decode(Column(format::kTypeBlob, 2, false, 63), Bytes({1, 0, 0xff})),
            Value::Bytes(Bytes({0xff})));
  EXPECT_EQ(
      Decode(Column(format::kTypeBlob, 4, false, 45), Bytes({4, 0, 0, 0, 0xf0, 0x9f, 0x98, 0x80})),
      Value::String("\xf0\x9f\x98\x80"));
  // A length beyond the buffer is an error, not a read past it.
  EXPECT_FALSE(
      DecodeError(Column(format::kTypeBlob, 4, false, 45), Bytes({0xff, 0xff, 0xff, 0x7f, 'x'}))
          .ok());
  EXPECT_FALSE(DecodeError(Column(format::kTypeVarchar, 40), Bytes({5, 'a'})).ok());
}

TEST(ValueDecodeTest, EnumSetAndBit) {
  ColumnInfo enum_column = Column(format::kTypeEnum, 1);
  enum_column.labels = {"small", "medium", "large"};
  EXPECT_EQ(Decode(enum_column, Bytes({2})), Value::Enum("medium"));
  EXPECT_EQ(Decode(enum_column, Bytes({0})), Value::Enum(""));
  EXPECT_FALSE(DecodeError(enum_column, Bytes({9})).ok());
  ColumnInfo set_column = Column(format::kTypeSet, 1);
  set_column.labels = {"a", "b", "c"};
  EXPECT_EQ(Decode(set_column, Bytes({5})), Value::Set("a,c"));
  EXPECT_EQ(Decode(set_column, Bytes({0})), Value::Set(""));
  EXPECT_FALSE(DecodeError(set_column, Bytes({8})).ok());
  EXPECT_EQ(Decode(Column(format::kTypeBit, 1), Bytes({1})), Value::Bit(1, 1));
  EXPECT_EQ(Decode(Column(format::kTypeBit, 10), Bytes({0x02, 0x01})), Value::Bit(0x201, 10));
  EXPECT_EQ(Decode(Column(format::kTypeBit, 64), std::string(8, '\xff')),
            Value::Bit(UINT64_MAX, 64));
}

TEST(ValueDecodeTest, UnknownTypeIsAnError) {
  EXPECT_EQ(DecodeError(Column(77), Bytes({1})).code(), StatusCode::kNotSupported);
}

TEST(CharsetTest, Collations) {
  EXPECT_EQ(CharsetOfCollation(63), Charset::kBinary);
  EXPECT_EQ(CharsetOfCollation(8), Charset::kLatin1);
  EXPECT_EQ(CharsetOfCollation(45), Charset::kUtf8);
  EXPECT_EQ(CharsetOfCollation(224), Charset::kUtf8);
  EXPECT_EQ(CharsetOfCollation(255), Charset::kUtf8);     // utf8mb4_0900_ai_ci
  EXPECT_EQ(CharsetOfCollation(1069), Charset::kUtf8);    // utf8mb4_general_nopad_ci
  EXPECT_EQ(CharsetOfCollation(2305), Charset::kUtf8);    // a utf8mb4 UCA-14 collation
  EXPECT_EQ(CharsetOfCollation(1032), Charset::kLatin1);  // latin1_swedish_nopad_ci
  std::string out;
  AppendUtf8(Bytes({0x00, 0xe9, 0xd8, 0x3d, 0xde, 0x00}), Charset::kUtf16, &out);
  EXPECT_EQ(out, "\xc3\xa9\xf0\x9f\x98\x80");
}

}  // namespace
}  // namespace chameleon::reader
