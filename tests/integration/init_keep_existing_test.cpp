// init_replica with keep_existing_schema: Yes against the real servers: the rows go into
// the tables the user created, whose keys, indexes, foreign keys, extra columns and views
// stay exactly as they were; a table without a primary key works (pg_chameleon's PR #192).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "integration/init_fixture.h"

namespace chameleon {
namespace {

using ::testing::HasSubstr;

class KeepExistingSchema : public test_support::InitFixture {
 protected:
  void SetUp() override {
    InitFixture::SetUp();
    sandbox_.WriteConfig(sandbox_.ConfigYaml("keep_existing_schema: Yes"));
    Mysql("CREATE TABLE parent (id int PRIMARY KEY, name varchar(20), KEY name_idx (name))");
    Mysql(
        "CREATE TABLE child (id int PRIMARY KEY, parent_id int, FOREIGN KEY (parent_id) "
        "REFERENCES parent (id))");
    Mysql("CREATE TABLE nokey (v int)");
    Mysql("INSERT INTO parent VALUES (1, 'ann'), (2, 'bob')");
    Mysql("INSERT INTO child VALUES (10, 1), (11, 2)");
    Mysql("INSERT INTO nokey VALUES (1), (1)");
    // The user's own schema: other names, an extra column, a view, rows to be replaced.
    PgExecute("CREATE SCHEMA " + Dest());
    PgExecute("CREATE TABLE " + Dest() +
              ".parent (id int CONSTRAINT my_parent_pk PRIMARY KEY, name text, note text DEFAULT "
              "'mine')");
    PgExecute("CREATE UNIQUE INDEX my_name_idx ON " + Dest() + ".parent (name)");
    PgExecute("CREATE TABLE " + Dest() + ".child (id int PRIMARY KEY, parent_id int CONSTRAINT " +
              "my_fk REFERENCES " + Dest() + ".parent (id) ON DELETE CASCADE)");
    PgExecute("CREATE TABLE " + Dest() + ".nokey (v int CHECK (v > 0))");
    PgExecute("CREATE VIEW " + Dest() + ".v_parent AS SELECT name FROM " + Dest() + ".parent");
    PgExecute("INSERT INTO " + Dest() + ".parent VALUES (99, 'junk')");
    PgExecute("INSERT INTO " + Dest() + ".child VALUES (98, 99)");
    PgExecute("INSERT INTO " + Dest() + ".nokey VALUES (7)");
  }

  // Every constraint and index of the destination schema with its definition.
  std::string Keys() {
    return Pg(
        "SELECT string_agg(x, ' | ' ORDER BY x) FROM (SELECT conname || ' ' || "
        "pg_get_constraintdef(oid) || ' ' || convalidated AS x FROM pg_constraint WHERE "
        "connamespace = '" +
        sandbox_.destination_schema() +
        "'::regnamespace UNION ALL SELECT indexdef FROM pg_indexes WHERE schemaname = '" +
        sandbox_.destination_schema() + "') k");
  }
};

TEST_F(KeepExistingSchema, CopiesIntoTheUsersTablesAndPutsEveryKeyBack) {
  std::string keys_before = Keys();
  auto init = Init();
  ASSERT_EQ(init.exit_code, 0) << init.all();
  EXPECT_THAT(init.all(), HasSubstr("nokey has no primary key"));
  EXPECT_EQ(Pg("SELECT string_agg(id || ':' || name || ':' || note, ',' ORDER BY id) FROM " +
               Dest() + ".parent"),
            "1:ann:mine,2:bob:mine");
  EXPECT_EQ(
      Pg("SELECT string_agg(id || ':' || parent_id, ',' ORDER BY id) FROM " + Dest() + ".child"),
      "10:1,11:2");
  EXPECT_EQ(Pg("SELECT count(*) FROM " + Dest() + ".nokey"), "2");
  EXPECT_EQ(Pg("SELECT count(*) FROM " + Dest() + ".v_parent"), "2");
  // The same constraints and indexes, same names, same definitions, validated.
  EXPECT_EQ(Keys(), keys_before);
  EXPECT_THAT(keys_before, HasSubstr("my_fk FOREIGN KEY (parent_id) REFERENCES"));
  EXPECT_EQ(PgError("INSERT INTO " + Dest() + ".child VALUES (12, 42)"), "23503");
  // No loading schema, no enum types or tables of ours.
  EXPECT_EQ(Pg("SELECT count(*) FROM pg_class WHERE relnamespace = '" +
               sandbox_.destination_schema() + "'::regnamespace AND relkind = 'r'"),
            "3");
  EXPECT_EQ(Pg("SELECT string_agg(v_table_name || ':' || b_replica_enabled || ':' || "
               "(t_binlog_name IS NOT NULL), ' ' ORDER BY v_table_name) FROM "
               "sch_chameleon.t_replica_tables"),
            "child:true:true nokey:false:true parent:true:true");
  EXPECT_EQ(Pg("SELECT enm_status FROM sch_chameleon.t_sources WHERE t_source = 'mysql'"),
            "initialised");
}

TEST_F(KeepExistingSchema, ATableMissingInPostgresFailsAlone) {
  Mysql("CREATE TABLE only_in_mysql (id int PRIMARY KEY)");
  auto init = Init();
  EXPECT_EQ(init.exit_code, 1) << init.all();
  EXPECT_THAT(init.err, HasSubstr("only_in_mysql does not exist in PostgreSQL"));
  EXPECT_EQ(Pg("SELECT count(*) FROM " + Dest() + ".parent"), "2");
  EXPECT_EQ(Pg("SELECT b_replica_enabled FROM sch_chameleon.t_replica_tables WHERE v_table_name "
               "= 'only_in_mysql'"),
            "f");
  auto copy_schema = sandbox_.Run({"copy_schema", "--source", "mysql", "--debug"});
  EXPECT_EQ(copy_schema.exit_code, 1);
  EXPECT_THAT(copy_schema.err, HasSubstr("keep_existing_schema"));
}

}  // namespace
}  // namespace chameleon
