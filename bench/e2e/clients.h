// Bare MariaDB (Connector/C) and PostgreSQL (libpq) sessions for the benchmark programs, which need
// what the product's wrappers hide on purpose: streamed results, COPY and pipeline mode.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

struct st_mysql;
struct pg_conn;
struct pg_result;

namespace chameleon::bench {

// Where a server is; read from the variables `tools/testenv.sh env` exports.
struct Endpoint {
  std::string host;
  unsigned port = 0;
  std::string user;
  std::string password;
  std::string database;
};

// MariaDB as its administrator (the loader turns the binlog off for its session, which needs
// that right), or PostgreSQL as the replication user, from CHAMELEON_MYSQL_* / CHAMELEON_PG_*.
Result<Endpoint> MariadbAdminFromEnvironment();
Result<Endpoint> PostgresFromEnvironment();

using TextRows = std::vector<std::vector<std::optional<std::string>>>;

// One MariaDB connection, with multi-statement queries enabled, session time zone UTC and
// utf8mb4. Owned by one thread; move-only.
class MariadbSession {
 public:
  static Result<MariadbSession> Open(const Endpoint& endpoint);

  // Runs `sql` (one or several `;`-separated statements), discarding every result.
  Status Execute(std::string_view sql) const;
  // Runs one statement and returns all its rows as text.
  Result<TextRows> Query(std::string_view sql) const;
  // The last error as "MariaDB <host:port>: <message> in: <statement prefix>".
  Status Error(std::string_view sql) const;
  st_mysql* handle() const { return connection_.get(); }

 private:
  struct Deleter {
    void operator()(st_mysql* connection) const;
  };
  explicit MariadbSession(st_mysql* connection, std::string description)
      : connection_(connection), description_(std::move(description)) {}

  std::unique_ptr<st_mysql, Deleter> connection_;
  std::string description_;
};

// Frees a PGresult when it goes out of scope.
struct PgResultDeleter {
  void operator()(pg_result* result) const;
};
using PgResult = std::unique_ptr<pg_result, PgResultDeleter>;

// One PostgreSQL connection with TimeZone UTC. Owned by one thread; move-only.
class PgSession {
 public:
  static Result<PgSession> Open(const Endpoint& endpoint, std::string_view application_name);

  Status Execute(const std::string& sql) const;
  // A statement with $1.. text parameters; all rows as text.
  Result<TextRows> Query(const std::string& sql,
                         const std::vector<std::string>& parameters = {}) const;
  // The error of `result` (or of the connection when null), naming the statement.
  Status Error(const pg_result* result, std::string_view sql) const;
  pg_conn* handle() const { return connection_.get(); }

 private:
  struct Deleter {
    void operator()(pg_conn* connection) const;
  };
  explicit PgSession(pg_conn* connection, std::string description)
      : connection_(connection), description_(std::move(description)) {}

  std::unique_ptr<pg_conn, Deleter> connection_;
  std::string description_;
};

// "name" for PostgreSQL, `name` for MariaDB; the benchmark's names need no escaping but a
// user-chosen schema might.
std::string PgIdentifier(std::string_view name);
std::string MariadbIdentifier(std::string_view name);

// Peak resident set size of this process (VmHWM), in KiB; 0 when /proc is unreadable.
uint64_t PeakRssKib();
// User + system CPU seconds this process has used.
double CpuSeconds();
// Wall clock, microseconds since the Unix epoch (comparable across processes on one machine).
int64_t WallMicros();

}  // namespace chameleon::bench
