// Bad input from the command line, the configuration or the network: one clear line, a
// non-zero exit status, nothing changed, and never a password.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>

#include "support/replica_sandbox.h"
#include "support/test_servers.h"

namespace chameleon {
namespace {

using test_support::ReplicaSandbox;
using ::testing::HasSubstr;
using ::testing::Not;

size_t Lines(const std::string& text) {
  return static_cast<size_t>(std::count(text.begin(), text.end(), '\n'));
}

std::string Replace(std::string text, const std::string& from, const std::string& to) {
  size_t at = text.find(from);
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

// Replace() within the mysql source only (pg_conn may hold the same values).
std::string ReplaceInMysqlSource(const std::string& yaml, const std::string& from,
                                 const std::string& to) {
  size_t source = yaml.find("  mysql:");
  return yaml.substr(0, source) + Replace(yaml.substr(source), from, to);
}

TEST(CliErrors, UnknownCommandSuggestsTheClosest) {
  ReplicaSandbox sandbox;
  auto result = sandbox.Run({"show_statuss"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.err, HasSubstr("unknown command (did you mean 'show_status'?)"));
  EXPECT_EQ(Lines(result.err), 1U);
}

TEST(CliErrors, UnknownOptionIsAUsageError) {
  ReplicaSandbox sandbox;
  auto result = sandbox.Run({"show_status", "--sauce", "x"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.err, HasSubstr("--sauce"));
}

TEST(CliErrors, VersionAndHelp) {
  ReplicaSandbox sandbox;
  auto version = sandbox.Run({"--version"});
  EXPECT_EQ(version.exit_code, 0);
  EXPECT_THAT(version.out, HasSubstr("chameleon 0."));
  auto help = sandbox.Run({"--help"});
  EXPECT_EQ(help.exit_code, 0);
  for (const char* command : {"create_replica_schema",
                              "drop_replica_schema",
                              "upgrade_replica_schema",
                              "add_source",
                              "drop_source",
                              "init_replica",
                              "refresh_schema",
                              "sync_tables",
                              "copy_schema",
                              "start_replica",
                              "stop_replica",
                              "stop_all_replicas",
                              "detach_replica",
                              "enable_replica",
                              "show_status",
                              "show_errors",
                              "show_config",
                              "show_sources",
                              "set_configuration_files",
                              "run_maintenance",
                              "update_schema_mappings"}) {
    EXPECT_THAT(help.out, HasSubstr(command));
  }
  for (const char* option : {"--config", "--source", "--schema", "--tables", "--logid", "--debug",
                             "--rollbar-level", "--full", "--version"}) {
    EXPECT_THAT(help.out, HasSubstr(option));
  }
}

TEST(CliErrors, BadConfigurationNamesFileLineAndKey) {
  ReplicaSandbox sandbox;
  sandbox.WriteConfig(sandbox.ConfigYaml("sleep_loop: often"));
  auto result = sandbox.Run({"show_status"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_THAT(result.err, HasSubstr("default.yml:"));
  EXPECT_THAT(result.err, HasSubstr("sources.mysql.sleep_loop: expected an integer"));
  EXPECT_EQ(Lines(result.err), 1U);
}

TEST(CliErrors, UnknownKeyWarnsAndTheCommandStillRuns) {
  ReplicaSandbox sandbox;
  sandbox.WriteConfig(sandbox.ConfigYaml("replay_max_row: 5"));
  auto result = sandbox.Run({"show_sources"});
  EXPECT_EQ(result.exit_code, 0) << result.all();
  EXPECT_THAT(result.err, HasSubstr("sources.mysql.replay_max_row: unknown key, ignored (did you "
                                    "mean 'replay_max_rows'?)"));
}

TEST(CliErrors, ConfigByPath) {
  ReplicaSandbox sandbox;
  std::filesystem::path file = sandbox.home() / "elsewhere.yml";
  sandbox.WriteConfig(sandbox.ConfigYaml(), "../../elsewhere");
  auto result = sandbox.Run({"show_sources", "--config", file.string()});
  EXPECT_EQ(result.exit_code, 0) << result.all();
  auto missing = sandbox.Run({"show_sources", "--config", "nothere"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_THAT(missing.err, HasSubstr("configuration/nothere.yml is missing"));
}

TEST(CliErrors, UnreachablePostgresIsOneLine) {
  ReplicaSandbox sandbox;
  const auto& pg = test_support::TestServers::Get().pg;
  sandbox.WriteConfig(
      Replace(sandbox.ConfigYaml(), "port: \"" + std::to_string(pg.port) + "\"", "port: \"1\""));
  auto result = sandbox.Run({"create_replica_schema"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_THAT(result.err, HasSubstr("cannot connect to PostgreSQL"));
  EXPECT_THAT(result.err, HasSubstr("check pg_conn.host and pg_conn.port"));
  EXPECT_EQ(Lines(result.err), 1U);
}

TEST(CliErrors, WrongPostgresPasswordIsNamedButNeverShown) {
  ReplicaSandbox sandbox;
  const std::string wrong = "Wr0ng-pg-Passw0rd";
  sandbox.WriteConfig(Replace(sandbox.ConfigYaml(),
                              "password: \"" + test_support::TestServers::Get().pg.password + "\"",
                              "password: \"" + wrong + "\""));
  auto result = sandbox.Run({"create_replica_schema"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_THAT(result.err, HasSubstr("password authentication failed"));
  EXPECT_THAT(result.err, HasSubstr("check pg_conn.user and pg_conn.password"));
  EXPECT_THAT(result.all() + sandbox.Logs(), Not(HasSubstr(wrong)));
  auto config = sandbox.Run({"show_config"});
  EXPECT_THAT(config.all(), Not(HasSubstr(wrong)));
}

TEST(CliErrors, WrongMysqlPasswordIsNamedButNeverShown) {
  ReplicaSandbox sandbox;
  ASSERT_EQ(sandbox.Run({"create_replica_schema"}).exit_code, 0);
  const std::string wrong = "Wr0ng-my-Passw0rd";
  const auto& mysql = test_support::TestServers::Get().mysql;
  sandbox.WriteConfig(ReplaceInMysqlSource(
      sandbox.ConfigYaml(), "password: \"" + mysql.password + "\"", "password: \"" + wrong + "\""));
  auto result = sandbox.Run({"add_source", "--source", "mysql", "--debug"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_THAT(result.err, HasSubstr("Access denied"));
  EXPECT_THAT(result.err, HasSubstr("check db_conn.user and db_conn.password"));
  EXPECT_THAT(result.all() + sandbox.Logs(), Not(HasSubstr(wrong)));
  auto target = sandbox.Target();
  EXPECT_EQ(target.QueryValue("SELECT count(*) FROM sch_chameleon.t_sources")->value_or(""), "0");
}

TEST(CliErrors, UnreachableMysqlIsOneLine) {
  ReplicaSandbox sandbox;
  ASSERT_EQ(sandbox.Run({"create_replica_schema"}).exit_code, 0);
  const auto& mysql = test_support::TestServers::Get().mysql;
  sandbox.WriteConfig(ReplaceInMysqlSource(
      sandbox.ConfigYaml(), "port: \"" + std::to_string(mysql.port) + "\"", "port: \"1\""));
  auto result = sandbox.Run({"add_source", "--source", "mysql"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_THAT(result.err, HasSubstr("cannot connect to MySQL"));
  EXPECT_EQ(Lines(result.err), 1U);
}

TEST(CliErrors, SetConfigurationFilesWritesALoadableExample) {
  ReplicaSandbox sandbox;
  auto result = sandbox.Run({"set_configuration_files"});
  ASSERT_EQ(result.exit_code, 0) << result.all();
  EXPECT_THAT(result.out, HasSubstr("config-example.yml"));
  auto shown = sandbox.Run({"show_config", "--config", "config-example"});
  EXPECT_EQ(shown.exit_code, 0) << shown.all();
  EXPECT_EQ(shown.err, "") << "our own example must load without warnings";
  EXPECT_THAT(shown.out, HasSubstr("delphis_mediterranea: loxodonta_africana"));
}

}  // namespace
}  // namespace chameleon
