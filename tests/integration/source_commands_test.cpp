// add_source, drop_source and enable_replica against the real MariaDB and PostgreSQL.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "daemon/daemon.h"
#include "support/replica_sandbox.h"
#include "support/test_servers.h"

namespace chameleon {
namespace {

using test_support::ReplicaSandbox;
using ::testing::HasSubstr;
using ::testing::Not;

std::string Value(pg::Connection& connection, const std::string& sql) {
  return test_support::QueryText(connection, sql);
}

class SourceCommands : public ::testing::Test {
 protected:
  void SetUp() override {
    auto created = sandbox_.Run({"create_replica_schema"});
    ASSERT_EQ(created.exit_code, 0) << created.all();
  }
  ReplicaSandbox sandbox_;
};

TEST_F(SourceCommands, AddSourceRegistersTheSourceWithItsMappings) {
  auto added = sandbox_.Run({"add_source", "--source", "mysql"});
  ASSERT_EQ(added.exit_code, 0) << added.all();
  EXPECT_THAT(added.out, HasSubstr("added source 'mysql'"));
  EXPECT_THAT(added.out,
              HasSubstr(sandbox_.mysql_schema() + " -> " + sandbox_.destination_schema()));
  auto target = sandbox_.Target();
  EXPECT_EQ(Value(target,
                  "SELECT enm_status || ' ' || enm_source_type || ' ' || "
                  "(jsb_schema_mappings->>'" +
                      sandbox_.mysql_schema() +
                      "') "
                      "FROM sch_chameleon.t_sources WHERE t_source = 'mysql'"),
            "ready mysql " + sandbox_.destination_schema());
  EXPECT_EQ(Value(target,
                  "SELECT count(*) FROM sch_chameleon.t_last_received r JOIN "
                  "sch_chameleon.t_last_replayed USING (i_id_source)"),
            "1");

  // The same source with the same mappings again: nothing to do, not an error.
  auto again = sandbox_.Run({"add_source", "--source", "mysql"});
  EXPECT_EQ(again.exit_code, 0) << again.all();
  EXPECT_THAT(again.out, HasSubstr("already registered"));
}

TEST_F(SourceCommands, AddSourceWithChangedMappingsPointsToUpdateSchemaMappings) {
  ASSERT_EQ(sandbox_.Run({"add_source", "--source", "mysql"}).exit_code, 0);
  std::string yaml = sandbox_.ConfigYaml();
  std::string from = sandbox_.mysql_schema() + ": " + sandbox_.destination_schema();
  yaml.replace(yaml.find(from), from.size(), sandbox_.mysql_schema() + ": elsewhere");
  sandbox_.WriteConfig(yaml);
  auto result = sandbox_.Run({"add_source", "--source", "mysql"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_THAT(result.err, HasSubstr("update_schema_mappings"));
}

TEST_F(SourceCommands, ADestinationSchemaBelongsToOneSource) {
  const auto& mysql = test_support::TestServers::Get().mysql;
  std::string yaml = sandbox_.ConfigYaml();
  yaml += "  second:\n    type: mysql\n    db_conn:\n      host: " + mysql.host +
          "\n      port: " + std::to_string(mysql.port) + "\n      user: " + mysql.user +
          "\n      password: " + mysql.password +
          "\n    schema_mappings:\n      other_schema: " + sandbox_.destination_schema() + "\n";
  sandbox_.WriteConfig(yaml);
  ASSERT_EQ(sandbox_.Run({"add_source", "--source", "mysql"}).exit_code, 0);
  auto second = sandbox_.Run({"add_source", "--source", "second"});
  EXPECT_EQ(second.exit_code, 1) << second.all();
  EXPECT_THAT(second.err, HasSubstr("destination schema '" + sandbox_.destination_schema() +
                                    "' (mapped from 'other_schema') already belongs to source "
                                    "'mysql'"));
}

TEST_F(SourceCommands, AddSourceChecksThePgsqlSourceToo) {
  auto added = sandbox_.Run({"add_source", "--source", "pgsql"});
  EXPECT_EQ(added.exit_code, 0) << added.all();
  EXPECT_THAT(added.err, Not(HasSubstr("origin schema 'public'"))) << "public exists";
}

TEST_F(SourceCommands, AddSourceWarnsAboutAMissingOriginSchema) {
  std::string yaml = sandbox_.ConfigYaml();
  std::string from = sandbox_.mysql_schema() + ": ";
  yaml.replace(yaml.find(from), from.size(), "chameleon_nowhere: ");
  sandbox_.WriteConfig(yaml);
  auto added = sandbox_.Run({"add_source", "--source", "mysql"});
  EXPECT_EQ(added.exit_code, 0) << added.all();
  EXPECT_THAT(added.err, HasSubstr("origin schema 'chameleon_nowhere' does not exist"));
}

TEST_F(SourceCommands, AddSourceRejectsABadIntervalBeforeRegistering) {
  sandbox_.WriteConfig(sandbox_.ConfigYaml("batch_retention: 'fortnight-ish'"));
  auto added = sandbox_.Run({"add_source", "--source", "mysql"});
  EXPECT_EQ(added.exit_code, 1);
  EXPECT_THAT(added.err, HasSubstr("sources.mysql.batch_retention: 'fortnight-ish' is not a "
                                   "PostgreSQL interval"));
  auto target = sandbox_.Target();
  EXPECT_EQ(Value(target, "SELECT count(*) FROM sch_chameleon.t_sources"), "0");
}

TEST_F(SourceCommands, DropSourceNeedsAnUppercaseYes) {
  ASSERT_EQ(sandbox_.Run({"add_source", "--source", "mysql"}).exit_code, 0);
  auto lower = sandbox_.Run({"drop_source", "--source", "mysql"}, "yes\n");
  EXPECT_EQ(lower.exit_code, 1);
  EXPECT_THAT(lower.err, HasSubstr("please type YES all uppercase"));
  auto no = sandbox_.Run({"drop_source", "--source", "mysql"}, "No\n");
  EXPECT_EQ(no.exit_code, 1);
  auto closed = sandbox_.Run({"drop_source", "--source", "mysql"});
  EXPECT_EQ(closed.exit_code, 1);
  EXPECT_THAT(closed.err, HasSubstr("no answer on standard input"));
  auto target = sandbox_.Target();
  EXPECT_EQ(Value(target, "SELECT count(*) FROM sch_chameleon.t_sources"), "1");

  auto dropped = sandbox_.Run({"drop_source", "--source", "mysql"}, "YES\n");
  EXPECT_EQ(dropped.exit_code, 0) << dropped.all();
  EXPECT_EQ(Value(target, "SELECT count(*) FROM sch_chameleon.t_sources"), "0");
  EXPECT_EQ(Value(target, "SELECT count(*) FROM sch_chameleon.t_last_received"), "0");
  auto unknown = sandbox_.Run({"drop_source", "--source", "mysql"}, "YES\n");
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_THAT(unknown.err, HasSubstr("source 'mysql' is not registered"));
}

TEST_F(SourceCommands, DropSourceRefusesARunningSource) {
  ASSERT_EQ(sandbox_.Run({"add_source", "--source", "mysql"}).exit_code, 0);
  auto target = sandbox_.Target();
  ASSERT_TRUE(target
                  .Execute("UPDATE sch_chameleon.t_sources SET enm_status = 'running', "
                           "ts_heartbeat = clock_timestamp(), i_pid = 4242")
                  .ok());
  auto refused = sandbox_.Run({"drop_source", "--source", "mysql"}, "YES\n");
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_THAT(refused.err, HasSubstr("source 'mysql' is running; stop it"));
}

// A process of the source on this host (here this test holding its pid file, as a copy or a
// replica would) keeps drop_source and enable_replica away, whatever the catalogue says.
TEST_F(SourceCommands, DropAndEnableWaitForAProcessHoldingTheSource) {
  ASSERT_EQ(sandbox_.Run({"add_source", "--source", "mysql"}).exit_code, 0);
  auto held = daemon::PidFile::Acquire(sandbox_.home() / ".pg_chameleon/pid/mysql.pid");
  ASSERT_TRUE(held.ok()) << held.status().message();
  auto dropped = sandbox_.Run({"drop_source", "--source", "mysql"}, "YES\n");
  EXPECT_EQ(dropped.exit_code, 1);
  EXPECT_THAT(dropped.err, HasSubstr("source 'mysql' is busy"));
  auto enabled = sandbox_.Run({"enable_replica", "--source", "mysql"});
  EXPECT_EQ(enabled.exit_code, 1);
  EXPECT_THAT(enabled.err, HasSubstr("source 'mysql' is in use on this host"));
  auto target = sandbox_.Target();
  EXPECT_EQ(Value(target, "SELECT count(*) FROM sch_chameleon.t_sources"), "1");
}

TEST_F(SourceCommands, EnableReplicaResetsAFailedSource) {
  ASSERT_EQ(sandbox_.Run({"add_source", "--source", "mysql"}).exit_code, 0);
  auto target = sandbox_.Target();
  ASSERT_TRUE(target
                  .Execute("UPDATE sch_chameleon.t_sources SET enm_status = 'error', "
                           "t_status_reason = 'replay failed', b_paused = true, "
                           "b_maintenance = true; UPDATE sch_chameleon.t_last_received SET "
                           "b_paused = true")
                  .ok());
  auto enabled = sandbox_.Run({"enable_replica", "--source", "mysql"});
  EXPECT_EQ(enabled.exit_code, 0) << enabled.all();
  EXPECT_THAT(enabled.out, HasSubstr("source 'mysql' was error; it is now stopped"));
  EXPECT_EQ(Value(target,
                  "SELECT enm_status || coalesce(t_status_reason, '-') || b_paused || "
                  "b_maintenance FROM sch_chameleon.t_sources"),
            "stopped-falsefalse");
  EXPECT_EQ(Value(target, "SELECT b_paused FROM sch_chameleon.t_last_received"), "f");
}

TEST_F(SourceCommands, EnableReplicaRefusesALiveDaemonButResetsADeadOne) {
  ASSERT_EQ(sandbox_.Run({"add_source", "--source", "mysql"}).exit_code, 0);
  auto target = sandbox_.Target();
  ASSERT_TRUE(target
                  .Execute("UPDATE sch_chameleon.t_sources SET enm_status = 'running', "
                           "ts_heartbeat = clock_timestamp(), i_pid = 4242, t_pid_host = 'db1'")
                  .ok());
  auto refused = sandbox_.Run({"enable_replica", "--source", "mysql"});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_THAT(refused.err, HasSubstr("running and alive (pid 4242 on db1)"));
  ASSERT_TRUE(target
                  .Execute("UPDATE sch_chameleon.t_sources SET "
                           "ts_heartbeat = clock_timestamp() - interval '10 minutes'")
                  .ok());
  auto enabled = sandbox_.Run({"enable_replica", "--source", "mysql"});
  EXPECT_EQ(enabled.exit_code, 0) << enabled.all();
  EXPECT_EQ(Value(target, "SELECT enm_status FROM sch_chameleon.t_sources"), "stopped");
}

TEST_F(SourceCommands, CommandsNeedingASourceSaySoAndListTheSources) {
  auto missing = sandbox_.Run({"add_source"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_THAT(missing.err, HasSubstr("needs --source NAME"));
  EXPECT_THAT(missing.err, HasSubstr("mysql, pgsql"));
  auto unknown = sandbox_.Run({"add_source", "--source", "mysq"});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_THAT(unknown.err, HasSubstr("no source 'mysq'"));
  EXPECT_THAT(unknown.err, HasSubstr("did you mean 'mysql'?"));
  EXPECT_EQ(std::count(unknown.err.begin(), unknown.err.end(), '\n'), 1);
}

}  // namespace
}  // namespace chameleon
