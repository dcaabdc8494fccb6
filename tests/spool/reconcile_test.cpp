// PlanReconciliation: every case of spool vs catalogue at startup, as a table.
#include "spool/reconcile.h"

#include <gtest/gtest.h>

namespace chameleon::spool {
namespace {

struct Case {
  const char* name;
  SpoolSummary spool;
  CatalogueState catalogue;
  StatusCode expected_code;
  std::vector<uint64_t> expected_deletes;
};

TEST(PlanReconciliation, FollowsTheCatalogue) {
  BinlogPosition p10{3, 1000};
  BinlogPosition p20{3, 2000};
  std::vector<Case> cases = {
      {"new spool, new catalogue",
       {true, std::nullopt, 0, {}, 0, std::nullopt},
       {0, std::nullopt},
       StatusCode::kOk,
       {}},
      {"spool ahead with nothing replayed",
       {false, p20, 0, {1, 2}, 3, std::nullopt},
       {0, std::nullopt},
       StatusCode::kOk,
       {}},
      {"in step", {false, p20, 4, {5, 6}, 7, std::nullopt}, {4, p10}, StatusCode::kOk, {}},
      {"replayed in PostgreSQL, not yet deleted from the spool",
       {false, p20, 4, {5, 6, 7}, 8, std::nullopt},
       {6, p10},
       StatusCode::kOk,
       {5, 6}},
      {"everything replayed, nothing open",
       {false, p20, 4, {5}, 0, std::nullopt},
       {5, p20},
       StatusCode::kOk,
       {5}},
      {"spool lost: recreated empty",
       {true, std::nullopt, 0, {}, 0, std::nullopt},
       {6, p10},
       StatusCode::kNotFound,
       {}},
      {"spool lost: empty directory left behind",
       {false, std::nullopt, 0, {}, 0, std::nullopt},
       {6, p10},
       StatusCode::kNotFound,
       {}},
      {"spool restored from an older backup",
       {false, p10, 2, {3}, 4, std::nullopt},
       {6, p20},
       StatusCode::kFailedPrecondition,
       {}},
      {"spool resume position behind the catalogue",
       {false, p10, 4, {5, 6, 7}, 0, std::nullopt},
       {6, p20},
       StatusCode::kFailedPrecondition,
       {}},
      {"catalogue reset under a running spool",
       {false, p20, 9, {10}, 0, std::nullopt},
       {0, std::nullopt},
       StatusCode::kFailedPrecondition,
       {}},
      {"catalogue behind the spool's replayed batch",
       {false, p20, 9, {10}, 0, std::nullopt},
       {7, p10},
       StatusCode::kFailedPrecondition,
       {}},
      {"open batch claimed replayed",
       {false, p20, 4, {5}, 6, std::nullopt},
       {6, p10},
       StatusCode::kFailedPrecondition,
       {}},
  };
  for (const Case& c : cases) {
    auto plan = PlanReconciliation(c.spool, c.catalogue);
    EXPECT_EQ(plan.status().code(), c.expected_code) << c.name << ": " << plan.status().message();
    if (plan.ok()) {
      EXPECT_EQ(plan->delete_batch_ids, c.expected_deletes) << c.name;
    } else {
      EXPECT_FALSE(plan.status().message().empty()) << c.name;
    }
  }
}

TEST(PlanReconciliation, MessagesNameBothSides) {
  auto plan = PlanReconciliation({false, BinlogPosition{3, 10}, 2, {3}, 0, std::nullopt},
                                 {6, BinlogPosition{3, 20}});
  ASSERT_FALSE(plan.ok());
  EXPECT_NE(plan.status().message().find("batch 6"), std::string::npos) << plan.status().message();
  EXPECT_NE(plan.status().message().find("3:20"), std::string::npos) << plan.status().message();
  EXPECT_NE(plan.status().message().find("3:10"), std::string::npos) << plan.status().message();
}

}  // namespace
}  // namespace chameleon::spool
