// show_status, show_errors, show_sources and show_config: pg_chameleon's columns, --json,
// honest liveness, and no password anywhere.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "catalogue/batches.h"
#include "catalogue/progress.h"
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

// What a running daemon reports (catalogue::RecordProgress), at times relative to now.
class ShowProgress : public ShowCommands {
 protected:
  using Clock = std::chrono::system_clock;
  static Clock::time_point Ago(std::chrono::seconds seconds) { return Clock::now() - seconds; }
  int64_t SourceId() {
    auto target = sandbox_.Target();
    return std::stoll(test_support::QueryText(target,
                                              "SELECT i_id_source FROM "
                                              "sch_chameleon.t_sources"));
  }
  void Running() {
    Sql("UPDATE sch_chameleon.t_sources SET enm_status = 'running', i_pid = 999999, "
        "ts_heartbeat = clock_timestamp()");
  }
  void Report(const catalogue::ReplicaProgress& progress) {
    auto target = sandbox_.Target();
    Status recorded = catalogue::RecordProgress(target, SourceId(), progress);
    ASSERT_TRUE(recorded.ok()) << recorded.message();
  }
  // A batch applied now whose last event happened `ago`.
  void Replayed(std::chrono::seconds ago, uint64_t spool_batch = 1) {
    auto target = sandbox_.Target();
    catalogue::ReplayedBatch batch;
    batch.source_id = SourceId();
    batch.spool_batch_id = spool_batch;
    batch.first_binlog_name = batch.last_binlog_name = "mysql-bin.000003";
    batch.first_binlog_position = static_cast<int64_t>(spool_batch) * 100;
    batch.last_binlog_position = batch.first_binlog_position + 50;
    batch.last_event_epoch_seconds =
        std::chrono::duration_cast<std::chrono::seconds>(Ago(ago).time_since_epoch()).count();
    Status recorded = catalogue::RecordReplayedBatch(target, batch);
    ASSERT_TRUE(recorded.ok()) << recorded.message();
  }
  nlohmann::json StatusJson() {
    auto json = sandbox_.Run({"show_status", "--json"});
    EXPECT_EQ(json.exit_code, 0) << json.all();
    return nlohmann::json::parse(json.out)["sources"][0];
  }
};

TEST_F(ShowProgress, AnIdleSourceWithHeartbeatsShowsNoLag) {
  // Nothing written at the source for a day; heartbeats keep coming: pg_chameleon would
  // show a day of read and replay lag.
  Running();
  Replayed(std::chrono::hours(24));
  catalogue::ReplicaProgress progress;
  progress.last_event_time = Ago(std::chrono::hours(24));
  progress.last_received = progress.caught_up_at = Ago(std::chrono::seconds(1));
  progress.read_binlog_name = "mysql-bin.000003";
  progress.read_binlog_position = 4567;
  progress.spool_bytes = uint64_t{5} << 20;
  progress.batches_waiting = 0;
  progress.events_read = 1234;
  Report(progress);

  auto status = sandbox_.Run({"show_status"});
  ASSERT_EQ(status.exit_code, 0) << status.all();
  EXPECT_THAT(status.out, HasSubstr("Read lag  Last read            Replay lag  Last replay"
                                    "          Batches waiting  Spool size"));
  EXPECT_THAT(status.out, testing::ContainsRegex("running  Yes         00:00:0[1-5]  "));
  EXPECT_THAT(status.out, HasSubstr("  00:00:00    "));
  EXPECT_THAT(status.out, HasSubstr("  0  5.0 MiB\n"));
  EXPECT_THAT(status.out, Not(HasSubstr("stale")));

  auto source = StatusJson();
  EXPECT_EQ(source["status"], "running");
  EXPECT_GE(source["read_lag_seconds"].get<double>(), 0.5);
  EXPECT_LT(source["read_lag_seconds"].get<double>(), 10.0);
  EXPECT_EQ(source["replay_lag_seconds"].get<double>(), 0.0);
  EXPECT_EQ(source["batches_waiting"], 0);
  EXPECT_EQ(source["spool_bytes"], 5 << 20);
  EXPECT_EQ(source["events_read"], 1234);
  EXPECT_EQ(source["read_position"], "mysql-bin.000003:4567");
  EXPECT_EQ(source["figures_stale"], false);
  EXPECT_FALSE(source["last_received"].get<std::string>().empty());
  EXPECT_EQ(source["last_received"], source["caught_up_at"]);
  EXPECT_FALSE(source["last_replayed_at"].get<std::string>().empty());
  // The source times: a day ago, as pg_chameleon's Last read / Last replay (UTC).
  auto target = sandbox_.Target();
  std::string a_day_ago = test_support::QueryText(
      target, "SELECT to_char(now() AT TIME ZONE 'UTC' - interval '1 day', 'YYYY-MM-DD HH24')");
  EXPECT_THAT(source["last_read"].get<std::string>(), testing::StartsWith(a_day_ago));
  EXPECT_THAT(source["last_replay"].get<std::string>(), testing::StartsWith(a_day_ago));

  auto detail = sandbox_.Run({"show_status", "--source", "mysql"});
  ASSERT_EQ(detail.exit_code, 0) << detail.all();
  EXPECT_THAT(detail.out, HasSubstr("== Replica progress =="));
  EXPECT_THAT(detail.out, HasSubstr("Read position        mysql-bin.000003:4567"));
  EXPECT_THAT(detail.out, HasSubstr("Events read          1234"));
  EXPECT_THAT(detail.out, HasSubstr("Batches waiting      0\n"));
  EXPECT_THAT(detail.out, HasSubstr("Spool size           5.0 MiB\n"));
}

TEST_F(ShowProgress, ASilentConnectionAndABacklogShowGrowingLag) {
  Running();
  Replayed(std::chrono::minutes(5));
  // The source fell silent ten minutes ago: no event, no heartbeat since.
  catalogue::ReplicaProgress progress;
  progress.last_event_time = Ago(std::chrono::minutes(11));
  progress.last_received = progress.caught_up_at = Ago(std::chrono::minutes(10));
  progress.batches_waiting = 0;
  Report(progress);
  auto silent = StatusJson();
  EXPECT_NEAR(silent["read_lag_seconds"].get<double>(), 600.0, 5.0);
  EXPECT_EQ(silent["replay_lag_seconds"].get<double>(), 0.0) << "everything read is applied";
  EXPECT_THAT(sandbox_.Run({"show_status"}).out, HasSubstr("00:10:0"));

  // Now events stream in (the last one read 90 s old) and four batches wait: the replay lag
  // is measured from the last applied event, five minutes old.
  progress.last_event_time = Ago(std::chrono::seconds(90));
  progress.last_received = Ago(std::chrono::seconds(1));
  progress.batches_waiting = 4;
  Report(progress);
  auto backlog = StatusJson();
  EXPECT_NEAR(backlog["read_lag_seconds"].get<double>(), 90.0, 5.0);
  EXPECT_NEAR(backlog["replay_lag_seconds"].get<double>(), 300.0, 5.0);
  EXPECT_EQ(backlog["batches_waiting"], 4);
  auto text = sandbox_.Run({"show_status"}).out;
  EXPECT_THAT(text, HasSubstr("00:01:3"));
  EXPECT_THAT(text, HasSubstr("00:05:0"));
}

TEST_F(ShowProgress, AStoppedOrDeadDaemonsFiguresAreStale) {
  Running();
  catalogue::ReplicaProgress progress;
  progress.last_event_time = Ago(std::chrono::seconds(30));
  progress.last_received = progress.caught_up_at = Ago(std::chrono::seconds(2));
  progress.batches_waiting = 2;
  progress.spool_bytes = 2048;
  Report(progress);
  // The daemon reported ten minutes ago, then stopped: its figures are as of that report.
  Sql("UPDATE sch_chameleon.t_last_received SET ts_progress = ts_progress - interval '10 min', "
      "ts_progress_daemon = ts_progress_daemon - interval '10 min', "
      "ts_caught_up = ts_caught_up - interval '10 min', "
      "ts_last_contact = ts_last_contact - interval '10 min'; "
      "UPDATE sch_chameleon.t_sources SET enm_status = 'stopped', i_pid = NULL");
  auto stopped = StatusJson();
  EXPECT_EQ(stopped["status"], "stopped");
  EXPECT_EQ(stopped["figures_stale"], true);
  EXPECT_NEAR(stopped["read_lag_seconds"].get<double>(), 2.0, 3.0) << "as of the report";
  EXPECT_EQ(stopped["batches_waiting"], 2);
  auto text = sandbox_.Run({"show_status"});
  EXPECT_THAT(text.out, testing::ContainsRegex("stopped  Yes         00:00:0[0-5] \\(stale\\)"));
  EXPECT_THAT(text.out, HasSubstr("2 (stale)"));
  EXPECT_THAT(text.out, HasSubstr("2.0 KiB (stale)"));
  EXPECT_THAT(text.out,
              HasSubstr("mysql: stopped: the lag and spool figures are as of its "
                        "daemon's last report at " +
                        stopped["figures_as_of"].get<std::string>() + " UTC, not live (stale)."));

  // A killed daemon: running in the catalogue, silent: dead, and never live figures.
  Sql("UPDATE sch_chameleon.t_sources SET enm_status = 'running', i_pid = 999999, "
      "ts_heartbeat = clock_timestamp() - interval '10 min'");
  auto dead = StatusJson();
  EXPECT_EQ(dead["status"], "dead");
  EXPECT_EQ(dead["figures_stale"], true);
  EXPECT_LT(dead["read_lag_seconds"].get<double>(), 10.0);
}

TEST_F(ShowProgress, NoReportNoLag) {
  // pg_chameleon's columns alone (a source never started) give no lag figure.
  Sql("UPDATE sch_chameleon.t_last_received SET ts_last_received = "
      "(now() AT TIME ZONE 'UTC') - interval '1 day'");
  auto source = StatusJson();
  EXPECT_TRUE(source["read_lag_seconds"].is_null());
  EXPECT_TRUE(source["replay_lag_seconds"].is_null());
  EXPECT_TRUE(source["batches_waiting"].is_null());
  EXPECT_FALSE(source["last_read"].get<std::string>().empty());
  EXPECT_EQ(source["figures_stale"], false);
  EXPECT_THAT(sandbox_.Run({"show_status"}).out,
              testing::ContainsRegex("N/A +[0-9-]+ [0-9:]+ +N/A +N/A +N/A\n"));
}

TEST_F(ShowProgress, RecordProgressKeepsWhatANewDaemonDoesNotKnowYet) {
  catalogue::ReplicaProgress progress;
  progress.last_event_time = Ago(std::chrono::seconds(40));
  progress.last_received = Ago(std::chrono::seconds(30));
  progress.read_binlog_name = "mysql-bin.000009";
  progress.read_binlog_position = 77;
  progress.events_read = 10;
  Report(progress);
  Report(catalogue::ReplicaProgress{});  // restarted: nothing received yet
  auto target = sandbox_.Target();
  EXPECT_EQ(test_support::QueryText(
                target,
                "SELECT (ts_last_received IS NOT NULL) || ':' || (ts_last_contact IS "
                "NOT NULL) || ':' || t_read_binlog_name || ':' || i_read_binlog_position "
                "|| ':' || i_events_read FROM sch_chameleon.t_last_received"),
            "true:true:mysql-bin.000009:77:0");
  Status missing = catalogue::RecordProgress(target, 424242, progress);
  EXPECT_THAT(missing.message(), HasSubstr("source id 424242: it is not registered"));
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
