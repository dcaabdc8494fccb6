// PostgreSQL connection wrapper (libpq). PGconn/PGresult stay inside this module.
// A Connection is owned by one thread at a time; it is move-only.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/secret.h"
#include "common/status.h"

struct pg_conn;
struct pg_result;

namespace chameleon::pg {

struct ConnectOptions {
  std::string host = "localhost";
  int port = 5432;
  std::string user;
  Secret password;
  std::string database;
  std::string client_encoding = "UTF8";
  int connect_timeout_seconds = 10;
  std::string sslmode;           // empty: libpq's default
  std::string application_name;  // shown in pg_stat_activity
};

// The rows of one query; values are text (libpq text format), NULL as nullopt.
class Rows {
 public:
  Rows() = default;
  explicit Rows(pg_result* result);
  Rows(Rows&&) noexcept = default;
  Rows& operator=(Rows&&) noexcept = default;
  Rows(const Rows&) = delete;
  Rows& operator=(const Rows&) = delete;
  ~Rows() = default;

  int size() const;
  int columns() const;
  bool empty() const { return size() == 0; }
  std::string ColumnName(int column) const;
  bool IsNull(int row, int column) const;
  // The text of a value; "" for NULL (check IsNull when it matters).
  std::string_view Text(int row, int column) const;
  std::optional<std::string> Value(int row, int column) const;
  int64_t Integer(int row, int column) const;  // NULL or non-number reads as 0
  bool Bool(int row, int column) const;        // 't' is true

 private:
  struct Deleter {
    void operator()(pg_result* result) const;
  };
  std::unique_ptr<pg_result, Deleter> result_;
};

using Params = std::vector<std::optional<std::string>>;

class Pipeline;

class Connection {
 public:
  // Connects; the password goes to libpq as a parameter, never into a DSN string or a log.
  static Result<Connection> Open(const ConnectOptions& options);

  Connection(Connection&&) noexcept = default;
  Connection& operator=(Connection&&) noexcept = default;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection() = default;

  // A statement without rows (or whose rows are not needed).
  Status Execute(const std::string& sql);
  // A statement with $1.. text parameters; returns its rows.
  Result<Rows> Query(const std::string& sql, const Params& params = {});
  // The first column of the first row, nullopt when there is no row or it is NULL.
  Result<std::optional<std::string>> QueryValue(const std::string& sql, const Params& params = {});

  // Runs `body` between BEGIN and COMMIT; rolls back when `body` or COMMIT fails and
  // returns that failure.
  Status InTransaction(const std::function<Status()>& body);

  // COPY ... FROM STDIN in three steps: BeginCopy starts it, PutCopyData sends any number
  // of chunks (whole or partial rows), EndCopy returns the server's verdict on the whole
  // copy. AbortCopy ends it with an error so the server rolls the copy back.
  Status BeginCopy(const std::string& copy_sql);
  Status PutCopyData(std::string_view data);
  Status EndCopy();
  Status AbortCopy(const std::string& reason);

  // COPY ... TO STDOUT: hands each row's text to `on_data` as the server sends it, so memory
  // holds one row whatever the table size. A failing handler stops handing rows over (the
  // rest is read and dropped so the connection stays usable) and its Status is returned.
  Status CopyOut(const std::string& copy_sql,
                 const std::function<Status(std::string_view)>& on_data);

  // SQLSTATE of the last failed statement ("" when none).
  const std::string& last_sqlstate() const { return last_sqlstate_; }
  // "user@host:port/database", for messages.
  const std::string& description() const { return description_; }
  bool is_broken() const;

 private:
  friend class Pipeline;  // pipeline mode drives the same PGconn (pipeline.h)
  struct Deleter {
    void operator()(pg_conn* connection) const;
  };
  Connection(pg_conn* connection, std::string description);
  Status ErrorFrom(pg_result* result, const std::string& sql);
  Status DrainCopyResults();

  std::unique_ptr<pg_conn, Deleter> connection_;
  std::string description_;
  std::string last_sqlstate_;
  std::string copy_sql_;  // the COPY in progress, for its error messages
};

// "name" with embedded quotes doubled: safe for any identifier in SQL text.
std::string QuoteIdentifier(std::string_view identifier);
// 'text' with embedded quotes doubled, for the rare statement that cannot take parameters.
std::string QuoteLiteral(std::string_view text);

}  // namespace chameleon::pg
