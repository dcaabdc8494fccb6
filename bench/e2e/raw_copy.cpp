// The raw SELECT -> COPY pipeline; see raw_copy.h. Rows are escaped into 1 MiB chunks of COPY
// text as they stream in, so memory stays flat whatever the table size.
#include "raw_copy.h"

#include <fmt/format.h>
#include <libpq-fe.h>
#include <mysql.h>

#include <chrono>

namespace chameleon::bench {
namespace {

constexpr size_t kCopyChunkBytes = 1 << 20;

// A binary string column (BLOB, BINARY, VARBINARY). Numbers and dates also carry the binary
// character set, hence the type test.
bool IsBinary(const MYSQL_FIELD& field) {
  if (field.charsetnr != 63) return false;
  switch (field.type) {
    case MYSQL_TYPE_TINY_BLOB:
    case MYSQL_TYPE_MEDIUM_BLOB:
    case MYSQL_TYPE_LONG_BLOB:
    case MYSQL_TYPE_BLOB:
    case MYSQL_TYPE_STRING:
    case MYSQL_TYPE_VAR_STRING:
      return true;
    default:
      return false;
  }
}

// COPY text format: backslash, newline, carriage return and tab are escaped.
void AppendCopyText(std::string& out, const char* data, unsigned long size) {
  for (unsigned long i = 0; i < size; ++i) {
    char c = data[i];
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        out += c;
    }
  }
}

// bytea hex input, its backslash escaped for COPY: \\x0a1b...
void AppendCopyBytes(std::string& out, const char* data, unsigned long size) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += "\\\\x";
  for (unsigned long i = 0; i < size; ++i) {
    auto byte = static_cast<unsigned char>(data[i]);
    out += kHex[byte >> 4];
    out += kHex[byte & 15];
  }
}

Status PutCopyData(PgSession& target, std::string& buffer, uint64_t& bytes) {
  if (buffer.empty()) return Status::Ok();
  if (PQputCopyData(target.handle(), buffer.data(), static_cast<int>(buffer.size())) != 1) {
    return target.Error(nullptr, "COPY data");
  }
  bytes += buffer.size();
  buffer.clear();
  return Status::Ok();
}

Status CopyTable(MariadbSession& source, PgSession& target, const std::string& database,
                 const std::string& schema, const std::string& table, CopyTotals& totals) {
  std::string select =
      fmt::format("SELECT * FROM {}.{}", MariadbIdentifier(database), MariadbIdentifier(table));
  if (mysql_real_query(source.handle(), select.data(), select.size()) != 0) {
    return source.Error(select);
  }
  MYSQL_RES* result = mysql_use_result(source.handle());
  if (result == nullptr) return source.Error(select);
  std::unique_ptr<MYSQL_RES, void (*)(MYSQL_RES*)> owned(result, mysql_free_result);

  unsigned columns = mysql_num_fields(result);
  MYSQL_FIELD* fields = mysql_fetch_fields(result);
  std::vector<bool> binary(columns);
  std::string column_list;
  for (unsigned i = 0; i < columns; ++i) {
    binary[i] = IsBinary(fields[i]);
    column_list += (i == 0 ? "" : ", ") + PgIdentifier(fields[i].name);
  }
  std::string copy = fmt::format("COPY {}.{} ({}) FROM STDIN", PgIdentifier(schema),
                                 PgIdentifier(table), column_list);
  PgResult started(PQexec(target.handle(), copy.c_str()));
  if (!started || PQresultStatus(started.get()) != PGRES_COPY_IN) {
    return target.Error(started.get(), copy);
  }

  std::string buffer;
  buffer.reserve(kCopyChunkBytes + size_t{64} * 1024);
  while (MYSQL_ROW row = mysql_fetch_row(result)) {
    unsigned long* lengths = mysql_fetch_lengths(result);
    for (unsigned i = 0; i < columns; ++i) {
      if (i > 0) buffer += '\t';
      if (row[i] == nullptr) {
        buffer += "\\N";
      } else if (binary[i]) {
        AppendCopyBytes(buffer, row[i], lengths[i]);
      } else {
        AppendCopyText(buffer, row[i], lengths[i]);
      }
    }
    buffer += '\n';
    ++totals.rows;
    if (buffer.size() >= kCopyChunkBytes)
      RETURN_IF_ERROR(PutCopyData(target, buffer, totals.bytes));
  }
  if (mysql_errno(source.handle()) != 0) return source.Error(select);
  RETURN_IF_ERROR(PutCopyData(target, buffer, totals.bytes));
  if (PQputCopyEnd(target.handle(), nullptr) != 1) return target.Error(nullptr, "COPY end");
  PgResult finished(PQgetResult(target.handle()));
  if (!finished || PQresultStatus(finished.get()) != PGRES_COMMAND_OK) {
    return target.Error(finished.get(), copy);
  }
  while (PgResult extra{PQgetResult(target.handle())}) {
  }
  return Status::Ok();
}

}  // namespace

Result<CopyTotals> RawCopy(MariadbSession& source, PgSession& target, const std::string& database,
                           const std::string& schema, const std::vector<std::string>& tables) {
  auto start = std::chrono::steady_clock::now();
  CopyTotals totals;
  RETURN_IF_ERROR(
      source.Execute("SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ;"
                     "START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY"));
  RETURN_IF_ERROR(target.Execute("BEGIN"));
  for (const std::string& table : tables) {
    RETURN_IF_ERROR(CopyTable(source, target, database, schema, table, totals)
                        .WithContext("copying " + database + "." + table));
  }
  RETURN_IF_ERROR(target.Execute("COMMIT"));
  RETURN_IF_ERROR(source.Execute("COMMIT"));
  totals.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return totals;
}

}  // namespace chameleon::bench
