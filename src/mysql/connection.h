// MySQL/MariaDB client connection (MariaDB Connector/C). MYSQL* stays inside this module.
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

struct st_mysql;

namespace chameleon::mysql {

struct ConnectOptions {
  std::string host = "localhost";
  int port = 3306;
  std::string user;
  Secret password;
  std::string charset = "utf8mb4";
  int connect_timeout_seconds = 10;
  int net_read_timeout_seconds = 600;
  std::string database;
};

// A fully read (buffered) result: for catalogue-sized queries, never for table data.
struct Rows {
  std::vector<std::string> column_names;
  std::vector<std::vector<std::optional<std::string>>> rows;

  bool empty() const { return rows.empty(); }
  size_t size() const { return rows.size(); }
  int ColumnIndex(const std::string& name) const;  // -1 when absent (case-insensitive)
};

// One row of a streamed result, valid only during the callback that receives it.
class RowView {
 public:
  RowView(const char* const* values, const unsigned long* lengths, unsigned int count)
      : values_(values), lengths_(lengths), count_(count) {}
  unsigned int size() const { return count_; }
  bool IsNull(unsigned int column) const { return values_[column] == nullptr; }
  // The bytes of a value as the server sent them (text protocol); empty for NULL.
  std::string_view Bytes(unsigned int column) const {
    return values_[column] == nullptr ? std::string_view()
                                      : std::string_view(values_[column], lengths_[column]);
  }

 private:
  const char* const* values_;
  const unsigned long* lengths_;
  unsigned int count_;
};

using RowHandler = std::function<Status(const RowView&)>;

class Connection {
 public:
  // Connects over TCP (as pg_chameleon does, even to "localhost"), with 4-byte UTF-8 always:
  // a configured charset "utf8" is read as utf8mb4 so emoji survive.
  static Result<Connection> Open(const ConnectOptions& options);

  Connection(Connection&&) noexcept = default;
  Connection& operator=(Connection&&) noexcept = default;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection() = default;

  Status Execute(const std::string& sql);
  Result<Rows> Query(const std::string& sql);
  // Runs `sql` and hands each row to `on_row` as the server sends it (mysql_use_result), so
  // memory holds one row whatever the table size. A failing handler stops the stream
  // (the rest is drained so the connection stays usable) and its Status is returned.
  Status Stream(const std::string& sql, const RowHandler& on_row);
  // First column of the first row; nullopt when no row or NULL.
  Result<std::optional<std::string>> QueryValue(const std::string& sql);
  // A global/session variable by name; nullopt when the server does not have it.
  Result<std::optional<std::string>> Variable(const std::string& name);

  // "user@host:port", for messages.
  const std::string& description() const { return description_; }
  std::string server_version() const;
  bool is_mariadb() const;
  unsigned int last_errno() const { return last_errno_; }

 private:
  struct Deleter {
    void operator()(st_mysql* connection) const;
  };
  Connection(st_mysql* connection, std::string description);
  Status Error(const std::string& sql);

  std::unique_ptr<st_mysql, Deleter> connection_;
  std::string description_;
  unsigned int last_errno_ = 0;
};

// `name` with backquotes doubled, in backquotes.
std::string QuoteIdentifier(const std::string& identifier);
// 'text' escaped for a MySQL string literal (backslash and quote).
std::string QuoteLiteral(const std::string& text);

}  // namespace chameleon::mysql
