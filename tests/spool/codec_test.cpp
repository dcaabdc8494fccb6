// Spool encodings: key order is stream order (property test), every value type round-trips,
// and damaged or newer-format bytes are refused with kCorruption, never misread.
#include "spool/codec.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <limits>
#include <random>

#include "spool/format.h"

namespace chameleon::spool {
namespace {

EventKey RandomKey(std::mt19937_64& random) {
  // Mix edge values with uniform ones so ties on leading fields are common.
  auto pick = [&](uint64_t edge_a, uint64_t edge_b, uint64_t max) {
    switch (random() % 4) {
      case 0:
        return edge_a;
      case 1:
        return edge_b;
      default:
        return random() % max;
    }
  };
  EventKey key;
  key.source_id = static_cast<uint32_t>(pick(1, 2, 4));
  key.position.file_number =
      static_cast<uint32_t>(pick(999999, std::numeric_limits<uint32_t>::max(), 1ULL << 32));
  key.position.position = pick(4, 4294967296ULL + 4, std::numeric_limits<uint64_t>::max());
  key.sequence = static_cast<uint32_t>(pick(0, std::numeric_limits<uint32_t>::max(), 1ULL << 32));
  return key;
}

TEST(EventKey, ByteOrderIsStreamOrderForRandomKeys) {
  std::mt19937_64 random(20240601);
  for (int i = 0; i < 200000; ++i) {
    EventKey a = RandomKey(random);
    EventKey b = RandomKey(random);
    std::string ea = EncodeEventKey(a);
    std::string eb = EncodeEventKey(b);
    ASSERT_EQ(ea.size(), format::kEventKeySize);
    ASSERT_EQ(a < b, ea < eb) << i;
    ASSERT_EQ(a == b, ea == eb) << i;
    ASSERT_EQ(*DecodeEventKey(ea), a);
  }
}

TEST(EventKey, RotationToTheNextFileSortsAfterAnyOffset) {
  EventKey end_of_big_file{1, {41, std::numeric_limits<uint64_t>::max()}, 7};
  EventKey start_of_next{1, {42, 4}, 0};
  EXPECT_LT(EncodeEventKey(end_of_big_file), EncodeEventKey(start_of_next));
  EventKey last_six_digit{1, {999999, 5000000000ULL}, 0};
  EventKey first_seven_digit{1, {1000000, 4}, 0};
  EXPECT_LT(EncodeEventKey(last_six_digit), EncodeEventKey(first_seven_digit));
  // Past 4 GiB within one file: no 32-bit wrap.
  EXPECT_LT(EncodeEventKey({1, {5, 4294967295ULL}, 0}), EncodeEventKey({1, {5, 4294967296ULL}, 0}));
}

TEST(EventKey, SuccessorIsTheSmallestGreaterEncoding) {
  EventKey key{3, {9, 5000000000ULL}, 12};
  std::string successor = KeySuccessor(key);
  EXPECT_GT(successor, EncodeEventKey(key));
  EXPECT_LT(successor, EncodeEventKey({3, {9, 5000000000ULL}, 13}));
}

TEST(EventKey, RefusesWrongLength) {
  EXPECT_EQ(DecodeEventKey("short").status().code(), StatusCode::kCorruption);
}

std::vector<Value> EveryValue() {
  return {Value::Null(),
          Value::Int(0),
          Value::Int(std::numeric_limits<int64_t>::min()),
          Value::Int(std::numeric_limits<int64_t>::max()),
          Value::Int(-1),
          Value::UInt(std::numeric_limits<uint64_t>::max()),
          Value::UInt(0),
          Value::Float(3.25f),
          Value::Float(-std::numeric_limits<float>::max()),
          Value::Double(std::numeric_limits<double>::lowest()),
          Value::Double(std::numeric_limits<double>::quiet_NaN()),
          Value::Double(-0.0),
          Value::Decimal("-99999999999999999999999999999.123456789"),
          Value::String(""),
          Value::String("emoji \xF0\x9F\x90\x98 and 'quotes'"),
          Value::Bytes(std::string("\x00\x01\xff\x00", 4)),
          Value::Bytes(""),
          Value::MakeDate({0, 0, 0}),
          Value::MakeDate({9999, 12, 31}),
          Value::MakeDate({2024, 0, 0}),
          Value::Time(0),
          Value::Time(-(838LL * 3600 + 59 * 60 + 59) * 1000000 - 999999),
          Value::Time((838LL * 3600 + 59 * 60 + 59) * 1000000),
          Value::Time(25LL * 3600 * 1000000),
          Value::MakeDateTime({0, 0, 0, 0, 0, 0, 0}),
          Value::MakeDateTime({9999, 12, 31, 23, 59, 59, 999999}),
          Value::Timestamp(0),
          Value::Timestamp(-1),
          Value::Timestamp(2147483647LL * 1000000 + 999999),
          Value::Year(0),
          Value::Year(2155),
          Value::Bit(0, 1),
          Value::Bit(std::numeric_limits<uint64_t>::max(), 64),
          Value::Enum(""),
          Value::Enum("medium"),
          Value::Set(""),
          Value::Set("a,b,c"),
          Value::Json(R"({"k": [1, 2.5, null]})"),
          Value::Json("")};
}

ChangeEvent FullEvent() {
  ChangeEvent event;
  event.operation = Operation::kUpdate;
  event.position = {7, 6000000000ULL};
  event.sequence = 3;
  event.source_timestamp_seconds = std::numeric_limits<uint32_t>::max();
  event.gtid = "0-1-42";
  event.schema = "sch";
  event.table = "t\xC3\xA9";
  event.shape_version = 12;
  event.before = EveryValue();
  event.after = EveryValue();
  std::reverse(event.after.begin(), event.after.end());
  return event;
}

TEST(EventValue, EveryValueTypeRoundTrips) {
  for (uint8_t tag = 0; tag <= kLastValueType; ++tag) {
    bool covered = false;
    for (const Value& value : EveryValue())
      covered |= static_cast<uint8_t>(value.type()) == tag;
    EXPECT_TRUE(covered) << "no round-trip case for value tag " << int{tag};
  }
  ChangeEvent event = FullEvent();
  std::string key = EncodeEventKey(KeyOf(1, event));
  std::string value;
  EncodeEventValue(event, &value);
  ChangeEvent decoded;
  decoded.after = {Value::Int(99)};  // decoding must replace, not append
  ASSERT_TRUE(DecodeStoredEvent(key, value, &decoded).ok());
  EXPECT_EQ(decoded, event);
  for (size_t i = 0; i < event.before.size(); ++i) {
    EXPECT_EQ(decoded.before[i], event.before[i]) << DescribeValue(event.before[i]);
  }
}

TEST(EventValue, DdlAndCommitRoundTrip) {
  ChangeEvent ddl;
  ddl.operation = Operation::kDdl;
  ddl.position = {1, 4};
  ddl.schema = "app";
  ddl.ddl_statement = "CREATE TABLE t (id INT PRIMARY KEY)";
  ddl.ddl_parsed = std::string("\x01parsed\x00", 8);
  ChangeEvent commit;
  commit.operation = Operation::kCommit;
  commit.gtid = "3e11fa47-71ca-11e1-9e33-c80aa9429562:23";
  for (const ChangeEvent& event : {ddl, commit}) {
    std::string value;
    EncodeEventValue(event, &value);
    ChangeEvent decoded;
    ASSERT_TRUE(DecodeStoredEvent(EncodeEventKey(KeyOf(1, event)), value, &decoded).ok());
    EXPECT_EQ(decoded, event);
  }
}

TEST(EventValue, TruncationAnywhereIsCorruptionNotACrash) {
  std::string value;
  EncodeEventValue(FullEvent(), &value);
  for (size_t size = 0; size < value.size(); ++size) {
    ChangeEvent decoded;
    Status status = DecodeEventValue(std::string_view(value).substr(0, size), &decoded);
    ASSERT_EQ(status.code(), StatusCode::kCorruption) << "prefix of " << size << " bytes";
  }
  ChangeEvent decoded;
  EXPECT_EQ(DecodeEventValue(value + "x", &decoded).code(), StatusCode::kCorruption);
}

TEST(EventValue, NewerFormatVersionIsRefusedWithAnUpgradeHint) {
  std::string value;
  EncodeEventValue(FullEvent(), &value);
  value[0] = static_cast<char>(format::kEventFormatVersion + 1);
  ChangeEvent decoded;
  Status status = DecodeEventValue(value, &decoded);
  EXPECT_EQ(status.code(), StatusCode::kCorruption);
  EXPECT_NE(status.message().find("upgrade chameleon"), std::string::npos) << status.message();
  EncodeEventValue(FullEvent(), &value);
  value[1] = 1;  // a flag this version does not know
  EXPECT_EQ(DecodeEventValue(value, &decoded).code(), StatusCode::kCorruption);
}

TEST(EventValue, ValueLayoutMatchesFormatMd) {
  // The worked example of FORMAT.md, byte for byte.
  ChangeEvent event;
  event.operation = Operation::kInsert;
  event.source_timestamp_seconds = 300;
  event.shape_version = 2;
  event.schema = "db";
  event.table = "t";
  event.after = {Value::Int(-2), Value::Null(), Value::String("hi")};
  std::string value;
  EncodeEventValue(event, &value);
  EXPECT_EQ(value, std::string("\x01\x00\x01\xac\x02\x02\x00\x02"
                               "db\x01t\x00\x03\x01\x03\x00\x06\x02hi\x00\x00",
                               23));
}

TEST(TableShape, RoundTrips) {
  TableShape shape{"app", "users", 4, {}, {0, 2}};
  shape.columns = {{"id", 8, 0, true, false, "bigint(20) unsigned"},
                   {"name", 15, 1020, false, true, "varchar(255)"},
                   {"kind", 254, 63233, false, false, "enum('a','b')"}};
  auto decoded = DecodeTableShape(EncodeTableShape(shape));
  ASSERT_TRUE(decoded.ok()) << decoded.status().message();
  EXPECT_EQ(*decoded, shape);
  EXPECT_LT(ShapeKey("app", "users", 4), ShapeKey("app", "users", 5));
  EXPECT_EQ(DecodeTableShape("").status().code(), StatusCode::kCorruption);
}

TEST(MetadataRecords, RoundTrip) {
  BatchInfo batch{9, BatchState::kClosed, {1, {2, 3}, 4}, {1, {5, 6000000000ULL}, 7}, 100, 5000,
                  {}};
  EXPECT_EQ(*DecodeBatchRecord(9, EncodeBatchRecord(batch)), batch);
  EXPECT_EQ(*DecodeBatchKey(BatchKey(9)), 9U);
  EXPECT_LT(BatchKey(255), BatchKey(256));
  WriterRecord writer{BinlogPosition{3, 5000000000ULL}, 4, 10, 900, {1, {3, 4}, 5}};
  EXPECT_EQ(*DecodeWriterRecord(EncodeWriterRecord(writer)), writer);
  WriterRecord fresh;
  EXPECT_EQ(*DecodeWriterRecord(EncodeWriterRecord(fresh)), fresh);
  ReplayedRecord replayed{8, {1, {2, 3}, 4}};
  EXPECT_EQ(*DecodeReplayedRecord(EncodeReplayedRecord(replayed)), replayed);
  std::string newer = EncodeBatchRecord(batch);
  newer[0] = 2;
  EXPECT_EQ(DecodeBatchRecord(9, newer).status().code(), StatusCode::kCorruption);
}

// A closed batch carries where reading resumes after it; records written before that field
// existed (no trailing bytes) still read, without it; a cut field is corruption.
TEST(MetadataRecords, BatchResumePositionIsAnOptionalTrailingField) {
  BatchInfo batch{9, BatchState::kClosed, {1, {2, 3}, 4}, {1, {5, 600}, 7}, 100, 5000, {}};
  std::string without = EncodeBatchRecord(batch);
  batch.resume = BinlogPosition{5, 5000000000ULL};
  std::string with = EncodeBatchRecord(batch);
  EXPECT_EQ(with.size(), without.size() + 12);
  EXPECT_EQ(*DecodeBatchRecord(9, with), batch);
  EXPECT_FALSE(DecodeBatchRecord(9, without)->resume.has_value());
  EXPECT_EQ(DecodeBatchRecord(9, with.substr(0, with.size() - 3)).status().code(),
            StatusCode::kCorruption);
}

}  // namespace
}  // namespace chameleon::spool
