// Reading the source's table definitions from information_schema; see source_tables.h.
#include "init/source_tables.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>
#include <limits>
#include <map>
#include <set>
#include <utility>

#include "common/strings.h"

namespace chameleon::init {
namespace {

std::optional<int64_t> Number(const std::optional<std::string>& text) {
  if (!text || text->empty()) return std::nullopt;
  return std::stoll(*text);
}

std::string Field(const mysql::Rows& rows, size_t row, const char* name) {
  int index = rows.ColumnIndex(name);
  if (index < 0) return "";
  return rows.rows[row][static_cast<size_t>(index)].value_or("");
}

std::optional<std::string> OptionalField(const mysql::Rows& rows, size_t row, const char* name) {
  int index = rows.ColumnIndex(name);
  if (index < 0) return std::nullopt;
  return rows.rows[row][static_cast<size_t>(index)];
}

std::string InList(const std::vector<std::string>& values) {
  std::vector<std::string> quoted;
  for (const auto& value : values)
    quoted.push_back(mysql::QuoteLiteral(value));
  return Join(quoted, ", ");
}

int FillfactorFor(const config::Config& config, const std::string& schema,
                  const std::string& table) {
  int fillfactor = 0;
  std::string qualified = schema + "." + table;
  for (const auto& entry : config.fillfactor) {
    // The last matching entry wins; "*" is the documented wildcard pg_chameleon ignored.
    if (std::find_if(entry.tables.begin(), entry.tables.end(), [&](const std::string& name) {
          return name == "*" || name == qualified;
        }) != entry.tables.end()) {
      fillfactor = entry.fillfactor;
    }
  }
  return fillfactor;
}

// PostgreSQL sequences are bigint: a bigint unsigned AUTO_INCREMENT (numeric(20)) whose
// MySQL counter `next` is already past bigint gets no sequence, and the user is told.
void LeaveOutSequencesPastBigint(const std::string& next, translation::TableDefinition* table) {
  uint64_t value = 0;
  auto parsed = std::from_chars(next.data(), next.data() + next.size(), value);
  if (parsed.ec != std::errc() || value <= uint64_t{std::numeric_limits<int64_t>::max()}) return;
  for (size_t index = 0; index < table->types.size(); ++index) {
    auto& type = table->types[index];
    if (!type.auto_increment || !StartsWith(type.pg_type, "numeric")) continue;
    type.auto_increment = false;
    spdlog::warn(
        "table {}.{}: column {} is a bigint unsigned AUTO_INCREMENT whose next value {} is past "
        "the largest PostgreSQL sequence value ({}): it gets no sequence; rows inserted in "
        "PostgreSQL must give it a value",
        table->origin_schema, table->table, table->columns[index].name, next,
        std::numeric_limits<int64_t>::max());
  }
}

}  // namespace

bool TableSelected(const config::Source& source, const std::vector<std::string>& only,
                   const std::string& schema, const std::string& table) {
  std::string qualified = schema + "." + table;
  auto contains = [](const std::vector<std::string>& list, const std::string& value) {
    return std::find(list.begin(), list.end(), value) != list.end();
  };
  if (contains(source.skip_tables, qualified)) return false;
  if (!only.empty() && !contains(only, qualified)) return false;
  bool schema_limited = false;
  for (const auto& entry : source.limit_tables) {
    if (entry == schema) return true;  // the whole schema is listed
    if (StartsWith(entry, schema + ".")) schema_limited = true;
  }
  return !schema_limited || contains(source.limit_tables, qualified);
}

Result<std::vector<SourceTable>> ReadSourceTables(mysql::Connection& connection,
                                                  const config::Config& config,
                                                  const config::Source& source,
                                                  const std::vector<std::string>& origin_schemas,
                                                  const std::vector<std::string>& only) {
  std::vector<SourceTable> tables;
  if (origin_schemas.empty()) return tables;
  std::string schemas = InList(origin_schemas);
  ASSIGN_OR_RETURN(
      mysql::Rows table_rows,
      connection.Query(fmt::format(
          "SELECT table_schema, table_name, table_comment, "
          "coalesce(data_length, 0) AS data_length, coalesce(table_rows, 0) AS table_rows, "
          "auto_increment AS auto_increment FROM information_schema.tables "
          "WHERE table_schema IN ({}) AND table_type = 'BASE TABLE' "
          "ORDER BY table_schema, table_name",
          schemas)));
  ASSIGN_OR_RETURN(
      mysql::Rows column_rows,
      connection.Query(fmt::format(
          "SELECT table_schema, table_name, column_name, data_type, column_type, is_nullable, "
          "character_maximum_length, numeric_precision, numeric_scale, datetime_precision, "
          "extra, column_comment, column_default FROM information_schema.columns "
          "WHERE table_schema IN ({}) ORDER BY table_schema, table_name, ordinal_position",
          schemas)));
  ASSIGN_OR_RETURN(
      mysql::Rows index_rows,
      connection.Query(fmt::format(
          "SELECT table_schema, table_name, index_name, non_unique, column_name, sub_part, "
          "index_type FROM information_schema.statistics WHERE table_schema IN ({}) "
          "ORDER BY table_schema, table_name, index_name, seq_in_index",
          schemas)));
  // MariaDB's JSON is an alias of LONGTEXT with a json_valid() check; the check marks it.
  std::map<std::string, bool> json_columns;
  if (connection.is_mariadb()) {
    auto checks = connection.Query(
        fmt::format("SELECT constraint_schema, table_name, check_clause FROM "
                    "information_schema.check_constraints WHERE constraint_schema IN ({})",
                    schemas));
    if (checks.ok()) {
      for (size_t row = 0; row < checks->size(); ++row) {
        std::string clause = Field(*checks, row, "check_clause");
        if (!StartsWith(clause, "json_valid(`")) continue;
        std::string column = clause.substr(12, clause.rfind('`') - 12);
        json_columns[Field(*checks, row, "constraint_schema") + "\n" +
                     Field(*checks, row, "table_name") + "\n" + column] = true;
      }
    }
  }
  std::map<std::string, std::string> destinations(source.schema_mappings.begin(),
                                                  source.schema_mappings.end());
  translation::TypeMapOptions options;
  options.overrides = config.type_override;
  options.zero_date_sentinel = source.zero_date_sentinel;
  RETURN_IF_ERROR(translation::ValidateZeroDateSentinel(source.zero_date_sentinel)
                      .WithContext("sources." + source.name));
  // Enum type names are made unique over every base table of the schema, selected or not,
  // so that copying one table names its types as copying the whole schema does.
  std::map<std::string, std::vector<translation::EnumColumn>> enum_columns;
  {
    std::set<std::pair<std::string, std::string>> base_tables;
    for (size_t row = 0; row < table_rows.size(); ++row) {
      base_tables.insert(
          {Field(table_rows, row, "table_schema"), Field(table_rows, row, "table_name")});
    }
    for (size_t c = 0; c < column_rows.size(); ++c) {
      std::string schema = Field(column_rows, c, "table_schema");
      std::string table = Field(column_rows, c, "table_name");
      if (ToLower(Field(column_rows, c, "data_type")) != "enum" ||
          base_tables.count({schema, table}) == 0) {
        continue;
      }
      enum_columns[schema].emplace_back(table, Field(column_rows, c, "column_name"));
    }
  }
  std::map<std::string, translation::EnumTypeNames> enum_names;
  for (const auto& [schema, columns] : enum_columns)
    enum_names[schema] = translation::UniqueEnumTypeNames(columns);
  for (size_t row = 0; row < table_rows.size(); ++row) {
    std::string schema = Field(table_rows, row, "table_schema");
    std::string table = Field(table_rows, row, "table_name");
    if (!TableSelected(source, only, schema, table)) continue;
    std::vector<translation::SourceColumn> columns;
    for (size_t c = 0; c < column_rows.size(); ++c) {
      if (Field(column_rows, c, "table_schema") != schema ||
          Field(column_rows, c, "table_name") != table) {
        continue;
      }
      translation::SourceColumn column;
      column.name = Field(column_rows, c, "column_name");
      column.data_type = Field(column_rows, c, "data_type");
      column.column_type = Field(column_rows, c, "column_type");
      column.nullable = Field(column_rows, c, "is_nullable") == "YES";
      column.character_maximum_length =
          Number(OptionalField(column_rows, c, "character_maximum_length"));
      column.numeric_precision = Number(OptionalField(column_rows, c, "numeric_precision"));
      column.numeric_scale = Number(OptionalField(column_rows, c, "numeric_scale"));
      column.datetime_precision = Number(OptionalField(column_rows, c, "datetime_precision"));
      column.extra = Field(column_rows, c, "extra");
      column.comment = Field(column_rows, c, "column_comment");
      column.default_value = OptionalField(column_rows, c, "column_default");
      column.is_json = json_columns.count(schema + "\n" + table + "\n" + column.name) > 0;
      columns.push_back(std::move(column));
    }
    std::vector<translation::SourceIndex> indexes;
    for (size_t i = 0; i < index_rows.size(); ++i) {
      if (Field(index_rows, i, "table_schema") != schema ||
          Field(index_rows, i, "table_name") != table) {
        continue;
      }
      std::string name = Field(index_rows, i, "index_name");
      if (indexes.empty() || indexes.back().name != name) {
        translation::SourceIndex index;
        index.name = name;
        index.unique = Field(index_rows, i, "non_unique") == "0";
        index.index_type = Field(index_rows, i, "index_type");
        indexes.push_back(std::move(index));
      }
      indexes.back().columns.push_back(Field(index_rows, i, "column_name"));
      if (OptionalField(index_rows, i, "sub_part").has_value()) {
        indexes.back().has_prefix_part = true;
      }
    }
    ASSIGN_OR_RETURN(translation::TableDefinition definition,
                     translation::MapTable(schema, table, std::move(columns), std::move(indexes),
                                           Field(table_rows, row, "table_comment"), options));
    translation::ApplyEnumTypeNames(enum_names[schema], &definition);
    LeaveOutSequencesPastBigint(Field(table_rows, row, "auto_increment"), &definition);
    SourceTable source_table;
    source_table.definition = std::move(definition);
    source_table.destination_schema = destinations[schema];
    source_table.fillfactor = FillfactorFor(config, schema, table);
    source_table.estimated_bytes =
        Number(OptionalField(table_rows, row, "data_length")).value_or(0);
    source_table.estimated_rows = Number(OptionalField(table_rows, row, "table_rows")).value_or(0);
    tables.push_back(std::move(source_table));
  }
  return tables;
}

}  // namespace chameleon::init
