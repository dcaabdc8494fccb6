// init_replica, refresh_schema, sync_tables and copy_schema against the real MariaDB and
// PostgreSQL: every type copied exactly, awkward names, tables without a primary key, a
// failing table, user objects in the destination schema, status transitions.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "integration/init_fixture.h"

namespace chameleon {
namespace {

using ::testing::HasSubstr;

using InitReplica = test_support::InitFixture;

TEST_F(InitReplica, EveryTypeArrivesExactly) {
  Mysql(R"(CREATE TABLE every_type (
    id bigint unsigned NOT NULL PRIMARY KEY,
    ti tinyint, tiu tinyint unsigned, t1 tinyint(1), si smallint, siu smallint unsigned,
    mi mediumint, miu mediumint unsigned, i int, iu int unsigned, bi bigint,
    d decimal(65,30), f float, dbl double, b1 bit(1), b10 bit(10), y year,
    c char(4), vc varchar(20), tx text, js json, bin binary(3), vb varbinary(10), bl longblob,
    dt date, dt_nn date NOT NULL, dtm datetime(6), dtm_nn datetime NOT NULL, ts timestamp(3) NULL,
    tm time, tm_big time(2), e enum('small','it''s big'), st set('a','b','c'), g point,
    old_date date
  ))");
  Mysql(R"(INSERT INTO every_type VALUES (
    18446744073709551615, -128, 255, 7, -32768, 65535, -8388608, 16777215, -2147483648,
    4294967295, -9223372036854775808, '-12345678901234567890123456789012345.123456789012345678901234567890',
    3.4028234e38, -1.7976931348623157e308, b'1', b'1000000101', 2155,
    'ab', 'tab\there\\nl', 'emoji 😀 ok', '{"k": [1, 2.50, "x"], "n": null}', UNHEX('00FF00'),
    UNHEX('000102'), UNHEX('00'),
    '0000-00-00', '0000-00-00', '2024-02-29 23:59:59.999999', '0000-00-00 00:00:00',
    '2038-01-19 03:14:07.123', '-838:59:59', '123:45:06.78', 'it''s big', 'a,c',
    ST_GeomFromText('POINT(1 2)'), '0009-12-04'
  ))");
  Mysql("INSERT INTO every_type (id, dt_nn, dtm_nn) VALUES (0, '2000-01-01', '2000-01-01')");
  auto init = Init();
  ASSERT_EQ(init.exit_code, 0) << init.all();

  std::string table = Dest() + ".every_type";
  auto column = [&](const std::string& expression) {
    return Pg("SELECT (" + expression + ")::text FROM " + table +
              " WHERE id = 18446744073709551615");
  };
  EXPECT_EQ(column("id"), "18446744073709551615");
  EXPECT_EQ(column("ti"), "-128");
  EXPECT_EQ(column("tiu"), "255");
  EXPECT_EQ(column("t1"), "7");
  EXPECT_EQ(column("si"), "-32768");
  EXPECT_EQ(column("siu"), "65535");
  EXPECT_EQ(column("mi"), "-8388608");
  EXPECT_EQ(column("miu"), "16777215");
  EXPECT_EQ(column("i"), "-2147483648");
  EXPECT_EQ(column("iu"), "4294967295");
  EXPECT_EQ(column("bi"), "-9223372036854775808");
  EXPECT_EQ(column("d"), "-12345678901234567890123456789012345.123456789012345678901234567890");
  EXPECT_EQ(column("f = real '3.4028235e38'"), "true");
  EXPECT_EQ(column("dbl"), "-1.7976931348623157e+308");
  EXPECT_EQ(column("b1"), "1");
  EXPECT_EQ(column("b10"), "1000000101");
  EXPECT_EQ(column("y"), "2155");
  EXPECT_EQ(column("c"), "ab");  // character(4) read as text, as MySQL reads CHAR
  EXPECT_EQ(column("vc"), "tab\there\\nl");
  EXPECT_EQ(column("tx"), "emoji 😀 ok");
  EXPECT_EQ(column("js -> 'k' ->> 1"), "2.50");
  EXPECT_EQ(column("js ->> 'n'"), "<null>");
  EXPECT_EQ(column("encode(bin, 'hex')"), "00ff00");
  EXPECT_EQ(column("encode(vb, 'hex')"), "000102");
  EXPECT_EQ(column("encode(bl, 'hex')"), "00");
  EXPECT_EQ(column("dt"), "<null>");
  EXPECT_EQ(column("dt_nn"), "1970-01-01");
  EXPECT_EQ(column("dtm"), "2024-02-29 23:59:59.999999");
  EXPECT_EQ(column("dtm_nn"), "1970-01-01 00:00:00");
  EXPECT_EQ(column("ts AT TIME ZONE 'UTC'"), "2038-01-19 03:14:07.123");
  EXPECT_EQ(column("tm"), "-838:59:59");
  EXPECT_EQ(column("tm_big"), "123:45:06.78");
  EXPECT_EQ(column("e"), "it's big");
  EXPECT_EQ(column("st"), "{a,c}");
  EXPECT_EQ(column("encode(g, 'hex')"), "0101000000000000000000f03f0000000000000040");
  EXPECT_EQ(column("old_date"), "0009-12-04");
  // The types themselves.
  EXPECT_EQ(
      Pg("SELECT string_agg(column_name || ' ' || data_type, ', ' ORDER BY ordinal_position) "
         "FROM information_schema.columns WHERE table_schema = '" +
         sandbox_.destination_schema() +
         "' AND column_name IN ('id','iu','tiu','b10','js','tm','ts','st','e')"),
      "id numeric, tiu smallint, iu bigint, b10 bit, js jsonb, ts timestamp with time zone, tm "
      "interval, e USER-DEFINED, st ARRAY");
  // The NULL row stays NULL everywhere.
  EXPECT_EQ(Pg("SELECT count(*) FROM " + table +
               " WHERE id = 0 AND ti IS NULL AND js IS NULL AND "
               "bl IS NULL AND tm IS NULL AND e IS NULL AND st IS NULL"),
            "1");
}

TEST_F(InitReplica, RecordsTablesCoordinatesAndStatus) {
  Mysql(
      "CREATE TABLE with_key (id int PRIMARY KEY, v varchar(10), UNIQUE KEY v_key (v), KEY v_idx "
      "(v))");
  Mysql("INSERT INTO with_key VALUES (1, 'a'), (2, 'b')");
  Mysql("CREATE TABLE no_key (v int)");
  Mysql("INSERT INTO no_key VALUES (1), (1)");
  auto init = Init();
  ASSERT_EQ(init.exit_code, 0) << init.all();
  EXPECT_THAT(init.all(), HasSubstr("no_key has no primary key"));
  EXPECT_EQ(Pg("SELECT enm_status || ' ' || (t_binlog_name IS NOT NULL) || ' ' || "
               "(i_binlog_position > 0) "
               "FROM sch_chameleon.t_sources WHERE t_source = 'mysql'"),
            "initialised true true");
  EXPECT_EQ(
      Pg("SELECT string_agg(v_table_name || ':' || array_to_string(v_table_pkey, ',') || ':' || "
         "b_replica_enabled || ':' || coalesce(t_disabled_reason, '') || ':' || "
         "(t_binlog_name IS NOT NULL), ' ' ORDER BY v_table_name) FROM "
         "sch_chameleon.t_replica_tables"),
      "no_key::false:no primary key:true with_key:id:true::true");
  EXPECT_EQ(Pg("SELECT count(*) FROM " + Dest() + ".no_key"), "2");
  EXPECT_EQ(Pg("SELECT string_agg(indexname, ',' ORDER BY indexname) FROM pg_indexes WHERE "
               "schemaname = '" +
               sandbox_.destination_schema() + "'"),
            "with_key_pkey,with_key_v_idx_idx,with_key_v_key_key");
  // No loading schema is left behind.
  EXPECT_EQ(Pg("SELECT count(*) FROM pg_namespace WHERE nspname LIKE '\\_chameleon\\_loading%'"),
            "0");
  auto status = sandbox_.Run({"show_status", "--source", "mysql"});
  EXPECT_THAT(status.out, HasSubstr("no primary key"));
}

TEST_F(InitReplica, NamesThatNeedQuotingSurvive) {
  Mysql(
      "CREATE TABLE `Mixed Case-table é` (`Id Col` int PRIMARY KEY, `sélect` varchar(5), "
      "`e-num` enum('x','y'), KEY `my index` (`sélect`))");
  Mysql("INSERT INTO `Mixed Case-table é` VALUES (1, 'ü', 'y')");
  auto init = Init();
  ASSERT_EQ(init.exit_code, 0) << init.all();
  EXPECT_EQ(Pg("SELECT \"sélect\" || \"e-num\" FROM " + Dest() +
               ".\"Mixed Case-table é\" WHERE \"Id Col\" = 1"),
            "üy");
}

TEST_F(InitReplica, UserObjectsInTheDestinationSchemaSurviveAndViewsFollowTheNewTable) {
  Mysql("CREATE TABLE t (id int PRIMARY KEY, v int)");
  Mysql("INSERT INTO t VALUES (1, 10)");
  ASSERT_EQ(Init().exit_code, 0);
  {
    auto target = sandbox_.Target();
    ASSERT_TRUE(target.Execute("CREATE TABLE " + Dest() + ".mine (x int)").ok());
    ASSERT_TRUE(target.Execute("CREATE VIEW " + Dest() + ".v_mine AS SELECT 1 AS one").ok());
    ASSERT_TRUE(
        target.Execute("CREATE VIEW " + Dest() + ".v_t AS SELECT v FROM " + Dest() + ".t").ok());
  }
  Mysql("INSERT INTO t VALUES (2, 20)");
  auto again = Init();
  ASSERT_EQ(again.exit_code, 0) << again.all();
  EXPECT_EQ(Pg("SELECT count(*) FROM " + Dest() + ".mine"), "0");
  EXPECT_EQ(Pg("SELECT one FROM " + Dest() + ".v_mine"), "1");
  EXPECT_EQ(Pg("SELECT sum(v) FROM " + Dest() + ".v_t"), "30");
}

TEST_F(InitReplica, AFailingTableIsReportedWhileTheOthersComplete) {
  Mysql("CREATE TABLE good (id int PRIMARY KEY)");
  Mysql("INSERT INTO good VALUES (1)");
  Mysql("CREATE TABLE bad (id int PRIMARY KEY, v varchar(10))");
  Mysql("INSERT INTO bad VALUES (1, CONCAT('a', CHAR(0), 'b'))");
  auto init = Init();
  EXPECT_EQ(init.exit_code, 1) << init.all();
  EXPECT_THAT(init.err, HasSubstr("bad"));
  EXPECT_THAT(init.err, HasSubstr("NUL byte"));
  EXPECT_EQ(Pg("SELECT count(*) FROM " + Dest() + ".good"), "1");
  EXPECT_EQ(Pg("SELECT to_regclass('" + sandbox_.destination_schema() + ".bad') IS NULL"), "t");
  EXPECT_EQ(
      Pg("SELECT b_replica_enabled || ' ' || (t_disabled_reason LIKE 'copy failed:%NUL byte%') "
         "FROM sch_chameleon.t_replica_tables WHERE v_table_name = 'bad'"),
      "false true");
  // Fixed on the source, the disabled table comes back with sync_tables --tables disabled.
  Mysql("UPDATE bad SET v = 'ab'");
  auto sync = sandbox_.Run({"sync_tables", "--source", "mysql", "--tables", "disabled", "--debug"});
  ASSERT_EQ(sync.exit_code, 0) << sync.all();
  EXPECT_EQ(Pg("SELECT v FROM " + Dest() + ".bad"), "ab");
  EXPECT_EQ(Pg("SELECT b_replica_enabled::text || enm_status FROM sch_chameleon.t_replica_tables, "
               "sch_chameleon.t_sources WHERE v_table_name = 'bad'"),
            "truesynced");
}

TEST_F(InitReplica, SyncTablesCopiesOnlyTheNamedTables) {
  Mysql("CREATE TABLE a (id int PRIMARY KEY)");
  Mysql("CREATE TABLE b (id int PRIMARY KEY)");
  ASSERT_EQ(Init().exit_code, 0);
  Mysql("INSERT INTO a VALUES (1)");
  Mysql("INSERT INTO b VALUES (1)");
  auto sync = sandbox_.Run(
      {"sync_tables", "--source", "mysql", "--debug", "--tables", sandbox_.mysql_schema() + ".a"});
  ASSERT_EQ(sync.exit_code, 0) << sync.all();
  EXPECT_EQ(Pg("SELECT count(*) FROM " + Dest() + ".a"), "1");
  EXPECT_EQ(Pg("SELECT count(*) FROM " + Dest() + ".b"), "0");
  auto unknown = sandbox_.Run({"sync_tables", "--source", "mysql", "--debug", "--tables",
                               sandbox_.mysql_schema() + ".nope"});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_THAT(unknown.err, HasSubstr(".nope"));
}

TEST_F(InitReplica, RefreshSchemaAndCopySchema) {
  Mysql("CREATE TABLE a (id int PRIMARY KEY)");
  Mysql("INSERT INTO a VALUES (1)");
  auto copied = sandbox_.Run({"copy_schema", "--source", "mysql", "--debug"});
  ASSERT_EQ(copied.exit_code, 0) << copied.all();
  EXPECT_EQ(Pg("SELECT count(*) FROM " + Dest() + ".a"), "0");
  auto refreshed = sandbox_.Run(
      {"refresh_schema", "--source", "mysql", "--debug", "--schema", sandbox_.mysql_schema()});
  ASSERT_EQ(refreshed.exit_code, 0) << refreshed.all();
  EXPECT_EQ(Pg("SELECT count(*) FROM " + Dest() + ".a"), "1");
  auto wrong = sandbox_.Run({"refresh_schema", "--source", "mysql", "--debug", "--schema", "nope"});
  EXPECT_EQ(wrong.exit_code, 1);
  EXPECT_THAT(wrong.err, HasSubstr("--schema nope"));
}

TEST_F(InitReplica, RunsInTheBackgroundAndRefusesASecondRun) {
  Mysql("CREATE TABLE a (id int PRIMARY KEY)");
  auto started = sandbox_.Run({"init_replica", "--source", "mysql"});
  ASSERT_EQ(started.exit_code, 0) << started.all();
  EXPECT_THAT(started.out, HasSubstr("runs in the background"));
  std::string status;
  for (int attempt = 0; attempt < 100; ++attempt) {
    status = Pg("SELECT enm_status FROM sch_chameleon.t_sources WHERE t_source = 'mysql'");
    if (status == "initialised") break;
    usleep(100 * 1000);
  }
  EXPECT_EQ(status, "initialised") << sandbox_.Logs();
  EXPECT_THAT(sandbox_.Logs(), HasSubstr("copied " + sandbox_.mysql_schema() + ".a"));
}

}  // namespace
}  // namespace chameleon
