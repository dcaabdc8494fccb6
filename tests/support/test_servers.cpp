// TestServers; see test_servers.h.
#include "support/test_servers.h"

#include <cstdlib>
#include <iostream>

namespace chameleon::test_support {
namespace {

std::string Require(const char* name) {
  const char* value = std::getenv(name);  // NOLINT(concurrency-mt-unsafe)
  if (value == nullptr || *value == '\0') {
    std::cerr << "integration tests need " << name
              << ": run them through tools/test.sh, or after "
                 "`tools/testenv.sh start && eval \"$(tools/testenv.sh env)\"`\n";
    std::abort();
  }
  return value;
}

TestServers Load() {
  TestServers servers;
  servers.mysql.host = Require("CHAMELEON_MYSQL_HOST");
  servers.mysql.port = std::atoi(Require("CHAMELEON_MYSQL_PORT").c_str());
  servers.mysql.user = Require("CHAMELEON_MYSQL_USER");
  servers.mysql.password = Require("CHAMELEON_MYSQL_PASSWORD");
  servers.mysql.admin_user = Require("CHAMELEON_MYSQL_ADMIN_USER");
  servers.mysql.admin_password = Require("CHAMELEON_MYSQL_ADMIN_PASSWORD");
  servers.pg.host = Require("CHAMELEON_PG_HOST");
  servers.pg.port = std::atoi(Require("CHAMELEON_PG_PORT").c_str());
  servers.pg.user = Require("CHAMELEON_PG_USER");
  servers.pg.password = Require("CHAMELEON_PG_PASSWORD");
  servers.pg.admin_user = Require("CHAMELEON_PG_ADMIN_USER");
  servers.pg.admin_password = Require("CHAMELEON_PG_ADMIN_PASSWORD");
  servers.pg.database = Require("CHAMELEON_PG_DATABASE");
  return servers;
}

template <typename T>
T OrDie(Result<T> result, const char* what) {
  if (!result.ok()) {
    std::cerr << what << ": " << result.status().message() << "\n";
    std::abort();
  }
  return std::move(result).value();
}

pg::Connection ConnectPg(const std::string& user, const std::string& password,
                         const std::string& database) {
  const auto& settings = TestServers::Get().pg;
  pg::ConnectOptions options;
  options.host = settings.host;
  options.port = settings.port;
  options.user = user;
  options.password = Secret(password);
  options.database = database;
  options.application_name = "chameleon tests";
  return OrDie(pg::Connection::Open(options), "test PostgreSQL connection");
}

}  // namespace

const TestServers& TestServers::Get() {
  static const TestServers servers = Load();
  return servers;
}

mysql::ConnectOptions MysqlReplicaOptions() {
  const auto& settings = TestServers::Get().mysql;
  mysql::ConnectOptions options;
  options.host = settings.host;
  options.port = settings.port;
  options.user = settings.user;
  options.password = Secret(settings.password);
  return options;
}

mysql::Connection MysqlAdmin() {
  mysql::ConnectOptions options = MysqlReplicaOptions();
  const auto& settings = TestServers::Get().mysql;
  options.user = settings.admin_user;
  options.password = Secret(settings.admin_password);
  return OrDie(mysql::Connection::Open(options), "test MariaDB admin connection");
}

pg::Connection PgAdmin(const std::string& database) {
  const auto& settings = TestServers::Get().pg;
  return ConnectPg(settings.admin_user, settings.admin_password, database);
}

pg::Connection PgReplicaUser(const std::string& database) {
  const auto& settings = TestServers::Get().pg;
  return ConnectPg(settings.user, settings.password, database);
}

}  // namespace chameleon::test_support
