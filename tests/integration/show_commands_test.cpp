// show_status, show_errors, show_sources and show_config: pg_chameleon's columns, --json,
// honest liveness, and no password anywhere.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "support/replica_sandbox.h"
#include "support/test_servers.h"

namespace chameleon {
namespace {

using test_support::ReplicaSandbox;
using ::testing::HasSubstr;
using ::testing::Not;

class ShowCommands : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(sandbox_.Run({"create_replica_schema"}).exit_code, 0);
    auto added = sandbox_.Run({"add_source", "--source", "mysql"});
    ASSERT_EQ(added.exit_code, 0) << added.all();
  }
  void Sql(const std::string& sql) {
    auto target = sandbox_.Target();
    Status status = target.Execute(sql);
    ASSERT_TRUE(status.ok()) << status.message();
  }
  ReplicaSandbox sandbox_;
};

TEST_F(ShowCommands, ShowStatusPrintsPgChameleonsColumns) {
  auto status = sandbox_.Run({"show_status"});
  ASSERT_EQ(status.exit_code, 0) << status.all();
  EXPECT_THAT(status.out, HasSubstr("Source id  Source name  Type   Status  Consistent  Read lag  "
                                    "Last read  Replay lag  Last replay"));
  EXPECT_THAT(status.out, HasSubstr("mysql        mysql  ready   Yes         N/A"));
}

TEST_F(ShowCommands, ShowStatusComputesLagFromTheCatalogue) {
  Sql("UPDATE sch_chameleon.t_last_received SET ts_last_received = "
      "(now() AT TIME ZONE 'UTC') - interval '1 day 2 hours 3 minutes 4 seconds'; "
      "UPDATE sch_chameleon.t_last_replayed SET ts_last_replayed = "
      "(SELECT ts_last_received - interval '90 seconds' FROM sch_chameleon.t_last_received)");
  auto status = sandbox_.Run({"show_status"});
  ASSERT_EQ(status.exit_code, 0) << status.all();
  EXPECT_THAT(status.out, HasSubstr("1 day 02:03:0"));  // read lag, give or take a second
  EXPECT_THAT(status.out, HasSubstr("00:01:30"));       // replay lag
}

TEST_F(ShowCommands, ADeadDaemonIsShownDeadNotRunning) {
  Sql("UPDATE sch_chameleon.t_sources SET enm_status = 'running', i_pid = 999999, "
      "ts_heartbeat = clock_timestamp() - interval '5 minutes'");
  auto status = sandbox_.Run({"show_status"});
  ASSERT_EQ(status.exit_code, 0) << status.all();
  EXPECT_THAT(status.out, HasSubstr("mysql  dead"));
  EXPECT_THAT(status.out, HasSubstr("the catalogue says running, but its daemon has not reported"));
  EXPECT_THAT(status.out, HasSubstr("enable_replica --config default --source mysql"));
  Sql("UPDATE sch_chameleon.t_sources SET ts_heartbeat = clock_timestamp()");
  EXPECT_THAT(sandbox_.Run({"show_status"}).out, HasSubstr("mysql  running"));
}

TEST_F(ShowCommands, AnInitWhoseProcessIsGoneIsShownDead) {
  // init_replica does not beat a heartbeat; its pid file lock tells whether it still runs.
  Sql("UPDATE sch_chameleon.t_sources SET enm_status = 'initialising'");
  EXPECT_THAT(sandbox_.Run({"show_status"}).out, HasSubstr("mysql  initialising"))
      << "no pid file here: the process may run elsewhere, so nothing is claimed";
  std::filesystem::path pid_dir = sandbox_.home() / ".pg_chameleon/pid";
  std::filesystem::create_directories(pid_dir);
  std::ofstream(pid_dir / "mysql.pid") << "999999\n";  // left behind, locked by nobody
  auto status = sandbox_.Run({"show_status"});
  EXPECT_THAT(status.out, HasSubstr("mysql  dead"));
  EXPECT_THAT(status.out, HasSubstr("the catalogue says initialising, but no process holds its "
                                    "pid file"));
}

TEST_F(ShowCommands, ShowStatusOfOneSourceAddsItsDetail) {
  Sql("INSERT INTO sch_chameleon.t_replica_tables (i_id_source, v_schema_name, v_table_name, "
      "v_table_pkey, b_replica_enabled, t_disabled_reason) SELECT i_id_source, 'dst', t, "
      "'{id}', t <> 'broken', CASE WHEN t = 'broken' THEN 'no primary key' END FROM "
      "sch_chameleon.t_sources, unnest(array['a', 'b', 'broken']) t; "
      "INSERT INTO sch_chameleon.t_replica_batch (i_id_source, t_binlog_name, i_binlog_position, "
      "i_replayed, i_ddl, i_skipped) SELECT i_id_source, 'binlog.000001', 4, 10, 2, 1 FROM "
      "sch_chameleon.t_sources");
  auto status = sandbox_.Run({"show_status", "--source", "mysql"});
  ASSERT_EQ(status.exit_code, 0) << status.all();
  EXPECT_THAT(status.out, HasSubstr("== Schema mappings =="));
  EXPECT_THAT(status.out,
              HasSubstr(sandbox_.mysql_schema() + "  " + sandbox_.destination_schema()));
  EXPECT_THAT(status.out, HasSubstr("Tables not replicated  1"));
  EXPECT_THAT(status.out, HasSubstr("Tables replicated      2"));
  EXPECT_THAT(status.out, HasSubstr("All tables             3"));
  EXPECT_THAT(status.out, HasSubstr("Replayed rows          10"));
  EXPECT_THAT(status.out, HasSubstr("Next maintenance       N/A"));
  EXPECT_THAT(status.out, HasSubstr("== Tables with replica disabled =="));
  EXPECT_THAT(status.out, HasSubstr("dst     broken  no primary key"));

  auto json = sandbox_.Run({"show_status", "--source", "mysql", "--json"});
  ASSERT_EQ(json.exit_code, 0) << json.all();
  auto parsed = nlohmann::json::parse(json.out);
  const auto& source = parsed["sources"][0];
  EXPECT_EQ(source["name"], "mysql");
  EXPECT_EQ(source["status"], "ready");
  EXPECT_TRUE(source["read_lag_seconds"].is_null());
  EXPECT_EQ(source["detail"]["tables_all"], 3);
  EXPECT_EQ(source["detail"]["tables_disabled"][0]["reason"], "no primary key");
}

TEST_F(ShowCommands, ShowStatusOfAnUnregisteredSource) {
  auto status = sandbox_.Run({"show_status", "--source", "pgsql"});
  EXPECT_EQ(status.exit_code, 1);
  EXPECT_THAT(status.err, HasSubstr("source 'pgsql' is not registered in sch_chameleon; add it"));
}

TEST_F(ShowCommands, ShowErrorsListsAndDetails) {
  auto empty = sandbox_.Run({"show_errors"});
  EXPECT_EQ(empty.exit_code, 0);
  EXPECT_THAT(empty.out, HasSubstr("There are no errors in the log"));
  Sql("INSERT INTO sch_chameleon.t_error_log (i_id_batch, i_id_source, v_table_name, "
      "v_schema_name, t_table_pkey, t_binlog_name, i_binlog_position, t_sql, t_error_message) "
      "SELECT 7, i_id_source, 'orders', 'shop', 'id', 'binlog.000002', 5000000000, "
      "'INSERT INTO shop.orders ...', '23505 - duplicate key' FROM sch_chameleon.t_sources");
  auto list = sandbox_.Run({"show_errors"});
  ASSERT_EQ(list.exit_code, 0) << list.all();
  EXPECT_THAT(list.out,
              HasSubstr("Log id  Source name  ID Batch  Table   Schema  Error timestamp"));
  EXPECT_THAT(list.out, HasSubstr("mysql               7  orders  shop"));
  auto detail = sandbox_.Run({"show_errors", "--logid", "1"});
  ASSERT_EQ(detail.exit_code, 0) << detail.all();
  EXPECT_THAT(detail.out, HasSubstr("Error message    23505 - duplicate key"));
  EXPECT_THAT(detail.out, HasSubstr("binlog.000002:5000000000"));
  auto other = sandbox_.Run({"show_errors", "--logid", "99"});
  EXPECT_EQ(other.exit_code, 1);
  EXPECT_THAT(other.err, HasSubstr("there is no error with log id 99"));
  auto json = sandbox_.Run({"show_errors", "--json"});
  EXPECT_EQ(nlohmann::json::parse(json.out)["errors"][0]["binlog_position"], 5000000000LL);
}

TEST_F(ShowCommands, ShowConfigAndShowSourcesMaskPasswords) {
  const auto& servers = test_support::TestServers::Get();
  auto config = sandbox_.Run({"show_config"});
  ASSERT_EQ(config.exit_code, 0) << config.all();
  EXPECT_THAT(config.out, HasSubstr("password         ********"));
  EXPECT_THAT(config.out, HasSubstr("db_conn.password         ********"));
  EXPECT_THAT(config.out, HasSubstr("== Source mysql =="));
  EXPECT_THAT(config.out, HasSubstr("== Source pgsql =="));
  auto sources = sandbox_.Run({"show_sources", "--source", "mysql"});
  ASSERT_EQ(sources.exit_code, 0) << sources.all();
  EXPECT_THAT(sources.out, HasSubstr("replica_batch_size       10000"));
  EXPECT_THAT(sources.out, Not(HasSubstr("== Source pgsql ==")));
  for (const auto& result : {config, sources}) {
    EXPECT_THAT(result.all(), Not(HasSubstr(servers.pg.password)));
    EXPECT_THAT(result.all(), Not(HasSubstr(servers.mysql.password)));
  }
}

TEST_F(ShowCommands, EachCommandLogsToItsOwnFile) {
  ASSERT_EQ(sandbox_.Run({"show_status"}).exit_code, 0);
  std::string logs = sandbox_.Logs();
  EXPECT_THAT(logs, HasSubstr("== default_general_"));
  EXPECT_THAT(logs, HasSubstr("== default_mysql_"));  // add_source --source mysql
  EXPECT_THAT(logs, HasSubstr("added source 'mysql'"));
  EXPECT_THAT(logs, Not(HasSubstr(test_support::TestServers::Get().pg.password)));
}

}  // namespace
}  // namespace chameleon
