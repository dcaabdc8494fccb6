// The MariaDB and PostgreSQL of tools/testenv.sh, as its `env` command exports them.
// Integration tests fail (not skip) when these are missing: run them through tools/test.sh
// or after `eval "$(tools/testenv.sh env)"`.
#pragma once

#include <string>

#include "mysql/connection.h"
#include "pg/connection.h"

namespace chameleon::test_support {

struct ServerSettings {
  std::string host;
  int port = 0;
  std::string user;  // the replication user chameleon connects as
  std::string password;
  std::string admin_user;
  std::string admin_password;
  std::string database;  // PostgreSQL: the database usr_replica owns
};

struct TestServers {
  ServerSettings mysql;
  ServerSettings pg;

  // Reads the environment once; aborts the test binary with a clear message when unset.
  static const TestServers& Get();
};

// Admin connections, for setting up and inspecting test state.
mysql::Connection MysqlAdmin();
pg::Connection PgAdmin(const std::string& database);
// usr_replica's MariaDB settings: what the reader connects as.
mysql::ConnectOptions MysqlReplicaOptions();
// usr_replica's connection to `database`.
pg::Connection PgReplicaUser(const std::string& database);

}  // namespace chameleon::test_support
