// libpq wrapper; see connection.h.
#include "pg/connection.h"

#include <fmt/format.h>
#include <libpq-fe.h>

#include <charconv>

#include "common/strings.h"

namespace chameleon::pg {
namespace {

// The first line of a libpq message, without its "ERROR:  " prefix.
std::string CleanMessage(const char* message) {
  std::string text = message == nullptr ? "" : message;
  for (const char* prefix : {"ERROR:  ", "FATAL:  "}) {
    if (StartsWith(text, prefix)) text = text.substr(std::string_view(prefix).size());
  }
  auto newline = text.find('\n');
  if (newline != std::string::npos) text = text.substr(0, newline);
  return Trim(text);
}

}  // namespace

void Rows::Deleter::operator()(pg_result* result) const {
  PQclear(result);
}

Rows::Rows(pg_result* result) : result_(result) {}

int Rows::size() const {
  return result_ ? PQntuples(result_.get()) : 0;
}
int Rows::columns() const {
  return result_ ? PQnfields(result_.get()) : 0;
}

std::string Rows::ColumnName(int column) const {
  return PQfname(result_.get(), column);
}

bool Rows::IsNull(int row, int column) const {
  return PQgetisnull(result_.get(), row, column) != 0;
}

std::string_view Rows::Text(int row, int column) const {
  return {PQgetvalue(result_.get(), row, column),
          static_cast<size_t>(PQgetlength(result_.get(), row, column))};
}

std::optional<std::string> Rows::Value(int row, int column) const {
  if (IsNull(row, column)) return std::nullopt;
  return std::string(Text(row, column));
}

int64_t Rows::Integer(int row, int column) const {
  std::string_view text = Text(row, column);
  int64_t value = 0;
  std::from_chars(text.data(), text.data() + text.size(), value);
  return value;
}

bool Rows::Bool(int row, int column) const {
  return Text(row, column) == "t";
}

void Connection::Deleter::operator()(pg_conn* connection) const {
  PQfinish(connection);
}

Connection::Connection(pg_conn* connection, std::string description)
    : connection_(connection), description_(std::move(description)) {}

Result<Connection> Connection::Open(const ConnectOptions& options) {
  std::string port = std::to_string(options.port);
  std::string timeout = std::to_string(options.connect_timeout_seconds);
  std::vector<const char*> keywords = {
      "host", "port", "user", "dbname", "client_encoding", "connect_timeout", "application_name"};
  std::vector<const char*> values = {options.host.c_str(),
                                     port.c_str(),
                                     options.user.c_str(),
                                     options.database.c_str(),
                                     options.client_encoding.c_str(),
                                     timeout.c_str(),
                                     options.application_name.c_str()};
  if (!options.password.empty()) {
    keywords.push_back("password");
    values.push_back(options.password.reveal().c_str());
  }
  if (!options.sslmode.empty()) {
    keywords.push_back("sslmode");
    values.push_back(options.sslmode.c_str());
  }
  keywords.push_back(nullptr);
  values.push_back(nullptr);
  std::string description =
      fmt::format("{}@{}:{}/{}", options.user, options.host, options.port, options.database);
  pg_conn* raw = PQconnectdbParams(keywords.data(), values.data(), 0);
  Connection connection(raw, description);
  if (raw == nullptr) return Status::Internal("libpq could not allocate a connection");
  if (PQstatus(raw) != CONNECTION_OK) {
    std::string message = CleanMessage(PQerrorMessage(raw));
    std::string where = "cannot connect to PostgreSQL " + description;
    if (message.find("password authentication failed") != std::string::npos ||
        message.find("no password supplied") != std::string::npos) {
      return Status::PermissionDenied(where + ": " + message +
                                      " (check pg_conn.user and pg_conn.password)");
    }
    if (message.find("does not exist") != std::string::npos) {
      return Status::NotFound(where + ": " + message);
    }
    return Status::Unavailable(where + ": " + message +
                               " (check pg_conn.host and pg_conn.port, and that PostgreSQL runs)");
  }
  // Every timestamp we write or read is UTC; the session zone must not change values.
  if (Status status = connection.Execute("SET TIME ZONE 'UTC'"); !status.ok()) return status;
  return connection;
}

Status Connection::ErrorFrom(pg_result* result, const std::string& sql) {
  const char* state = result == nullptr ? nullptr : PQresultErrorField(result, PG_DIAG_SQLSTATE);
  last_sqlstate_ = state == nullptr ? "" : state;
  std::string message = CleanMessage(result == nullptr ? PQerrorMessage(connection_.get())
                                                       : PQresultErrorMessage(result));
  if (result != nullptr) PQclear(result);
  if (is_broken()) {
    return Status::Unavailable("lost the connection to PostgreSQL " + description_ + ": " +
                               message);
  }
  std::string statement = sql.substr(0, sql.find('\n'));
  if (statement.size() > 120) statement = statement.substr(0, 117) + "...";
  return Status::InvalidArgument(fmt::format("PostgreSQL {}: {} [SQLSTATE {}] in: {}", description_,
                                             message, last_sqlstate_, statement));
}

Status Connection::Execute(const std::string& sql) {
  pg_result* result = PQexec(connection_.get(), sql.c_str());
  ExecStatusType status = result == nullptr ? PGRES_FATAL_ERROR : PQresultStatus(result);
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) return ErrorFrom(result, sql);
  PQclear(result);
  last_sqlstate_.clear();
  return Status::Ok();
}

Result<Rows> Connection::Query(const std::string& sql, const Params& params) {
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const auto& param : params)
    values.push_back(param ? param->c_str() : nullptr);
  pg_result* result = PQexecParams(connection_.get(), sql.c_str(), static_cast<int>(params.size()),
                                   nullptr, values.data(), nullptr, nullptr, 0);
  ExecStatusType status = result == nullptr ? PGRES_FATAL_ERROR : PQresultStatus(result);
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) return ErrorFrom(result, sql);
  last_sqlstate_.clear();
  return Rows(result);
}

Result<std::optional<std::string>> Connection::QueryValue(const std::string& sql,
                                                          const Params& params) {
  ASSIGN_OR_RETURN(Rows rows, Query(sql, params));
  if (rows.empty() || rows.columns() == 0) return std::optional<std::string>();
  return rows.Value(0, 0);
}

Status Connection::InTransaction(const std::function<Status()>& body) {
  RETURN_IF_ERROR(Execute("BEGIN"));
  Status status = body();
  if (status.ok()) status = Execute("COMMIT");
  if (!status.ok()) {
    // The first failure is what the caller needs; a failed ROLLBACK only means the
    // connection is gone, and the server rolls the transaction back on its own then.
    std::string sqlstate = last_sqlstate_;
    (void)Execute("ROLLBACK");
    last_sqlstate_ = sqlstate;
  }
  return status;
}

Status Connection::BeginCopy(const std::string& copy_sql) {
  pg_result* result = PQexec(connection_.get(), copy_sql.c_str());
  if (result == nullptr || PQresultStatus(result) != PGRES_COPY_IN) {
    return ErrorFrom(result, copy_sql);
  }
  PQclear(result);
  copy_sql_ = copy_sql;
  return Status::Ok();
}

Status Connection::PutCopyData(std::string_view data) {
  if (PQputCopyData(connection_.get(), data.data(), static_cast<int>(data.size())) != 1) {
    return ErrorFrom(nullptr, copy_sql_);
  }
  return Status::Ok();
}

Status Connection::EndCopy() {
  if (PQputCopyEnd(connection_.get(), nullptr) != 1) return ErrorFrom(nullptr, copy_sql_);
  return DrainCopyResults();
}

Status Connection::AbortCopy(const std::string& reason) {
  if (PQputCopyEnd(connection_.get(), reason.c_str()) != 1) return ErrorFrom(nullptr, copy_sql_);
  Status drained = DrainCopyResults();
  (void)drained;  // the abort itself is the expected "error"
  return Status::Ok();
}

Status Connection::CopyOut(const std::string& copy_sql,
                           const std::function<Status(std::string_view)>& on_data) {
  pg_result* result = PQexec(connection_.get(), copy_sql.c_str());
  if (result == nullptr || PQresultStatus(result) != PGRES_COPY_OUT) {
    return ErrorFrom(result, copy_sql);
  }
  PQclear(result);
  copy_sql_ = copy_sql;
  Status handled;
  for (;;) {
    char* row = nullptr;
    int length = PQgetCopyData(connection_.get(), &row, 0);
    if (length < 0) break;  // -1: the copy is done; -2: an error, which the results carry
    if (handled.ok()) handled = on_data(std::string_view(row, static_cast<size_t>(length)));
    PQfreemem(row);
  }
  Status verdict = DrainCopyResults();
  return handled.ok() ? verdict : handled;
}

Status Connection::DrainCopyResults() {
  Status verdict;
  while (pg_result* result = PQgetResult(connection_.get())) {
    if (PQresultStatus(result) != PGRES_COMMAND_OK && verdict.ok()) {
      verdict = ErrorFrom(result, copy_sql_);
    } else {
      PQclear(result);
    }
  }
  if (verdict.ok()) last_sqlstate_.clear();
  return verdict;
}

bool Connection::is_broken() const {
  return !connection_ || PQstatus(connection_.get()) != CONNECTION_OK;
}

std::string QuoteIdentifier(std::string_view identifier) {
  std::string quoted = "\"";
  for (char c : identifier) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + "\"";
}

std::string QuoteLiteral(std::string_view text) {
  std::string quoted = "'";
  for (char c : text) {
    if (c == '\'') quoted += '\'';
    quoted += c;
  }
  return quoted + "'";
}

}  // namespace chameleon::pg
