// The MySQL -> PostgreSQL type map; see type_map.h and docs/configuration.md (type map).
#include "translation/type_map.h"

#include <fmt/format.h>

#include <algorithm>

#include "common/strings.h"

namespace chameleon::translation {
namespace {

bool Unsigned(const std::string& column_type) {
  return ToLower(column_type).find("unsigned") != std::string::npos;
}

int64_t Or(const std::optional<int64_t>& value, int64_t fallback) {
  return value.value_or(fallback);
}

// Fractional seconds digits of a temporal column: "(n)" only when the column has them.
std::string Precision(const SourceColumn& column) {
  int64_t digits = Or(column.datetime_precision, 0);
  return digits > 0 ? fmt::format("({})", digits) : "";
}

ColumnType Simple(std::string pg_type, ValueKind kind) {
  ColumnType type;
  type.pg_type = std::move(pg_type);
  type.kind = kind;
  return type;
}

const char* const kSpatialTypes[] = {
    "geometry",        "point",        "linestring",         "polygon",       "multipoint",
    "multilinestring", "multipolygon", "geometrycollection", "geomcollection"};

// The mapping before overrides; nullopt for a type we do not know.
std::optional<ColumnType> BaseType(const SourceColumn& column) {
  std::string data_type = ToLower(column.data_type);
  bool is_unsigned = Unsigned(column.column_type);
  // Integers: unsigned takes the next wider type so maxima fit and foreign keys still agree
  // (int unsigned on both sides of a key maps to bigint on both).
  if (data_type == "tinyint") return Simple("smallint", ValueKind::kVerbatim);
  if (data_type == "smallint") {
    return Simple(is_unsigned ? "integer" : "smallint", ValueKind::kVerbatim);
  }
  if (data_type == "mediumint") return Simple("integer", ValueKind::kVerbatim);
  if (data_type == "int" || data_type == "integer") {
    return Simple(is_unsigned ? "bigint" : "integer", ValueKind::kVerbatim);
  }
  if (data_type == "bigint") {
    return Simple(is_unsigned ? "numeric(20)" : "bigint", ValueKind::kVerbatim);
  }
  if (data_type == "decimal" || data_type == "numeric" || data_type == "dec" ||
      data_type == "fixed") {
    return Simple(fmt::format("numeric({},{})", Or(column.numeric_precision, 10),
                              Or(column.numeric_scale, 0)),
                  ValueKind::kVerbatim);
  }
  if (data_type == "float") return Simple("real", ValueKind::kVerbatim);
  if (data_type == "double" || data_type == "double precision" || data_type == "real") {
    return Simple("double precision", ValueKind::kVerbatim);
  }
  if (data_type == "bit") {
    ColumnType type = Simple("", ValueKind::kBit);
    type.bit_width = static_cast<int>(Or(column.numeric_precision, 1));
    type.pg_type = fmt::format("bit({})", type.bit_width);
    return type;
  }
  if (data_type == "bool" || data_type == "boolean")
    return Simple("smallint", ValueKind::kVerbatim);
  if (data_type == "year") return Simple("smallint", ValueKind::kVerbatim);
  if (data_type == "char") {
    return Simple(
        fmt::format("character({})", std::max<int64_t>(1, Or(column.character_maximum_length, 1))),
        ValueKind::kText);
  }
  if (data_type == "varchar") {
    return Simple(fmt::format("character varying({})", Or(column.character_maximum_length, 255)),
                  ValueKind::kText);
  }
  if (data_type == "tinytext" || data_type == "text" || data_type == "mediumtext" ||
      data_type == "longtext") {
    if (column.is_json) return Simple("jsonb", ValueKind::kJson);
    return Simple("text", ValueKind::kText);
  }
  if (data_type == "json") return Simple("jsonb", ValueKind::kJson);
  if (data_type == "binary" || data_type == "varbinary" || data_type == "tinyblob" ||
      data_type == "blob" || data_type == "mediumblob" || data_type == "longblob") {
    return Simple("bytea", ValueKind::kBytes);
  }
  if (data_type == "date") return Simple("date", ValueKind::kDate);
  if (data_type == "datetime") {
    return Simple("timestamp" + Precision(column) + " without time zone", ValueKind::kDateTime);
  }
  if (data_type == "timestamp") {
    return Simple("timestamp" + Precision(column) + " with time zone", ValueKind::kTimestamp);
  }
  if (data_type == "time") return Simple("interval", ValueKind::kTime);
  if (data_type == "enum") {
    ColumnType type = Simple("", ValueKind::kText);
    type.enum_labels = ParseLabels(column.column_type);
    return type;
  }
  if (data_type == "set") return Simple("text[]", ValueKind::kSet);
  if (data_type == "uuid") return Simple("uuid", ValueKind::kVerbatim);
  if (data_type == "inet6" || data_type == "inet4") return Simple("inet", ValueKind::kVerbatim);
  for (const char* spatial : kSpatialTypes) {
    if (data_type == spatial) return Simple("bytea", ValueKind::kSpatial);
  }
  return std::nullopt;
}

// How values of `from` are rendered when type_override sends them to `pg_type`.
ValueKind OverriddenKind(const ColumnType& from, const std::string& pg_type) {
  std::string target = ToLower(Trim(pg_type));
  if ((target == "boolean" || target == "bool") &&
      (from.kind == ValueKind::kVerbatim || from.kind == ValueKind::kBit)) {
    return ValueKind::kBoolean;
  }
  if (from.kind == ValueKind::kBit && target.rfind("bit", 0) != 0) {
    return ValueKind::kBit;  // still a bit string; PostgreSQL casts it or says why not
  }
  if (!from.enum_labels.empty()) return ValueKind::kText;
  return from.kind;
}

}  // namespace

bool OverrideApplies(const config::TypeOverride& entry, const std::string& schema,
                     const std::string& table) {
  std::string qualified = schema + "." + table;
  return std::any_of(entry.override_tables.begin(), entry.override_tables.end(),
                     [&](const std::string& name) { return name == "*" || name == qualified; });
}

Result<ColumnType> MapColumn(const SourceColumn& column, const std::string& schema,
                             const std::string& table, const TypeMapOptions& options) {
  std::optional<ColumnType> base = BaseType(column);
  const config::TypeOverride* override_entry = nullptr;
  for (const auto& entry : options.overrides) {
    // The last matching entry wins, as for every other list in the configuration.
    if (ToLower(Trim(entry.mysql_column_type)) == ToLower(Trim(column.column_type)) &&
        OverrideApplies(entry, schema, table)) {
      override_entry = &entry;
    }
  }
  if (!base && override_entry == nullptr) {
    return Status::InvalidArgument(fmt::format(
        "table {}.{} column {}: MySQL type '{}' has no PostgreSQL mapping; add a type_override "
        "for '{}'",
        schema, table, column.name, column.column_type, column.column_type));
  }
  ColumnType type = base.value_or(Simple("text", ValueKind::kText));
  if (override_entry != nullptr) {
    type.bits_source = type.kind == ValueKind::kBit;
    type.kind = OverriddenKind(type, override_entry->override_to);
    type.pg_type = override_entry->override_to;
    type.enum_labels.clear();
    type.overridden = true;
  }
  type.nullable = column.nullable;
  type.auto_increment = ToLower(column.extra).find("auto_increment") != std::string::npos;
  if (type.kind == ValueKind::kDate) {
    type.zero_date_value = options.zero_date_sentinel;
  } else if (type.kind == ValueKind::kDateTime) {
    type.zero_date_value = options.zero_date_sentinel + " 00:00:00";
  } else if (type.kind == ValueKind::kTimestamp) {
    type.zero_date_value = options.zero_date_sentinel + " 00:00:00+00";
  }
  return type;
}

std::string QuoteEnumLabel(const std::string& label) {
  std::string out = "'";
  for (char c : label) {
    switch (c) {
      case '\'':
        out += "''";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\0':
        out += "\\0";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        out += c;
    }
  }
  return out + "'";
}

std::vector<std::string> ParseLabels(const std::string& column_type) {
  std::vector<std::string> labels;
  size_t open = column_type.find('(');
  if (open == std::string::npos) return labels;
  std::string current;
  bool quoted = false;
  for (size_t index = open + 1; index < column_type.size(); ++index) {
    char c = column_type[index];
    if (!quoted) {
      if (c == '\'') {
        quoted = true;
        current.clear();
      } else if (c == ')') {
        break;
      }
      continue;
    }
    if (c == '\'' && index + 1 < column_type.size() && column_type[index + 1] == '\'') {
      current += '\'';
      ++index;
    } else if (c == '\\' && index + 1 < column_type.size()) {
      char escaped = column_type[++index];
      current += escaped == '0'   ? '\0'
                 : escaped == 'n' ? '\n'
                 : escaped == 'r' ? '\r'
                 : escaped == 't' ? '\t'
                 : escaped == 'Z' ? '\x1a'
                                  : escaped;
    } else if (c == '\'') {
      quoted = false;
      labels.push_back(current);
    } else {
      current += c;
    }
  }
  return labels;
}

Status ValidateZeroDateSentinel(const std::string& sentinel) {
  bool shape = sentinel.size() == 10 && sentinel[4] == '-' && sentinel[7] == '-';
  for (size_t index = 0; shape && index < sentinel.size(); ++index) {
    if (index != 4 && index != 7 && (sentinel[index] < '0' || sentinel[index] > '9')) shape = false;
  }
  if (shape) {
    int month = std::stoi(sentinel.substr(5, 2));
    int day = std::stoi(sentinel.substr(8, 2));
    shape = month >= 1 && month <= 12 && day >= 1 && day <= 31 && sentinel.substr(0, 4) != "0000";
  }
  if (shape) return Status::Ok();
  return Status::InvalidArgument(fmt::format(
      "zero_date_sentinel: '{}' is not a date PostgreSQL can store; write it as YYYY-MM-DD, "
      "e.g. '1970-01-01'",
      sentinel));
}

}  // namespace chameleon::translation
