// update_schema_mappings against the real MariaDB and PostgreSQL: a renamed destination
// keeps its data and replicates on under the new name, a removed mapping leaves its schema
// in place, an added one is copied by refresh_schema; refusals change nothing.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "daemon/daemon.h"
#include "integration/init_fixture.h"
#include "mysql/connection.h"
#include "support/wait_for.h"

namespace chameleon {
namespace {

using test_support::WaitFor;
using ::testing::HasSubstr;
using ::testing::Not;

class UpdateSchemaMappings : public test_support::InitFixture {
 protected:
  void TearDown() override {
    if (second_created_) {
      auto admin = test_support::MysqlAdmin();
      Status dropped = admin.Execute("DROP DATABASE IF EXISTS " + mysql::QuoteIdentifier(Second()));
      if (!dropped.ok()) std::cerr << "cleanup: " << dropped.message() << "\n";
    }
  }

  // A second MariaDB schema, dropped by TearDown.
  std::string Second() const { return sandbox_.mysql_schema() + "_2"; }
  void CreateSecond(const std::string& table_sql) {
    auto admin = test_support::MysqlAdmin();
    ASSERT_TRUE(admin.Execute("CREATE DATABASE " + mysql::QuoteIdentifier(Second())).ok());
    second_created_ = true;
    ASSERT_TRUE(admin.Execute("USE " + mysql::QuoteIdentifier(Second())).ok());
    ASSERT_TRUE(admin.Execute(table_sql).ok());
  }

  // The mysql source's schema_mappings replaced by `lines` ("origin: destination" each).
  void WriteMappings(const std::vector<std::string>& lines) {
    std::string yaml = sandbox_.ConfigYaml();
    std::string from =
        "      " + sandbox_.mysql_schema() + ": " + sandbox_.destination_schema() + "\n";
    std::string to;
    for (const auto& line : lines)
      to += "      " + line + "\n";
    yaml.replace(yaml.find(from), from.size(), to);
    sandbox_.WriteConfig(yaml);
  }

  test_support::CliResult Update() {
    return sandbox_.Run({"update_schema_mappings", "--source", "mysql"});
  }

  std::string StoredMappings() {
    return Pg(
        "SELECT jsb_schema_mappings::text FROM sch_chameleon.t_sources "
        "WHERE t_source = 'mysql'");
  }
  std::string CatalogueSchemas() {
    return Pg(
        "SELECT coalesce(string_agg(DISTINCT v_schema_name COLLATE \"C\", ' '), '') FROM "
        "sch_chameleon.t_replica_tables");
  }
  std::string SchemaExists(const std::string& schema) {
    return Pg("SELECT count(*) FROM pg_namespace WHERE nspname = '" + schema + "'");
  }

  bool second_created_ = false;
};

TEST_F(UpdateSchemaMappings, RenamedDestinationKeepsItsDataAndReplicatesUnderTheNewName) {
  Mysql("CREATE TABLE t (id int PRIMARY KEY, v varchar(10))");
  Mysql("INSERT INTO t VALUES (1, 'a')");
  ASSERT_EQ(Init().exit_code, 0);
  auto started = sandbox_.Run({"start_replica", "--source", "mysql"});
  ASSERT_EQ(started.exit_code, 0) << started.all();
  Mysql("INSERT INTO t VALUES (2, 'b')");
  ASSERT_TRUE(WaitFor([&] { return Pg("SELECT count(*) FROM " + Dest() + ".t") == "2"; }));

  std::string renamed = sandbox_.destination_schema() + "_new";
  WriteMappings({sandbox_.mysql_schema() + ": " + renamed});
  auto running = Update();
  EXPECT_EQ(running.exit_code, 1);
  EXPECT_THAT(running.err, HasSubstr("stop it with `chameleon stop_replica"));
  auto stopped = sandbox_.Run({"stop_replica", "--source", "mysql"});
  ASSERT_EQ(stopped.exit_code, 0) << stopped.all();
  Mysql("INSERT INTO t VALUES (3, 'c')");  // read after the restart, into the new schema

  auto updated = Update();
  ASSERT_EQ(updated.exit_code, 0) << updated.all();
  EXPECT_THAT(updated.out, HasSubstr("renamed: " + sandbox_.destination_schema() + " -> " +
                                     renamed + " (origin " + sandbox_.mysql_schema() + ")"));
  EXPECT_THAT(updated.out, HasSubstr("1 replicated table(s) moved"));
  EXPECT_THAT(updated.out, HasSubstr("replicates with these mappings from its next start"));
  EXPECT_EQ(SchemaExists(sandbox_.destination_schema()), "0");
  EXPECT_EQ(Pg("SELECT string_agg(id || v, ' ' ORDER BY id) FROM \"" + renamed + "\".t"), "1a 2b");
  EXPECT_EQ(CatalogueSchemas(), renamed);
  EXPECT_EQ(StoredMappings(), "{\"" + sandbox_.mysql_schema() + "\": \"" + renamed + "\"}");
  auto status = sandbox_.Run({"show_status", "--source", "mysql", "--json"});
  ASSERT_EQ(status.exit_code, 0) << status.all();
  auto detail = nlohmann::json::parse(status.out)["sources"][0]["detail"];
  EXPECT_EQ(detail["schema_mappings"], nlohmann::json({{sandbox_.mysql_schema(), renamed}}));
  EXPECT_EQ(detail["tables_replicated"], 1);

  // The replica goes on into the renamed schema: the row written while stopped and a new one.
  started = sandbox_.Run({"start_replica", "--source", "mysql"});
  ASSERT_EQ(started.exit_code, 0) << started.all();
  Mysql("INSERT INTO t VALUES (4, 'd')");
  std::string rows = "SELECT string_agg(id || v, ' ' ORDER BY id) FROM \"" + renamed + "\".t";
  EXPECT_TRUE(WaitFor([&] { return Pg(rows) == "1a 2b 3c 4d"; })) << Pg(rows);
  EXPECT_EQ(sandbox_.Run({"stop_replica", "--source", "mysql"}).exit_code, 0);

  auto again = Update();
  EXPECT_EQ(again.exit_code, 0) << again.all();
  EXPECT_THAT(again.out, HasSubstr("nothing to change"));
}

TEST_F(UpdateSchemaMappings, AddedMappingIsCopiedByRefreshSchemaRemovedOneLeavesItsSchema) {
  Mysql("CREATE TABLE t (id int PRIMARY KEY)");
  Mysql("INSERT INTO t VALUES (1)");
  ASSERT_EQ(Init().exit_code, 0);
  CreateSecond("CREATE TABLE u (id int PRIMARY KEY, v text)");
  auto admin = test_support::MysqlAdmin();
  ASSERT_TRUE(
      admin.Execute("INSERT INTO " + mysql::QuoteIdentifier(Second()) + ".u VALUES (7, 'seven')")
          .ok());
  std::string second_destination = Second() + "_pg";
  WriteMappings({sandbox_.mysql_schema() + ": " + sandbox_.destination_schema(),
                 Second() + ": " + second_destination});

  auto added = Update();
  ASSERT_EQ(added.exit_code, 0) << added.all();
  EXPECT_THAT(added.out, HasSubstr("added: " + Second() + " -> " + second_destination +
                                   ": no data copied yet; `chameleon refresh_schema --config "
                                   "default --source mysql --schema " +
                                   Second() + "`"));
  EXPECT_EQ(SchemaExists(second_destination), "0");
  EXPECT_EQ(CatalogueSchemas(), sandbox_.destination_schema());
  EXPECT_THAT(StoredMappings(), HasSubstr("\"" + Second() + "\": \"" + second_destination + "\""));

  auto refreshed =
      sandbox_.Run({"refresh_schema", "--source", "mysql", "--debug", "--schema", Second()});
  ASSERT_EQ(refreshed.exit_code, 0) << refreshed.all();
  EXPECT_EQ(Pg("SELECT v FROM \"" + second_destination + "\".u WHERE id = 7"), "seven");
  EXPECT_EQ(CatalogueSchemas(), second_destination + " " + sandbox_.destination_schema());

  // The first origin removed: its tables leave the catalogue, its schema and data stay.
  WriteMappings({Second() + ": " + second_destination});
  auto removed = Update();
  ASSERT_EQ(removed.exit_code, 0) << removed.all();
  EXPECT_THAT(removed.out, HasSubstr("removed: " + sandbox_.mysql_schema() + " (schema " +
                                     sandbox_.destination_schema() + ")"));
  EXPECT_THAT(removed.out, HasSubstr("left in place"));
  EXPECT_THAT(removed.out, HasSubstr("1 table(s) removed from the replica catalogue"));
  EXPECT_EQ(Pg("SELECT count(*) FROM " + Dest() + ".t"), "1");
  EXPECT_EQ(CatalogueSchemas(), second_destination);
  EXPECT_EQ(StoredMappings(), "{\"" + Second() + "\": \"" + second_destination + "\"}");
}

TEST_F(UpdateSchemaMappings, BeforeInitReplicaOnlyTheCatalogueChanges) {
  Mysql("CREATE TABLE t (id int PRIMARY KEY)");
  Mysql("INSERT INTO t VALUES (5)");
  std::string renamed = sandbox_.destination_schema() + "_new";
  WriteMappings({sandbox_.mysql_schema() + ": " + renamed});
  auto updated = Update();
  ASSERT_EQ(updated.exit_code, 0) << updated.all();
  EXPECT_THAT(updated.out, HasSubstr("schema " + sandbox_.destination_schema() +
                                     " does not exist in PostgreSQL, only the catalogue changed"));
  EXPECT_THAT(updated.out, Not(HasSubstr("start_replica")));
  EXPECT_EQ(StoredMappings(), "{\"" + sandbox_.mysql_schema() + "\": \"" + renamed + "\"}");
  auto init = Init();
  ASSERT_EQ(init.exit_code, 0) << init.all();
  EXPECT_EQ(CatalogueSchemas(), renamed);
  EXPECT_EQ(Pg("SELECT id FROM \"" + renamed + "\".t"), "5");
}

TEST_F(UpdateSchemaMappings, RefusalsChangeNothing) {
  Mysql("CREATE TABLE t (id int PRIMARY KEY)");
  ASSERT_EQ(Init().exit_code, 0);
  std::string before = StoredMappings();
  auto unchanged = [&]() {
    EXPECT_EQ(StoredMappings(), before);
    EXPECT_EQ(SchemaExists(sandbox_.destination_schema()), "1");
    EXPECT_EQ(CatalogueSchemas(), sandbox_.destination_schema());
  };

  auto same = Update();
  EXPECT_EQ(same.exit_code, 0) << same.all();
  EXPECT_THAT(same.out, HasSubstr("nothing to change"));

  std::string renamed = sandbox_.destination_schema() + "_new";
  WriteMappings({sandbox_.mysql_schema() + ": " + renamed});
  {
    // A live process holding the source's pid file is a running replica.
    auto held = daemon::PidFile::Acquire(sandbox_.home() / ".pg_chameleon/pid/mysql.pid");
    ASSERT_TRUE(held.ok()) << held.status().message();
    auto running = Update();
    EXPECT_EQ(running.exit_code, 1);
    EXPECT_THAT(running.err, HasSubstr("stop it with `chameleon stop_replica --config default "
                                       "--source mysql` first"));
    unchanged();
  }

  // The new name is taken in PostgreSQL.
  PgExecute("CREATE SCHEMA \"" + renamed + "\"");
  auto taken = Update();
  EXPECT_EQ(taken.exit_code, 1);
  EXPECT_THAT(taken.err, HasSubstr("schema '" + renamed + "' already exists in PostgreSQL"));
  unchanged();
  PgExecute("DROP SCHEMA \"" + renamed + "\"");

  // Two origins into one destination.
  WriteMappings({sandbox_.mysql_schema() + ": " + renamed, Second() + ": " + renamed});
  auto duplicate = Update();
  EXPECT_NE(duplicate.exit_code, 0);
  EXPECT_THAT(duplicate.err, HasSubstr("both map to destination schema '" + renamed + "'"));
  unchanged();

  // A destination of another source.
  std::string owned = sandbox_.mysql_schema() + "_copy";
  WriteMappings({sandbox_.mysql_schema() + ": " + owned});
  auto pgsql = sandbox_.Run({"add_source", "--source", "pgsql"});
  ASSERT_EQ(pgsql.exit_code, 0) << pgsql.all();
  auto other = Update();
  EXPECT_EQ(other.exit_code, 1);
  EXPECT_THAT(other.err,
              HasSubstr("destination schema '" + owned + "' (mapped from '" +
                        sandbox_.mysql_schema() + "') already belongs to source 'pgsql'"));
  EXPECT_THAT(other.err, Not(HasSubstr("renamed")));
  unchanged();
}

}  // namespace
}  // namespace chameleon
