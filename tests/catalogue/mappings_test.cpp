// DiffMappings: what update_schema_mappings changes between the stored schema_mappings and
// the configured ones, and the order the schema renames run in.
#include "catalogue/mappings.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace chameleon::catalogue {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Pair;

std::vector<std::string> RenameSteps(const MappingChanges& changes) {
  std::vector<std::string> steps;
  for (const auto& rename : changes.renamed)
    steps.push_back(rename.origin + ":" + rename.from + "->" + rename.to);
  return steps;
}

TEST(DiffMappings, SameMappingsInAnotherOrderChangeNothing) {
  auto changes = DiffMappings({{"a", "x"}, {"b", "y"}}, {{"b", "y"}, {"a", "x"}});
  ASSERT_TRUE(changes.ok()) << changes.status().message();
  EXPECT_TRUE(changes->empty());
}

TEST(DiffMappings, FindsRemovedRenamedAndAddedOrigins) {
  auto changes =
      DiffMappings({{"a", "x"}, {"b", "y"}, {"c", "z"}}, {{"a", "x"}, {"b", "y_new"}, {"d", "w"}});
  ASSERT_TRUE(changes.ok()) << changes.status().message();
  EXPECT_THAT(changes->removed, ElementsAre(Pair("c", "z")));
  EXPECT_THAT(RenameSteps(*changes), ElementsAre("b:y->y_new"));
  EXPECT_THAT(changes->added, ElementsAre(Pair("d", "w")));
  EXPECT_FALSE(changes->empty());
}

TEST(DiffMappings, RefusesTwoOriginsIntoOneDestination) {
  auto changes = DiffMappings({{"a", "x"}}, {{"a", "x"}, {"b", "x"}});
  ASSERT_FALSE(changes.ok());
  EXPECT_EQ(changes.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(changes.status().message(),
              HasSubstr("origins 'a' and 'b' both map to destination schema 'x'"));
}

TEST(DiffMappings, ARenameIntoASchemaAnotherRenameFreesWaitsForIt) {
  // b takes a's old name: a must move first, whatever the listing order.
  auto changes = DiffMappings({{"b", "y"}, {"a", "x"}}, {{"b", "x"}, {"a", "x2"}});
  ASSERT_TRUE(changes.ok()) << changes.status().message();
  EXPECT_THAT(RenameSteps(*changes), ElementsAre("a:x->x2", "b:y->x"));
  // A chain of three.
  changes = DiffMappings({{"a", "s1"}, {"b", "s2"}, {"c", "s3"}},
                         {{"a", "s2"}, {"b", "s3"}, {"c", "s4"}});
  ASSERT_TRUE(changes.ok()) << changes.status().message();
  EXPECT_THAT(RenameSteps(*changes), ElementsAre("c:s3->s4", "b:s2->s3", "a:s1->s2"));
}

TEST(DiffMappings, RefusesSwappedDestinations) {
  auto changes =
      DiffMappings({{"a", "x"}, {"b", "y"}, {"c", "z"}}, {{"a", "y"}, {"b", "x"}, {"c", "z"}});
  ASSERT_FALSE(changes.ok());
  EXPECT_THAT(changes.status().message(), HasSubstr("origins a, b swap their schemas"));
}

TEST(DiffMappings, EverythingReplacedIsRemovedPlusAdded) {
  auto changes = DiffMappings({{"a", "x"}}, {{"b", "x"}});
  ASSERT_TRUE(changes.ok()) << changes.status().message();
  EXPECT_THAT(changes->removed, ElementsAre(Pair("a", "x")));
  EXPECT_THAT(changes->renamed, IsEmpty());
  EXPECT_THAT(changes->added, ElementsAre(Pair("b", "x")));
}

}  // namespace
}  // namespace chameleon::catalogue
