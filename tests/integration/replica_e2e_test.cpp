// The whole replica as a user runs it, against the test MariaDB and PostgreSQL:
// init_replica, start_replica, then multi-statement transactions on MariaDB (inserts,
// updates incl. primary-key changes and multi-row updates, deletes, every column type, NULLs)
// and one transaction far larger than replica_batch_size; every table must end equal,
// source vs target, and the big transaction must land in one PostgreSQL transaction.
#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "support/http_receiver.h"
#include "support/replica_sandbox.h"
#include "support/test_servers.h"

namespace chameleon {
namespace {

using test_support::QueryText;
using test_support::ReplicaSandbox;
using ::testing::HasSubstr;

// One column as each side renders it to the same text.
struct Column {
  std::string mysql;
  std::string pg;
};

// `types`: one column of every kind the type map handles, rendered identically by both
// servers (sessions in UTC), NULLs as \N.
const std::vector<Column>& TypeColumns() {
  static const std::vector<Column> columns = {
      {"id", "id::text"},
      {"CAST(small AS CHAR)", "small::text"},
      {"CAST(ubig AS CHAR)", "ubig::text"},
      {"CAST(amount AS CHAR)", "amount::text"},
      {"CAST(flag AS CHAR)", "flag::text"},
      {"name", "name"},
      {"note", "note"},
      {"DATE_FORMAT(created, '%Y-%m-%d %H:%i:%s.%f')",
       "to_char(created, 'YYYY-MM-DD HH24:MI:SS.US')"},
      {"CAST(day AS CHAR)", "to_char(day, 'YYYY-MM-DD')"},
      {"DATE_FORMAT(stamp, '%Y-%m-%d %H:%i:%s.%f')",
       "to_char(stamp AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US')"},
      {"CAST(kind AS CHAR)", "kind::text"},
      {"CAST(tags AS CHAR)", "array_to_string(tags, ',')"},
      {"doc", "doc::text"},
      {"HEX(payload)", "upper(encode(payload, 'hex'))"},
      {"LPAD(BIN(bits + 0), 5, '0')", "bits::text"},
      {"CAST(ratio AS CHAR)", "ratio::text"},
      {"CAST(span AS CHAR)", "span::text"},
  };
  return columns;
}

class ReplicaEndToEnd : public ::testing::Test {
 protected:
  void SetUp() override {
    sandbox_.WriteConfig(sandbox_.ConfigYaml("replica_batch_size: 1000\nsleep_loop: 1"));
    ASSERT_EQ(sandbox_.Run({"create_replica_schema"}).exit_code, 0);
    ASSERT_EQ(sandbox_.Run({"add_source", "--source", "mysql"}).exit_code, 0);
    Mysql(
        "CREATE TABLE types (id int PRIMARY KEY, small tinyint, ubig bigint unsigned, "
        "amount decimal(12,2), flag tinyint(1), name varchar(50), note text, "
        "created datetime(6), day date, stamp timestamp(3) NULL DEFAULT NULL, "
        "kind enum('new','paid','gone'), tags set('x','y','z'), doc json, payload blob, "
        "bits bit(5), ratio double, span time)");
    Mysql("CREATE TABLE big (id int PRIMARY KEY, v int NOT NULL)");
    for (int id = 1; id <= 20; ++id)
      Mysql(InsertType(id));
  }

  void TearDown() override { (void)sandbox_.Run({"stop_replica", "--source", "mysql"}); }

  void Mysql(const std::string& sql) {
    if (!admin_) {
      admin_ = std::make_unique<mysql::Connection>(test_support::MysqlAdmin());
      ASSERT_TRUE(admin_->Execute("USE `" + sandbox_.mysql_schema() + "`").ok());
      ASSERT_TRUE(admin_->Execute("SET time_zone = '+00:00'").ok());
    }
    Status status = admin_->Execute(sql);
    ASSERT_TRUE(status.ok()) << sql << ": " << status.message();
  }

  static std::string InsertType(int id) {
    if (id % 7 == 0) return fmt::format("INSERT INTO types (id) VALUES ({})", id);  // NULLs
    return fmt::format(
        "INSERT INTO types VALUES ({0}, {1}, {2}, {3}.25, {4}, 'name {0} é€', 'line\\nbreak "
        "\\'q\\' \\\\ tab\\t', '2024-02-29 23:59:59.{5:06}', '0009-12-04', "
        "'2024-06-01 12:00:00.{6:03}', '{7}', '{8}', '{{\"k\": {0}, \"list\": [1, 2]}}', "
        "X'00FF{0:02X}', b'{9:05b}', {0}.5, '{10}:05:06')",
        id, id % 2 == 0 ? -id : id,
        std::numeric_limits<uint64_t>::max() - static_cast<uint64_t>(id), id * 1000, id % 2, id * 7,
        id * 3, id % 3 == 0 ? "new" : "paid", id % 2 == 0 ? "x,z" : "y", id % 32, 100 + id);
  }

  // Every row of a table as text, ordered by id, rendered by MariaDB or by PostgreSQL.
  std::string SourceRows(const std::string& table, const std::vector<Column>& columns) {
    std::string list;
    for (const auto& column : columns)
      list += (list.empty() ? "" : ", '|', ") + fmt::format("IFNULL({}, '\\\\N')", column.mysql);
    auto rows = admin_->Query(fmt::format(
        "SELECT GROUP_CONCAT(CONCAT({}) ORDER BY id SEPARATOR '\\n') FROM `{}`", list, table));
    EXPECT_TRUE(rows.ok()) << rows.status().message();
    if (!rows.ok() || rows->empty() || !rows->rows[0][0]) return "<none>";
    return *rows->rows[0][0];
  }
  std::string TargetRows(const std::string& table, const std::vector<Column>& columns) {
    std::string list;
    for (const auto& column : columns)
      list += (list.empty() ? "" : " || '|' || ") + fmt::format("coalesce({}, '\\N')", column.pg);
    auto target = sandbox_.Target();
    return QueryText(
        target, fmt::format("SELECT string_agg({}, E'\\n' ORDER BY id) FROM \"{}\".\"{}\"", list,
                            sandbox_.destination_schema(), table));
  }

  std::string Target(const std::string& sql) {
    auto target = sandbox_.Target();
    return QueryText(target, sql);
  }

  // Waits up to `seconds` for the target table to equal the source; returns the last diff.
  ::testing::AssertionResult Converges(const std::string& table, const std::vector<Column>& columns,
                                       int seconds = 60) {
    std::string source = SourceRows(table, columns);
    std::string target;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
    do {
      target = TargetRows(table, columns);
      if (target == source) return ::testing::AssertionSuccess();
      std::this_thread::sleep_for(std::chrono::milliseconds(250));
    } while (std::chrono::steady_clock::now() < deadline);
    return ::testing::AssertionFailure()
           << "table " << table << " differs after " << seconds << " s\nsource:\n"
           << source << "\ntarget:\n"
           << target << "\nlogs:\n"
           << sandbox_.Logs();
  }

  ReplicaSandbox sandbox_;
  std::unique_ptr<mysql::Connection> admin_;
};

TEST_F(ReplicaEndToEnd, MixedTransactionsOfEveryTypeArriveExactly) {
  auto init = sandbox_.Run({"init_replica", "--source", "mysql", "--debug"});
  ASSERT_EQ(init.exit_code, 0) << init.all();
  ASSERT_TRUE(Converges("types", TypeColumns(), 1));  // the copy itself is exact

  auto started = sandbox_.Run({"start_replica", "--source", "mysql"});
  ASSERT_EQ(started.exit_code, 0) << started.all();
  EXPECT_THAT(started.out, HasSubstr("_replay_"));

  // Transactions of several statements: new rows, updates of every column, a multi-row
  // update, primary-key changes (incl. onto a freed key), deletes, values set to NULL.
  Mysql("START TRANSACTION");
  for (int id = 21; id <= 40; ++id)
    Mysql(InsertType(id));
  Mysql(
      "UPDATE types SET name = CONCAT(name, ' upd'), amount = amount * 2, "
      "kind = 'gone', tags = '', doc = '{\"k\": null}', span = '-838:59:59' "
      "WHERE id % 3 = 0");
  Mysql("COMMIT");
  Mysql("START TRANSACTION");
  Mysql("DELETE FROM types WHERE id IN (2, 4, 6)");
  Mysql("UPDATE types SET id = 2 WHERE id = 5");  // onto a key freed in this transaction
  Mysql("UPDATE types SET id = id + 1000 WHERE id BETWEEN 30 AND 33");
  Mysql("UPDATE types SET note = NULL, payload = NULL, stamp = NULL, bits = NULL WHERE id = 8");
  Mysql(
      "UPDATE types SET small = -128, ubig = 0, created = '1000-01-01 00:00:00', "
      "day = '9999-12-31', ratio = -0.25 WHERE id = 9");
  Mysql("COMMIT");
  Mysql("INSERT INTO types (id, name) VALUES (500, 'autocommit')");
  Mysql("UPDATE types SET name = 'rolled back' WHERE id = 500");
  Mysql("START TRANSACTION");
  Mysql("UPDATE types SET name = 'never' WHERE id = 1");
  Mysql("ROLLBACK");
  EXPECT_TRUE(Converges("types", TypeColumns()));
  EXPECT_EQ(Target("SELECT name FROM \"" + sandbox_.destination_schema() + "\".types WHERE id = 1"),
            "name 1 é€");

  // One source transaction of 60,000 rows with replica_batch_size 1000: it arrives whole,
  // in one PostgreSQL transaction (one xmin), while the rows around it keep flowing.
  Mysql("START TRANSACTION");
  Mysql("INSERT INTO big SELECT seq, seq * 2 FROM seq_1_to_60000");
  Mysql("UPDATE types SET name = 'with the big one' WHERE id = 1");
  Mysql("COMMIT");
  Mysql("UPDATE big SET v = -v WHERE id % 1000 = 0");
  std::vector<Column> big = {{"id", "id::text"}, {"CAST(v AS CHAR)", "v::text"}};
  EXPECT_TRUE(Converges("big", big, 120));
  EXPECT_TRUE(Converges("types", TypeColumns()));
  std::string schema = "\"" + sandbox_.destination_schema() + "\"";
  EXPECT_EQ(
      Target("SELECT count(DISTINCT xmin::text) FROM " + schema + ".big WHERE id % 1000 <> 0"),
      "1");
  EXPECT_EQ(Target("SELECT (SELECT xmin::text FROM " + schema +
                   ".big WHERE id = 1) = (SELECT "
                   "xmin::text FROM " +
                   schema + ".types WHERE id = 1)"),
            "t");

  // show_status tells the truth: once idle, the reader is caught up (the source's heartbeat)
  // and nothing waits, so both lags are near zero rather than growing.
  nlohmann::json shown;
  auto idle = [&] {
    auto status = sandbox_.Run({"show_status", "--source", "mysql", "--json"});
    if (status.exit_code != 0) return false;
    shown = nlohmann::json::parse(status.out)["sources"][0];
    return shown["batches_waiting"] == 0 && shown["read_lag_seconds"].is_number() &&
           shown["read_lag_seconds"].get<double>() < 15 &&
           shown["replay_lag_seconds"].is_number() &&
           shown["replay_lag_seconds"].get<double>() < 15 && shown["events_read"] != 0;
  };
  bool settled = false;
  for (int attempt = 0; attempt < 60 && !(settled = idle()); ++attempt)
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  EXPECT_TRUE(settled) << shown.dump(2);
  EXPECT_EQ(shown["status"], "running");

  // The catalogue tells the truth: running, nothing in error, every batch recorded.
  EXPECT_EQ(Target("SELECT enm_status FROM sch_chameleon.t_sources WHERE t_source = 'mysql'"),
            "running");
  EXPECT_EQ(Target("SELECT count(*) FROM sch_chameleon.t_error_log"), "0");
  auto stopped = sandbox_.Run({"stop_replica", "--source", "mysql"});
  ASSERT_EQ(stopped.exit_code, 0) << stopped.all();
  EXPECT_THAT(sandbox_.Logs(), HasSubstr("reader: streaming"));
}

// Stopped replicas pick up where they left off: changes made while it was stopped arrive
// after the next start, once.
TEST_F(ReplicaEndToEnd, ChangesWhileStoppedArriveAfterTheNextStartOnce) {
  ASSERT_EQ(sandbox_.Run({"init_replica", "--source", "mysql", "--debug"}).exit_code, 0);
  ASSERT_EQ(sandbox_.Run({"start_replica", "--source", "mysql"}).exit_code, 0);
  Mysql("INSERT INTO big VALUES (1, 1), (2, 2)");
  std::vector<Column> big = {{"id", "id::text"}, {"CAST(v AS CHAR)", "v::text"}};
  ASSERT_TRUE(Converges("big", big));
  auto stopped = sandbox_.Run({"stop_replica", "--source", "mysql"});
  ASSERT_EQ(stopped.exit_code, 0) << stopped.all();
  Mysql("INSERT INTO big VALUES (3, 3)");
  Mysql("UPDATE big SET v = v + 10");
  Mysql("DELETE FROM big WHERE id = 1");
  auto restarted = sandbox_.Run({"start_replica", "--source", "mysql"});
  ASSERT_EQ(restarted.exit_code, 0) << restarted.all();
  EXPECT_TRUE(Converges("big", big));
  EXPECT_EQ(Target("SELECT string_agg(id || '=' || v, ' ' ORDER BY id) FROM \"" +
                   sandbox_.destination_schema() + "\".big"),
            "2=12 3=13");
}

// DESIGN: a lost spool directory resumes from the position the catalogue recorded after its
// last replayed batch. Lost after a clean stop, and after a SIGKILL with changes in flight;
// `v = v + 1` updates show any transaction applied twice, the final comparison any lost.
TEST_F(ReplicaEndToEnd, ALostSpoolResumesFromTheCataloguesPositionExactlyOnce) {
  ASSERT_EQ(sandbox_.Run({"init_replica", "--source", "mysql", "--debug"}).exit_code, 0);
  std::filesystem::path spool = sandbox_.home() / ".pg_chameleon" / "spool" / "mysql";
  std::vector<Column> big = {{"id", "id::text"}, {"CAST(v AS CHAR)", "v::text"}};
  auto transactions = [&](int first, int count) {
    for (int id = first; id < first + count; ++id) {
      Mysql("START TRANSACTION");
      Mysql(fmt::format("INSERT INTO big VALUES ({}, 0)", id));
      Mysql(fmt::format("UPDATE big SET v = v + 1 WHERE id % 3 = {}", id % 3));
      Mysql("COMMIT");
    }
  };
  ASSERT_EQ(sandbox_.Run({"start_replica", "--source", "mysql"}).exit_code, 0);
  transactions(1, 30);
  ASSERT_TRUE(Converges("big", big));
  ASSERT_EQ(sandbox_.Run({"stop_replica", "--source", "mysql"}).exit_code, 0);
  EXPECT_EQ(Target("SELECT count(*) FILTER (WHERE i_resume_binlog_position IS NULL) || ' of ' || "
                   "(count(*) > 0)::text FROM sch_chameleon.t_replica_batch"),
            "0 of true")
      << "every replayed batch records where reading resumes after it";

  std::filesystem::remove_all(spool);
  transactions(31, 20);
  auto restarted = sandbox_.Run({"start_replica", "--source", "mysql"});
  ASSERT_EQ(restarted.exit_code, 0) << restarted.all();
  EXPECT_TRUE(Converges("big", big));
  EXPECT_THAT(sandbox_.Logs(), HasSubstr("reading resumes from the catalogue's position"));

  // Killed with changes in flight: whatever the lost spool held and PostgreSQL lacks is read
  // again from the binlog.
  transactions(51, 40);
  int pid = std::stoi(Target("SELECT i_pid FROM sch_chameleon.t_sources"));
  ASSERT_EQ(kill(pid, SIGKILL), 0);
  for (int waited = 0; kill(pid, 0) == 0 && waited < 100; ++waited)
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  std::filesystem::remove_all(spool);
  transactions(91, 10);
  restarted = sandbox_.Run({"start_replica", "--source", "mysql"});
  ASSERT_EQ(restarted.exit_code, 0) << restarted.all();
  EXPECT_TRUE(Converges("big", big));
  EXPECT_EQ(Target("SELECT count(*) - count(DISTINCT i_spool_batch) FROM "
                   "sch_chameleon.t_replica_batch"),
            "0");
}

// A table whose rows PostgreSQL rejects (a CHECK added on the target) leaves the replica with
// its reason; the other tables of the same source transactions keep replicating, and
// `sync_tables --tables disabled` brings it back once fixed.
TEST_F(ReplicaEndToEnd, ARejectedTableLeavesTheReplicaAndTheOthersGoOn) {
  test_support::HttpReceiver webhook;
  std::string yaml = sandbox_.ConfigYaml("replica_batch_size: 1000\nsleep_loop: 1");
  const std::string empty_keys = "rollbar_key: ''\nrollbar_env: ''\n";
  ASSERT_NE(yaml.find(empty_keys), std::string::npos);
  yaml.replace(yaml.find(empty_keys), empty_keys.size(),
               empty_keys + "alert_webhook_url: '" + webhook.Url("/hook") +
                   "'\nalert_webhook_level: error\n");
  sandbox_.WriteConfig(yaml);
  ASSERT_EQ(sandbox_.Run({"init_replica", "--source", "mysql", "--debug"}).exit_code, 0);
  std::string big_table = "\"" + sandbox_.destination_schema() + "\".big";
  Target("ALTER TABLE " + big_table + " ADD CONSTRAINT big_v_positive CHECK (v >= 0)");
  ASSERT_EQ(sandbox_.Run({"start_replica", "--source", "mysql"}).exit_code, 0);
  Mysql("START TRANSACTION");
  Mysql("INSERT INTO big VALUES (1, -1)");
  Mysql("INSERT INTO types (id, name) VALUES (900, 'beside the rejected row')");
  Mysql("COMMIT");
  Mysql("INSERT INTO types (id, name) VALUES (901, 'after it')");
  Mysql("INSERT INTO big VALUES (2, 2)");
  EXPECT_TRUE(Converges("types", TypeColumns()));
  EXPECT_EQ(Target("SELECT b_replica_enabled::text || ' ' || (t_disabled_reason <> '')::text "
                   "FROM sch_chameleon.t_replica_tables WHERE v_table_name = 'big'"),
            "false true");
  EXPECT_EQ(Target("SELECT count(*) FROM " + big_table), "0");
  EXPECT_EQ(Target("SELECT enm_status FROM sch_chameleon.t_sources"), "running");
  auto errors = sandbox_.Run({"show_errors", "--source", "mysql"});
  EXPECT_THAT(errors.out, HasSubstr("big"));
  // The operator hears of it: one error notification from the running replica.
  ASSERT_TRUE(webhook.WaitForRequests(1, std::chrono::seconds(20)));
  EXPECT_THAT(webhook.Requests()[0].body, HasSubstr("left the replica"));

  ASSERT_EQ(sandbox_.Run({"stop_replica", "--source", "mysql"}).exit_code, 0);
  Target("ALTER TABLE " + big_table + " DROP CONSTRAINT big_v_positive");
  auto synced =
      sandbox_.Run({"sync_tables", "--source", "mysql", "--tables", "disabled", "--debug"});
  ASSERT_EQ(synced.exit_code, 0) << synced.all();
  ASSERT_EQ(sandbox_.Run({"start_replica", "--source", "mysql"}).exit_code, 0);
  Mysql("UPDATE big SET v = v * 10");
  std::vector<Column> big = {{"id", "id::text"}, {"CAST(v AS CHAR)", "v::text"}};
  EXPECT_TRUE(Converges("big", big));
  EXPECT_EQ(Target("SELECT b_replica_enabled::text FROM sch_chameleon.t_replica_tables "
                   "WHERE v_table_name = 'big'"),
            "true");
}

}  // namespace
}  // namespace chameleon
