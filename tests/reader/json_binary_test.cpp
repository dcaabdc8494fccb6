// MySQL binary JSON fixtures built by hand from the documented format (MySQL's
// json_binary.h), since MariaDB never produces it: containers, inlined and offset scalars,
// strings, opaque DECIMAL and DATETIME, and damaged documents.
#include "reader/json_binary.h"

#include <gtest/gtest.h>

#include "reader/test_bytes.h"

namespace chameleon::reader {
namespace {

std::string Text(const std::string& bytes) {
  Result<std::string> text = JsonBinaryToText(bytes);
  EXPECT_TRUE(text.ok()) << text.status().message();
  return text.ok() ? *text : "<error>";
}

TEST(JsonBinaryTest, SmallObjectWithNestedArray) {
  // {"a": 1, "b": [true, null]}
  std::string doc = Bytes({0x00,                    // small object
                           0x02, 0x00, 0x1e, 0x00,  // 2 members, 30 bytes
                           0x12, 0x00, 0x01, 0x00,  // key "a" at 18
                           0x13, 0x00, 0x01, 0x00,  // key "b" at 19
                           0x05, 0x01, 0x00,        // int16 1, inlined
                           0x02, 0x14, 0x00,        // small array at 20
                           'a',  'b',               // keys
                           0x02, 0x00, 0x0a, 0x00,  // array: 2 elements, 10 bytes
                           0x04, 0x01, 0x00,        // true
                           0x04, 0x00, 0x00});      // null
  EXPECT_EQ(Text(doc), "{\"a\": 1, \"b\": [true, null]}");
}

TEST(JsonBinaryTest, Scalars) {
  EXPECT_EQ(Text(Bytes({0x0c, 0x05, 'h', 'e', 'l', 'l', 'o'})), "\"hello\"");
  EXPECT_EQ(Text(Bytes({0x0c, 0x03, 'a', '"', '\n'})), "\"a\\\"\\n\"");
  EXPECT_EQ(Text(Bytes({0x0b, 0, 0, 0, 0, 0, 0, 0xf8, 0x3f})), "1.5");
  EXPECT_EQ(Text(Bytes({0x0b, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f})), "1.0");
  EXPECT_EQ(Text(Bytes({0x09, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff})), "-1");
  EXPECT_EQ(Text(Bytes({0x0a, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff})),
            "18446744073709551615");
  EXPECT_EQ(Text(Bytes({0x05, 0x00, 0x80})), "-32768");
  EXPECT_EQ(Text(Bytes({0x04, 0x02})), "false");
  EXPECT_EQ(Text(""), "null");
  // A string longer than 127 bytes has a two-byte variable length.
  std::string long_string = Bytes({0x0c, 0x80, 0x01}) + std::string(128, 'x');
  EXPECT_EQ(Text(long_string), "\"" + std::string(128, 'x') + "\"");
}

TEST(JsonBinaryTest, OpaqueDecimalAndDatetime) {
  // DECIMAL(5,2) 1.05 as an opaque value: field type 246, length 5, precision, scale, digits.
  EXPECT_EQ(Text(Bytes({0x0f, 246, 0x05, 0x05, 0x02, 0x80, 0x01, 0x05})), "1.05");
  // DATETIME 2024-02-29 13:14:15.5 in MySQL's packed int64 form.
  uint64_t ym = 2024 * 13 + 2;
  uint64_t intpart = ((ym << 5 | 29) << 17) | (13 << 12) | (14 << 6) | 15;
  uint64_t packed = intpart << 24 | 500000;
  std::string doc = Bytes({0x0f, 12, 0x08});
  for (int i = 0; i < 8; ++i)
    doc += static_cast<char>(packed >> (8 * i) & 0xff);
  EXPECT_EQ(Text(doc), "\"2024-02-29 13:14:15.500000\"");
}

TEST(JsonBinaryTest, DamagedDocumentsAreErrors) {
  EXPECT_FALSE(JsonBinaryToText(Bytes({0x0c, 0x05, 'h'})).ok());               // short string
  EXPECT_FALSE(JsonBinaryToText(Bytes({0x00, 0x01, 0x00, 0x40, 0x00})).ok());  // size > data
  EXPECT_FALSE(JsonBinaryToText(Bytes({0x02, 0x01, 0x00, 0x07, 0x00, 0x0c, 0x63, 0x00})).ok());
  EXPECT_FALSE(JsonBinaryToText(Bytes({0x42})).ok());        // unknown type
  EXPECT_FALSE(JsonBinaryToText(Bytes({0x04, 0x07})).ok());  // bad literal
  // Deep nesting: arrays of one array, 200 levels.
  std::string deep;
  for (int i = 0; i < 200; ++i)
    deep = Bytes({0x02, 0x01, 0x00}) + deep;
  EXPECT_FALSE(JsonBinaryToText(deep).ok());
}

}  // namespace
}  // namespace chameleon::reader
