// ReplicaSandbox; see replica_sandbox.h.
#include "support/replica_sandbox.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <iostream>
#include <sstream>

#include "support/test_servers.h"

namespace chameleon::test_support {
namespace {

std::string UniqueSuffix() {
  static std::atomic<int> counter{0};
  auto now = std::chrono::steady_clock::now().time_since_epoch().count();
  return fmt::format("{}_{}_{}", getpid(), counter++, now % 100000);
}

void Check(const Status& status, const char* what) {
  if (!status.ok()) {
    std::cerr << what << ": " << status.message() << "\n";
    std::abort();
  }
}

}  // namespace

ReplicaSandbox::ReplicaSandbox() {
  std::string suffix = UniqueSuffix();
  pg_database_ = "chameleon_t_" + suffix;
  mysql_schema_ = "chameleon_s_" + suffix;
  const auto& servers = TestServers::Get();
  auto admin = PgAdmin("postgres");
  Check(admin.Execute(fmt::format("CREATE DATABASE {} OWNER {}", pg::QuoteIdentifier(pg_database_),
                                  pg::QuoteIdentifier(servers.pg.user))),
        "create the sandbox database");
  auto mysql = MysqlAdmin();
  Check(mysql.Execute("CREATE DATABASE " + mysql::QuoteIdentifier(mysql_schema_)),
        "create the sandbox schema");
  WriteConfig(ConfigYaml());
}

ReplicaSandbox::~ReplicaSandbox() {
  // Cleanup failures are reported but do not fail the test that already ran.
  auto admin = PgAdmin("postgres");
  Status dropped = admin.Execute(
      fmt::format("DROP DATABASE IF EXISTS {} WITH (FORCE)", pg::QuoteIdentifier(pg_database_)));
  if (!dropped.ok()) std::cerr << "sandbox cleanup: " << dropped.message() << "\n";
  auto mysql = MysqlAdmin();
  Status schema_dropped =
      mysql.Execute("DROP DATABASE IF EXISTS " + mysql::QuoteIdentifier(mysql_schema_));
  if (!schema_dropped.ok()) std::cerr << "sandbox cleanup: " << schema_dropped.message() << "\n";
}

std::string ReplicaSandbox::ConfigYaml(const std::string& source_extra) const {
  const auto& servers = TestServers::Get();
  std::string extra;
  std::istringstream lines(source_extra);
  for (std::string line; std::getline(lines, line);)
    extra += "    " + line + "\n";
  return fmt::format(
      R"(---
pid_dir: '~/.pg_chameleon/pid/'
log_dir: '~/.pg_chameleon/logs/'
log_dest: file
log_level: debug
log_days_keep: 3
rollbar_key: ''
rollbar_env: ''
pg_conn:
  host: "{pg_host}"
  port: "{pg_port}"
  user: "{pg_user}"
  password: "{pg_password}"
  database: "{pg_database}"
  charset: "utf8"
sources:
  mysql:
    db_conn:
      host: "{my_host}"
      port: "{my_port}"
      user: "{my_user}"
      password: "{my_password}"
      charset: 'utf8'
      connect_timeout: 5
    schema_mappings:
      {my_schema}: {destination}
    limit_tables:
    skip_tables:
    grant_select_to:
    lock_timeout: "120s"
    my_server_id: 100
    replica_batch_size: 10000
    replay_max_rows: 10000
    batch_retention: '1 day'
    copy_max_memory: "300M"
    copy_mode: 'file'
    out_dir: /tmp
    sleep_loop: 1
    on_error_replay: continue
    on_error_read: continue
    auto_maintenance: "disabled"
    gtid_enable: false
    type: mysql
{extra}
  pgsql:
    db_conn:
      host: "{pg_host}"
      port: "{pg_port}"
      user: "{pg_user}"
      password: "{pg_password}"
      database: "{pg_database}"
      charset: 'utf8'
      connect_timeout: 5
    schema_mappings:
      public: {pg_copy}
    type: pgsql
)",
      fmt::arg("pg_host", servers.pg.host), fmt::arg("pg_port", servers.pg.port),
      fmt::arg("pg_user", servers.pg.user), fmt::arg("pg_password", servers.pg.password),
      fmt::arg("pg_database", pg_database_), fmt::arg("my_host", servers.mysql.host),
      fmt::arg("my_port", servers.mysql.port), fmt::arg("my_user", servers.mysql.user),
      fmt::arg("my_password", servers.mysql.password), fmt::arg("my_schema", mysql_schema_),
      fmt::arg("destination", destination_schema()), fmt::arg("pg_copy", mysql_schema_ + "_copy"),
      fmt::arg("extra", extra));
}

void ReplicaSandbox::WriteConfig(const std::string& yaml, const std::string& name) const {
  home_.Write(".pg_chameleon/configuration/" + name + ".yml", yaml);
}

CliResult ReplicaSandbox::Run(const std::vector<std::string>& args,
                              const std::string& input) const {
  return RunChameleon(home(), args, input);
}

pg::Connection ReplicaSandbox::Target() const {
  return PgReplicaUser(pg_database_);
}

std::string ReplicaSandbox::Logs() const {
  std::string all;
  std::filesystem::path logs = home() / ".pg_chameleon/logs";
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(logs, error)) {
    std::ifstream stream(entry.path(), std::ios::binary);
    std::ostringstream contents;
    contents << stream.rdbuf();
    all += "== " + entry.path().filename().string() + "\n" + contents.str();
  }
  return all;
}

std::string QueryText(pg::Connection& connection, const std::string& sql) {
  auto value = connection.QueryValue(sql);
  EXPECT_TRUE(value.ok()) << value.status().message();
  return value.ok() ? value->value_or("<null>") : "<error>";
}

}  // namespace chameleon::test_support
