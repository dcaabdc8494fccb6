// MariaDB and PostgreSQL sessions and process measurements; see clients.h. Errors come back as
// Status naming the server and the statement's first line.
#include "clients.h"

#include <fmt/format.h>
#include <libpq-fe.h>
#include <mysql.h>
#include <sys/resource.h>

#include <charconv>
#include <chrono>
#include <cstdlib>
#include <fstream>

namespace chameleon::bench {
namespace {

std::string Environment(const char* name, const char* fallback) {
  const char* value = std::getenv(name);  // NOLINT(concurrency-mt-unsafe): read before threads
  return value != nullptr ? value : fallback;
}

Result<unsigned> Port(const char* name, const char* fallback) {
  std::string text = Environment(name, fallback);
  unsigned port = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), port);
  if (error != std::errc() || end != text.data() + text.size() || port == 0 || port > 65535) {
    return Status::InvalidArgument(fmt::format("{}: not a port number: '{}'", name, text));
  }
  return port;
}

// `name` between two `quote` characters, those inside doubled. (src/pg and src/mysql have the
// same; bench_e2e stays off those modules so that it builds while they are being changed.)
std::string QuoteWith(std::string_view name, char quote) {
  std::string quoted(1, quote);
  for (char c : name) {
    if (c == quote) quoted += quote;
    quoted += c;
  }
  return quoted + quote;
}

std::string FirstLine(std::string_view text) {
  std::string line(text.substr(0, text.find('\n')));
  return line.size() > 160 ? line.substr(0, 157) + "..." : line;
}

}  // namespace

Result<Endpoint> MariadbAdminFromEnvironment() {
  Endpoint endpoint;
  endpoint.host = Environment("CHAMELEON_MYSQL_HOST", "127.0.0.1");
  ASSIGN_OR_RETURN(endpoint.port, Port("CHAMELEON_MYSQL_PORT", "33081"));
  endpoint.user = Environment("CHAMELEON_MYSQL_ADMIN_USER", "root");
  endpoint.password = Environment("CHAMELEON_MYSQL_ADMIN_PASSWORD", "");
  return endpoint;
}

Result<Endpoint> PostgresFromEnvironment() {
  Endpoint endpoint;
  endpoint.host = Environment("CHAMELEON_PG_HOST", "127.0.0.1");
  ASSIGN_OR_RETURN(endpoint.port, Port("CHAMELEON_PG_PORT", "54341"));
  endpoint.user = Environment("CHAMELEON_PG_USER", "usr_replica");
  endpoint.password = Environment("CHAMELEON_PG_PASSWORD", "");
  endpoint.database = Environment("CHAMELEON_PG_DATABASE", "db_replica");
  return endpoint;
}

// ------------------------------------------------------------------------------------------
// MariaDB
// ------------------------------------------------------------------------------------------
void MariadbSession::Deleter::operator()(st_mysql* connection) const {
  mysql_close(connection);
}

Result<MariadbSession> MariadbSession::Open(const Endpoint& endpoint) {
  MYSQL* raw = mysql_init(nullptr);
  if (raw == nullptr) return Status::Internal("mysql_init failed (out of memory)");
  std::string description = fmt::format("{}@{}:{}", endpoint.user, endpoint.host, endpoint.port);
  MariadbSession session(raw, description);
  mysql_options(raw, MYSQL_SET_CHARSET_NAME, "utf8mb4");
  unsigned timeout = 10;
  mysql_options(raw, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
  if (mysql_real_connect(raw, endpoint.host.c_str(), endpoint.user.c_str(),
                         endpoint.password.c_str(),
                         endpoint.database.empty() ? nullptr : endpoint.database.c_str(),
                         endpoint.port, nullptr, CLIENT_MULTI_STATEMENTS) == nullptr) {
    return Status::Unavailable(
        fmt::format("cannot connect to MariaDB {}: {}", description, mysql_error(raw)));
  }
  RETURN_IF_ERROR(session.Execute("SET time_zone = '+00:00'"));
  return session;
}

Status MariadbSession::Error(std::string_view sql) const {
  return Status::Unavailable(fmt::format("MariaDB {}: {} (errno {}) in: {}", description_,
                                         mysql_error(handle()), mysql_errno(handle()),
                                         FirstLine(sql)));
}

Status MariadbSession::Execute(std::string_view sql) const {
  if (mysql_real_query(handle(), sql.data(), sql.size()) != 0) return Error(sql);
  // Every result of a multi-statement must be read; an error in statement k shows up here.
  while (true) {
    MYSQL_RES* result = mysql_store_result(handle());
    if (result != nullptr) mysql_free_result(result);
    if (result == nullptr && mysql_field_count(handle()) != 0) return Error(sql);
    int more = mysql_next_result(handle());
    if (more > 0) return Error(sql);
    if (more < 0) return Status::Ok();
  }
}

Result<TextRows> MariadbSession::Query(std::string_view sql) const {
  if (mysql_real_query(handle(), sql.data(), sql.size()) != 0) return Error(sql);
  MYSQL_RES* result = mysql_store_result(handle());
  if (result == nullptr) return Error(sql);
  TextRows rows;
  unsigned columns = mysql_num_fields(result);
  while (MYSQL_ROW row = mysql_fetch_row(result)) {
    unsigned long* lengths = mysql_fetch_lengths(result);
    auto& out = rows.emplace_back(columns);
    for (unsigned i = 0; i < columns; ++i) {
      if (row[i] != nullptr) out[i] = std::string(row[i], lengths[i]);
    }
  }
  mysql_free_result(result);
  return rows;
}

// ------------------------------------------------------------------------------------------
// PostgreSQL
// ------------------------------------------------------------------------------------------
void PgResultDeleter::operator()(pg_result* result) const {
  PQclear(result);
}

void PgSession::Deleter::operator()(pg_conn* connection) const {
  PQfinish(connection);
}

Result<PgSession> PgSession::Open(const Endpoint& endpoint, std::string_view application_name) {
  std::string port = std::to_string(endpoint.port);
  std::string application(application_name);
  const char* keywords[] = {
      "host", "port", "user", "password", "dbname", "client_encoding", "application_name", nullptr};
  const char* values[] = {
      endpoint.host.c_str(),     port.c_str(), endpoint.user.c_str(), endpoint.password.c_str(),
      endpoint.database.c_str(), "UTF8",       application.c_str(),   nullptr};
  std::string description =
      fmt::format("{}@{}:{}/{}", endpoint.user, endpoint.host, endpoint.port, endpoint.database);
  PGconn* raw = PQconnectdbParams(keywords, values, 0);
  if (raw == nullptr) return Status::Internal("libpq could not allocate a connection");
  PgSession session(raw, description);
  if (PQstatus(raw) != CONNECTION_OK) {
    return Status::Unavailable(fmt::format("cannot connect to PostgreSQL {}: {}", description,
                                           FirstLine(PQerrorMessage(raw))));
  }
  RETURN_IF_ERROR(session.Execute("SET TIME ZONE 'UTC'"));
  return session;
}

Status PgSession::Error(const pg_result* result, std::string_view sql) const {
  const char* message = result != nullptr ? PQresultErrorMessage(result) : PQerrorMessage(handle());
  return Status::Unavailable(
      fmt::format("PostgreSQL {}: {} in: {}", description_, FirstLine(message), FirstLine(sql)));
}

Status PgSession::Execute(const std::string& sql) const {
  PgResult result(PQexec(handle(), sql.c_str()));
  ExecStatusType status = result ? PQresultStatus(result.get()) : PGRES_FATAL_ERROR;
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) return Error(result.get(), sql);
  return Status::Ok();
}

Result<TextRows> PgSession::Query(const std::string& sql,
                                  const std::vector<std::string>& parameters) const {
  std::vector<const char*> values;
  values.reserve(parameters.size());
  for (const std::string& parameter : parameters)
    values.push_back(parameter.c_str());
  PgResult result(PQexecParams(handle(), sql.c_str(), static_cast<int>(values.size()), nullptr,
                               values.data(), nullptr, nullptr, 0));
  if (!result || PQresultStatus(result.get()) != PGRES_TUPLES_OK) return Error(result.get(), sql);
  TextRows rows;
  int row_count = PQntuples(result.get());
  int columns = PQnfields(result.get());
  for (int r = 0; r < row_count; ++r) {
    auto& out = rows.emplace_back(static_cast<size_t>(columns));
    for (int c = 0; c < columns; ++c) {
      if (PQgetisnull(result.get(), r, c) != 0) continue;
      out[static_cast<size_t>(c)] = std::string(
          PQgetvalue(result.get(), r, c), static_cast<size_t>(PQgetlength(result.get(), r, c)));
    }
  }
  return rows;
}

std::string PgIdentifier(std::string_view name) {
  return QuoteWith(name, '"');
}

std::string MariadbIdentifier(std::string_view name) {
  return QuoteWith(name, '`');
}

// ------------------------------------------------------------------------------------------
// Process measurements
// ------------------------------------------------------------------------------------------
uint64_t PeakRssKib() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) != 0) continue;
    size_t digits = line.find_first_of("0123456789");
    if (digits == std::string::npos) return 0;
    uint64_t kib = 0;
    std::from_chars(line.data() + digits, line.data() + line.size(), kib);
    return kib;
  }
  return 0;
}

double CpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& time) {
    return static_cast<double>(time.tv_sec) + static_cast<double>(time.tv_usec) / 1e6;
  };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

int64_t WallMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace chameleon::bench
