// ReplicaSandbox: one test's private world on the test servers — a HOME with
// ~/.pg_chameleon/configuration/default.yml, a PostgreSQL database owned by usr_replica for
// the catalogue, and a MariaDB schema to replicate. Everything is dropped at scope exit, so
// test binaries can run in parallel.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "pg/connection.h"
#include "support/cli_runner.h"
#include "support/scratch_dir.h"

namespace chameleon::test_support {

class ReplicaSandbox {
 public:
  ReplicaSandbox();
  ~ReplicaSandbox();
  ReplicaSandbox(const ReplicaSandbox&) = delete;
  ReplicaSandbox& operator=(const ReplicaSandbox&) = delete;

  const std::filesystem::path& home() const { return home_.path(); }
  const std::string& pg_database() const { return pg_database_; }
  const std::string& mysql_schema() const { return mysql_schema_; }
  std::string destination_schema() const { return mysql_schema_ + "_pg"; }

  // The sandbox's configuration: source "mysql" maps mysql_schema() to destination_schema();
  // source "pgsql" reads this PostgreSQL database. `source_extra` lines are appended to the
  // mysql source (indented 4 spaces), `pg_password` replaces the right one.
  std::string ConfigYaml(const std::string& source_extra = "") const;
  // Writes ~/.pg_chameleon/configuration/<name>.yml.
  void WriteConfig(const std::string& yaml, const std::string& name = "default") const;

  CliResult Run(const std::vector<std::string>& args, const std::string& input = "") const;

  // usr_replica's connection to the sandbox database.
  pg::Connection Target() const;

  // Every log file written under ~/.pg_chameleon/logs, concatenated.
  std::string Logs() const;

 private:
  ScratchDir home_;
  std::string pg_database_;
  std::string mysql_schema_;
};

// The first value of `sql`'s first row as text ("<null>" for NULL); a failed query fails
// the calling test and reads "<error>".
std::string QueryText(pg::Connection& connection, const std::string& sql);

}  // namespace chameleon::test_support
