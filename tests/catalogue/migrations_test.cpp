// The embedded catalogue migrations are complete, ordered and self-describing.
#include "catalogue/migrations.h"

#include <gtest/gtest.h>

#include "catalogue/status_report.h"

namespace chameleon::catalogue {
namespace {

TEST(Migrations, AreNumberedFromOneWithoutGaps) {
  const auto& migrations = Migrations();
  ASSERT_GE(migrations.size(), 2U);
  for (size_t index = 0; index < migrations.size(); ++index) {
    EXPECT_EQ(migrations[index].version, static_cast<int>(index) + 1);
    EXPECT_FALSE(migrations[index].description.empty());
    EXPECT_FALSE(migrations[index].sql.empty());
  }
  EXPECT_EQ(LatestVersion(), static_cast<int>(migrations.size()));
}

TEST(Migrations, FirstCreatesTheSchemaWithPgChameleonsTableNames) {
  const std::string& sql = Migrations().front().sql;
  for (const char* name :
       {"CREATE SCHEMA sch_chameleon", "sch_chameleon.t_sources", "sch_chameleon.t_replica_batch",
        "sch_chameleon.t_replica_tables", "sch_chameleon.t_error_log", "sch_chameleon.v_version",
        "sch_chameleon.t_last_received", "sch_chameleon.t_last_replayed"}) {
    EXPECT_NE(sql.find(name), std::string::npos) << name;
  }
  EXPECT_EQ(sql.find("CREATE TABLE sch_chameleon.t_log_replica"), std::string::npos)
      << "the payload lives in the spool";
}

TEST(ShownStatus, TellsADeadProcessFromALiveOne) {
  // Statuses without a process are shown as stored.
  EXPECT_EQ(ShownStatus("stopped", true, std::nullopt, false), "stopped");
  EXPECT_EQ(ShownStatus("error", false, std::nullopt, false), "error");
  // A registered daemon is judged by its heartbeat.
  EXPECT_EQ(ShownStatus("running", true, 5.0, std::nullopt), "running");
  EXPECT_EQ(ShownStatus("running", true, kHeartbeatTimeoutSeconds + 1.0, true), "dead");
  EXPECT_EQ(ShownStatus("running", true, std::nullopt, true), "dead");
  // An unregistered process (init_replica) by its local pid file, when there is one.
  EXPECT_EQ(ShownStatus("initialising", false, std::nullopt, std::nullopt), "initialising");
  EXPECT_EQ(ShownStatus("initialising", false, std::nullopt, true), "initialising");
  EXPECT_EQ(ShownStatus("syncing", false, std::nullopt, false), "dead");
}

}  // namespace
}  // namespace chameleon::catalogue
