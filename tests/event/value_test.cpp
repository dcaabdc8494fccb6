// Value: construction, equality and the readable text `spool inspect` prints.
#include "event/value.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "event/change_event.h"

namespace chameleon {
namespace {

TEST(Value, StaysSmallEnoughToMoveCheaply) {
  EXPECT_LE(sizeof(Value), 56U);
}

TEST(Value, DefaultIsNull) {
  Value value;
  EXPECT_TRUE(value.is_null());
  EXPECT_EQ(value, Value::Null());
  EXPECT_NE(value, Value::String(""));
}

TEST(Value, EqualityComparesTypeAndPayload) {
  EXPECT_NE(Value::Int(1), Value::UInt(1));
  EXPECT_NE(Value::Time(1), Value::Timestamp(1));
  EXPECT_NE(Value::String("a"), Value::Bytes("a"));
  EXPECT_NE(Value::Bit(1, 1), Value::Bit(1, 2));
  double nan = std::numeric_limits<double>::quiet_NaN();
  EXPECT_EQ(Value::Double(nan), Value::Double(nan));
  EXPECT_NE(Value::Double(0.0), Value::Double(-0.0));
}

TEST(Value, SetLabelsSplitOnComma) {
  EXPECT_EQ(Value::Set("a,b").set_labels(), (std::vector<std::string>{"a", "b"}));
  EXPECT_TRUE(Value::Set("").set_labels().empty());
}

TEST(DescribeValue, IsReadableAndExact) {
  EXPECT_EQ(DescribeValue(Value::Null()), "NULL");
  EXPECT_EQ(DescribeValue(Value::Int(std::numeric_limits<int64_t>::min())), "-9223372036854775808");
  EXPECT_EQ(DescribeValue(Value::UInt(std::numeric_limits<uint64_t>::max())),
            "18446744073709551615");
  EXPECT_EQ(DescribeValue(Value::String("it's")), "'it''s'");
  EXPECT_EQ(DescribeValue(Value::Bytes(std::string("\x00\xff", 2))), "x'00ff'");
  EXPECT_EQ(DescribeValue(Value::MakeDate({0, 0, 0})), "DATE '0000-00-00'");
  EXPECT_EQ(DescribeValue(Value::Time(-(838LL * 3600 + 59 * 60 + 59) * 1000000)),
            "TIME '-838:59:59.000000'");
  EXPECT_EQ(DescribeValue(Value::MakeDateTime({2024, 2, 29, 23, 59, 58, 123456})),
            "DATETIME '2024-02-29 23:59:58.123456'");
  EXPECT_EQ(DescribeValue(Value::Bit(5, 4)), "b'0101'");
  EXPECT_EQ(DescribeValue(Value::Decimal("-1.50")), "-1.50");
}

TEST(DescribeEvent, NamesOperationTableAndImages) {
  ChangeEvent event;
  event.operation = Operation::kUpdate;
  event.position = {3, 4096};
  event.sequence = 2;
  event.schema = "app";
  event.table = "users";
  event.shape_version = 7;
  event.before = {Value::Int(1), Value::String("bob")};
  event.after = {Value::Int(1), Value::Null()};
  EXPECT_EQ(DescribeEvent(event), "3:4096#2 update app.users v7 before=(1, 'bob') after=(1, NULL)");
  ChangeEvent ddl;
  ddl.operation = Operation::kDdl;
  ddl.schema = "app";
  ddl.ddl_statement = "ALTER TABLE t ADD c INT";
  EXPECT_EQ(DescribeEvent(ddl), "0:0#0 ddl app. ALTER TABLE t ADD c INT");
}

}  // namespace
}  // namespace chameleon
