// create_replica_schema, drop_replica_schema and upgrade_replica_schema against the real
// PostgreSQL of tools/testenv.sh.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "catalogue/catalogue.h"
#include "catalogue/migrations.h"
#include "support/replica_sandbox.h"

namespace chameleon {
namespace {

using test_support::ReplicaSandbox;
using ::testing::HasSubstr;

std::string Value(pg::Connection& connection, const std::string& sql) {
  return test_support::QueryText(connection, sql);
}

// A catalogue as `version` made it, with one t_sources row of `columns_and_values`.
void CreateOldCatalogue(const ReplicaSandbox& sandbox, int version,
                        const std::string& columns_and_values) {
  auto target = sandbox.Target();
  catalogue::Catalogue catalogue(target);
  ASSERT_TRUE(catalogue.CreateAtVersion(version).ok());
  Status inserted = target.Execute("INSERT INTO sch_chameleon.t_sources " + columns_and_values);
  ASSERT_TRUE(inserted.ok()) << inserted.message();
}

TEST(CreateReplicaSchema, CreatesTheCatalogueAtTheLatestVersionOnce) {
  ReplicaSandbox sandbox;
  auto first = sandbox.Run({"create_replica_schema"});
  EXPECT_EQ(first.exit_code, 0) << first.all();
  EXPECT_THAT(first.out, HasSubstr("created the replica catalogue sch_chameleon"));
  auto target = sandbox.Target();
  EXPECT_EQ(Value(target, "SELECT t_version FROM sch_chameleon.v_version"),
            std::to_string(catalogue::LatestVersion()));
  for (const char* table : {"t_sources", "t_last_received", "t_last_replayed", "t_replica_batch",
                            "t_replica_tables", "t_error_log", "t_discarded_rows"}) {
    EXPECT_EQ(
        Value(target, std::string("SELECT to_regclass('sch_chameleon.") + table + "') IS NOT NULL"),
        "t")
        << table;
  }
  EXPECT_EQ(Value(target,
                  "SELECT data_type FROM information_schema.columns WHERE table_schema = "
                  "'sch_chameleon' AND table_name = 't_replica_batch' AND column_name = "
                  "'i_binlog_position'"),
            "bigint");

  auto second = sandbox.Run({"create_replica_schema"});
  EXPECT_EQ(second.exit_code, 0) << second.all();
  EXPECT_THAT(second.out, HasSubstr("already exists"));
}

TEST(DropReplicaSchema, DropsTheCatalogueAndKeepsReplicatedSchemas) {
  ReplicaSandbox sandbox;
  ASSERT_EQ(sandbox.Run({"create_replica_schema"}).exit_code, 0);
  auto target = sandbox.Target();
  ASSERT_TRUE(target.Execute("CREATE SCHEMA replicated; CREATE TABLE replicated.t (id int)").ok());
  auto dropped = sandbox.Run({"drop_replica_schema"});
  EXPECT_EQ(dropped.exit_code, 0) << dropped.all();
  EXPECT_EQ(Value(target, "SELECT to_regnamespace('sch_chameleon') IS NULL"), "t");
  EXPECT_EQ(Value(target, "SELECT to_regclass('replicated.t') IS NOT NULL"), "t");
  auto again = sandbox.Run({"drop_replica_schema"});
  EXPECT_EQ(again.exit_code, 0) << again.all();
  EXPECT_THAT(again.out, HasSubstr("nothing to drop"));
}

TEST(UpgradeReplicaSchema, UpgradesEveryOlderCatalogueKeepingItsData) {
  const std::string latest = std::to_string(catalogue::LatestVersion());
  for (int version = 1; version < catalogue::LatestVersion(); ++version) {
    SCOPED_TRACE("from catalogue version " + std::to_string(version));
    ReplicaSandbox sandbox;
    CreateOldCatalogue(sandbox, version,
                       "(t_source, jsb_schema_mappings, enm_source_type, enm_status) "
                       "VALUES ('old', '{\"a\": \"b\"}', 'mysql', 'stopped')");
    {
      auto old = sandbox.Target();
      ASSERT_TRUE(old.Execute("INSERT INTO sch_chameleon.t_last_received (i_id_source, "
                              "ts_last_received) SELECT i_id_source, '2024-05-06 07:08:09' FROM "
                              "sch_chameleon.t_sources; INSERT INTO sch_chameleon.t_last_replayed "
                              "(i_id_source, ts_last_replayed) SELECT i_id_source, "
                              "'2024-05-06 07:08:00' FROM sch_chameleon.t_sources")
                      .ok());
    }
    // Commands but upgrade and enable_replica refuse an old catalogue, saying what to do.
    auto refused = sandbox.Run({"show_status"});
    EXPECT_EQ(refused.exit_code, 1);
    EXPECT_THAT(refused.err, HasSubstr("replica catalogue version mismatch: expected " + latest +
                                       ", found " + std::to_string(version)));
    EXPECT_THAT(refused.err, HasSubstr("upgrade_replica_schema"));

    auto upgraded = sandbox.Run({"upgrade_replica_schema"});
    EXPECT_EQ(upgraded.exit_code, 0) << upgraded.all();
    EXPECT_THAT(upgraded.out,
                HasSubstr("from version " + std::to_string(version) + " to " + latest));
    auto target = sandbox.Target();
    EXPECT_EQ(Value(target, "SELECT t_version FROM sch_chameleon.v_version"), latest);
    EXPECT_EQ(Value(target,
                    "SELECT jsb_schema_mappings->>'a' || ':' || enm_status FROM "
                    "sch_chameleon.t_sources WHERE t_source = 'old'"),
              "b:stopped");
    EXPECT_EQ(Value(target, "SELECT count(*) FROM sch_chameleon.t_catalogue_version"), latest);

    auto status = sandbox.Run({"show_status"});
    EXPECT_EQ(status.exit_code, 0) << status.all();
    EXPECT_THAT(status.out, HasSubstr("2024-05-06 07:08:09  N/A         2024-05-06 07:08:00"))
        << "last read and last replay kept; no lag before a daemon reports";
    auto current = sandbox.Run({"upgrade_replica_schema"});
    EXPECT_EQ(current.exit_code, 0);
    EXPECT_THAT(current.out, HasSubstr("already up to date"));
  }
}

TEST(UpgradeReplicaSchema, AnUpgradedCatalogueEqualsAFreshOne) {
  // Same tables, columns, types, defaults and constraints whichever way it was built.
  const std::string shape =
      "SELECT string_agg(table_name || '.' || column_name || ':' || data_type || ':' || "
      "is_nullable || ':' || coalesce(column_default, ''), ',' ORDER BY table_name, "
      "column_name) FROM information_schema.columns WHERE table_schema = 'sch_chameleon'";
  const std::string constraints =
      "SELECT string_agg(conname || ':' || pg_get_constraintdef(oid), ',' ORDER BY conname) "
      "FROM pg_constraint WHERE connamespace = 'sch_chameleon'::regnamespace";
  ReplicaSandbox fresh;
  ASSERT_EQ(fresh.Run({"create_replica_schema"}).exit_code, 0);
  auto fresh_target = fresh.Target();
  ReplicaSandbox upgraded;
  CreateOldCatalogue(upgraded, 1,
                     "(t_source, jsb_schema_mappings, enm_source_type) "
                     "VALUES ('x', '{}', 'mysql')");
  ASSERT_EQ(upgraded.Run({"upgrade_replica_schema"}).exit_code, 0);
  auto upgraded_target = upgraded.Target();
  EXPECT_EQ(Value(upgraded_target, shape), Value(fresh_target, shape));
  EXPECT_EQ(Value(upgraded_target, constraints), Value(fresh_target, constraints));
}

TEST(UpgradeReplicaSchema, IsRefusedWhileAReplicaRuns) {
  ReplicaSandbox sandbox;
  CreateOldCatalogue(sandbox, 1,
                     "(t_source, jsb_schema_mappings, enm_source_type, enm_status) "
                     "VALUES ('busy', '{}', 'mysql', 'running')");
  auto refused = sandbox.Run({"upgrade_replica_schema"});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_THAT(refused.err, HasSubstr("cannot upgrade the catalogue while replicas run: busy "
                                     "(running)"));
  auto target = sandbox.Target();
  EXPECT_EQ(Value(target, "SELECT t_version FROM sch_chameleon.v_version"), "1");
}

TEST(Catalogue, RefusesPgChameleonsOwnCatalogue) {
  ReplicaSandbox sandbox;
  auto target = sandbox.Target();
  ASSERT_TRUE(target
                  .Execute("CREATE SCHEMA sch_chameleon; CREATE VIEW sch_chameleon.v_version AS "
                           "SELECT '2.0.10'::text AS t_version")
                  .ok());
  for (const char* command : {"create_replica_schema", "upgrade_replica_schema", "show_status"}) {
    auto result = sandbox.Run({command});
    EXPECT_EQ(result.exit_code, 1) << command;
    EXPECT_THAT(result.err, HasSubstr("not created by chameleon (catalogue version 2.0.10)"))
        << command;
  }
  EXPECT_EQ(sandbox.Run({"drop_replica_schema"}).exit_code, 0);
  EXPECT_EQ(sandbox.Run({"create_replica_schema"}).exit_code, 0);
}

TEST(Catalogue, MissingCatalogueSaysToCreateIt) {
  ReplicaSandbox sandbox;
  auto result = sandbox.Run({"show_status"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_THAT(result.err, HasSubstr("create it with `chameleon create_replica_schema"));
}

}  // namespace
}  // namespace chameleon
