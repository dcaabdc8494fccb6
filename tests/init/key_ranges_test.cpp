// Key ranges of a split table (pure arithmetic) and the progress lines of the copy.
#include "init/key_ranges.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <sstream>
#include <thread>

#include "init/copy_progress.h"

namespace chameleon::init {
namespace {

using ::testing::HasSubstr;

std::string Text(const std::vector<KeyRange>& ranges) {
  std::string text;
  for (const auto& range : ranges)
    text += "[" + range.from.value_or("-") + "," + range.to.value_or("-") + ")";
  return text;
}

TEST(SplitKeys, CoversEveryKeyOnceWithOpenEnds) {
  EXPECT_EQ(Text(SplitKeys("1", "100", false, 4)), "[-,26)[26,51)[51,76)[76,-)");
  EXPECT_EQ(Text(SplitKeys("-10", "9", false, 2)), "[-,0)[0,-)");
  // Fewer keys than ranges: one range per key.
  EXPECT_EQ(Text(SplitKeys("5", "7", false, 10)), "[-,6)[6,7)[7,-)");
  EXPECT_EQ(Text(SplitKeys("5", "5", false, 4)), "[-,-)");
  EXPECT_EQ(Text(SplitKeys("1", "100", false, 1)), "[-,-)");
}

TEST(SplitKeys, TheWholeSignedAndUnsignedBigintRanges) {
  EXPECT_EQ(Text(SplitKeys("-9223372036854775808", "9223372036854775807", false, 2)), "[-,0)[0,-)");
  EXPECT_EQ(Text(SplitKeys("0", "18446744073709551615", true, 2)),
            "[-,9223372036854775808)[9223372036854775808,-)");
  EXPECT_EQ(Text(SplitKeys("9223372036854775808", "18446744073709551615", true, 2)),
            "[-,13835058055282163712)[13835058055282163712,-)");
}

TEST(SplitKeys, UnreadableBoundsCopyTheTableWhole) {
  EXPECT_EQ(Text(SplitKeys("abc", "10", false, 4)), "[-,-)");
  EXPECT_EQ(Text(SplitKeys("-1", "10", true, 4)), "[-,-)");
  EXPECT_EQ(Text(SplitKeys("10", "1", false, 4)), "[-,-)");
}

translation::TableDefinition Table(const std::string& key_type,
                                   std::vector<std::string> key_columns) {
  translation::TableDefinition table;
  table.origin_schema = "db";
  table.table = "t";
  for (const char* name : {"a", "b"}) {
    translation::SourceColumn column;
    column.name = name;
    column.data_type = key_type;
    column.column_type = key_type + " unsigned";
    table.columns.push_back(column);
  }
  translation::SourceIndex primary;
  primary.name = "PRIMARY";
  primary.unique = true;
  primary.columns = std::move(key_columns);
  table.indexes.push_back(primary);
  return table;
}

TEST(PlannedRanges, OnlyBigTablesWithOneIntegerKey) {
  EXPECT_EQ(PlannedRanges(Table("bigint", {"a"}), 1000, 100), 10);
  EXPECT_EQ(PlannedRanges(Table("INT", {"a"}), 1001, 100), 11);
  EXPECT_EQ(PlannedRanges(Table("int", {"a"}), 100, 100), 1);
  EXPECT_EQ(PlannedRanges(Table("int", {"a"}), 1000, 0), 1);                  // splitting off
  EXPECT_EQ(PlannedRanges(Table("int", {"a", "b"}), 1000, 100), 1);           // composite key
  EXPECT_EQ(PlannedRanges(Table("varchar", {"a"}), 1000, 100), 1);            // not an integer
  EXPECT_EQ(PlannedRanges(Table("int", {}), 1000, 100), 1);                   // no primary key
  EXPECT_EQ(PlannedRanges(Table("int", {"a"}), int64_t{1} << 40, 1), 10000);  // capped
}

TEST(RangeCondition, QuotesTheKeyAndLeavesOpenEndsOpen) {
  auto table = Table("int", {"my`key"});
  table.columns[1].name = "my`key";
  EXPECT_EQ(RangeCondition(table, {std::nullopt, "10"}), " WHERE `my``key` < 10");
  EXPECT_EQ(RangeCondition(table, {"10", "20"}), " WHERE `my``key` >= 10 AND `my``key` < 20");
  EXPECT_EQ(RangeCondition(table, {"20", std::nullopt}), " WHERE `my``key` >= 20");
  EXPECT_EQ(RangeCondition(table, {}), "");
}

TEST(CopyProgress, Lines) {
  EXPECT_EQ(ProgressLine("db.t", 50, 200, 2.0),
            "copying db.t: 50/200 rows (25%), 25 rows/s, ETA 6 s");
  EXPECT_EQ(ProgressLine("db.t", 300, 200, 2.0),
            "copying db.t: 300/200 rows (99%), 150 rows/s, ETA ?");
  EXPECT_EQ(ProgressLine("db.t", 30, 0, 3.0), "copying db.t: 30 rows, 10 rows/s");
  EXPECT_EQ(ShortCount(1234567), "1.2M");
  EXPECT_EQ(ShortCount(35000), "35k");
  EXPECT_EQ(ShortDuration(7200), "2.0 h");
  EXPECT_EQ(ShortDuration(600), "10 min");
}

TEST(CopyProgress, LogsTablesBeingCopiedEveryFewSecondsAndAFinalLine) {
  std::ostringstream log;
  auto previous = spdlog::default_logger();
  spdlog::set_default_logger(std::make_shared<spdlog::logger>(
      "test", std::make_shared<spdlog::sinks::ostream_sink_mt>(log)));
  {
    CopyProgress progress(CopyProgress::Output::kLog, std::chrono::milliseconds(20));
    size_t big = progress.AddTable("db.big", 1000);
    size_t small = progress.AddTable("db.small", 10);
    progress.Start();
    progress.TableStarted(big);
    progress.AddRows(big, 400, 4'000'000);
    std::this_thread::sleep_for(std::chrono::milliseconds(150));
    progress.AddRows(big, 600, 2'000'000);
    progress.TableDone(big, true);
    progress.TableStarted(small);
    progress.TableDone(small, false);
  }
  spdlog::set_default_logger(previous);
  EXPECT_THAT(log.str(), HasSubstr("copying db.big: 400/1000 rows (40%), "));
  EXPECT_THAT(log.str(), HasSubstr("copied db.big: 1000 rows, 6.0 MB in "));
  EXPECT_THAT(log.str(), HasSubstr("1/2 tables done"));
  EXPECT_THAT(log.str(), ::testing::Not(HasSubstr("copied db.small")));  // its failure is logged
}

}  // namespace
}  // namespace chameleon::init
