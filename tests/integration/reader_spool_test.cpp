// The Reader against the live MariaDB: statements written on the source reach the spool as
// the same rows, in one piece per transaction, resumable after a stop, with heartbeats
// closing batches while idle; a purged (missing) binlog is a clear replica-fatal error.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <thread>

#include "reader/reader.h"
#include "reader/value_printer.h"
#include "support/scratch_dir.h"
#include "support/test_servers.h"

namespace chameleon::reader {
namespace {

using test_support::MysqlAdmin;
using test_support::TestServers;

config::Source ReplicaSource(const std::string& schema) {
  const auto& settings = TestServers::Get().mysql;
  config::Source source;
  source.name = "mysql";
  source.db_conn.host = settings.host;
  source.db_conn.port = settings.port;
  source.db_conn.user = settings.user;
  source.db_conn.password = Secret(settings.password);
  source.my_server_id = 30000 + static_cast<uint32_t>(getpid() % 20000);
  source.schema_mappings = {{schema, schema + "_pg"}};
  source.net_read_timeout_seconds = 30;
  return source;
}

class ReaderSpoolTest : public ::testing::Test {
 protected:
  void SetUp() override {
    schema_ = fmt::format("chameleon_reader_spool_{}", getpid());
    admin_ = std::make_unique<mysql::Connection>(MysqlAdmin());
    Execute("DROP DATABASE IF EXISTS " + schema_);
    Execute("CREATE DATABASE " + schema_);
    Execute(fmt::format("CREATE TABLE {}.t (id INT PRIMARY KEY, v VARCHAR(20), d DECIMAL(8,2))",
                        schema_));
    Execute(fmt::format("CREATE TABLE {}.skipped (id INT PRIMARY KEY)", schema_));
  }
  void TearDown() override { (void)admin_->Execute("DROP DATABASE IF EXISTS " + schema_); }

  void Execute(const std::string& sql) {
    Status status = admin_->Execute(sql);
    ASSERT_TRUE(status.ok()) << status.message();
  }

  BinlogPosition MasterPosition() {
    Result<mysql::Rows> rows = admin_->Query("SHOW MASTER STATUS");
    EXPECT_TRUE(rows.ok() && !rows->empty());
    return BinlogPosition{ParseBinlogFileNumber(*rows->rows[0][0]).value(),
                          std::stoull(*rows->rows[0][1])};
  }

  std::vector<ChangeEvent> ReadAll(spool::Spool& spool) {
    std::vector<ChangeEvent> events;
    auto cursor = spool.ReadFrom(spool::EventKey{1, {}, 0});
    EXPECT_TRUE(cursor.ok());
    ChangeEvent event;
    while (cursor->Next(&event).value())
      events.push_back(event);
    return events;
  }

  // Runs a Reader in a thread until `done` says so (or 20 s pass), then stops it.
  Status RunUntil(spool::Spool& spool, const ReaderOptions& options,
                  const std::function<bool()>& done) {
    Reader reader(options, &spool);
    Status status;
    std::thread thread([&] { status = reader.Run(); });
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (!done() && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    reader.Stop();
    thread.join();
    return status;
  }

  std::string schema_;
  std::unique_ptr<mysql::Connection> admin_;
  test_support::ScratchDir dir_;
};

TEST_F(ReaderSpoolTest, WritesReachTheSpoolOncePerTransactionAndResume) {
  auto spool = spool::Spool::Open({dir_.path() / "spool", 1, 100000});
  ASSERT_TRUE(spool.ok()) << spool.status().message();
  ReaderOptions options;
  options.source = ReplicaSource(schema_);
  options.source.skip_tables = {schema_ + ".skipped"};
  options.start = MasterPosition();

  // One transaction of 500 rows, single statements, an update, a delete, a DDL.
  Execute("BEGIN");
  for (int i = 1; i <= 500; ++i) {
    Execute(fmt::format("INSERT INTO {}.t VALUES ({}, 'row {}', {}.25)", schema_, i, i, i));
  }
  Execute("COMMIT");
  Execute(fmt::format("INSERT INTO {}.skipped VALUES (1)", schema_));
  Execute(fmt::format("UPDATE {}.t SET v = 'changed' WHERE id <= 10", schema_));
  Execute(fmt::format("DELETE FROM {}.t WHERE id > 490", schema_));
  Execute(fmt::format("ALTER TABLE {}.t ADD COLUMN extra INT", schema_));
  size_t expected = 500 + 10 + 10 + 1;

  Status status = RunUntil(*spool, options, [&] { return ReadAll(*spool).size() >= expected; });
  ASSERT_TRUE(status.ok()) << status.message();
  std::vector<ChangeEvent> events = ReadAll(*spool);
  ASSERT_EQ(events.size(), expected);
  for (int i = 0; i < 500; ++i) {
    const ChangeEvent& event = events[static_cast<size_t>(i)];
    ASSERT_EQ(event.operation, Operation::kInsert);
    EXPECT_EQ(event.table, "t");
    EXPECT_EQ(event.after,
              (std::vector<Value>{Value::Int(i + 1), Value::String(fmt::format("row {}", i + 1)),
                                  Value::Decimal(fmt::format("{}.25", i + 1))}));
  }
  // The 500 rows share one GTID: one source transaction.
  EXPECT_EQ(events.front().gtid, events[499].gtid);
  EXPECT_NE(events[499].gtid, events[500].gtid);
  EXPECT_EQ(events[500].operation, Operation::kUpdate);
  EXPECT_EQ(events[500].after[1], Value::String("changed"));
  EXPECT_EQ(events[520].operation, Operation::kDdl);
  EXPECT_EQ(events[520].schema, schema_);
  EXPECT_EQ(events[520].table, "t");
  EXPECT_EQ(events[520].ddl_parsed, "alter_table `" + schema_ + "`.`t` add_column(`extra` INT)");
  // Idle heartbeats closed the batch: the replayer can take everything.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (spool->OldestClosedBatch() == std::nullopt &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }

  // Stopped, more writes, started again: it resumes from the spool, nothing twice.
  Execute(fmt::format("INSERT INTO {}.t (id, v, d, extra) VALUES (1000, 'after', 1, 7)", schema_));
  status = RunUntil(*spool, options, [&] { return ReadAll(*spool).size() >= expected + 1; });
  ASSERT_TRUE(status.ok()) << status.message();
  events = ReadAll(*spool);
  ASSERT_EQ(events.size(), expected + 1);
  EXPECT_EQ(events.back().after.size(), 4U);
  EXPECT_EQ(events.back().after[3], Value::Int(7));
  EXPECT_EQ(events.back().shape_version, 2U);
}

// XA transactions commit (or not) at their XA COMMIT (XA ROLLBACK), not at XA PREPARE where
// their rows are logged: a rolled-back one leaves nothing, a committed one lands after what
// other sessions committed meanwhile, and a one-phase one is an ordinary transaction.
TEST_F(ReaderSpoolTest, XaTransactionsCountAtTheirCommitAndNotAtTheirPrepare) {
  auto spool = spool::Spool::Open({dir_.path() / "spool", 1, 100000});
  ASSERT_TRUE(spool.ok()) << spool.status().message();
  ReaderOptions options;
  options.source = ReplicaSource(schema_);
  options.start = MasterPosition();
  mysql::Connection other = MysqlAdmin();
  auto insert = [&](mysql::Connection& connection, int id) {
    Status status =
        connection.Execute(fmt::format("INSERT INTO {}.t VALUES ({}, 'x', 0)", schema_, id));
    ASSERT_TRUE(status.ok()) << status.message();
  };
  Execute("XA START 'x1'");
  insert(*admin_, 1);
  Execute("XA END 'x1'");
  Execute("XA PREPARE 'x1'");
  insert(other, 2);  // committed by another session while x1 is prepared
  Execute("XA COMMIT 'x1'");
  Execute("XA START 'x2'");
  insert(*admin_, 3);
  Execute("XA END 'x2'");
  Execute("XA PREPARE 'x2'");
  Execute("XA ROLLBACK 'x2'");
  Execute("XA START 'x3'");
  insert(*admin_, 4);
  Execute("XA END 'x3'");
  Execute("XA COMMIT 'x3' ONE PHASE");
  insert(other, 5);

  Status status = RunUntil(*spool, options, [&] {
    std::vector<ChangeEvent> events = ReadAll(*spool);
    return !events.empty() && events.back().after.at(0) == Value::Int(5);
  });
  ASSERT_TRUE(status.ok()) << status.message();
  std::vector<Value> ids;
  std::vector<ChangeEvent> events = ReadAll(*spool);
  for (const ChangeEvent& event : events)
    ids.push_back(event.after.at(0));
  EXPECT_EQ(ids, (std::vector<Value>{Value::Int(2), Value::Int(1), Value::Int(4), Value::Int(5)}));
  for (size_t i = 1; i < events.size(); ++i)
    EXPECT_NE(events[i].gtid, events[i - 1].gtid) << "one source transaction each";
}

TEST_F(ReaderSpoolTest, AMissingBinlogIsReplicaFatal) {
  auto spool = spool::Spool::Open({dir_.path() / "spool", 1, 100});
  ASSERT_TRUE(spool.ok());
  ReaderOptions options;
  options.source = ReplicaSource(schema_);
  options.start = BinlogPosition{999999, 4};
  Reader reader(options, &spool.value());
  Status status = reader.Run();
  EXPECT_EQ(status.code(), StatusCode::kNotFound) << status.message();
  EXPECT_NE(status.message().find("999999"), std::string::npos) << status.message();
  EXPECT_NE(status.message().find("init_replica"), std::string::npos) << status.message();
  EXPECT_EQ(status.message().find(TestServers::Get().mysql.password), std::string::npos);
}

TEST_F(ReaderSpoolTest, WrongPasswordIsNotRetried) {
  auto spool = spool::Spool::Open({dir_.path() / "spool", 1, 100});
  ASSERT_TRUE(spool.ok());
  ReaderOptions options;
  options.source = ReplicaSource(schema_);
  options.source.db_conn.password = Secret("definitely-wrong-password");
  options.start = MasterPosition();
  Reader reader(options, &spool.value());
  Status status = reader.Run();
  EXPECT_EQ(status.code(), StatusCode::kPermissionDenied) << status.message();
  EXPECT_EQ(status.message().find("definitely-wrong-password"), std::string::npos);
}

}  // namespace
}  // namespace chameleon::reader
