// Table digests on both servers; see table_checksum.h. Rendering: values joined by chr(31), each
// 'v'<text> or 'n' (NULL); decimals at source scale; times in UTC with microseconds; bytes in hex.
#include "table_checksum.h"

#include <fmt/format.h>

#include <map>

#include "workload.h"

namespace chameleon::bench {
namespace {

enum class Family { kInteger, kDecimal, kDate, kDateTime, kBinary, kText };

struct SourceColumn {
  std::string name;
  Family family = Family::kText;
  std::string scale;
};

Family FamilyOf(const std::string& mysql_type) {
  static const std::map<std::string, Family> families = {
      {"tinyint", Family::kInteger},   {"smallint", Family::kInteger},
      {"mediumint", Family::kInteger}, {"int", Family::kInteger},
      {"bigint", Family::kInteger},    {"year", Family::kInteger},
      {"decimal", Family::kDecimal},   {"date", Family::kDate},
      {"datetime", Family::kDateTime}, {"timestamp", Family::kDateTime},
      {"tinyblob", Family::kBinary},   {"blob", Family::kBinary},
      {"mediumblob", Family::kBinary}, {"longblob", Family::kBinary},
      {"binary", Family::kBinary},     {"varbinary", Family::kBinary}};
  auto found = families.find(mysql_type);
  return found == families.end() ? Family::kText : found->second;
}

std::string MariadbString(const std::string& text) {
  std::string literal;
  AppendMysqlLiteral(literal, ValueKind::kText, text);
  return literal;
}

Result<std::vector<SourceColumn>> SourceColumns(MariadbSession& source, const std::string& database,
                                                const std::string& table) {
  ASSIGN_OR_RETURN(TextRows rows, source.Query(fmt::format(
                                      "SELECT COLUMN_NAME, DATA_TYPE, COALESCE(NUMERIC_SCALE, 0) "
                                      "FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = {} AND "
                                      "TABLE_NAME = {} ORDER BY ORDINAL_POSITION",
                                      MariadbString(database), MariadbString(table))));
  if (rows.empty()) {
    return Status::NotFound(fmt::format("no table {}.{} in MariaDB", database, table));
  }
  std::vector<SourceColumn> columns;
  for (const auto& row : rows) {
    columns.push_back({row[0].value_or(""), FamilyOf(row[1].value_or("")), row[2].value_or("0")});
  }
  return columns;
}

std::string MariadbExpression(const SourceColumn& column) {
  std::string c = MariadbIdentifier(column.name);
  std::string text;
  switch (column.family) {
    case Family::kInteger:
    case Family::kDecimal:
      text = fmt::format("CAST({} AS CHAR)", c);
      break;
    case Family::kDate:
      text = fmt::format("DATE_FORMAT({}, '%Y-%m-%d')", c);
      break;
    case Family::kDateTime:
      text = fmt::format("DATE_FORMAT({}, '%Y-%m-%d %H:%i:%s.%f')", c);
      break;
    case Family::kBinary:
      text = fmt::format("HEX({})", c);
      break;
    case Family::kText:
      text = c;
      break;
  }
  return fmt::format("COALESCE(CONCAT('v', {}), 'n')", text);
}

// The rendering of `column` from a PostgreSQL column of type `pg_type`
// (information_schema.columns.data_type).
std::string PostgresExpression(const SourceColumn& column, const std::string& pg_type) {
  std::string c = PgIdentifier(column.name);
  std::string text;
  switch (column.family) {
    case Family::kInteger:
      text = pg_type == "boolean" ? fmt::format("CASE WHEN {} THEN '1' ELSE '0' END", c)
                                  : c + "::text";
      break;
    case Family::kDecimal:
      text = fmt::format("round({}::numeric, {})::text", c, column.scale);
      break;
    case Family::kDate:
      text = fmt::format("to_char({}, 'YYYY-MM-DD')", c);
      break;
    case Family::kDateTime:
      text = fmt::format("to_char({}{}, 'YYYY-MM-DD HH24:MI:SS.US')", c,
                         pg_type == "timestamp with time zone" ? " AT TIME ZONE 'UTC'" : "");
      break;
    case Family::kBinary:
      text = pg_type == "bytea"
                 ? fmt::format("upper(encode({}, 'hex'))", c)
                 : fmt::format("upper(encode(convert_to({}::text, 'UTF8'), 'hex'))", c);
      break;
    case Family::kText:
      text = pg_type == "ARRAY" ? fmt::format("array_to_string({}, ',')", c) : c + "::text";
      break;
  }
  return fmt::format("coalesce('v' || {}, 'n')", text);
}

TableDigest DigestFrom(const TextRows& rows) {
  const auto& row = rows.at(0);
  return {row[0].value_or("?"), row[1].value_or("?"), row[2].value_or("?")};
}

}  // namespace

Result<TableDigest> MariadbDigest(MariadbSession& source, const std::string& database,
                                  const std::string& table) {
  ASSIGN_OR_RETURN(std::vector<SourceColumn> columns, SourceColumns(source, database, table));
  std::string rendering;
  for (const SourceColumn& column : columns)
    rendering += ", " + MariadbExpression(column);
  std::string sql = fmt::format(
      "SELECT COUNT(*), "
      "CAST(COALESCE(SUM(CAST(CONV(LEFT(h, 15), 16, 10) AS UNSIGNED)), 0) AS CHAR), "
      "CAST(COALESCE(SUM(CAST(CONV(SUBSTRING(h, 16, 15), 16, 10) AS UNSIGNED)), 0) AS CHAR) "
      "FROM (SELECT MD5(CONCAT_WS(CHAR(31 USING utf8mb4){})) AS h FROM {}.{}) AS row_digests",
      rendering, MariadbIdentifier(database), MariadbIdentifier(table));
  ASSIGN_OR_RETURN(TextRows rows, source.Query(sql));
  return DigestFrom(rows);
}

Result<TableDigest> PostgresDigest(MariadbSession& source, const std::string& database,
                                   PgSession& target, const std::string& schema,
                                   const std::string& table) {
  ASSIGN_OR_RETURN(std::vector<SourceColumn> columns, SourceColumns(source, database, table));
  ASSIGN_OR_RETURN(TextRows types,
                   target.Query("SELECT column_name, data_type FROM information_schema.columns "
                                "WHERE table_schema = $1 AND table_name = $2",
                                {schema, table}));
  if (types.empty()) {
    return Status::NotFound(fmt::format("no table {}.{} in PostgreSQL", schema, table));
  }
  std::map<std::string, std::string> type_of;
  for (const auto& row : types)
    type_of[row[0].value_or("")] = row[1].value_or("");
  std::string rendering;
  for (const SourceColumn& column : columns) {
    auto found = type_of.find(column.name);
    if (found == type_of.end()) {
      return Status::NotFound(
          fmt::format("column {} of {}.{} is missing in PostgreSQL", column.name, schema, table));
    }
    rendering += ", " + PostgresExpression(column, found->second);
  }
  std::string sql = fmt::format(
      "SELECT count(*)::text, "
      "coalesce(sum(('x' || lpad(left(h, 15), 16, '0'))::bit(64)::bigint), 0)::text, "
      "coalesce(sum(('x' || lpad(substr(h, 16, 15), 16, '0'))::bit(64)::bigint), 0)::text "
      "FROM (SELECT md5(concat_ws(chr(31){})) AS h FROM {}.{}) AS row_digests",
      rendering, PgIdentifier(schema), PgIdentifier(table));
  ASSIGN_OR_RETURN(TextRows rows, target.Query(sql));
  return DigestFrom(rows);
}

}  // namespace chameleon::bench
