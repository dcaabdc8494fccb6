// start_replica / stop_replica as a user runs them: a daemon that replicates MariaDB into
// PostgreSQL, shows running with a live heartbeat, refuses a second start, stops within its
// bound, and is shown dead (not running) after a kill -9.
#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>

#include "catalogue/batches.h"
#include "catalogue/sources.h"
#include "daemon/daemon.h"
#include "support/replica_sandbox.h"
#include "support/test_servers.h"
#include "support/wait_for.h"

namespace chameleon {
namespace {

using test_support::QueryText;
using test_support::ReplicaSandbox;
using test_support::WaitFor;
using ::testing::HasSubstr;

class ReplicaDaemon : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(sandbox_.Run({"create_replica_schema"}).exit_code, 0);
    ASSERT_EQ(sandbox_.Run({"add_source", "--source", "mysql"}).exit_code, 0);
    auto admin = test_support::MysqlAdmin();
    ASSERT_TRUE(admin.Execute("USE `" + sandbox_.mysql_schema() + "`").ok());
    ASSERT_TRUE(admin.Execute("CREATE TABLE t (id int PRIMARY KEY, v varchar(10))").ok());
    ASSERT_TRUE(admin.Execute("INSERT INTO t VALUES (1, 'a')").ok());
    auto init = sandbox_.Run({"init_replica", "--source", "mysql", "--debug"});
    ASSERT_EQ(init.exit_code, 0) << init.all();
  }

  std::string Q(const std::string& sql) {
    auto target = sandbox_.Target();
    return QueryText(target, sql);
  }

  std::string Rows() {
    return Q("SELECT string_agg(id || '=' || v, ' ' ORDER BY id) FROM \"" +
             sandbox_.destination_schema() + "\".t");
  }

  std::string Status() {
    return Q(
        "SELECT enm_status || ' ' || (i_pid IS NOT NULL) || ' ' || "
        "coalesce((clock_timestamp() - ts_heartbeat < interval '60 seconds')::text, 'none') "
        "FROM sch_chameleon.t_sources WHERE t_source = 'mysql'");
  }

  ReplicaSandbox sandbox_;
};

TEST_F(ReplicaDaemon, StartReplaysBeatsRefusesASecondStartAndStopsInTime) {
  auto started = sandbox_.Run({"start_replica", "--source", "mysql"});
  ASSERT_EQ(started.exit_code, 0) << started.all();
  EXPECT_THAT(started.out, HasSubstr("background"));
  auto admin = test_support::MysqlAdmin();
  ASSERT_TRUE(admin.Execute("USE `" + sandbox_.mysql_schema() + "`").ok());
  ASSERT_TRUE(admin.Execute("START TRANSACTION").ok());
  ASSERT_TRUE(admin.Execute("INSERT INTO t VALUES (2, 'b')").ok());
  ASSERT_TRUE(admin.Execute("UPDATE t SET v = 'a2' WHERE id = 1").ok());
  ASSERT_TRUE(admin.Execute("COMMIT").ok());
  EXPECT_TRUE(WaitFor([&] { return Rows() == "1=a2 2=b"; })) << Rows();
  EXPECT_EQ(Status(), "running true true");
  auto status = sandbox_.Run({"show_status", "--source", "mysql"});
  EXPECT_THAT(status.out, HasSubstr("running"));

  auto second = sandbox_.Run({"start_replica", "--source", "mysql"});
  EXPECT_EQ(second.exit_code, 1);
  EXPECT_THAT(second.err, HasSubstr("already running"));

  auto before_stop = std::chrono::steady_clock::now();
  auto stopped = sandbox_.Run({"stop_replica", "--source", "mysql"});
  auto stop_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - before_stop).count();
  ASSERT_EQ(stopped.exit_code, 0) << stopped.all();
  EXPECT_LT(stop_seconds, 30.0);
  EXPECT_EQ(Status().substr(0, 13), "stopped false");
  EXPECT_THAT(sandbox_.Logs(), HasSubstr("replica of source mysql stopped"));
  EXPECT_EQ(Q("SELECT sum(i_replayed) FROM sch_chameleon.t_replica_batch WHERE b_replayed"), "2");
  auto again = sandbox_.Run({"stop_replica", "--source", "mysql"});
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_THAT(again.err, HasSubstr("no replica of source mysql runs"));
}

TEST_F(ReplicaDaemon, AKilledDaemonIsShownDeadAndCanStartAgain) {
  auto started = sandbox_.Run({"start_replica", "--source", "mysql"});
  ASSERT_EQ(started.exit_code, 0) << started.all();
  ASSERT_TRUE(WaitFor([&] { return Status() == "running true true"; })) << Status();
  int pid = std::stoi(Q("SELECT i_pid FROM sch_chameleon.t_sources WHERE t_source = 'mysql'"));
  ASSERT_EQ(kill(pid, SIGKILL), 0);
  ASSERT_TRUE(WaitFor([&] { return kill(pid, 0) != 0; }, 10));
  // The heartbeat goes stale after 60 s; age it rather than wait.
  Q("UPDATE sch_chameleon.t_sources SET ts_heartbeat = ts_heartbeat - interval '2 minutes' "
    "RETURNING 1");
  auto status = sandbox_.Run({"show_status"});
  EXPECT_THAT(status.out, HasSubstr("mysql  dead"));

  auto restarted = sandbox_.Run({"start_replica", "--source", "mysql"});
  ASSERT_EQ(restarted.exit_code, 0) << restarted.all();
  EXPECT_TRUE(WaitFor([&] { return Status() == "running true true"; })) << Status();
  auto stopped = sandbox_.Run({"stop_all_replicas"});
  EXPECT_EQ(stopped.exit_code, 0) << stopped.all();
  EXPECT_EQ(Status().substr(0, 7), "stopped");
}

// A daemon that cannot finish (here: SIGSTOPped) is killed after --timeout, says so, and
// loses nothing: what it had not applied arrives after the next start.
TEST_F(ReplicaDaemon, StopReplicaKillsADaemonThatDoesNotStopInTimeLosingNothing) {
  EXPECT_EQ(sandbox_.Run({"stop_replica", "--source", "mysql", "--timeout", "0"}).exit_code, 2);
  auto started = sandbox_.Run({"start_replica", "--source", "mysql"});
  ASSERT_EQ(started.exit_code, 0) << started.all();
  ASSERT_TRUE(WaitFor([&] { return Status() == "running true true"; })) << Status();
  int pid = std::stoi(Q("SELECT i_pid FROM sch_chameleon.t_sources WHERE t_source = 'mysql'"));
  ASSERT_EQ(kill(pid, SIGSTOP), 0);
  auto admin = test_support::MysqlAdmin();
  ASSERT_TRUE(admin.Execute("USE `" + sandbox_.mysql_schema() + "`").ok());
  ASSERT_TRUE(admin.Execute("INSERT INTO t VALUES (2, 'b')").ok());

  auto before_stop = std::chrono::steady_clock::now();
  auto stopped = sandbox_.Run({"stop_replica", "--source", "mysql", "--timeout", "2"});
  double stop_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - before_stop).count();
  ASSERT_EQ(stopped.exit_code, 0) << stopped.all();
  EXPECT_THAT(stopped.err, HasSubstr("did not stop within 2 s and was killed; nothing is lost"));
  EXPECT_LT(stop_seconds, 20.0) << "the firm stop follows the timeout";
  EXPECT_TRUE(WaitFor([&] { return kill(pid, 0) != 0; }, 10)) << "the daemon is gone";
  EXPECT_EQ(Status().substr(0, 13), "stopped false");
  EXPECT_THAT(Q("SELECT t_status_reason FROM sch_chameleon.t_sources"), HasSubstr("by force"));

  ASSERT_EQ(sandbox_.Run({"start_replica", "--source", "mysql"}).exit_code, 0);
  EXPECT_TRUE(WaitFor([&] { return Rows() == "1=a 2=b"; })) << Rows();
}

// stop_replica and run_maintenance signal only a replica daemon: another command holding the
// source (here detach_replica, waiting for its YES) is named and left alone, not killed by
// SIGTERM or SIGUSR1.
TEST_F(ReplicaDaemon, StopAndMaintenanceLeaveAnotherCommandAlone) {
  std::filesystem::path answer = sandbox_.home() / "answer";
  ASSERT_EQ(mkfifo(answer.c_str(), 0600), 0);
  std::string binary = std::getenv("CHAMELEON_BINARY");  // NOLINT(concurrency-mt-unsafe)
  std::string home = "HOME=" + sandbox_.home().string();
  pid_t detach = fork();
  ASSERT_GE(detach, 0);
  if (detach == 0) {
    int in = open(answer.c_str(), O_RDWR);  // read-write: never blocks, never sees EOF
    int out = open("/dev/null", O_WRONLY);
    if (in < 0 || out < 0) _exit(127);
    dup2(in, 0);
    dup2(out, 1);
    dup2(out, 2);
    putenv(home.data());  // NOLINT(concurrency-mt-unsafe): the child is single-threaded
    execl(binary.c_str(), binary.c_str(), "detach_replica", "--source", "mysql", nullptr);
    _exit(127);
  }
  std::filesystem::path pid_file = sandbox_.home() / ".pg_chameleon/pid/mysql.pid";
  EXPECT_TRUE(WaitFor([&] { return daemon::PidFile::Holder(pid_file) == detach; }, 20));

  auto stop = sandbox_.Run({"stop_replica", "--source", "mysql"});
  EXPECT_EQ(stop.exit_code, 1);
  EXPECT_THAT(stop.err, HasSubstr("busy with chameleon detach_replica (pid " +
                                  std::to_string(detach) + "), not a running replica"));
  auto maintenance = sandbox_.Run({"run_maintenance", "--source", "mysql"});
  EXPECT_EQ(maintenance.exit_code, 1);
  EXPECT_THAT(maintenance.err, HasSubstr("busy with chameleon detach_replica"));
  auto start = sandbox_.Run({"start_replica", "--source", "mysql"});
  EXPECT_EQ(start.exit_code, 1);
  EXPECT_THAT(start.err, HasSubstr("busy with chameleon detach_replica"));

  {
    std::ofstream no(answer);
    no << "no" << std::endl;
  }
  int status = 0;
  ASSERT_EQ(waitpid(detach, &status, 0), detach);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 1)
      << "detach_replica ended by itself on its answer, not by a signal";
}

// A second host sharing the catalogue (here: this test holding the source's advisory lock, as
// a daemon elsewhere would) keeps a second daemon of the same source from starting.
TEST_F(ReplicaDaemon, ASecondDaemonOfTheSourceOnAnotherHostIsRefused) {
  auto elsewhere = sandbox_.Target();
  auto locked = catalogue::TryLockSource(
      elsewhere, std::stoll(Q("SELECT i_id_source FROM sch_chameleon.t_sources")));
  ASSERT_TRUE(locked.ok() && *locked);
  auto refused = sandbox_.Run({"start_replica", "--source", "mysql"});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_THAT(refused.err, HasSubstr("replicated by another chameleon daemon"));
  { auto released = std::move(elsewhere); }  // that daemon's session ends
  auto started = sandbox_.Run({"start_replica", "--source", "mysql"});
  ASSERT_EQ(started.exit_code, 0) << started.all();
  EXPECT_TRUE(WaitFor([&] { return Status() == "running true true"; })) << Status();
}

TEST_F(ReplicaDaemon, RunMaintenanceCompactsTheSpoolWithOrWithoutTheDaemon) {
  auto without = sandbox_.Run({"run_maintenance", "--source", "mysql"});
  ASSERT_EQ(without.exit_code, 0) << without.all();
  EXPECT_THAT(without.out, HasSubstr("no spool yet"));

  ASSERT_EQ(sandbox_.Run({"start_replica", "--source", "mysql"}).exit_code, 0);
  ASSERT_TRUE(WaitFor([&] { return Status() == "running true true"; })) << Status();
  auto admin = test_support::MysqlAdmin();
  ASSERT_TRUE(admin.Execute("USE `" + sandbox_.mysql_schema() + "`").ok());
  ASSERT_TRUE(admin.Execute("INSERT INTO t VALUES (2, 'b'), (3, 'c')").ok());
  ASSERT_TRUE(WaitFor([&] { return Rows() == "1=a 2=b 3=c"; })) << Rows();
  EXPECT_EQ(Q("SELECT ts_last_maintenance IS NULL FROM sch_chameleon.t_sources"), "t");

  auto online = sandbox_.Run({"run_maintenance", "--source", "mysql", "--full"});
  ASSERT_EQ(online.exit_code, 0) << online.all();
  EXPECT_THAT(online.out, HasSubstr("by its running replica"));
  EXPECT_EQ(Q("SELECT ts_last_maintenance IS NOT NULL FROM sch_chameleon.t_sources"), "t");
  EXPECT_EQ(Status(), "running true true");  // the daemon goes on
  ASSERT_TRUE(admin.Execute("DELETE FROM t WHERE id = 3").ok());
  EXPECT_TRUE(WaitFor([&] { return Rows() == "1=a 2=b"; })) << Rows();
  EXPECT_THAT(sandbox_.Logs(), HasSubstr("full spool compaction"));

  ASSERT_EQ(sandbox_.Run({"stop_replica", "--source", "mysql"}).exit_code, 0);
  std::string before = Q("SELECT ts_last_maintenance FROM sch_chameleon.t_sources");
  auto offline = sandbox_.Run({"run_maintenance", "--source", "mysql"});
  ASSERT_EQ(offline.exit_code, 0) << offline.all();
  EXPECT_THAT(offline.out, HasSubstr("compacted"));
  EXPECT_NE(Q("SELECT ts_last_maintenance FROM sch_chameleon.t_sources"), before);
  auto status = sandbox_.Run({"show_status", "--source", "mysql"});
  EXPECT_THAT(status.out, HasSubstr("Last maintenance"));
}

TEST_F(ReplicaDaemon, AutoMaintenanceRunsWhenDue) {
  sandbox_.WriteConfig(sandbox_.ConfigYaml("auto_maintenance: \"1 hour\""));
  ASSERT_EQ(sandbox_.Run({"start_replica", "--source", "mysql"}).exit_code, 0);
  // Never maintained: due at once, and done within the daemon's first heartbeats.
  EXPECT_TRUE(WaitFor([&] {
    return Q("SELECT ts_last_maintenance IS NOT NULL FROM sch_chameleon.t_sources") == "t";
  }));
  EXPECT_EQ(Status(), "running true true");
  ASSERT_EQ(sandbox_.Run({"stop_replica", "--source", "mysql"}).exit_code, 0);
}

TEST_F(ReplicaDaemon, EditedSchemaMappingsMustBeAppliedBeforeTheReplicaStarts) {
  std::string yaml = sandbox_.ConfigYaml();
  std::string mapping = ": " + sandbox_.destination_schema();
  size_t at = yaml.find(mapping);
  ASSERT_NE(at, std::string::npos);
  sandbox_.WriteConfig(yaml.replace(at, mapping.size(), mapping + "_renamed"));
  auto refused = sandbox_.Run({"start_replica", "--source", "mysql"});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_THAT(refused.err, HasSubstr("update_schema_mappings"));
  EXPECT_EQ(Status().substr(0, 13), "initialised f");
}

// GET /metrics of a local port through bash's /dev/tcp; "" when nothing answers.
std::string ScrapeMetrics(int port) {
  std::string command = "timeout 5 bash -c 'exec 3<>/dev/tcp/127.0.0.1/" + std::to_string(port) +
                        " && printf \"GET /metrics HTTP/1.0\\r\\n\\r\\n\" >&3 && cat <&3' "
                        "2>/dev/null";
  std::string out;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return out;
  char buffer[4096];
  size_t got = 0;
  while ((got = fread(buffer, 1, sizeof buffer, pipe)) > 0)
    out.append(buffer, got);
  pclose(pipe);
  return out;
}

TEST_F(ReplicaDaemon, MetricsEndpointCountsWhatTheReplicaDoes) {
  int port = 20000 + getpid() % 20000;
  sandbox_.WriteConfig(sandbox_.ConfigYaml("metrics_port: " + std::to_string(port)));
  ASSERT_EQ(sandbox_.Run({"start_replica", "--source", "mysql"}).exit_code, 0);
  ASSERT_TRUE(WaitFor([&] { return Status() == "running true true"; })) << Status();
  auto admin = test_support::MysqlAdmin();
  ASSERT_TRUE(admin.Execute("USE `" + sandbox_.mysql_schema() + "`").ok());
  ASSERT_TRUE(admin.Execute("INSERT INTO t VALUES (2, 'b'), (3, 'c')").ok());
  ASSERT_TRUE(admin.Execute("UPDATE t SET v = 'z' WHERE id = 1").ok());
  ASSERT_TRUE(admin.Execute("DELETE FROM t WHERE id = 3").ok());
  ASSERT_TRUE(WaitFor([&] { return Rows() == "1=z 2=b"; })) << Rows();
  std::string scraped;
  // Counters move after each batch, gauges at the next heartbeat (5 s).
  bool counted = WaitFor([&] {
    scraped = ScrapeMetrics(port);
    return scraped.find("chameleon_rows_replayed_total{source=\"mysql\",operation=\"delete\"} 1") !=
               std::string::npos &&
           scraped.find("chameleon_events_read_total{source=\"mysql\"} 4") != std::string::npos;
  });
  EXPECT_TRUE(counted) << scraped;
  EXPECT_THAT(scraped, HasSubstr("HTTP/1.1 200"));
  EXPECT_THAT(scraped,
              HasSubstr("chameleon_rows_replayed_total{source=\"mysql\",operation=\"insert\"} 2"));
  EXPECT_THAT(scraped,
              HasSubstr("chameleon_rows_replayed_total{source=\"mysql\",operation=\"update\"} 1"));
  EXPECT_THAT(scraped, HasSubstr("chameleon_up{source=\"mysql\"} 1"));
  ASSERT_EQ(sandbox_.Run({"stop_replica", "--source", "mysql"}).exit_code, 0);
  EXPECT_EQ(ScrapeMetrics(port), "") << "the endpoint goes with the daemon";
}

}  // namespace
}  // namespace chameleon
