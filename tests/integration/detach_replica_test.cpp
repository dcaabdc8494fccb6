// detach_replica against the real servers: after init_replica, the destination becomes a
// standalone database — keys continue from the copied ones, MySQL's foreign keys hold,
// the source is gone — and nothing changes without YES or while the source runs.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "daemon/daemon.h"
#include "integration/init_fixture.h"

namespace chameleon {
namespace {

using ::testing::HasSubstr;

class DetachReplica : public test_support::InitFixture {
 protected:
  // Two tables linked by a foreign key with actions, auto_increment keys, and a skipped
  // table whose foreign key must not be attempted.
  void CreateShop() {
    Mysql(
        "CREATE TABLE customer (id int AUTO_INCREMENT PRIMARY KEY, name varchar(20)) "
        "ENGINE=InnoDB");
    Mysql(
        "CREATE TABLE `order` (id bigint AUTO_INCREMENT PRIMARY KEY, customer_id int NOT NULL, "
        "CONSTRAINT fk_order_customer FOREIGN KEY (customer_id) REFERENCES customer (id) "
        "ON DELETE CASCADE ON UPDATE RESTRICT) ENGINE=InnoDB");
    Mysql(
        "CREATE TABLE audit (id int PRIMARY KEY, customer_id int, CONSTRAINT fk_audit_customer "
        "FOREIGN KEY (customer_id) REFERENCES customer (id)) ENGINE=InnoDB");
    Mysql("INSERT INTO customer (name) VALUES ('ann'), ('bob'), ('cy')");
    Mysql("DELETE FROM customer WHERE name = 'cy'");  // the next MySQL id is 4, max(id) is 2
    Mysql("INSERT INTO `order` (customer_id) VALUES (1), (1), (2)");
    Mysql("INSERT INTO audit VALUES (1, 1)");
    std::string yaml = sandbox_.ConfigYaml();
    yaml.replace(yaml.find("skip_tables:\n"), 13,
                 "skip_tables:\n      - " + sandbox_.mysql_schema() + ".audit\n");
    sandbox_.WriteConfig(yaml);
  }

  test_support::CliResult Detach(const std::string& answer) {
    return sandbox_.Run({"detach_replica", "--source", "mysql"}, answer);
  }
};

TEST_F(DetachReplica, LeavesAStandaloneDatabaseWithSequencesAndForeignKeys) {
  CreateShop();
  auto init = Init();
  ASSERT_EQ(init.exit_code, 0) << init.all();
  auto detach = Detach("YES\n");
  ASSERT_EQ(detach.exit_code, 0) << detach.all();
  EXPECT_THAT(detach.out, HasSubstr("Are you sure? YES/No"));
  EXPECT_THAT(detach.out, HasSubstr("1 foreign key(s) created"));
  EXPECT_THAT(detach.out, HasSubstr("2 sequence(s) set past their keys"));
  EXPECT_EQ(detach.err, "");  // the skipped table's foreign key is not even tried

  // Inserting without an id continues after the copied keys.
  EXPECT_EQ(Pg("INSERT INTO " + Dest() + ".customer (name) VALUES ('dee') RETURNING id"), "3");
  EXPECT_EQ(Pg("INSERT INTO " + Dest() + ".\"order\" (customer_id) VALUES (3) RETURNING id"), "4");
  // The foreign key is enforced, with its actions and MySQL's name.
  EXPECT_EQ(PgError("INSERT INTO " + Dest() + ".\"order\" (customer_id) VALUES (42)"), "23503");
  EXPECT_EQ(PgError("UPDATE " + Dest() + ".customer SET id = 10 WHERE id = 1"), "23503");
  EXPECT_EQ(
      Pg("SELECT conname || ' ' || confupdtype::text || confdeltype::text || ' ' || convalidated "
         "FROM pg_constraint WHERE contype = 'f' AND connamespace = '" +
         sandbox_.destination_schema() + "'::regnamespace"),
      "fk_order_customer rc true");
  EXPECT_EQ(Pg("DELETE FROM " + Dest() + ".customer WHERE id = 1 RETURNING name"), "ann");
  EXPECT_EQ(Pg("SELECT count(*) FROM " + Dest() + ".\"order\""), "2");  // cascaded
  // The source is gone from the catalogue; its data stays.
  EXPECT_EQ(Pg("SELECT count(*) FROM sch_chameleon.t_sources WHERE t_source = 'mysql'"), "0");
  EXPECT_EQ(Pg("SELECT count(*) FROM sch_chameleon.t_replica_tables"), "0");
}

TEST_F(DetachReplica, AfterCopySchemaTheForeignKeysAreAlreadyThere) {
  CreateShop();
  auto copied = sandbox_.Run({"copy_schema", "--source", "mysql", "--debug"});
  ASSERT_EQ(copied.exit_code, 0) << copied.all();
  EXPECT_EQ(Pg("SELECT string_agg(conname, ',') FROM pg_constraint WHERE contype = 'f' AND "
               "connamespace = '" +
               sandbox_.destination_schema() + "'::regnamespace"),
            "fk_order_customer");
  auto detach = Detach("YES\n");
  ASSERT_EQ(detach.exit_code, 0) << detach.all();
  EXPECT_THAT(detach.out, HasSubstr("0 foreign key(s) created, 1 already there"));
  EXPECT_EQ(Pg("INSERT INTO " + Dest() + ".customer (name) VALUES ('x') RETURNING id"), "1");
}

TEST_F(DetachReplica, ChangesNothingWithoutYesOrWhileTheSourceRuns) {
  CreateShop();
  ASSERT_EQ(Init().exit_code, 0);
  auto lower = Detach("yes\n");
  EXPECT_EQ(lower.exit_code, 1);
  EXPECT_THAT(lower.err, HasSubstr("please type YES all uppercase"));
  auto none = Detach("");
  EXPECT_EQ(none.exit_code, 1);
  EXPECT_THAT(none.err, HasSubstr("no answer on standard input"));
  {
    // A live process holding the source's pid file is a running replica.
    auto held = daemon::PidFile::Acquire(sandbox_.home() / ".pg_chameleon/pid/mysql.pid");
    ASSERT_TRUE(held.ok()) << held.status().message();
    auto running = Detach("YES\n");
    EXPECT_EQ(running.exit_code, 1);
    EXPECT_THAT(running.err, HasSubstr("stop it with `chameleon stop_replica"));
  }
  EXPECT_EQ(Pg("SELECT count(*) FROM sch_chameleon.t_sources WHERE t_source = 'mysql'"), "1");
  EXPECT_EQ(Pg("SELECT count(*) FROM pg_constraint WHERE contype = 'f' AND connamespace = '" +
               sandbox_.destination_schema() + "'::regnamespace"),
            "0");
}

// bigint unsigned maps to numeric(20), which cannot be an identity column: its
// AUTO_INCREMENT gets a bigint sequence of its own, unless MySQL's counter is past bigint.
TEST_F(DetachReplica, BigintUnsignedAutoIncrementGetsASequenceWhenItsValuesFit) {
  Mysql("CREATE TABLE u (id bigint unsigned AUTO_INCREMENT PRIMARY KEY, v int)");
  Mysql("INSERT INTO u (v) VALUES (1), (2), (3)");
  Mysql(
      "CREATE TABLE huge (id bigint unsigned AUTO_INCREMENT PRIMARY KEY, v int) "
      "AUTO_INCREMENT = 9223372036854775900");
  Mysql("INSERT INTO huge (v) VALUES (1)");
  auto init = Init();
  ASSERT_EQ(init.exit_code, 0) << init.all();
  EXPECT_THAT(init.all(), HasSubstr(".huge: column id is a bigint unsigned AUTO_INCREMENT"));
  EXPECT_EQ(Pg("SELECT format_type(atttypid, atttypmod) || ' ' || "
               "pg_get_serial_sequence('" +
               Dest() +
               ".u', 'id') FROM pg_attribute WHERE "
               "attrelid = '" +
               Dest() + ".u'::regclass AND attname = 'id'"),
            "numeric(20,0) " + sandbox_.destination_schema() + ".u_id_seq");
  EXPECT_EQ(Pg("SELECT pg_get_serial_sequence('" + Dest() +
               ".huge', 'id') IS NULL AND "
               "pg_get_expr(adbin, adrelid) IS NULL FROM pg_attribute LEFT JOIN pg_attrdef ON "
               "adrelid = attrelid AND adnum = attnum WHERE attrelid = '" +
               Dest() + ".huge'::regclass AND attname = 'id'"),
            "t");
  auto detach = Detach("YES\n");
  ASSERT_EQ(detach.exit_code, 0) << detach.all();
  EXPECT_EQ(Pg("INSERT INTO " + Dest() + ".u (v) VALUES (4) RETURNING id"), "4");
  EXPECT_EQ(Pg("SELECT count(*) FROM " + Dest() + ".huge WHERE id = 9223372036854775900"), "1");
}

}  // namespace
}  // namespace chameleon
