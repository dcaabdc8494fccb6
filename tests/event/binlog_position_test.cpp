// Binlog file numbers and positions: table tests of the parsing the reader and
// `spool inspect --from` rely on, including numbers past six digits and 64-bit offsets.
#include "event/binlog_position.h"

#include <gtest/gtest.h>

namespace chameleon {
namespace {

TEST(ParseBinlogFileNumber, ReadsTheDigitsAfterTheLastDot) {
  struct Case {
    const char* name;
    uint32_t number;
  };
  for (const Case& c :
       {Case{"mysql-bin.000042", 42}, Case{"binlog.000001", 1}, Case{"my.host.bin.000123", 123},
        Case{"mariadb-bin.999999", 999999}, Case{"mariadb-bin.1000000", 1000000},
        Case{"x.4294967295", 4294967295U}, Case{"000007", 7}}) {
    auto parsed = ParseBinlogFileNumber(c.name);
    ASSERT_TRUE(parsed.ok()) << c.name << ": " << parsed.status().message();
    EXPECT_EQ(*parsed, c.number) << c.name;
  }
}

TEST(ParseBinlogFileNumber, RefusesWhatIsNotANumberedFile) {
  for (const char* name : {"", "mysql-bin.", "mysql-bin.index", "mysql-bin.00004x", "x.4294967296",
                           "x.-1", "x.+1", "x. 1"}) {
    auto parsed = ParseBinlogFileNumber(name);
    EXPECT_FALSE(parsed.ok()) << name;
    EXPECT_EQ(parsed.status().code(), parsed.ok() ? StatusCode::kOk : StatusCode::kInvalidArgument);
  }
}

TEST(ParseBinlogPosition, ReadsFileColonOffsetIncludingBeyond4GiB) {
  auto parsed = ParseBinlogPosition("mysql-bin.000042:5000000000");
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(*parsed, (BinlogPosition{42, 5000000000ULL}));
  EXPECT_EQ(*ParseBinlogPosition("7:4"), (BinlogPosition{7, 4}));
  EXPECT_EQ(*ParseBinlogPosition(ToString({9, 18446744073709551615ULL})),
            (BinlogPosition{9, 18446744073709551615ULL}));
  EXPECT_FALSE(ParseBinlogPosition("mysql-bin.000042").ok());
  EXPECT_FALSE(ParseBinlogPosition("mysql-bin.000042:").ok());
  EXPECT_FALSE(ParseBinlogPosition("mysql-bin.000042:12a").ok());
}

TEST(BinlogPosition, OrdersByFileThenOffset) {
  EXPECT_LT((BinlogPosition{1, 5000000000ULL}), (BinlogPosition{2, 4}));
  EXPECT_LT((BinlogPosition{2, 4}), (BinlogPosition{2, 5}));
  EXPECT_EQ((BinlogPosition{2, 4}), (BinlogPosition{2, 4}));
}

TEST(BinlogFileName, PadsToSixDigitsAndGrowsBeyond) {
  EXPECT_EQ(BinlogFileName("mysql-bin", 42), "mysql-bin.000042");
  EXPECT_EQ(BinlogFileName("mysql-bin", 1234567), "mysql-bin.1234567");
}

}  // namespace
}  // namespace chameleon
