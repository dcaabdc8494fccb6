// The fixture of the copy-command tests (init_replica, detach_replica, the pgsql source,
// keep_existing_schema): a sandbox with the catalogue and the mysql source registered, and
// one-line helpers to run SQL on either server.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "support/replica_sandbox.h"
#include "support/test_servers.h"

namespace chameleon::test_support {

class InitFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    auto created = sandbox_.Run({"create_replica_schema"});
    ASSERT_EQ(created.exit_code, 0) << created.all();
    auto added = sandbox_.Run({"add_source", "--source", "mysql"});
    ASSERT_EQ(added.exit_code, 0) << added.all();
  }

  // Runs `sql` in the sandbox's MariaDB schema (sql_mode '' so zero dates are accepted).
  void Mysql(const std::string& sql) {
    auto admin = MysqlAdmin();
    ASSERT_TRUE(admin.Execute("USE `" + sandbox_.mysql_schema() + "`").ok());
    ASSERT_TRUE(admin.Execute("SET SESSION sql_mode = ''").ok());
    Status status = admin.Execute(sql);
    ASSERT_TRUE(status.ok()) << status.message();
  }

  // The first value of `sql` on the target database, as text.
  std::string Pg(const std::string& sql) {
    auto target = sandbox_.Target();
    return QueryText(target, sql);
  }

  // Runs `sql` on the target database; the test fails when it does.
  void PgExecute(const std::string& sql) {
    auto target = sandbox_.Target();
    Status status = target.Execute(sql);
    ASSERT_TRUE(status.ok()) << status.message();
  }

  // The SQLSTATE of `sql` on the target ("" when it succeeds).
  std::string PgError(const std::string& sql) {
    auto target = sandbox_.Target();
    Status status = target.Execute(sql);
    return status.ok() ? "" : target.last_sqlstate();
  }

  std::string Dest() const { return "\"" + sandbox_.destination_schema() + "\""; }

  CliResult Init(const std::string& source = "mysql") {
    return sandbox_.Run({"init_replica", "--source", source, "--debug"});
  }

  ReplicaSandbox sandbox_;
};

}  // namespace chameleon::test_support
