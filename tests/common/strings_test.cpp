// Suggestions and text helpers behind "did you mean" and the show_* tables.
#include "common/strings.h"

#include <gtest/gtest.h>

#include "common/text_table.h"

namespace chameleon {
namespace {

TEST(EditDistance, CountsInsertionsDeletionsAndSubstitutions) {
  EXPECT_EQ(EditDistance("", ""), 0U);
  EXPECT_EQ(EditDistance("abc", "abc"), 0U);
  EXPECT_EQ(EditDistance("abc", ""), 3U);
  EXPECT_EQ(EditDistance("kitten", "sitting"), 3U);
  EXPECT_EQ(EditDistance("replica_batch_sise", "replica_batch_size"), 1U);
}

TEST(ClosestMatch, SuggestsATypoButNotAnotherWord) {
  std::vector<std::string> keys = {"replica_batch_size", "replay_max_rows", "sleep_loop"};
  EXPECT_EQ(ClosestMatch("replica_batch_sise", keys), "replica_batch_size");
  EXPECT_EQ(ClosestMatch("sleep_lop", keys), "sleep_loop");
  EXPECT_EQ(ClosestMatch("Sleep_Loop", keys), "sleep_loop");
  EXPECT_EQ(ClosestMatch("colour", keys), std::nullopt);
  EXPECT_EQ(DidYouMean("show_statu", {"show_status", "show_errors"}),
            " (did you mean 'show_status'?)");
  EXPECT_EQ(DidYouMean("frobnicate", {"show_status"}), "");
}

TEST(Split, KeepsEmptyFields) {
  EXPECT_EQ(Split("a,,b", ','), (std::vector<std::string>{"a", "", "b"}));
  EXPECT_EQ(Split("", ','), (std::vector<std::string>{""}));
  EXPECT_EQ(Trim("  x y \n"), "x y");
}

TEST(TextTable, RightAlignsNumbersLeftAlignsText) {
  TextTable table({"Source id", "Source name"});
  table.AddRow({"1", "mysql"});
  table.AddRow({"12", "émoji 🐘"});
  EXPECT_EQ(table.Render(),
            "Source id  Source name\n"
            "---------  -----------\n"
            "        1  mysql\n"
            "       12  émoji 🐘\n");
}

TEST(RenderKeyValues, AlignsValues) {
  EXPECT_EQ(RenderKeyValues({{"a", "1"}, {"long key", "2"}}), "a         1\nlong key  2\n");
}

}  // namespace
}  // namespace chameleon
