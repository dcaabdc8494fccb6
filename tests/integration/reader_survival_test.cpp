// The Reader survives its source: a private MariaDB (tools/testenv.sh start-mysql, never the
// shared sandbox) is restarted, or the binlog dump thread is killed, while a writer commits
// transactions; the spool must end up with every committed row exactly once, in commit order,
// whole transactions only. on_error_read: continue keeps retrying while the server is down
// (one warning a minute at most), exit gives up with a clear error after its attempts.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <atomic>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "reader/reader.h"
#include "support/private_mariadb.h"
#include "support/scratch_dir.h"

namespace chameleon::reader {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using test_support::PrivateMariadb;

constexpr int kBigTransactionRows = 4000;

// Keeps the reader's warnings so a test can count them.
class CapturingSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  std::vector<std::string> Messages(spdlog::level::level_enum level) {
    std::lock_guard lock(mutex_);
    std::vector<std::string> out;
    for (const auto& [message_level, text] : messages_)
      if (message_level == level) out.push_back(text);
    return out;
  }

 protected:
  void sink_it_(const spdlog::details::log_msg& message) override {
    messages_.emplace_back(message.level,
                           std::string(message.payload.data(), message.payload.size()));
  }
  void flush_() override {}

 private:
  std::vector<std::pair<spdlog::level::level_enum, std::string>> messages_;
};

bool WaitFor(const std::function<bool()>& condition, std::chrono::milliseconds limit) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (!condition()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(milliseconds(50));
  }
  return true;
}

// Commits transactions of 1-4 rows into `schema`.t (id ascending, txn = the transaction's
// number) until stopped, reconnecting whenever the server is away. A transaction whose COMMIT
// failed may or may not be on the source: the source table is the truth the test compares with.
class Writer {
 public:
  // Ids and txn numbers from `first_id` on: a second writer on the same table starts past
  // the first one's rows (txn <= id, so both stay unique).
  Writer(mysql::ConnectOptions options, std::string schema, int first_id = 1)
      : options_(std::move(options)), schema_(std::move(schema)), first_id_(first_id) {
    thread_ = std::thread([this] { Loop(); });
  }
  ~Writer() { Stop(); }
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  void Stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }
  int committed() const { return committed_; }
  // Commits one big transaction next and runs `then` on the writer's thread the moment its
  // COMMIT returns, while the reader is still reading it; returns once both are done (false:
  // not within 30 s).
  bool CommitBig(std::function<void()> then) {
    {
      std::lock_guard lock(mutex_);
      after_big_ = std::move(then);
    }
    int target = ++big_requested_;
    return WaitFor([&] { return big_committed_ >= target; }, seconds(30));
  }

 private:
  void Loop() {
    std::optional<mysql::Connection> connection;
    int next_id = first_id_;
    for (int txn = first_id_; !stop_; ++txn) {
      if (!connection) {
        Result<mysql::Connection> opened = mysql::Connection::Open(options_);
        if (!opened.ok()) {
          std::this_thread::sleep_for(milliseconds(100));
          continue;
        }
        connection.emplace(std::move(opened).value());
      }
      int rows = 1 + txn % 4;
      std::string insert = fmt::format("INSERT INTO `{}`.t (id, txn, v) VALUES ", schema_);
      for (int row = 0; row < rows; ++row) {
        if (row > 0) insert += ", ";
        insert += fmt::format("({}, {}, 'txn {} row {}')", next_id + row, txn, txn, row);
      }
      bool big = big_committed_ < big_requested_;
      if (big) {
        // 8 MB, more than the socket buffers take at once: while the server streams it the reader
        // is behind, so a drop now lands inside it, and it must be read again whole.
        rows = kBigTransactionRows;
        insert = fmt::format(
            "INSERT INTO `{0}`.t SELECT {1} + seq, {2}, CONCAT('txn {2} row ', seq), "
            "REPEAT('p', 2000) FROM `{0}`.seq_0_to_{3}",
            schema_, next_id, txn, rows - 1);
      }
      next_id += rows;
      Status status = connection->Execute("BEGIN");
      // One statement per row half the time: a transaction of several row events.
      if (status.ok()) status = connection->Execute(insert);
      if (status.ok() && txn % 2 == 0) {
        status = connection->Execute(
            fmt::format("UPDATE `{}`.t SET v = CONCAT(v, '+') WHERE txn = {}", schema_, txn));
      }
      if (status.ok()) status = connection->Execute("COMMIT");
      if (status.ok()) {
        ++committed_;
        if (big) {
          std::function<void()> then;
          {
            std::lock_guard lock(mutex_);
            then = std::move(after_big_);
          }
          if (then) then();
          ++big_committed_;
        }
      } else {
        connection.reset();
      }
      std::this_thread::sleep_for(milliseconds(3));
    }
  }

  mysql::ConnectOptions options_;
  std::string schema_;
  int first_id_;
  std::atomic<bool> stop_{false};
  std::atomic<int> committed_{0};
  std::atomic<int> big_requested_{0};
  std::atomic<int> big_committed_{0};
  std::mutex mutex_;
  std::function<void()> after_big_;
  std::thread thread_;
};

class ReaderSurvivalTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    Result<std::unique_ptr<PrivateMariadb>> started = PrivateMariadb::Start("survive");
    if (!started.ok()) {
      start_error_ = new std::string(started.status().message());
      return;
    }
    server_ = started->release();
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }

  void SetUp() override {
    ASSERT_NE(server_, nullptr) << (start_error_ != nullptr ? *start_error_ : "");
    // A test that failed while the server was down must not take the next one with it.
    Status status = server_->StartAgain();
    ASSERT_TRUE(status.ok()) << status.message();
    schema_ = fmt::format("chameleon_{}",
                          ::testing::UnitTest::GetInstance()->current_test_info()->name());
    Execute(fmt::format("DROP DATABASE IF EXISTS `{}`", schema_));
    Execute(fmt::format("CREATE DATABASE `{}`", schema_));
    Execute(
        fmt::format("CREATE TABLE `{}`.t (id INT PRIMARY KEY, txn INT NOT NULL, "
                    "v VARCHAR(40) NOT NULL, pad TEXT)",
                    schema_));
    sink_ = std::make_shared<CapturingSink>();
    spdlog::default_logger()->sinks().push_back(sink_);
  }
  void TearDown() override {
    auto& sinks = spdlog::default_logger()->sinks();
    sinks.erase(std::remove(sinks.begin(), sinks.end(), sink_), sinks.end());
  }

  void Execute(const std::string& sql) {
    Result<mysql::Connection> admin = mysql::Connection::Open(server_->AdminOptions());
    ASSERT_TRUE(admin.ok()) << admin.status().message();
    Status status = admin->Execute(sql);
    ASSERT_TRUE(status.ok()) << status.message();
  }

  ReaderOptions Options() {
    Result<mysql::Connection> admin = mysql::Connection::Open(server_->AdminOptions());
    EXPECT_TRUE(admin.ok()) << admin.status().message();
    Result<mysql::Rows> status = admin->Query("SHOW MASTER STATUS");
    EXPECT_TRUE(status.ok() && !status->empty());
    ReaderOptions options;
    options.start = BinlogPosition{ParseBinlogFileNumber(*status->rows[0][0]).value(),
                                   std::stoull(*status->rows[0][1])};
    mysql::ConnectOptions replica = server_->ReplicaOptions();
    options.source.name = "mysql";
    options.source.db_conn.host = replica.host;
    options.source.db_conn.port = replica.port;
    options.source.db_conn.user = replica.user;
    options.source.db_conn.password = replica.password;
    options.source.db_conn.connect_timeout_seconds = 2;
    options.source.net_read_timeout_seconds = 2;
    options.source.my_server_id = 40000 + static_cast<uint32_t>(getpid() % 20000);
    options.source.schema_mappings = {{schema_, schema_ + "_pg"}};
    options.source.on_error_read = config::OnError::kContinue;
    options.heartbeat_period_ms = 500;
    options.max_backoff = milliseconds(300);
    return options;
  }

  std::vector<ChangeEvent> ReadSpool(spool::Spool& spool) {
    std::vector<ChangeEvent> events;
    auto cursor = spool.ReadFrom(spool::EventKey{1, {}, 0});
    EXPECT_TRUE(cursor.ok());
    if (!cursor.ok()) return events;
    ChangeEvent event;
    while (cursor->Next(&event).value())
      events.push_back(event);
    return events;
  }

  int NextFreeId() {
    Result<mysql::Connection> admin = mysql::Connection::Open(server_->AdminOptions());
    EXPECT_TRUE(admin.ok()) << admin.status().message();
    if (!admin.ok()) return 1;
    Result<std::optional<std::string>> max =
        admin->QueryValue(fmt::format("SELECT COALESCE(MAX(id), 0) + 1 FROM `{}`.t", schema_));
    EXPECT_TRUE(max.ok() && max->has_value());
    return max.ok() && max->has_value() ? std::stoi(**max) : 1;
  }

  // (id, txn, v) of every row of the source table, in id (= commit) order.
  std::vector<std::vector<std::string>> SourceRows() {
    std::vector<std::vector<std::string>> rows;
    Result<mysql::Connection> admin = mysql::Connection::Open(server_->AdminOptions());
    EXPECT_TRUE(admin.ok()) << admin.status().message();
    if (!admin.ok()) return rows;
    Result<mysql::Rows> result =
        admin->Query(fmt::format("SELECT id, txn, v FROM `{}`.t ORDER BY id", schema_));
    EXPECT_TRUE(result.ok()) << result.status().message();
    for (const auto& row : result->rows)
      rows.push_back({*row[0], *row[1], *row[2]});
    return rows;
  }

  // The spool replayed in order onto an empty table equals the source table, and every
  // source transaction (txn) is one GTID's contiguous run of events, whole.
  void ExpectSpoolMatchesSource(spool::Spool& spool) {
    std::vector<std::vector<std::string>> source = SourceRows();
    ASSERT_GT(source.size(), 50U);
    std::vector<ChangeEvent> events;
    ASSERT_TRUE(WaitFor(
        [&] {
          events = ReadSpool(spool);
          std::set<int64_t> ids;
          for (const ChangeEvent& event : events)
            if (event.operation == Operation::kInsert) ids.insert(event.after[0].int_value());
          return ids.size() >= source.size();
        },
        seconds(20)))
        << "the spool holds fewer rows than the source";
    std::map<std::string, std::vector<std::string>> replayed;  // id -> (id, txn, v)
    std::vector<std::string> insert_order;
    std::map<std::string, std::string> gtid_of_txn;
    std::map<std::string, std::string> txn_of_gtid;
    std::string previous_gtid;
    std::set<std::string> finished_gtids;
    for (const ChangeEvent& event : events) {
      ASSERT_EQ(event.table, "t");
      ASSERT_FALSE(event.gtid.empty());
      const std::vector<Value>& row = event.after;
      std::string id = std::to_string(row[0].int_value());
      std::string txn = std::to_string(row[1].int_value());
      const std::string& v = row[2].text();
      if (event.operation == Operation::kInsert) {
        ASSERT_EQ(replayed.count(id), 0U) << "row " << id << " inserted twice";
        insert_order.push_back(id);
      } else {
        ASSERT_EQ(event.operation, Operation::kUpdate);
        ASSERT_EQ(replayed.count(id), 1U) << "row " << id << " updated before its insert";
      }
      replayed[id] = {id, txn, v};
      // Whole transactions: one GTID per txn, its events contiguous.
      if (event.gtid != previous_gtid) {
        ASSERT_EQ(finished_gtids.count(event.gtid), 0U) << "GTID " << event.gtid << " split";
        if (!previous_gtid.empty()) finished_gtids.insert(previous_gtid);
        previous_gtid = event.gtid;
      }
      auto [gtid_entry, new_txn] = gtid_of_txn.emplace(txn, event.gtid);
      ASSERT_EQ(gtid_entry->second, event.gtid) << "txn " << txn << " under two GTIDs";
      auto [txn_entry, new_gtid] = txn_of_gtid.emplace(event.gtid, txn);
      ASSERT_EQ(txn_entry->second, txn) << "GTID " << event.gtid << " holds two txns";
    }
    std::vector<std::vector<std::string>> rows;
    rows.reserve(replayed.size());
    for (const auto& [id, row] : replayed)
      rows.push_back(row);
    std::sort(rows.begin(), rows.end(),
              [](const auto& a, const auto& b) { return std::stoi(a[0]) < std::stoi(b[0]); });
    EXPECT_EQ(rows, source);
    // Commit order: ids were taken in commit order by the one writer.
    for (size_t i = 1; i < insert_order.size(); ++i) {
      ASSERT_LT(std::stoi(insert_order[i - 1]), std::stoi(insert_order[i]));
    }
  }

  // The id of the replica's binlog dump thread on the server (the newest, should a killed one
  // linger): KILL CONNECTION of it is what a network drop does to the reader.
  static std::vector<std::string> DumpThreads(mysql::Connection& admin) {
    std::vector<std::string> ids;
    Result<mysql::Rows> threads = admin.Query(
        "SELECT id FROM information_schema.PROCESSLIST WHERE user = 'usr_replica' "
        "AND command LIKE 'Binlog Dump%' ORDER BY id DESC LIMIT 1");
    EXPECT_TRUE(threads.ok()) << threads.status().message();
    if (!threads.ok()) return ids;
    for (const auto& row : threads->rows)
      ids.push_back(*row[0]);
    return ids;
  }

  // Three drops (KILL of the dump thread) while a writer commits, then the spool compared
  // with the source; returns the reader's stats.
  ReaderStats KillThreeTimes(const ReaderOptions& options);

  static PrivateMariadb* server_;
  static std::string* start_error_;
  std::string schema_;
  std::shared_ptr<CapturingSink> sink_;
  test_support::ScratchDir dir_;
};

PrivateMariadb* ReaderSurvivalTest::server_ = nullptr;
std::string* ReaderSurvivalTest::start_error_ = nullptr;

// Runs the reader in a thread for the test's body.
class RunningReader {
 public:
  RunningReader(const ReaderOptions& options, spool::Spool* spool) : reader_(options, spool) {
    thread_ = std::thread([this] {
      status_ = reader_.Run();
      done_ = true;
    });
  }
  ~RunningReader() { (void)Stop(); }
  RunningReader(const RunningReader&) = delete;
  RunningReader& operator=(const RunningReader&) = delete;
  Status Stop() {
    reader_.Stop();
    if (thread_.joinable()) thread_.join();
    return status_;
  }
  bool done() const { return done_; }
  ReaderStats stats() const { return reader_.stats(); }
  // Waits until `count` more transactions than now reached the spool.
  bool WaitForMore(uint64_t count) const {
    uint64_t target = stats().transactions_appended + count;
    return WaitFor([&] { return stats().transactions_appended >= target; }, seconds(20));
  }

 private:
  Reader reader_;
  Status status_;
  std::atomic<bool> done_{false};
  std::thread thread_;
};

ReaderStats ReaderSurvivalTest::KillThreeTimes(const ReaderOptions& options) {
  auto spool = spool::Spool::Open({dir_.path() / "spool", 1, 100000});
  EXPECT_TRUE(spool.ok()) << spool.status().message();
  if (!spool.ok()) return {};
  RunningReader reader(options, &spool.value());
  Writer writer(server_->AdminOptions(), schema_);
  for (int drop = 0; drop < 3; ++drop) {
    EXPECT_TRUE(reader.WaitForMore(20));
    Result<mysql::Connection> admin = mysql::Connection::Open(server_->AdminOptions());
    EXPECT_TRUE(admin.ok()) << admin.status().message();
    if (!admin.ok()) break;
    std::vector<std::string> threads = DumpThreads(*admin);
    EXPECT_EQ(threads.size(), 1U);
    int killed = 0;
    auto kill = [&] {
      for (const std::string& id : threads)
        if (admin->Execute("KILL CONNECTION " + id).ok()) ++killed;
    };
    if (drop == 1) {
      EXPECT_TRUE(writer.CommitBig(kill));  // inside a transaction
    } else {
      kill();  // most likely between two
    }
    EXPECT_EQ(killed, 1);
  }
  EXPECT_TRUE(reader.WaitForMore(20));
  writer.Stop();
  ExpectSpoolMatchesSource(*spool);
  ReaderStats stats = reader.stats();
  Status status = reader.Stop();
  EXPECT_TRUE(status.ok()) << status.message();
  return stats;
}

TEST_F(ReaderSurvivalTest, ServerRestartMidStream) {
  auto spool = spool::Spool::Open({dir_.path() / "spool", 1, 100000});
  ASSERT_TRUE(spool.ok()) << spool.status().message();
  RunningReader reader(Options(), &spool.value());
  Writer writer(server_->AdminOptions(), schema_);
  ASSERT_TRUE(reader.WaitForMore(30));
  Status status;
  ASSERT_TRUE(writer.CommitBig([&] { status = server_->Stop(); }));
  ASSERT_TRUE(status.ok()) << status.message();
  std::this_thread::sleep_for(seconds(1));
  status = server_->StartAgain();
  ASSERT_TRUE(status.ok()) << status.message();
  int committed = writer.committed();
  ASSERT_TRUE(WaitFor([&] { return writer.committed() >= committed + 50; }, seconds(20)));
  writer.Stop();
  ExpectSpoolMatchesSource(*spool);
  EXPECT_GE(reader.stats().reconnections, 1U);
  EXPECT_FALSE(reader.done());
  status = reader.Stop();
  EXPECT_TRUE(status.ok()) << status.message();
}

TEST_F(ReaderSurvivalTest, DumpThreadKilledMidStream) {
  ReaderStats stats = KillThreeTimes(Options());
  EXPECT_GE(stats.reconnections, 3U);
}

// gtid_enable: every reconnection asks for the stream by GTID (@slave_connect_state), the
// first one from BINLOG_GTID_POS of the stored position.
TEST_F(ReaderSurvivalTest, GtidResumeAfterKills) {
  ReaderOptions options = Options();
  options.source.gtid_enable = true;
  KillThreeTimes(options);
  int by_gtid = 0;
  for (const std::string& line : sink_->Messages(spdlog::level::info))
    if (line.find("streaming from GTID") != std::string::npos) ++by_gtid;
  EXPECT_GE(by_gtid, 4) << "the first connection and the three reconnections go by GTID";
}

TEST_F(ReaderSurvivalTest, ContinueRetriesWhileTheServerIsDown) {
  auto spool = spool::Spool::Open({dir_.path() / "spool", 1, 100000});
  ASSERT_TRUE(spool.ok()) << spool.status().message();
  ReaderOptions options = Options();
  options.reconnect_attempts_before_exit = 2;  // ignored with continue
  RunningReader reader(options, &spool.value());
  {
    Writer writer(server_->AdminOptions(), schema_);
    ASSERT_TRUE(reader.WaitForMore(30));
  }
  Status status = server_->Stop();
  ASSERT_TRUE(status.ok()) << status.message();
  uint64_t before = reader.stats().reconnections;
  std::this_thread::sleep_for(seconds(5));
  EXPECT_FALSE(reader.done()) << "on_error_read: continue gave up";
  EXPECT_GE(reader.stats().reconnections, before + 5) << "it stopped retrying";
  std::vector<std::string> warnings = sink_->Messages(spdlog::level::warn);
  EXPECT_EQ(warnings.size(), 1U) << "at most a warning a minute";
  status = server_->StartAgain();
  ASSERT_TRUE(status.ok()) << status.message();
  Writer writer(server_->AdminOptions(), schema_, NextFreeId());
  ASSERT_TRUE(reader.WaitForMore(30));
  writer.Stop();
  ExpectSpoolMatchesSource(*spool);
  status = reader.Stop();
  EXPECT_TRUE(status.ok()) << status.message();
}

// A source that stops answering without closing the connection (a network drop that sent no
// reset; here the server process is stopped with SIGSTOP): with heartbeats asked every
// 500 ms, three silent periods (5 s at least) mean a dead connection, whatever
// net_read_timeout says (600 s here), and the reader reconnects when the source is back.
TEST_F(ReaderSurvivalTest, SilentSourceIsTakenForDead) {
  auto spool = spool::Spool::Open({dir_.path() / "spool", 1, 100000});
  ASSERT_TRUE(spool.ok()) << spool.status().message();
  ReaderOptions options = Options();
  options.source.net_read_timeout_seconds = 600;
  RunningReader reader(options, &spool.value());
  {
    Writer writer(server_->AdminOptions(), schema_);
    ASSERT_TRUE(reader.WaitForMore(20));
  }
  uint64_t before = reader.stats().reconnections;
  Status status = server_->Freeze();
  ASSERT_TRUE(status.ok()) << status.message();
  auto frozen_at = std::chrono::steady_clock::now();
  bool noticed = WaitFor([&] { return reader.stats().reconnections > before; }, seconds(20));
  auto noticed_after = std::chrono::steady_clock::now() - frozen_at;
  status = server_->Thaw();
  ASSERT_TRUE(status.ok()) << status.message();
  ASSERT_TRUE(noticed) << "a silent connection was not taken for dead within 20 s";
  EXPECT_LT(noticed_after, seconds(12));
  Writer writer(server_->AdminOptions(), schema_, NextFreeId());
  ASSERT_TRUE(reader.WaitForMore(20));
  writer.Stop();
  ExpectSpoolMatchesSource(*spool);
  status = reader.Stop();
  EXPECT_TRUE(status.ok()) << status.message();
}

TEST_F(ReaderSurvivalTest, ExitGivesUpAfterItsAttempts) {
  auto spool = spool::Spool::Open({dir_.path() / "spool", 1, 100000});
  ASSERT_TRUE(spool.ok()) << spool.status().message();
  ReaderOptions options = Options();
  options.source.on_error_read = config::OnError::kExit;
  options.reconnect_attempts_before_exit = 3;
  RunningReader reader(options, &spool.value());
  Execute(fmt::format("INSERT INTO `{}`.t (id, txn, v) VALUES (1, 1, 'one')", schema_));
  // Absolute, not WaitForMore: the reader may have stored it already.
  ASSERT_TRUE(WaitFor([&] { return reader.stats().transactions_appended >= 1; }, seconds(20)));
  Status status = server_->Stop();
  ASSERT_TRUE(status.ok()) << status.message();
  ASSERT_TRUE(WaitFor([&] { return reader.done(); }, seconds(20))) << "exit kept retrying";
  status = reader.Stop();
  EXPECT_EQ(status.code(), StatusCode::kUnavailable) << status.message();
  EXPECT_NE(status.message().find("giving up after 4 attempts (on_error_read: exit)"),
            std::string::npos)
      << status.message();
  EXPECT_NE(status.message().find("127.0.0.1"), std::string::npos) << status.message();
  EXPECT_EQ(ReadSpool(*spool).size(), 1U);
}

}  // namespace
}  // namespace chameleon::reader
