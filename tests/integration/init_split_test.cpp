// A big table split into primary-key ranges that several workers copy at once, against the
// real MariaDB and PostgreSQL: every row arrives once (range edges, key gaps, negative and
// unsigned keys), all from one snapshot even while the source is written during the copy.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "init/key_ranges.h"
#include "init/snapshot_copy.h"
#include "init/source_tables.h"
#include "integration/init_fixture.h"
#include "translation/table_ddl.h"

namespace chameleon {
namespace {

using ::testing::HasSubstr;

class InitSplit : public test_support::InitFixture {
 protected:
  // Row count and an order-independent checksum of `table`, computed by MariaDB.
  std::string SourceSum(const std::string& table) {
    auto admin = test_support::MysqlAdmin();
    auto value = admin.QueryValue(
        "SELECT CONCAT(COUNT(*), ':', COALESCE(SUM(CAST(CONV(SUBSTRING(MD5(CONCAT_WS('|', id, v, "
        "IFNULL(n, 'N'))), 1, 15), 16, 10) AS UNSIGNED)), 0)) FROM `" +
        sandbox_.mysql_schema() + "`.`" + table + "`");
    EXPECT_TRUE(value.ok()) << value.status().message();
    return value.ok() ? value->value_or("<null>") : "<error>";
  }
  // The same, computed by PostgreSQL over the copy in `schema`.
  std::string TargetSum(const std::string& schema, const std::string& table) {
    return Pg(
        "SELECT count(*) || ':' || coalesce(sum(('x' || substr(md5(concat_ws('|', id, v, "
        "coalesce(n::text, 'N'))), 1, 15))::bit(60)::bigint), 0) FROM \"" +
        schema + "\".\"" + table + "\"");
  }

  Result<mysql::Connection> ConnectSource() {
    const auto& settings = test_support::TestServers::Get().mysql;
    mysql::ConnectOptions options;
    options.host = settings.host;
    options.port = settings.port;
    options.user = settings.user;
    options.password = Secret(settings.password);
    return mysql::Connection::Open(options);
  }

  // The table as init reads it, created without keys in PostgreSQL schema `schema`.
  init::SourceTable Prepare(const std::string& table, const std::string& schema) {
    config::Config config;
    config::Source source;
    source.name = "mysql";
    source.schema_mappings = {{sandbox_.mysql_schema(), schema}};
    auto connection = ConnectSource();
    EXPECT_TRUE(connection.ok()) << connection.status().message();
    auto tables = init::ReadSourceTables(*connection, config, source, {sandbox_.mysql_schema()},
                                         {sandbox_.mysql_schema() + "." + table});
    EXPECT_TRUE(tables.ok() && tables->size() == 1);
    PgExecute("CREATE SCHEMA \"" + schema + "\"");
    for (const auto& statement :
         translation::CreateTableStatements((*tables)[0].definition, schema, 0)) {
      PgExecute(statement);
    }
    return std::move((*tables)[0]);
  }

  init::CopyOptions Options(int workers, uint64_t split_rows) {
    init::CopyOptions options;
    options.workers = workers;
    options.max_memory_bytes = 1 << 20;
    options.split_rows = split_rows;
    options.connect_source = [this]() { return ConnectSource(); };
    options.connect_target = [this]() -> Result<pg::Connection> {
      return test_support::PgReplicaUser(sandbox_.pg_database());
    };
    return options;
  }
};

TEST_F(InitSplit, RangesArriveExactlyAndWritesAfterTheSnapshotStayOut) {
  // Keys 3, 6, ... 60000 (gaps), a negative key, and rows on and next to each boundary.
  Mysql(
      "CREATE TABLE big (id bigint PRIMARY KEY, v varchar(40) NOT NULL, n int NULL, "
      "KEY n_idx (n))");
  Mysql(
      "INSERT INTO big SELECT seq * 3, CONCAT('row ', seq), IF(seq % 7 = 0, NULL, seq) "
      "FROM seq_1_to_20000");
  Mysql("INSERT INTO big VALUES (-1000, 'negative', -1)");
  auto boundaries = init::SplitKeys("-1000", "60000", false, 6);
  ASSERT_EQ(boundaries.size(), 6U);
  for (const auto& range : boundaries) {
    if (!range.from) continue;
    Mysql("INSERT IGNORE INTO big VALUES (" + *range.from + ", 'edge', 1), (" + *range.from +
          " - 1, 'below edge', 2)");
  }
  std::string snapshot_sum = SourceSum("big");

  init::SourceTable table = Prepare("big", "split_copy");
  table.estimated_rows = 20000;  // information_schema's estimate, made exact for the test
  init::CopyJob job{&table, "split_copy", true};
  init::CopyOptions options = Options(3, 3500);  // 20000 / 3500 -> 6 ranges
  std::string written_after;
  options.after_snapshot = [&](const init::Coordinates& coordinates) {
    auto admin = test_support::MysqlAdmin();
    auto status = admin.Query("SHOW MASTER STATUS");
    ASSERT_TRUE(status.ok());
    // Other tests may write too: the snapshot is at or before anything written from here.
    EXPECT_EQ(status->rows[0][0].value_or(""), coordinates.binlog_name);
    EXPECT_LE(coordinates.binlog_position, std::stoll(status->rows[0][1].value_or("0")));
    // Inside a gap, past the end, on an edge, and changes to copied rows of every range.
    Mysql("INSERT INTO big VALUES (4, 'new in a gap', 1), (70000, 'new past the end', 1)");
    Mysql("UPDATE big SET v = 'changed' WHERE id IN (-1000, 3, 30000, 60000)");
    Mysql("DELETE FROM big WHERE id = " + *boundaries[2].from);
    written_after = SourceSum("big");
  };
  std::vector<init::CopyOutcome> outcomes;
  auto coordinates = init::CopyTables(options, {job}, &outcomes);
  ASSERT_TRUE(coordinates.ok()) << coordinates.status().message();
  ASSERT_EQ(outcomes.size(), 1U);
  ASSERT_TRUE(outcomes[0].status.ok()) << outcomes[0].status.message();
  EXPECT_EQ(outcomes[0].ranges, 6);
  EXPECT_NE(written_after, snapshot_sum);  // the source did change during the copy
  EXPECT_EQ(TargetSum("split_copy", "big"), snapshot_sum);
  EXPECT_EQ(std::to_string(outcomes[0].rows) + ":",
            snapshot_sum.substr(0, snapshot_sum.find(':') + 1));
  EXPECT_EQ(Pg("SELECT count(*) FROM \"split_copy\".big WHERE v = 'changed' OR id IN (4, 70000)"),
            "0");
  // The keys were built once, after every range landed.
  EXPECT_EQ(Pg("SELECT string_agg(indexname, ',' ORDER BY indexname) FROM pg_indexes WHERE "
               "schemaname = 'split_copy'"),
            "big_n_idx_idx,big_pkey");
}

TEST_F(InitSplit, UnsignedKeysAboveTwoToTheSixtyThreeAndAFailingRange) {
  Mysql("CREATE TABLE ev (id bigint unsigned PRIMARY KEY, v varchar(40), n int)");
  Mysql("INSERT INTO ev SELECT 9223372036854775807 + seq * 1000, 'x', seq FROM seq_1_to_5000");
  Mysql("INSERT INTO ev VALUES (18446744073709551615, 'max', 0), (0, 'zero', 0)");
  std::string expected = SourceSum("ev");
  init::SourceTable table = Prepare("ev", "split_unsigned");
  table.estimated_rows = 5002;
  std::vector<init::CopyOutcome> outcomes;
  auto copied = init::CopyTables(Options(2, 1000), {{&table, "split_unsigned", true}}, &outcomes);
  ASSERT_TRUE(copied.ok()) << copied.status().message();
  ASSERT_TRUE(outcomes[0].status.ok()) << outcomes[0].status.message();
  EXPECT_EQ(outcomes[0].ranges, 6);
  EXPECT_EQ(TargetSum("split_unsigned", "ev"), expected);

  // A value one range cannot take fails the table, naming the range; no keys are built.
  Mysql("UPDATE ev SET v = CONCAT('a', CHAR(0)) WHERE id = 9223372036857775807");
  PgExecute("TRUNCATE \"split_unsigned\".ev");
  PgExecute("ALTER TABLE \"split_unsigned\".ev DROP CONSTRAINT ev_pkey");
  copied = init::CopyTables(Options(2, 1000), {{&table, "split_unsigned", true}}, &outcomes);
  ASSERT_TRUE(copied.ok());
  EXPECT_THAT(outcomes[0].status.message(),
              HasSubstr("table " + sandbox_.mysql_schema() + ".ev keys ["));
  EXPECT_THAT(outcomes[0].status.message(), HasSubstr("NUL byte"));
  EXPECT_EQ(Pg("SELECT count(*) FROM pg_indexes WHERE schemaname = 'split_unsigned'"), "0");
}

TEST_F(InitSplit, InitReplicaSplitsBigTablesByCopySplitRows) {
  sandbox_.WriteConfig(sandbox_.ConfigYaml("copy_workers: 3\ncopy_split_rows: 2000"));
  Mysql("CREATE TABLE big (id int PRIMARY KEY, v varchar(40) NOT NULL, n int NULL)");
  Mysql("INSERT INTO big SELECT seq, REPEAT('v', seq % 30), seq FROM seq_1_to_12000");
  Mysql("CREATE TABLE small (id int PRIMARY KEY, v varchar(40), n int)");
  Mysql("INSERT INTO small VALUES (1, 'one', NULL)");
  Mysql("ANALYZE TABLE big, small");  // information_schema's row estimates
  std::string expected = SourceSum("big");
  auto init = Init();
  ASSERT_EQ(init.exit_code, 0) << init.all();
  EXPECT_THAT(init.all(), HasSubstr("table " + sandbox_.mysql_schema() + ".big: about "));
  EXPECT_THAT(init.all(), HasSubstr("key ranges"));
  EXPECT_THAT(init.all(), HasSubstr("copied " + sandbox_.mysql_schema() + ".big: 12000 rows, "));
  EXPECT_THAT(init.all(), HasSubstr("copied " + sandbox_.mysql_schema() + ".small: 1 rows, "));
  EXPECT_EQ(TargetSum(sandbox_.destination_schema(), "big"), expected);
  EXPECT_EQ(SourceSum("small"), TargetSum(sandbox_.destination_schema(), "small"));
}

}  // namespace
}  // namespace chameleon
