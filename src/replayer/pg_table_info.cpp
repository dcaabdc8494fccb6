// PostgreSQL catalogue lookups for replayed DDL; see pg_table_info.h.
#include "replayer/pg_table_info.h"

#include "common/strings.h"

namespace chameleon::replayer {
namespace {

constexpr const char* kColumnQuery =
    "SELECT a.attname, format_type(a.atttypid, a.atttypmod), t.typtype = 'e', n.nspname, "
    "t.typname, a.attidentity <> '' FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid "
    "JOIN pg_namespace n ON n.oid = t.typnamespace WHERE a.attrelid = $1::regclass AND "
    "a.attnum > 0 AND NOT a.attisdropped ";

PgColumn ColumnFromRow(const pg::Rows& rows, int row) {
  PgColumn column;
  column.name = std::string(rows.Text(row, 0));
  column.type = std::string(rows.Text(row, 1));
  column.is_enum = rows.Bool(row, 2);
  column.type_schema = std::string(rows.Text(row, 3));
  column.type_name = std::string(rows.Text(row, 4));
  column.identity = rows.Bool(row, 5);
  return column;
}

}  // namespace

Result<bool> SchemaExists(pg::Connection& connection, const std::string& schema) {
  ASSIGN_OR_RETURN(
      std::optional<std::string> found,
      connection.QueryValue("SELECT 1 FROM pg_namespace WHERE nspname = $1", {schema}));
  return found.has_value();
}

Result<bool> TypeExists(pg::Connection& connection, const std::string& schema,
                        const std::string& name) {
  ASSIGN_OR_RETURN(
      std::optional<std::string> found,
      connection.QueryValue("SELECT 1 FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace "
                            "WHERE n.nspname = $1 AND t.typname = $2",
                            {schema, name}));
  return found.has_value();
}

Result<int> TypeUsers(pg::Connection& connection, const std::string& schema,
                      const std::string& name, int limit) {
  // An index on an enum column has pg_attribute rows of the type too: those do not count.
  ASSIGN_OR_RETURN(
      pg::Rows rows,
      connection.Query(
          "SELECT 1 FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_type t ON "
          "t.oid = a.atttypid JOIN pg_namespace n ON n.oid = t.typnamespace WHERE n.nspname = "
          "$1 AND t.typname = $2 AND NOT a.attisdropped AND c.relkind NOT IN ('i', 'I') "
          "LIMIT $3::integer",
          {schema, name, std::to_string(limit)}));
  return rows.size();
}

Result<bool> RelationExists(pg::Connection& connection, const std::string& qualified) {
  ASSIGN_OR_RETURN(std::optional<std::string> found,
                   connection.QueryValue("SELECT to_regclass($1)::text", {qualified}));
  return found.has_value();
}

Result<std::optional<PgColumn>> ColumnOf(pg::Connection& connection, const std::string& qualified,
                                         const std::string& column) {
  ASSIGN_OR_RETURN(pg::Rows rows, connection.Query(std::string(kColumnQuery) + "AND a.attname = $2",
                                                   {qualified, column}));
  if (rows.empty()) return std::optional<PgColumn>();
  return std::optional<PgColumn>(ColumnFromRow(rows, 0));
}

Result<std::vector<PgColumn>> EnumColumns(pg::Connection& connection,
                                          const std::string& qualified) {
  ASSIGN_OR_RETURN(pg::Rows rows, connection.Query(std::string(kColumnQuery) +
                                                       "AND t.typtype = 'e' ORDER BY a.attnum",
                                                   {qualified}));
  std::vector<PgColumn> columns;
  columns.reserve(static_cast<size_t>(rows.size()));
  for (int row = 0; row < rows.size(); ++row)
    columns.push_back(ColumnFromRow(rows, row));
  return columns;
}

Result<std::optional<std::string>> ColumnDefault(pg::Connection& connection,
                                                 const std::string& qualified,
                                                 const std::string& column) {
  return connection.QueryValue(
      "SELECT pg_get_expr(d.adbin, d.adrelid) FROM pg_attrdef d JOIN pg_attribute a ON "
      "a.attrelid = d.adrelid AND a.attnum = d.adnum WHERE d.adrelid = $1::regclass AND "
      "a.attname = $2",
      {qualified, column});
}

Result<std::vector<std::string>> PrimaryKeyOf(pg::Connection& connection,
                                              const std::string& qualified) {
  ASSIGN_OR_RETURN(std::vector<PgIndex> indexes, IndexesOf(connection, qualified));
  for (auto& index : indexes) {
    if (index.primary) return std::move(index.columns);
  }
  return std::vector<std::string>();
}

Result<std::optional<std::string>> PrimaryKeyConstraint(pg::Connection& connection,
                                                        const std::string& qualified) {
  return connection.QueryValue(
      "SELECT conname FROM pg_constraint WHERE conrelid = $1::regclass AND contype = 'p'",
      {qualified});
}

Result<std::vector<PgIndex>> IndexesOf(pg::Connection& connection, const std::string& qualified) {
  ASSIGN_OR_RETURN(
      pg::Rows rows,
      connection.Query("SELECT c.relname, i.indisprimary, i.indisunique, a.attname FROM pg_index i "
                       "JOIN pg_class c ON c.oid = i.indexrelid "
                       "CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord) "
                       "LEFT JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = "
                       "k.attnum WHERE i.indrelid = $1::regclass ORDER BY c.relname, k.ord",
                       {qualified}));
  std::vector<PgIndex> indexes;
  for (int row = 0; row < rows.size(); ++row) {
    std::string name(rows.Text(row, 0));
    if (indexes.empty() || indexes.back().name != name) {
      PgIndex index;
      index.name = name;
      index.primary = rows.Bool(row, 1);
      index.unique = rows.Bool(row, 2);
      indexes.push_back(std::move(index));
    }
    if (!rows.IsNull(row, 3)) indexes.back().columns.emplace_back(rows.Text(row, 3));
  }
  return indexes;
}

translation::ColumnType TypeOfPgColumn(const PgColumn& column,
                                       const std::string& zero_date_sentinel) {
  using translation::ValueKind;
  translation::ColumnType type;
  type.pg_type = column.type;
  const std::string& t = column.type;
  if (column.is_enum || StartsWith(t, "character") || t == "text") {
    type.kind = ValueKind::kText;
  } else if (t == "date") {
    type.kind = ValueKind::kDate;
    type.zero_date_value = zero_date_sentinel;
  } else if (StartsWith(t, "timestamp")) {
    bool zoned = !t.ends_with("without time zone");
    type.kind = zoned ? ValueKind::kTimestamp : ValueKind::kDateTime;
    type.zero_date_value = zero_date_sentinel + (zoned ? " 00:00:00+00" : " 00:00:00");
  } else if (t == "interval") {
    type.kind = ValueKind::kTime;
  } else if (t == "bytea") {
    type.kind = ValueKind::kBytes;
  } else if (StartsWith(t, "bit")) {
    type.kind = ValueKind::kBit;
  } else if (t == "boolean") {
    type.kind = ValueKind::kBoolean;
  } else if (t == "text[]") {
    type.kind = ValueKind::kSet;
  } else if (t == "jsonb" || t == "json") {
    type.kind = ValueKind::kJson;
  }
  return type;
}

}  // namespace chameleon::replayer
