// The MySQL -> PostgreSQL type map: one information_schema column in, the PostgreSQL type
// and how its values are rendered out. Shared by init_replica and the replayer's DDL path.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "config/config.h"

namespace chameleon::translation {

// A column as information_schema.columns describes it (names as MySQL spells them).
struct SourceColumn {
  std::string name;
  std::string data_type;    // e.g. "int", "varchar", "enum" (any case)
  std::string column_type;  // e.g. "int(10) unsigned", "enum('a','b')", "tinyint(1)"
  bool nullable = true;
  std::optional<int64_t> character_maximum_length;
  std::optional<int64_t> numeric_precision;
  std::optional<int64_t> numeric_scale;
  std::optional<int64_t> datetime_precision;
  std::string extra;                         // "auto_increment", ...
  std::string comment;                       // column comment, "" when none
  std::optional<std::string> default_value;  // COLUMN_DEFAULT as MariaDB 10.2+ reports it
  bool is_json = false;  // MariaDB's JSON is longtext CHECK (json_valid(col)): the caller knows
};

// How the values of a mapped column are rendered; each kind has one rule in value_text.h.
enum class ValueKind {
  kVerbatim,   // integers, decimals, floats, year, uuid, inet: the text is the value
  kText,       // character data: UTF-8 text; a NUL byte is an error (PostgreSQL text has none)
  kBytes,      // binary strings and blobs -> bytea
  kBit,        // BIT(n): the server's big-endian bytes -> a bit string of n digits
  kBoolean,    // an integer or BIT column overridden to boolean: 0 -> false, else true
  kDate,       // DATE: zero dates -> NULL (nullable) or the sentinel
  kDateTime,   // DATETIME -> timestamp
  kTimestamp,  // TIMESTAMP (read in UTC) -> timestamp with time zone
  kTime,       // TIME -> interval (negative and beyond 24 h survive)
  kSet,        // SET 'a,b' -> text[] '{a,b}'
  kJson,       // JSON -> jsonb (text checked by PostgreSQL)
  kSpatial,    // geometry: 4-byte SRID + WKB -> bytea of the WKB
};

struct ColumnType {
  std::string pg_type;  // e.g. "bigint", "numeric(20)", "character varying(10)"
  ValueKind kind = ValueKind::kVerbatim;
  bool nullable = true;
  int bit_width = 0;                     // kBit: n of BIT(n)
  std::vector<std::string> enum_labels;  // ENUM: pg_type is then a type the caller creates
  bool auto_increment = false;
  bool overridden = false;      // type_override chose pg_type
  bool bits_source = false;     // kBoolean from a BIT column: values arrive as bytes
  std::string zero_date_value;  // kDate/kDateTime/kTimestamp NOT NULL: the sentinel text
};

struct TypeMapOptions {
  std::vector<config::TypeOverride> overrides;
  std::string zero_date_sentinel = "1970-01-01";  // a date; datetimes get " 00:00:00"
};

// Whether `override_tables` names `schema.table` ("*" anywhere in the list means every
// table; pg_chameleon only honoured it first).
bool OverrideApplies(const config::TypeOverride& entry, const std::string& schema,
                     const std::string& table);

// Maps one column of `schema`.`table` (MySQL names, used for type_override and messages).
// An unknown type is an InvalidArgument naming the column and how to override it.
Result<ColumnType> MapColumn(const SourceColumn& column, const std::string& schema,
                             const std::string& table, const TypeMapOptions& options);

// The labels of "enum('a','b''c')" or "set(...)": quotes undone, in definition order.
std::vector<std::string> ParseLabels(const std::string& column_type);
// An ENUM/SET label as the server's COLUMN_TYPE shows it: quoted, ' doubled, and backslash,
// NUL, newline and carriage return escaped with a backslash. ParseLabels reads it back.
std::string QuoteEnumLabel(const std::string& label);

// Checks a zero_date_sentinel value ("YYYY-MM-DD"); InvalidArgument says what is wrong.
Status ValidateZeroDateSentinel(const std::string& sentinel);

}  // namespace chameleon::translation
