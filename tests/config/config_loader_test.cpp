// The configuration file: pg_chameleon's files load unchanged, defaults are pg_chameleon's,
// and every kind of bad input gets one line naming file, line and key.
#include "config/config_loader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>

#include "common/paths.h"
#include "support/scratch_dir.h"

namespace chameleon::config {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;

// A copy of tests/data/<name> in a private directory, loaded from there so that the result
// does not depend on where the repository is checked out (permissions, path).
std::filesystem::path Fixture(const std::string& name) {
  static test_support::ScratchDir dir;
  const char* root = std::getenv("CHAMELEON_SOURCE_DIR");  // NOLINT(concurrency-mt-unsafe)
  std::filesystem::path source =
      std::filesystem::path(root == nullptr ? "." : root) / "tests/data" / name;
  std::filesystem::path copy = dir.path() / source.filename();
  std::filesystem::copy_file(source, copy, std::filesystem::copy_options::overwrite_existing);
  return copy;
}

// A minimal valid file; tests append or replace lines.
constexpr const char* kMinimal = R"(pg_conn:
  host: "127.0.0.1"
  port: 5432
  user: usr_replica
  password: "s3cret-pg"
  database: db_replica
sources:
  mysql:
    type: mysql
    db_conn:
      host: "127.0.0.1"
      port: "3306"
      user: usr_replica
      password: "s3cret-my"
    schema_mappings:
      sakila: my_sakila
)";

Result<LoadedConfig> LoadText(const std::string& text) {
  static test_support::ScratchDir dir;
  return LoadConfigFile(dir.Write("test.yml", text), "test");
}

TEST(ConfigLoader, LoadsPgChameleonsExampleUnchanged) {
  auto loaded = LoadConfigFile(Fixture("pg_chameleon/config-example.yml"), "example");
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  const Config& config = loaded->config;
  EXPECT_EQ(config.pid_dir, HomeDirectory() / ".pg_chameleon/pid/");
  EXPECT_EQ(config.log_dest, LogDestination::kFile);
  EXPECT_EQ(config.log_level, LogLevel::kInfo);
  EXPECT_EQ(config.log_days_keep, 10);
  ASSERT_EQ(config.type_override.size(), 1U);
  EXPECT_EQ(config.type_override[0].mysql_column_type, "tinyint(1)");
  EXPECT_EQ(config.type_override[0].override_to, "boolean");
  EXPECT_EQ(config.type_override[0].override_tables, std::vector<std::string>{"*"});
  EXPECT_EQ(config.pg_conn.port, 5432);  // written as the string "5432"
  EXPECT_EQ(config.pg_conn.password.reveal(), "never_commit_password");
  ASSERT_EQ(config.fillfactor.size(), 2U);
  EXPECT_EQ(config.fillfactor[1].fillfactor, 40);
  EXPECT_EQ(config.fillfactor[1].tables, std::vector<std::string>{"foo.foobar"});

  const Source* mysql = config.FindSource("mysql");
  ASSERT_NE(mysql, nullptr);
  EXPECT_EQ(mysql->type, SourceType::kMysql);
  EXPECT_EQ(mysql->db_conn.port, 3306);
  EXPECT_EQ(mysql->schema_mappings, (std::vector<std::pair<std::string, std::string>>{
                                        {"delphis_mediterranea", "loxodonta_africana"}}));
  EXPECT_EQ(mysql->limit_tables, std::vector<std::string>{"delphis_mediterranea.foo"});
  EXPECT_EQ(mysql->copy_max_memory_bytes, 300ULL * 1024 * 1024);
  EXPECT_EQ(mysql->copy_mode, CopyMode::kFile);
  EXPECT_EQ(mysql->on_error_read, OnError::kContinue);
  EXPECT_EQ(mysql->skip_events.insert, std::vector<std::string>{"delphis_mediterranea.foo"});
  EXPECT_EQ(mysql->skip_events.delete_, std::vector<std::string>{"delphis_mediterranea"});
  EXPECT_TRUE(mysql->skip_events.update.empty());  // "update:" with nothing under it
  EXPECT_FALSE(mysql->keep_existing_schema);       // "No"
  EXPECT_EQ(mysql->net_read_timeout_seconds, 600);

  // pg_chameleon's example indents its pgsql source's keys under db_conn: we read them at
  // the source level and say so, instead of failing on a missing schema_mappings.
  const Source* pgsql = config.FindSource("pgsql");
  ASSERT_NE(pgsql, nullptr);
  EXPECT_EQ(pgsql->type, SourceType::kPgsql);
  EXPECT_EQ(pgsql->db_conn.database, "db_replica");
  EXPECT_EQ(pgsql->schema_mappings, (std::vector<std::pair<std::string, std::string>>{
                                        {"loxodonta_africana", "elephas_maximus"}}));
  EXPECT_EQ(pgsql->sleep_loop_seconds, 5);
  EXPECT_THAT(loaded->warnings,
              ::testing::Contains(HasSubstr("sources.pgsql.db_conn.schema_mappings: source key "
                                            "indented under db_conn")));
}

TEST(ConfigLoader, LoadsPgChameleonsTestFileWithDefaultsForMissingKeys) {
  auto loaded = LoadConfigFile(Fixture("pg_chameleon/test.yml"), "test");
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  EXPECT_TRUE(loaded->warnings.empty()) << loaded->warnings.front();
  const Source* mysql = loaded->config.FindSource("mysql");
  ASSERT_NE(mysql, nullptr);
  // test.yml has no on_error_replay (pg_chameleon crashes at replay without it).
  EXPECT_EQ(mysql->on_error_replay, OnError::kContinue);
  EXPECT_EQ(mysql->on_error_read, OnError::kExit);
  EXPECT_EQ(mysql->auto_maintenance, "disabled");
  EXPECT_TRUE(mysql->limit_tables.empty());  // "limit_tables:" (null)
}

TEST(ConfigLoader, AppliesDocumentedDefaults) {
  auto loaded = LoadText(kMinimal);
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  const Config& config = loaded->config;
  EXPECT_EQ(config.log_dir, HomeDirectory() / ".pg_chameleon/logs/");
  EXPECT_EQ(config.spool_dir, HomeDirectory() / ".pg_chameleon/spool/");
  const Source& source = config.sources.at(0);
  EXPECT_EQ(source.replica_batch_size, 10000);
  EXPECT_EQ(source.replay_max_rows, 10000);
  EXPECT_EQ(source.batch_retention, "1 day");
  EXPECT_EQ(source.lock_timeout, "120s");
  EXPECT_EQ(source.my_server_id, 100U);
  EXPECT_EQ(source.sleep_loop_seconds, 1);
  EXPECT_EQ(source.net_read_timeout_seconds, 600);
  EXPECT_EQ(source.spool_dir, HomeDirectory() / ".pg_chameleon/spool/mysql");
  EXPECT_GE(source.copy_workers, 1);
  EXPECT_EQ(source.db_conn.charset, "utf8");
}

// replay_max_rows keeps pg_chameleon's meaning, rows per replay transaction: our replay
// transaction is a spool batch, so it bounds the batch like replica_batch_size does.
TEST(ConfigLoader, ReplayMaxRowsBoundsTheRowsOfAReplayTransaction) {
  Source source;
  EXPECT_EQ(source.SpoolBatchEvents(), 10000U);
  source.replay_max_rows = 2500;
  EXPECT_EQ(source.SpoolBatchEvents(), 2500U);
  source.replica_batch_size = 300;
  EXPECT_EQ(source.SpoolBatchEvents(), 300U);
}

TEST(ConfigLoader, MetricsEndpointIsOffByDefaultAndLoopbackWhenOn) {
  auto off = LoadText(kMinimal);
  ASSERT_TRUE(off.ok()) << off.status().message();
  EXPECT_EQ(off->config.metrics_port, 0);
  EXPECT_EQ(off->config.metrics_address, "127.0.0.1");
  auto on = LoadText(std::string(kMinimal) + "metrics_port: 9187\nmetrics_address: \"::1\"\n");
  ASSERT_TRUE(on.ok()) << on.status().message();
  EXPECT_EQ(on->config.metrics_port, 9187);
  EXPECT_EQ(on->config.metrics_address, "::1");
  EXPECT_TRUE(on->warnings.empty());
}

TEST(ConfigLoader, ASourceMayHaveItsOwnMetricsPort) {
  std::string two_sources = std::string(kMinimal) +
                            "  other:\n    type: mysql\n    db_conn: {user: u}\n"
                            "    schema_mappings: {world: my_world}\n";
  auto shared = LoadText(two_sources + "metrics_port: 9187\n");
  ASSERT_TRUE(shared.ok()) << shared.status().message();
  EXPECT_THAT(shared->warnings,
              ::testing::ElementsAre(AllOf(HasSubstr("test.yml:21: metrics_port: sources mysql, "
                                                     "other all use metrics port 9187"),
                                           HasSubstr("set metrics_port under each source"))));
  auto apart = LoadText(two_sources + "    metrics_port: 9188\nmetrics_port: 9187\n");
  ASSERT_TRUE(apart.ok()) << apart.status().message();
  EXPECT_TRUE(apart->warnings.empty());
  const Config& config = apart->config;
  EXPECT_EQ(config.MetricsPortFor(*config.FindSource("mysql")), 9187);
  EXPECT_EQ(config.MetricsPortFor(*config.FindSource("other")), 9188);
}

TEST(ConfigLoader, BadMetricsKeysNameTheKeyAndWhatIsExpected) {
  auto port = LoadText(std::string(kMinimal) + "metrics_port: 70000\n");
  ASSERT_FALSE(port.ok());
  EXPECT_THAT(port.status().message(), HasSubstr("test.yml:17: metrics_port: expected an integer"));
  auto address = LoadText(std::string(kMinimal) + "metrics_address: localhost\n");
  ASSERT_FALSE(address.ok());
  EXPECT_THAT(address.status().message(),
              AllOf(HasSubstr("test.yml:17: metrics_address: expected an IPv4 or IPv6 address"),
                    HasSubstr("got 'localhost'")));
  auto typo = LoadText(std::string(kMinimal) + "metric_port: 9187\n");
  ASSERT_TRUE(typo.ok()) << typo.status().message();
  EXPECT_THAT(typo->warnings, ::testing::ElementsAre(HasSubstr("did you mean 'metrics_port'?")));
}

TEST(ConfigLoader, UnknownKeyIsAWarningNamingTheClosestKey) {
  auto loaded = LoadText(std::string(kMinimal) + "    replica_batch_sise: 5\nlog_levle: debug\n");
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  EXPECT_THAT(loaded->warnings,
              ::testing::ElementsAre(
                  AllOf(HasSubstr("test.yml:17: sources.mysql.replica_batch_sise: unknown key"),
                        HasSubstr("did you mean 'replica_batch_size'?")),
                  AllOf(HasSubstr("test.yml:18: log_levle: unknown key"),
                        HasSubstr("did you mean 'log_level'?"))));
  EXPECT_EQ(loaded->config.sources[0].replica_batch_size, 10000);
}

TEST(ConfigLoader, ADuplicatedKeyTakesTheLastValueWithAWarning) {
  auto loaded = LoadText(std::string(kMinimal) + "    sleep_loop: 3\n    sleep_loop: 7\n");
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  EXPECT_EQ(loaded->config.sources[0].sleep_loop_seconds, 7);
  EXPECT_THAT(loaded->warnings, ::testing::ElementsAre(HasSubstr(
                                    "test.yml:18: sources.mysql.sleep_loop: key written more "
                                    "than once; the last value (this line) is used")));
}

TEST(ConfigLoader, WrongTypeNamesFileLineKeyAndExpectation) {
  auto loaded = LoadText(std::string(kMinimal) + "    replica_batch_size: lots\n");
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.status().message(),
            loaded.status().message().substr(0, loaded.status().message().find('\n')));
  EXPECT_THAT(loaded.status().message(),
              AllOf(HasSubstr("test.yml:17: sources.mysql.replica_batch_size: expected an integer"),
                    HasSubstr("got 'lots'")));
}

TEST(ConfigLoader, WrongChoiceListsTheChoices) {
  auto loaded = LoadText(std::string(kMinimal) + "    on_error_replay: retry\nlog_dest: syslog\n");
  ASSERT_FALSE(loaded.ok());
  EXPECT_THAT(loaded.status().message(),
              AllOf(HasSubstr("sources.mysql.on_error_replay: expected one of exit, continue, "
                              "got 'retry'"),
                    HasSubstr("test.yml:18: log_dest: expected one of file, stdout")));
}

TEST(ConfigLoader, MissingRequiredKeyIsOneLine) {
  std::string text = kMinimal;
  text.erase(text.find("    schema_mappings:"));
  auto loaded = LoadText(text);
  ASSERT_FALSE(loaded.ok());
  EXPECT_THAT(loaded.status().message(),
              HasSubstr("sources.mysql.schema_mappings: missing required key"));
  EXPECT_EQ(loaded.status().message().find('\n'), std::string::npos);
}

TEST(ConfigLoader, MissingPgConnection) {
  auto loaded = LoadText("log_level: info\n");
  ASSERT_FALSE(loaded.ok());
  EXPECT_THAT(loaded.status().message(), HasSubstr("pg_conn: missing required key"));
}

TEST(ConfigLoader, ByteSizesFollowPgChameleon) {
  EXPECT_EQ(*ParseByteSize("300M"), 300ULL << 20);
  EXPECT_EQ(*ParseByteSize("64k"), 64ULL << 10);
  EXPECT_EQ(*ParseByteSize("2G"), 2ULL << 30);
  EXPECT_EQ(*ParseByteSize("1000"), 1000ULL);
  EXPECT_FALSE(ParseByteSize("300X").ok());
  EXPECT_FALSE(ParseByteSize("M").ok());
  EXPECT_FALSE(ParseByteSize("99999999999999999999G").ok());
  auto loaded = LoadText(std::string(kMinimal) + "    copy_max_memory: 300T\n");
  ASSERT_FALSE(loaded.ok());
  EXPECT_THAT(loaded.status().message(),
              HasSubstr("sources.mysql.copy_max_memory: expected a size in bytes"));
}

TEST(ConfigLoader, YamlSyntaxErrorNamesTheLine) {
  auto loaded = LoadText("pg_conn:\n  host: [unclosed\n");
  ASSERT_FALSE(loaded.ok());
  EXPECT_THAT(loaded.status().message(), HasSubstr("YAML syntax error"));
  EXPECT_THAT(loaded.status().message(), HasSubstr("test.yml:"));
}

TEST(ConfigLoader, MissingFileSaysHowToCreateOne) {
  auto loaded = LoadConfigFile("/nonexistent/chameleon.yml", "x");
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.status().code(), StatusCode::kNotFound);
  EXPECT_THAT(loaded.status().message(), HasSubstr("set_configuration_files"));
}

TEST(ConfigLoader, TwoOriginsIntoOneDestinationIsRefused) {
  auto loaded = LoadText(std::string(kMinimal) + "      other: my_sakila\n");
  ASSERT_FALSE(loaded.ok());
  EXPECT_THAT(loaded.status().message(), HasSubstr("both map to destination schema 'my_sakila'"));
}

TEST(ConfigLoader, ErrorsNeverContainPasswords) {
  auto loaded = LoadText(std::string(kMinimal) + "    my_server_id: -1\n");
  ASSERT_FALSE(loaded.ok());
  EXPECT_THAT(loaded.status().message(),
              AllOf(Not(HasSubstr("s3cret")), HasSubstr("my_server_id")));
}

TEST(ConfigLoader, WarnsWhenAnyLocalUserCanReadThePasswords) {
  test_support::ScratchDir dir;
  std::filesystem::path file = dir.Write("open/test.yml", kMinimal);
  using std::filesystem::perms;
  std::filesystem::permissions(file, perms::owner_read | perms::owner_write | perms::others_read);
  std::filesystem::permissions(dir.path(), perms::owner_all | perms::others_exec);
  std::filesystem::permissions(file.parent_path(), perms::owner_all | perms::others_exec);
  auto loaded = LoadConfigFile(file, "test");
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  EXPECT_THAT(loaded->warnings,
              ::testing::ElementsAre(HasSubstr("any local user can read it and it holds passwords; "
                                               "run chmod 600")));
  std::filesystem::permissions(file, perms::owner_read | perms::owner_write);
  auto private_file = LoadConfigFile(file, "test");
  ASSERT_TRUE(private_file.ok());
  EXPECT_TRUE(private_file->warnings.empty());
}

TEST(ResolveConfigPath, NameOrPath) {
  EXPECT_EQ(ResolveConfigPath("default"),
            HomeDirectory() / ".pg_chameleon/configuration/default.yml");
  EXPECT_EQ(ResolveConfigPath("./x.yml"), std::filesystem::path("./x.yml"));
  EXPECT_EQ(ResolveConfigPath("/etc/chameleon/prod.yaml"),
            std::filesystem::path("/etc/chameleon/prod.yaml"));
}

// A path given to --config names the log files by its file name: an absolute path as the name
// put the logs next to the configuration file instead of in log_dir.
TEST(ConfigName, NameOrPathStem) {
  EXPECT_EQ(ConfigName("default"), "default");
  EXPECT_EQ(ConfigName("./x.yml"), "x");
  EXPECT_EQ(ConfigName("/etc/chameleon/prod.yaml"), "prod");
  EXPECT_EQ(ConfigName("conf/bench"), "bench");
}

TEST(LoadConfig, APathIsNamedByItsFileName) {
  test_support::ScratchDir dir;
  std::filesystem::path file = dir.Write("configs/bench.yml", kMinimal);
  std::filesystem::permissions(
      file, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  auto loaded = LoadConfig(file.string());
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  EXPECT_EQ(loaded->config.name, "bench");
}

}  // namespace
}  // namespace chameleon::config
