// MySQL column and key definitions as a DDL statement writes them ("INT UNSIGNED NOT NULL
// DEFAULT 5 COMMENT 'x'", "UNIQUE KEY `u` (`a`, `b`(10))") read into the structures
// init_replica fills from information_schema, so both paths go through one type map.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "config/config.h"
#include "translation/table_ddl.h"
#include "translation/type_map.h"

namespace chameleon::translation {

struct ParsedColumn {
  SourceColumn column;       // as information_schema.columns would describe it
  bool primary_key = false;  // an inline PRIMARY KEY
  bool unique = false;       // an inline UNIQUE [KEY]
  bool generated = false;    // GENERATED ALWAYS AS / AS (expr): values still come in rows
};

// Reads the definition of column `name` ("type [options]", the text after the name).
// `overrides` decides between MariaDB's COLUMN_TYPE with display widths ("int(11)") and
// MySQL 8's without ("int") so a type_override written for either matches.
// InvalidArgument names the column and what could not be read.
Result<ParsedColumn> ParseColumnDefinition(const std::string& name, std::string_view definition,
                                           const std::vector<config::TypeOverride>& overrides);

// The value of "DEFAULT <value>" (text after DEFAULT, or "SET DEFAULT <value>"'s value) as
// MariaDB's COLUMN_DEFAULT shows it: 'text' quoted, numbers bare, NULL,
// current_timestamp(), b'101'; anything else is an expression DefaultClause leaves out.
std::string ReadDefaultValue(std::string_view text);

// MySQL's implicit default of a NOT NULL column of `type` (0, '', the first enum label, the
// zero-date sentinel...) as a PostgreSQL literal: what ADD COLUMN ... NOT NULL gives the rows
// a table already holds.
std::string ImplicitDefault(const ColumnType& type);

// Sets data_type, character_maximum_length, numeric_precision/scale and datetime_precision
// from column->column_type ("varchar(20)", "decimal(10,2) unsigned", "datetime(6)").
void FillFromColumnType(SourceColumn* column);

// A key definition of CREATE TABLE / ALTER TABLE ADD ("PRIMARY KEY (a)", "UNIQUE KEY u (a)",
// "KEY k (b(10))", "FULLTEXT KEY f (t)", "CONSTRAINT c UNIQUE (a)"); nullopt for what is
// not an index (FOREIGN KEY, CHECK, PERIOD). An index without a name takes its first
// column's, as MySQL names it. InvalidArgument when it cannot be read.
Result<std::optional<SourceIndex>> ParseKeyDefinition(std::string_view definition);

// The key parts of "(a, `b`(10) DESC)": names, and whether one had a prefix length.
Result<std::vector<std::string>> ParseKeyParts(std::string_view parts, bool* has_prefix_part);

}  // namespace chameleon::translation
