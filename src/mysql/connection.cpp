// MariaDB Connector/C wrapper; see connection.h.
#include "mysql/connection.h"

#include <errmsg.h>
#include <fmt/format.h>
#include <mysql.h>
#include <mysqld_error.h>

#include "common/strings.h"

namespace chameleon::mysql {

int Rows::ColumnIndex(const std::string& name) const {
  for (size_t index = 0; index < column_names.size(); ++index) {
    if (ToLower(column_names[index]) == ToLower(name)) return static_cast<int>(index);
  }
  return -1;
}

void Connection::Deleter::operator()(st_mysql* connection) const {
  mysql_close(connection);
}

Connection::Connection(st_mysql* connection, std::string description)
    : connection_(connection), description_(std::move(description)) {}

Result<Connection> Connection::Open(const ConnectOptions& options) {
  std::string description = fmt::format("{}@{}:{}", options.user, options.host, options.port);
  MYSQL* raw = mysql_init(nullptr);
  if (raw == nullptr) return Status::Internal("mysql_init failed: out of memory");
  Connection connection(raw, description);
  unsigned int connect_timeout = static_cast<unsigned int>(options.connect_timeout_seconds);
  unsigned int read_timeout = static_cast<unsigned int>(options.net_read_timeout_seconds);
  unsigned int protocol = MYSQL_PROTOCOL_TCP;
  std::string charset = ToLower(options.charset);
  if (charset.empty() || charset == "utf8" || charset == "utf8mb3") charset = "utf8mb4";
  mysql_optionsv(raw, MYSQL_OPT_CONNECT_TIMEOUT, &connect_timeout);
  mysql_optionsv(raw, MYSQL_OPT_READ_TIMEOUT, &read_timeout);
  mysql_optionsv(raw, MYSQL_OPT_PROTOCOL, &protocol);
  mysql_optionsv(raw, MYSQL_SET_CHARSET_NAME, charset.c_str());
  const char* database = options.database.empty() ? nullptr : options.database.c_str();
  if (mysql_real_connect(raw, options.host.c_str(), options.user.c_str(),
                         options.password.reveal().c_str(), database,
                         static_cast<unsigned int>(options.port), nullptr, 0) == nullptr) {
    unsigned int code = mysql_errno(raw);
    std::string message = fmt::format("cannot connect to MySQL {}: {} (error {})", description,
                                      mysql_error(raw), code);
    if (code == ER_ACCESS_DENIED_ERROR || code == ER_DBACCESS_DENIED_ERROR) {
      return Status::PermissionDenied(message + "; check db_conn.user and db_conn.password");
    }
    if (code == ER_BAD_DB_ERROR) return Status::NotFound(message);
    return Status::Unavailable(message +
                               "; check db_conn.host and db_conn.port, and that the server runs");
  }
  // The session must read values as they are stored: UTC timestamps, long reads allowed.
  RETURN_IF_ERROR(connection.Execute("SET SESSION time_zone = '+00:00'"));
  RETURN_IF_ERROR(connection.Execute(
      fmt::format("SET SESSION net_read_timeout = {}", options.net_read_timeout_seconds)));
  return connection;
}

Status Connection::Error(const std::string& sql) {
  last_errno_ = mysql_errno(connection_.get());
  std::string message = mysql_error(connection_.get());
  std::string statement = sql.substr(0, sql.find('\n'));
  if (statement.size() > 120) statement = statement.substr(0, 117) + "...";
  std::string text =
      fmt::format("MySQL {}: {} (error {}) in: {}", description_, message, last_errno_, statement);
  if (last_errno_ == CR_SERVER_GONE_ERROR || last_errno_ == CR_SERVER_LOST ||
      last_errno_ == CR_CONNECTION_ERROR || last_errno_ == CR_CONN_HOST_ERROR) {
    return Status::Unavailable(text);
  }
  if (last_errno_ == ER_SPECIFIC_ACCESS_DENIED_ERROR ||
      last_errno_ == ER_TABLEACCESS_DENIED_ERROR || last_errno_ == ER_DBACCESS_DENIED_ERROR) {
    return Status::PermissionDenied(text);
  }
  return Status::InvalidArgument(text);
}

Status Connection::Execute(const std::string& sql) {
  if (mysql_real_query(connection_.get(), sql.data(), sql.size()) != 0) return Error(sql);
  // Drain any result so the connection is ready for the next statement.
  do {
    MYSQL_RES* result = mysql_store_result(connection_.get());
    if (result != nullptr) mysql_free_result(result);
  } while (mysql_next_result(connection_.get()) == 0);
  last_errno_ = 0;
  return Status::Ok();
}

Result<Rows> Connection::Query(const std::string& sql) {
  if (mysql_real_query(connection_.get(), sql.data(), sql.size()) != 0) return Error(sql);
  MYSQL_RES* result = mysql_store_result(connection_.get());
  Rows rows;
  if (result == nullptr) {
    if (mysql_field_count(connection_.get()) != 0) return Error(sql);
    return rows;
  }
  unsigned int fields = mysql_num_fields(result);
  MYSQL_FIELD* field_info = mysql_fetch_fields(result);
  for (unsigned int field = 0; field < fields; ++field) {
    rows.column_names.emplace_back(field_info[field].name);
  }
  while (MYSQL_ROW row = mysql_fetch_row(result)) {
    unsigned long* lengths = mysql_fetch_lengths(result);
    std::vector<std::optional<std::string>> values;
    values.reserve(fields);
    for (unsigned int field = 0; field < fields; ++field) {
      if (row[field] == nullptr) {
        values.emplace_back(std::nullopt);
      } else {
        values.emplace_back(std::string(row[field], lengths[field]));
      }
    }
    rows.rows.push_back(std::move(values));
  }
  mysql_free_result(result);
  last_errno_ = 0;
  return rows;
}

Status Connection::Stream(const std::string& sql, const RowHandler& on_row) {
  if (mysql_real_query(connection_.get(), sql.data(), sql.size()) != 0) return Error(sql);
  MYSQL_RES* result = mysql_use_result(connection_.get());
  if (result == nullptr) {
    if (mysql_field_count(connection_.get()) != 0) return Error(sql);
    return Status::Ok();
  }
  unsigned int fields = mysql_num_fields(result);
  Status handled;
  while (MYSQL_ROW row = mysql_fetch_row(result)) {
    handled = on_row(RowView(row, mysql_fetch_lengths(result), fields));
    if (!handled.ok()) break;
  }
  // A NULL row ends the stream on success and on a network error alike; tell them apart.
  Status streamed = mysql_errno(connection_.get()) != 0 ? Error(sql) : Status::Ok();
  mysql_free_result(result);  // drains what the handler did not read
  if (!handled.ok()) return handled;
  RETURN_IF_ERROR(streamed);
  last_errno_ = 0;
  return Status::Ok();
}

Result<std::optional<std::string>> Connection::QueryValue(const std::string& sql) {
  ASSIGN_OR_RETURN(Rows rows, Query(sql));
  if (rows.empty() || rows.rows[0].empty()) return std::optional<std::string>();
  return rows.rows[0][0];
}

Result<std::optional<std::string>> Connection::Variable(const std::string& name) {
  ASSIGN_OR_RETURN(Rows rows, Query("SHOW GLOBAL VARIABLES LIKE " + QuoteLiteral(name)));
  if (rows.empty() || rows.rows[0].size() < 2) return std::optional<std::string>();
  return rows.rows[0][1];
}

std::string Connection::server_version() const {
  return mysql_get_server_info(connection_.get());
}

bool Connection::is_mariadb() const {
  return ToLower(server_version()).find("mariadb") != std::string::npos;
}

std::string QuoteIdentifier(const std::string& identifier) {
  std::string quoted = "`";
  for (char c : identifier) {
    if (c == '`') quoted += '`';
    quoted += c;
  }
  return quoted + "`";
}

std::string QuoteLiteral(const std::string& text) {
  std::string quoted = "'";
  for (char c : text) {
    switch (c) {
      case '\'':
        quoted += "\\'";
        break;
      case '\\':
        quoted += "\\\\";
        break;
      case '\0':
        quoted += "\\0";
        break;
      default:
        quoted += c;
    }
  }
  return quoted + "'";
}

}  // namespace chameleon::mysql
