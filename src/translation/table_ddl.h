// DDL translation: a MySQL table definition (columns, keys, comment) into the PostgreSQL
// statements that create it — enum types, CREATE TABLE, comments, primary key, indexes.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"
#include "translation/type_map.h"

namespace chameleon::translation {

// One MySQL index as information_schema.statistics describes it.
struct SourceIndex {
  std::string name;  // "PRIMARY" for the primary key
  bool unique = false;
  std::vector<std::string> columns;  // in key order
  bool has_prefix_part = false;      // a `col(10)` part: PostgreSQL has no prefix indexes
  std::string index_type;            // BTREE, HASH, FULLTEXT, SPATIAL
};

struct TableDefinition {
  std::string origin_schema;  // MySQL schema
  std::string table;          // the same name in MySQL and PostgreSQL
  std::string comment;
  std::vector<SourceColumn> columns;
  std::vector<ColumnType> types;  // one per column, from MapColumn
  std::vector<SourceIndex> indexes;

  bool HasPrimaryKey() const;
  // The primary key columns; empty without one.
  std::vector<std::string> PrimaryKey() const;
};

// "schema"."name", both quoted.
std::string QualifiedName(const std::string& schema, const std::string& name);
// "a", "b": quoted column names for a column list.
std::string QuotedColumnList(const std::vector<std::string>& columns);

// A PostgreSQL identifier from `wanted`: as is up to 63 bytes, else cut on a UTF-8 boundary
// and ended with a hash of the whole, so two long names stay distinct and stable.
std::string PgName(const std::string& wanted);

// `wanted` cut to fit and ended with "_" and 8 hex digits of a hash of `key`: the
// deterministic way out when two objects of one schema would get the same name.
std::string SuffixedName(const std::string& wanted, const std::string& key);

// The enum type of column `column` of `table`: enum_<table>_<column> (see PgName).
std::string EnumTypeName(const std::string& table, const std::string& column);

// (table, column) of an enum column.
using EnumColumn = std::pair<std::string, std::string>;
using EnumTypeNames = std::map<EnumColumn, std::string>;

// The enum type names of every enum column of one PostgreSQL schema. enum_<table>_<column>
// is ambiguous (table a_b + column c and table a + column b_c give enum_a_b_c): the
// columns that share a name all get SuffixedName(name, table NUL column). The result
// depends only on the set of columns, not on their order, so a copy of one table names
// its types as the copy of the whole schema did.
EnumTypeNames UniqueEnumTypeNames(const std::vector<EnumColumn>& columns);

// Renames the enum types of `table` as `names` says (columns it does not list keep theirs).
void ApplyEnumTypeNames(const EnumTypeNames& names, TableDefinition* table);

// Reads every column through MapColumn.
Result<TableDefinition> MapTable(std::string origin_schema, std::string table,
                                 std::vector<SourceColumn> columns,
                                 std::vector<SourceIndex> indexes, std::string comment,
                                 const TypeMapOptions& options);

// Enum types, CREATE TABLE (no keys: they are built after the data) and comments, in
// PostgreSQL schema `pg_schema`. `fillfactor` 0 means the default.
std::vector<std::string> CreateTableStatements(const TableDefinition& table,
                                               const std::string& pg_schema, int fillfactor);

// The primary key and the other indexes, named <table>_pkey, <table>_<index>_key (unique)
// and <table>_<index>_idx so names stay unique per schema. Indexes PostgreSQL cannot
// build (FULLTEXT, SPATIAL, prefix parts) are left out and listed in `*skipped`.
std::vector<std::string> IndexStatements(const TableDefinition& table, const std::string& pg_schema,
                                         std::vector<std::string>* skipped);

// The DEFAULT clause for a MariaDB COLUMN_DEFAULT ("" when none or not translatable).
std::string DefaultClause(const SourceColumn& column, const ColumnType& type);

}  // namespace chameleon::translation
