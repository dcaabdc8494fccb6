// DDL parser: the MySQL/MariaDB statements a replica must follow (CREATE/ALTER/RENAME/DROP/
// TRUNCATE TABLE, CREATE/DROP INDEX), read with a real tokenizer (quoted names, comments,
// /*! */ version comments). Anything else parses as kUnsupported with the reason: it never
// stops the reader.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace chameleon::translation {

struct TableName {
  std::string schema;  // empty: the statement's default database
  std::string table;
  bool operator==(const TableName&) const = default;
};

enum class DdlKind {
  kCreateTable,
  kCreateTableLike,
  kCreateTableSelect,
  kAlterTable,
  kRenameTable,
  kDropTable,
  kTruncateTable,
  kCreateIndex,
  kDropIndex,
  kUnsupported,
};

enum class AlterKind {
  kAddColumn,
  kDropColumn,
  kModifyColumn,
  kChangeColumn,
  kRenameColumn,
  kAlterColumn,  // SET/DROP DEFAULT
  kAddIndex,     // INDEX/KEY/UNIQUE/FULLTEXT/SPATIAL
  kDropIndex,
  kAddPrimaryKey,
  kDropPrimaryKey,
  kAddForeignKey,
  kDropForeignKey,
  kRenameTable,
  kRenameIndex,
  kOther,  // ENGINE=, partitions, CHECK, options...: kept as text
};

struct AlterClause {
  AlterKind kind = AlterKind::kOther;
  std::string name;        // column, index or constraint name
  std::string new_name;    // CHANGE/RENAME COLUMN, RENAME INDEX
  std::string definition;  // the rest of the clause as written (type, options, key parts)
  std::string position;    // "FIRST" or "AFTER col"
  TableName rename_to;     // kRenameTable
  bool operator==(const AlterClause&) const = default;
};

struct ColumnDefinition {
  std::string name;
  std::string definition;  // the type and options as written
  bool operator==(const ColumnDefinition&) const = default;
};

struct ParsedDdl {
  DdlKind kind = DdlKind::kUnsupported;
  bool temporary = false;
  bool if_exists = false;      // DROP ... IF EXISTS
  bool if_not_exists = false;  // CREATE ... IF NOT EXISTS
  // The tables the statement acts on: CREATE/ALTER/TRUNCATE one, DROP several, RENAME the
  // sources in order (targets in `rename_to`), CREATE/DROP INDEX the indexed table.
  std::vector<TableName> tables;
  std::vector<TableName> rename_to;
  TableName like;                         // CREATE TABLE ... LIKE
  std::vector<ColumnDefinition> columns;  // CREATE TABLE
  std::vector<std::string> keys;          // CREATE TABLE's key definitions, as written
  std::vector<AlterClause> clauses;       // ALTER TABLE
  std::string index_name;                 // CREATE/DROP INDEX
  bool unique = false;                    // CREATE UNIQUE INDEX
  std::string index_definition;           // CREATE INDEX: "(a, b(10))" ...
  std::string reason;                     // kUnsupported: why
};

ParsedDdl ParseDdl(std::string_view statement);

const char* DdlKindName(DdlKind kind);
const char* AlterKindName(AlterKind kind);

// One-line text of a parse, stored as ChangeEvent::ddl_parsed and shown by spool inspect:
// "alter_table `s`.`t` add_column(`c` INT AFTER `b`) drop_index(`i`)".
std::string DescribeDdl(const ParsedDdl& ddl);

}  // namespace chameleon::translation
