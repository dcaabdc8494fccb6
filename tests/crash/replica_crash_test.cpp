// The replica crash test (tools/crashtest.sh): under a steady MariaDB load, the replica daemon
// is SIGKILLed again and again, at random moments and at named kill points across the whole
// path (mid-append to the spool, mid-COPY, mid-pipeline, during a DDL, before and after the
// PostgreSQL COMMIT, before and during the spool delete, during the startup reconciliation),
// restarted each time; then the load stops, the replica catches up, and every table must be
// exactly equal on both sides: no row lost, none applied twice. A second test restarts
// PostgreSQL and MariaDB under the running daemon. Needs servers of its own: the script starts
// a private sandbox (CHAMELEON_CRASH_PRIVATE_SERVERS=1), since the second test restarts them.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <random>
#include <sstream>
#include <thread>

#include "crash/crash_daemon.h"
#include "crash/crash_workload.h"
#include "crash/table_diff.h"
#include "support/replica_sandbox.h"
#include "support/test_servers.h"

namespace chameleon::crash_test {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using std::chrono::steady_clock;
using test_support::QueryText;

struct KillPoint {
  const char* name;
  uint64_t max_skip;  // how often it is passed before it fires, at most
};

// In the order a short run (CI) covers them; a run of >= 20 kills covers all.
constexpr KillPoint kKillPoints[] = {
    {"append.before_write", 150},     // a transaction half into the spool
    {"replay.mid_copy", 2},           // COPY rows sent, not ended
    {"replay.after_commit", 5},       // PostgreSQL committed, the batch still in the spool
    {"reconcile.before_write", 0},    // the startup clean-up of that batch
    {"replay.mid_pipeline", 10},      // statements sent, results not read
    {"replay.mid_ddl", 0},            // a TRUNCATE done, its batch not committed
    {"close.before_write", 5},        // a batch closing
    {"replay.before_commit", 5},      // everything sent, the batch recorded, no COMMIT yet
    {"replayed.before_write", 5},     // the spool delete after the COMMIT
    {"close.after_write", 5},         //
    {"append.after_write", 150},      //
    {"replayed.after_write", 5},      //
    {"idle_close.before_write", 0}};  // the reader closing a batch when the source is quiet

const std::vector<TableSpec>& Tables() {
  static const std::vector<TableSpec> tables = {
      {"items", "id", {"grp", "v", "note"}},
      {"counters", "k", {"v"}},
      {"scratch", "id", {"v"}},
  };
  return tables;
}

int EnvInt(const char* name, int fallback) {
  const char* value = std::getenv(name);  // NOLINT(concurrency-mt-unsafe): before any thread
  return value == nullptr || *value == '\0' ? fallback : std::atoi(value);
}

double Seconds(steady_clock::duration duration) {
  return std::chrono::duration<double>(duration).count();
}

class ReplicaCrash : public ::testing::Test {
 protected:
  void SetUp() override {
    // Every chameleon command of the test runs the kill-point build (never armed unless asked).
    setenv("CHAMELEON_BINARY", CHAMELEON_KILLPOINTS_BINARY, 1);  // NOLINT: before any thread
    if (EnvInt("CHAMELEON_CRASH_PRIVATE_SERVERS", 0) != 1) {
      GTEST_SKIP() << "run through tools/crashtest.sh, which starts the private servers it needs";
    }
    seed_ = static_cast<uint64_t>(EnvInt("CHAMELEON_CRASH_SEED", static_cast<int>(time(nullptr))));
    std::cout << "seed " << seed_ << " (CHAMELEON_CRASH_SEED reruns it)" << std::endl;
    // Small batches: many batch boundaries, commits and spool deletes to be killed at.
    std::string yaml = sandbox_.ConfigYaml();
    yaml.replace(yaml.find("replica_batch_size: 10000"), 25, "replica_batch_size: 300");
    sandbox_.WriteConfig(yaml);
    ASSERT_EQ(sandbox_.Run({"create_replica_schema"}).exit_code, 0);
    ASSERT_EQ(sandbox_.Run({"add_source", "--source", "mysql"}).exit_code, 0);
    {
      auto mysql = Mysql();
      ASSERT_TRUE(mysql.Execute("USE `" + sandbox_.mysql_schema() + "`").ok());
      CreateTables(mysql);
    }
    auto init = sandbox_.Run({"init_replica", "--source", "mysql", "--debug"});
    ASSERT_EQ(init.exit_code, 0) << init.all();
    log_ = sandbox_.home() / "daemon.log";
  }

  mysql::ConnectOptions MysqlOptions() const {
    const auto& settings = test_support::TestServers::Get().mysql;
    mysql::ConnectOptions options;
    options.host = settings.host;
    options.port = settings.port;
    options.user = settings.admin_user;
    options.password = Secret(settings.admin_password);
    options.database = sandbox_.mysql_schema();
    options.connect_timeout_seconds = 5;
    return options;
  }
  mysql::Connection Mysql() const {
    auto opened = mysql::Connection::Open(MysqlOptions());
    if (!opened.ok()) throw std::runtime_error(opened.status().message());
    return std::move(*opened);
  }

  std::unique_ptr<Daemon> StartDaemon(const std::string& kill_point) {
    return std::make_unique<Daemon>(CHAMELEON_KILLPOINTS_BINARY, sandbox_.home(), kill_point, log_);
  }

  // The daemons' own output (every start appends to it), the end of it.
  std::string LogTail() const {
    std::ifstream stream(log_, std::ios::binary);
    std::ostringstream contents;
    contents << stream.rdbuf();
    std::string logs = contents.str();
    return logs.size() > 8000 ? logs.substr(logs.size() - 8000) : logs;
  }

  // Every table equal, within `timeout`; the differences of the last comparison otherwise.
  ::testing::AssertionResult CaughtUp(seconds timeout) {
    auto deadline = steady_clock::now() + timeout;
    std::string report;
    while (true) {
      report.clear();
      try {
        auto mysql = Mysql();
        auto pg = sandbox_.Target();
        for (const auto& table : Tables()) {
          TableComparison compared = CompareTable(mysql, sandbox_.mysql_schema(), pg,
                                                  sandbox_.destination_schema(), table);
          if (!compared.equal()) report += compared.Describe(table.name) + "\n";
        }
      } catch (const std::exception& error) {
        report = error.what();
      }
      if (report.empty()) return ::testing::AssertionSuccess();
      // A table that left the replica never catches up: no use waiting.
      if (steady_clock::now() >= deadline || ErrorsLogged()) break;
      std::this_thread::sleep_for(milliseconds(500));
    }
    return ::testing::AssertionFailure()
           << "not equal (waited up to " << timeout.count() << " s):\n"
           << report << "\nlogs (tail):\n"
           << LogTail();
  }

  bool ErrorsLogged() {
    auto pg = sandbox_.Target();
    auto count = pg.QueryValue("SELECT count(*) FROM sch_chameleon.t_error_log");
    return count.ok() && count->value_or("0") != "0";
  }

  // The catalogue: every batch recorded once, batches in binlog order without overlap, no
  // replay error.
  void CheckCatalogue() {
    auto pg = sandbox_.Target();
    EXPECT_EQ(QueryText(pg,
                        "SELECT count(*) - count(DISTINCT i_spool_batch) FROM "
                        "sch_chameleon.t_replica_batch WHERE i_spool_batch IS NOT NULL"),
              "0");
    EXPECT_EQ(QueryText(pg,
                        "SELECT count(*) FROM (SELECT t_binlog_name, i_binlog_position, "
                        "lag(t_last_binlog_name) OVER w AS prev_name, lag(i_last_binlog_position) "
                        "OVER w AS prev_position FROM sch_chameleon.t_replica_batch WHERE "
                        "i_spool_batch IS NOT NULL WINDOW w AS (ORDER BY i_spool_batch)) b WHERE "
                        "prev_name IS NOT NULL AND (t_binlog_name, i_binlog_position) <= "
                        "(prev_name, prev_position)"),
              "0")
        << "a batch starts before the end of the one replayed before it";
    EXPECT_EQ(QueryText(pg, "SELECT count(*) FROM sch_chameleon.t_error_log"), "0") << QueryText(
        pg, "SELECT string_agg(t_error_message, E'\\n') FROM sch_chameleon.t_error_log");
    std::cout << "catalogue: "
              << QueryText(pg,
                           "SELECT count(*) || ' batches replayed, ' || coalesce(sum(i_replayed), "
                           "0) || ' rows' FROM sch_chameleon.t_replica_batch")
              << std::endl;
  }

  // Whether the daemon says it runs (its stop handlers are installed then) within 60 s.
  ::testing::AssertionResult Running(Daemon& daemon) {
    auto pg = sandbox_.Target();
    auto deadline = steady_clock::now() + seconds(60);
    std::string sql = fmt::format(
        "SELECT count(*) FROM sch_chameleon.t_sources WHERE t_source = 'mysql' AND enm_status = "
        "'running' AND i_pid = {}",
        daemon.pid());
    while (steady_clock::now() < deadline) {
      if (daemon.Wait(milliseconds(0))) break;
      auto value = pg.QueryValue(sql);
      if (value.ok() && value->value_or("") == "1") return ::testing::AssertionSuccess();
      std::this_thread::sleep_for(milliseconds(100));
    }
    return ::testing::AssertionFailure() << "the daemon did not start\n" << LogTail();
  }

  // The last start: no kill point; the replica catches up and stops cleanly.
  void FinishAndCompare(const Workload& workload) {
    std::cout << "load: " << workload.committed() << " transactions committed, "
              << workload.failed() << " failed" << std::endl;
    auto started = steady_clock::now();
    auto daemon = StartDaemon("");
    ASSERT_TRUE(Running(*daemon));
    EXPECT_TRUE(CaughtUp(seconds(180)));
    std::cout << "caught up in " << Seconds(steady_clock::now() - started) << " s" << std::endl;
    int status = daemon->Terminate(seconds(60));
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << DescribeWaitStatus(status) << "\n"
                                                               << LogTail();
    CheckCatalogue();
  }

  void Testenv(const std::string& command) {
    std::string line =
        fmt::format("'{}/tools/testenv.sh' {} >/dev/null", CHAMELEON_SOURCE_PATH, command);
    ASSERT_EQ(std::system(line.c_str()), 0) << line;  // NOLINT(concurrency-mt-unsafe)
  }

  test_support::ReplicaSandbox sandbox_;
  std::filesystem::path log_;
  uint64_t seed_ = 0;
};

TEST_F(ReplicaCrash, KillsAtRandomAndAtKillPointsLoseAndDuplicateNothing) {
  int kills = EnvInt("CHAMELEON_CRASH_KILLS", 20);
  std::mt19937_64 random(seed_);
  Workload workload(MysqlOptions(), random());
  workload.Start();
  auto run_started = steady_clock::now();
  int named_reached = 0;
  for (int kill = 0; kill < kills; ++kill) {
    auto started = steady_clock::now();
    bool named = kill % 3 != 2;
    std::string spec;
    if (named) {
      const KillPoint& point =
          kKillPoints[static_cast<size_t>(kill - kill / 3) % std::size(kKillPoints)];
      spec = fmt::format("{}:{}", point.name, random() % (point.max_skip + 1));
    }
    auto daemon = StartDaemon(spec);
    int status = 0;
    std::string how;
    if (named) {
      auto ended = daemon->Wait(seconds(15));
      how = ended ? "at the kill point" : "not reached in 15 s, killed";
      status = ended ? *ended : daemon->Kill();
      if (ended) ++named_reached;
    } else {
      auto delay = milliseconds(300 + static_cast<int64_t>(random() % 2700));
      auto ended = daemon->Wait(delay);
      how = fmt::format("after {} ms", delay.count());
      status = ended ? *ended : daemon->Kill();
    }
    std::cout << fmt::format("kill {}/{}: {} {}: {} ({:.1f} s)", kill + 1, kills,
                             named ? spec : "random", how, DescribeWaitStatus(status),
                             Seconds(steady_clock::now() - started))
              << std::endl;
    ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
        << "the daemon ended by itself: " << DescribeWaitStatus(status) << "\n"
        << LogTail();
  }
  workload.Stop();
  std::cout << fmt::format("{} kills ({} at named kill points) in {:.1f} s", kills, named_reached,
                           Seconds(steady_clock::now() - run_started))
            << std::endl;
  FinishAndCompare(workload);
}

TEST_F(ReplicaCrash, PostgresqlAndMariadbRestartsMidStreamLoseNothing) {
  Workload workload(MysqlOptions(), seed_ + 1);
  workload.Start();
  auto daemon = StartDaemon("");
  ASSERT_TRUE(Running(*daemon));
  std::this_thread::sleep_for(seconds(3));
  std::cout << "restarting PostgreSQL" << std::endl;
  Testenv("stop-pg");
  std::this_thread::sleep_for(seconds(4));
  Testenv("start-pg");
  std::this_thread::sleep_for(seconds(3));
  ASSERT_FALSE(daemon->Wait(milliseconds(0))) << "the daemon ended\n" << LogTail();
  std::cout << "restarting MariaDB" << std::endl;
  Testenv("stop-mysql");
  std::this_thread::sleep_for(seconds(4));
  Testenv("start-mysql");
  std::this_thread::sleep_for(seconds(3));
  ASSERT_FALSE(daemon->Wait(milliseconds(0))) << "the daemon ended\n" << LogTail();
  workload.Stop();
  EXPECT_GT(workload.committed(), 0);
  // Caught up by the running daemon itself, then checked once more after a restart.
  EXPECT_TRUE(CaughtUp(seconds(120)));
  int status = daemon->Terminate(seconds(60));
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << DescribeWaitStatus(status);
  FinishAndCompare(workload);
}

}  // namespace
}  // namespace chameleon::crash_test
