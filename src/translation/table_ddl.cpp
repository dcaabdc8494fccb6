// DDL translation; see table_ddl.h.
#include "translation/table_ddl.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "common/strings.h"
#include "pg/connection.h"
#include "translation/value_text.h"

namespace chameleon::translation {
namespace {

constexpr size_t kMaxIdentifierBytes = 63;  // PostgreSQL's NAMEDATALEN - 1

uint32_t Fnv1a(const std::string& text) {
  uint32_t hash = 2166136261U;
  for (char c : text) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 16777619U;
  }
  return hash;
}

std::string Qualified(const std::string& schema, const std::string& name) {
  return QualifiedName(schema, name);
}

std::string ColumnList(const std::vector<std::string>& columns) {
  return QuotedColumnList(columns);
}

bool IsIntegerType(const std::string& pg_type) {
  return pg_type == "smallint" || pg_type == "integer" || pg_type == "bigint";
}

bool LooksNumeric(const std::string& text) {
  if (text.empty()) return false;
  return std::all_of(text.begin(), text.end(), [](char c) {
    return (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '+' || c == 'e' || c == 'E';
  });
}

}  // namespace

std::string QualifiedName(const std::string& schema, const std::string& name) {
  return pg::QuoteIdentifier(schema) + "." + pg::QuoteIdentifier(name);
}

std::string QuotedColumnList(const std::vector<std::string>& columns) {
  std::vector<std::string> quoted;
  for (const auto& column : columns)
    quoted.push_back(pg::QuoteIdentifier(column));
  return Join(quoted, ", ");
}

bool TableDefinition::HasPrimaryKey() const {
  return !PrimaryKey().empty();
}

std::vector<std::string> TableDefinition::PrimaryKey() const {
  for (const auto& index : indexes) {
    if (index.name == "PRIMARY") return index.columns;
  }
  return {};
}

std::string PgName(const std::string& wanted) {
  if (wanted.size() <= kMaxIdentifierBytes) return wanted;
  std::string suffix = fmt::format("_{:08x}", Fnv1a(wanted));
  size_t cut = kMaxIdentifierBytes - suffix.size();
  // Back up to the first byte of a UTF-8 sequence so the name stays valid text.
  while (cut > 0 && (static_cast<unsigned char>(wanted[cut]) & 0xC0) == 0x80)
    --cut;
  return wanted.substr(0, cut) + suffix;
}

std::string SuffixedName(const std::string& wanted, const std::string& key) {
  std::string suffix = fmt::format("_{:08x}", Fnv1a(key));
  size_t cut = std::min(wanted.size(), kMaxIdentifierBytes - suffix.size());
  while (cut > 0 && cut < wanted.size() && (static_cast<unsigned char>(wanted[cut]) & 0xC0) == 0x80)
    --cut;
  return wanted.substr(0, cut) + suffix;
}

std::string EnumTypeName(const std::string& table, const std::string& column) {
  return PgName("enum_" + table + "_" + column);
}

EnumTypeNames UniqueEnumTypeNames(const std::vector<EnumColumn>& columns) {
  std::map<std::string, std::set<EnumColumn>> by_name;
  for (const auto& column : columns)
    by_name[EnumTypeName(column.first, column.second)].insert(column);
  EnumTypeNames names;
  for (const auto& [name, owners] : by_name) {
    for (const auto& owner : owners) {
      names[owner] = owners.size() == 1
                         ? name
                         : SuffixedName(name, owner.first + std::string(1, '\0') + owner.second);
    }
  }
  return names;
}

void ApplyEnumTypeNames(const EnumTypeNames& names, TableDefinition* table) {
  for (size_t index = 0; index < table->columns.size(); ++index) {
    if (table->types[index].enum_labels.empty()) continue;
    auto found = names.find({table->table, table->columns[index].name});
    if (found != names.end()) table->types[index].pg_type = found->second;
  }
}

Result<TableDefinition> MapTable(std::string origin_schema, std::string table,
                                 std::vector<SourceColumn> columns,
                                 std::vector<SourceIndex> indexes, std::string comment,
                                 const TypeMapOptions& options) {
  TableDefinition definition;
  definition.origin_schema = std::move(origin_schema);
  definition.table = std::move(table);
  definition.comment = std::move(comment);
  definition.columns = std::move(columns);
  definition.indexes = std::move(indexes);
  for (const auto& column : definition.columns) {
    ASSIGN_OR_RETURN(ColumnType type,
                     MapColumn(column, definition.origin_schema, definition.table, options));
    if (!type.enum_labels.empty()) type.pg_type = EnumTypeName(definition.table, column.name);
    definition.types.push_back(std::move(type));
  }
  return definition;
}

std::string DefaultClause(const SourceColumn& column, const ColumnType& type) {
  if (!column.default_value || type.auto_increment) return "";
  const std::string& value = *column.default_value;
  std::string lower = ToLower(value);
  if (lower == "null") return "";
  if (StartsWith(lower, "current_timestamp") || lower == "now()") {
    if (type.kind == ValueKind::kDateTime || type.kind == ValueKind::kTimestamp) {
      return " DEFAULT CURRENT_TIMESTAMP";
    }
    return "";
  }
  std::string literal;
  if (value.size() >= 2 && value.front() == '\'' && value.back() == '\'') {
    // MariaDB quotes string defaults and doubles quotes / escapes backslashes inside.
    for (size_t index = 1; index + 1 < value.size(); ++index) {
      char c = value[index];
      if ((c == '\'' || c == '\\') && index + 2 < value.size()) c = value[++index];
      literal += c;
    }
  } else if (LooksNumeric(value)) {
    literal = value;
  } else if (StartsWith(lower, "b'") && value.back() == '\'') {
    if (type.kind != ValueKind::kBit) return "";
    return fmt::format(" DEFAULT B'{}'", value.substr(2, value.size() - 3));
  } else {
    return "";  // an expression: PostgreSQL would need its own; rows carry the values anyway
  }
  if (type.kind == ValueKind::kBytes || type.kind == ValueKind::kSpatial ||
      type.kind == ValueKind::kBit) {
    return "";
  }
  auto rendered = ToPgText(type, column.name, literal);
  if (!rendered.ok() || !rendered->has_value()) return "";
  return " DEFAULT " + pg::QuoteLiteral(**rendered);
}

std::string CreateEnumTypeStatement(const ColumnType& type, const std::string& pg_schema) {
  std::vector<std::string> labels;
  for (const auto& label : type.enum_labels)
    labels.push_back(pg::QuoteLiteral(label));
  return fmt::format("CREATE TYPE {} AS ENUM ({})", Qualified(pg_schema, type.pg_type),
                     Join(labels, ", "));
}

std::string ColumnSql(const SourceColumn& column, const ColumnType& type,
                      const std::string& pg_schema) {
  std::string pg_type =
      type.enum_labels.empty() ? type.pg_type : Qualified(pg_schema, type.pg_type);
  std::string line = pg::QuoteIdentifier(column.name) + " " + pg_type;
  if (type.auto_increment && IsIntegerType(type.pg_type)) {
    line += " GENERATED BY DEFAULT AS IDENTITY";
  }
  line += DefaultClause(column, type);
  if (!type.nullable) line += " NOT NULL";
  return line;
}

std::vector<std::string> CreateTableStatements(const TableDefinition& table,
                                               const std::string& pg_schema, int fillfactor) {
  std::vector<std::string> statements;
  std::vector<std::string> column_lines;
  std::vector<std::string> owned_sequences;
  for (size_t index = 0; index < table.columns.size(); ++index) {
    const ColumnType& type = table.types[index];
    const SourceColumn& column = table.columns[index];
    std::string pg_type = type.pg_type;
    if (!type.enum_labels.empty()) {
      std::vector<std::string> labels;
      for (const auto& label : type.enum_labels)
        labels.push_back(pg::QuoteLiteral(label));
      statements.push_back(fmt::format("CREATE TYPE {} AS ENUM ({})",
                                       Qualified(pg_schema, type.pg_type), Join(labels, ", ")));
      pg_type = Qualified(pg_schema, type.pg_type);
    }
    std::string line = pg::QuoteIdentifier(column.name) + " " + pg_type;
    if (type.auto_increment && IsIntegerType(type.pg_type)) {
      line += " GENERATED BY DEFAULT AS IDENTITY";
    } else if (type.auto_increment && StartsWith(type.pg_type, "numeric")) {
      // bigint unsigned: numeric(20) cannot be an identity, so it gets a bigint sequence of
      // its own, owned by the column as serial's is (the caller left out columns whose
      // MySQL counter is past bigint).
      std::string sequence = Qualified(pg_schema, PgName(table.table + "_" + column.name + "_seq"));
      statements.push_back("CREATE SEQUENCE " + sequence + " AS bigint");
      line += " DEFAULT nextval(" + pg::QuoteLiteral(sequence) + "::regclass)";
      owned_sequences.push_back(fmt::format("ALTER SEQUENCE {} OWNED BY {}.{}", sequence,
                                            Qualified(pg_schema, table.table),
                                            pg::QuoteIdentifier(column.name)));
    }
    line += DefaultClause(column, type);
    if (!type.nullable) line += " NOT NULL";
    column_lines.push_back(line);
  }
  std::string with =
      fillfactor > 0 && fillfactor < 100 ? fmt::format(" WITH (fillfactor = {})", fillfactor) : "";
  statements.push_back(fmt::format("CREATE TABLE {} (\n  {}\n){}",
                                   Qualified(pg_schema, table.table), Join(column_lines, ",\n  "),
                                   with));
  statements.insert(statements.end(), owned_sequences.begin(), owned_sequences.end());
  if (!table.comment.empty()) {
    statements.push_back(fmt::format("COMMENT ON TABLE {} IS {}", Qualified(pg_schema, table.table),
                                     pg::QuoteLiteral(table.comment)));
  }
  for (const auto& column : table.columns) {
    if (column.comment.empty()) continue;
    statements.push_back(
        fmt::format("COMMENT ON COLUMN {}.{} IS {}", Qualified(pg_schema, table.table),
                    pg::QuoteIdentifier(column.name), pg::QuoteLiteral(column.comment)));
  }
  return statements;
}

std::vector<std::string> IndexStatements(const TableDefinition& table, const std::string& pg_schema,
                                         std::vector<std::string>* skipped) {
  std::vector<std::string> statements;
  for (const auto& index : table.indexes) {
    std::string type = ToLower(index.index_type);
    if (index.has_prefix_part || type == "fulltext" || type == "spatial") {
      if (skipped != nullptr) {
        skipped->push_back(
            fmt::format("{} ({})", index.name, index.has_prefix_part ? "prefix index" : type));
      }
      continue;
    }
    if (index.name == "PRIMARY") {
      statements.push_back(fmt::format(
          "ALTER TABLE {} ADD CONSTRAINT {} PRIMARY KEY ({})", Qualified(pg_schema, table.table),
          pg::QuoteIdentifier(PgName(table.table + "_pkey")), ColumnList(index.columns)));
      continue;
    }
    std::string name = PgName(table.table + "_" + index.name + (index.unique ? "_key" : "_idx"));
    statements.push_back(fmt::format("CREATE {}INDEX {} ON {} ({})", index.unique ? "UNIQUE " : "",
                                     pg::QuoteIdentifier(name), Qualified(pg_schema, table.table),
                                     ColumnList(index.columns)));
  }
  return statements;
}

}  // namespace chameleon::translation
