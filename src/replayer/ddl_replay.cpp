// DDL replay; see ddl_replay.h. Every PostgreSQL name is built by src/translation the way
// init_replica builds it (enum_<table>_<column>, <table>_pkey, <table>_<index>_key/_idx), so
// a table created or changed by the replica looks like one init_replica copied.
#include "replayer/ddl_replay.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <optional>

#include "catalogue/tables.h"
#include "common/strings.h"
#include "replayer/pg_table_info.h"
#include "translation/column_definition.h"
#include "translation/ddl_parser.h"
#include "translation/sql_tokens.h"
#include "translation/table_ddl.h"
#include "translation/type_map.h"

namespace chameleon::replayer {
namespace {

using translation::AlterClause;
using translation::AlterKind;
using translation::DdlKind;
using translation::ParsedDdl;
using translation::QualifiedName;
using translation::TableName;

constexpr const char* kNoPrimaryKey = "no primary key";  // init_replica's reason, word for word

// A table a statement names, resolved against the statement's default schema.
struct Target {
  std::string mysql_schema;
  std::string table;
  std::optional<std::string> pg_schema;  // nullopt: the schema is not replicated
  TableState* state = nullptr;           // nullptr: the catalogue does not have the table
  std::string qualified;                 // "pg_schema"."table"
  bool Known() const { return pg_schema && state != nullptr && !state->dropped; }
};

bool IsIntegerType(const std::string& pg_type) {
  return pg_type == "smallint" || pg_type == "integer" || pg_type == "bigint";
}

class DdlReplay {
 public:
  DdlReplay(pg::Connection& connection, const ReplayerOptions& options, spdlog::logger& log,
            std::string where, const ChangeEvent& event, TableStates* tables, DdlResult* result)
      : connection_(connection),
        options_(options),
        log_(log),
        where_(std::move(where)),
        event_(event),
        tables_(tables),
        result_(result) {}

  Status Run();

 private:
  Status Dispatch(const ParsedDdl& ddl);

  // --- statements ---
  Status CreateTable(const ParsedDdl& ddl);
  Status CreateTableLike(const ParsedDdl& ddl, const Target& target);
  Status AlterTable(const ParsedDdl& ddl);
  Status AddColumn(const Target& target, const AlterClause& clause);
  Status DropColumn(const Target& target, const AlterClause& clause);
  Status ModifyColumn(const Target& target, const AlterClause& clause);
  Status AlterColumnDefault(const Target& target, const AlterClause& clause);
  Status AddIndex(const Target& target, const std::string& definition, const std::string& name);
  Status DropIndex(const Target& target, const std::string& name);
  Status DropPrimaryKey(const Target& target);
  Status RenameIndex(const Target& target, const AlterClause& clause);
  Status Rename(const Target& from, const Target& to);
  Status DropTable(const Target& target);
  Status CreateIndex(const ParsedDdl& ddl);

  // --- helpers ---
  Target Resolve(const TableName& name);
  bool BeforeCopy(const Target& target) const {
    return target.state != nullptr && target.state->copy_position &&
           event_.position < *target.state->copy_position;
  }
  void Skip(const Target& target, const char* why) {
    ++result_->skipped;
    log_.debug("DDL at {}: {}.{} skipped ({})", where_, target.mysql_schema, target.table, why);
  }
  void About(const Target& target) {
    if (!result_->pg_table.empty()) return;
    result_->pg_schema = target.pg_schema.value_or("");
    result_->pg_table = target.table;
  }
  void MarkStale(const Target& target) {
    result_->stale.emplace_back(target.mysql_schema, target.table);
  }
  Status Exec(const std::string& sql);
  Status Untranslatable(std::string message) {
    result_->untranslatable = true;
    return Status::InvalidArgument(std::move(message));
  }
  Result<translation::ParsedColumn> ParseColumn(const std::string& name,
                                                const std::string& definition);
  Result<translation::ColumnType> MapType(const translation::SourceColumn& column,
                                          const Target& target);
  void WarnDefault(const Target& target, const translation::SourceColumn& column,
                   const translation::ColumnType& type);
  Status Comment(const Target& target, const translation::SourceColumn& column, bool always);
  Status CreateIndexes(const Target& target, std::vector<translation::SourceIndex> indexes);
  Result<std::string> EnumNameFor(const std::string& pg_schema, const std::string& table,
                                  const std::string& column);
  // The PostgreSQL name of MySQL index `mysql_name` (<table>_<name>_key or _idx), if built.
  Result<std::optional<std::string>> IndexOf(const Target& target, const std::string& mysql_name);
  Status DropTypeIfUnused(const std::string& schema, const std::string& name);
  Status TidyEnumTypes(const Target& target);
  Status RenameIndexes(const Target& target, const std::string& old_table);
  Status UpdatePrimaryKey(const Target& target);
  Status Register(const Target& target, const std::vector<std::string>& primary_key);

  pg::Connection& connection_;
  const ReplayerOptions& options_;
  spdlog::logger& log_;
  std::string where_;
  const ChangeEvent& event_;
  TableStates* tables_;
  DdlResult* result_;
};

Status DdlReplay::Exec(const std::string& sql) {
  Status status = connection_.Execute(sql);
  if (!status.ok()) {
    result_->failed_sql = sql;
    result_->sqlstate = connection_.last_sqlstate();
  }
  return status;
}

Target DdlReplay::Resolve(const TableName& name) {
  Target target;
  target.mysql_schema = name.schema.empty() ? event_.schema : name.schema;
  target.table = name.table;
  for (const auto& [origin, destination] : options_.schema_mappings) {
    if (origin == target.mysql_schema) target.pg_schema = destination;
  }
  if (target.pg_schema) {
    target.qualified = QualifiedName(*target.pg_schema, target.table);
    auto found = tables_->find(TableKey(*target.pg_schema, target.table));
    if (found != tables_->end()) target.state = &found->second;
  }
  return target;
}

Status DdlReplay::Run() {
  ParsedDdl ddl = translation::ParseDdl(event_.ddl_statement);
  if (ddl.kind == DdlKind::kUnsupported) {
    result_->pg_schema.clear();
    return Untranslatable("DDL not replayed: " + ddl.reason);
  }
  if (ddl.temporary) {
    ++result_->skipped;  // temporary tables live in the source session only
    return Status::Ok();
  }
  TableStates before = *tables_;
  RETURN_IF_ERROR(Exec("SAVEPOINT chameleon_ddl"));
  Status status = Dispatch(ddl);
  if (status.ok()) return Exec("RELEASE SAVEPOINT chameleon_ddl");
  *tables_ = std::move(before);
  result_->applied = 0;
  std::string sqlstate = result_->sqlstate;
  std::string failed_sql = result_->failed_sql;
  Status undone = Exec("ROLLBACK TO SAVEPOINT chameleon_ddl");
  if (undone.ok()) undone = Exec("RELEASE SAVEPOINT chameleon_ddl");
  if (!undone.ok()) return undone;  // the connection is gone: retried as a whole
  result_->sqlstate = sqlstate;
  result_->failed_sql = failed_sql;
  return status;
}

Status DdlReplay::Dispatch(const ParsedDdl& ddl) {
  switch (ddl.kind) {
    case DdlKind::kCreateTable:
    case DdlKind::kCreateTableLike:
    case DdlKind::kCreateTableSelect:
      return CreateTable(ddl);
    case DdlKind::kAlterTable:
      return AlterTable(ddl);
    case DdlKind::kRenameTable:
      for (size_t index = 0; index < ddl.tables.size() && index < ddl.rename_to.size(); ++index) {
        // One pair at a time: RENAME TABLE a TO b, b TO c sees the first rename.
        Target from = Resolve(ddl.tables[index]);
        Target to = Resolve(ddl.rename_to[index]);
        About(from);
        RETURN_IF_ERROR(Rename(from, to));
      }
      return Status::Ok();
    case DdlKind::kDropTable:
      for (const TableName& name : ddl.tables) {
        Target target = Resolve(name);
        About(target);
        RETURN_IF_ERROR(DropTable(target));
      }
      return Status::Ok();
    case DdlKind::kTruncateTable: {
      Target target = Resolve(ddl.tables.front());
      About(target);
      if (!target.Known() || BeforeCopy(target)) {
        Skip(target, "not replicated or before its copy");
        return Status::Ok();
      }
      RETURN_IF_ERROR(Exec("TRUNCATE TABLE " + target.qualified));
      ++result_->applied;
      return Status::Ok();
    }
    case DdlKind::kCreateIndex:
      return CreateIndex(ddl);
    case DdlKind::kDropIndex: {
      Target target = Resolve(ddl.tables.front());
      About(target);
      if (!target.Known() || BeforeCopy(target)) {
        Skip(target, "not replicated or before its copy");
        return Status::Ok();
      }
      RETURN_IF_ERROR(DropIndex(target, ddl.index_name));
      RETURN_IF_ERROR(UpdatePrimaryKey(target));
      MarkStale(target);
      ++result_->applied;
      return Status::Ok();
    }
    case DdlKind::kUnsupported:
      break;
  }
  return Untranslatable("DDL not replayed: " + ddl.reason);
}

// --- CREATE TABLE ---

Status DdlReplay::CreateTable(const ParsedDdl& ddl) {
  Target target = Resolve(ddl.tables.front());
  About(target);
  if (!target.pg_schema) {
    Skip(target, "schema not replicated");
    return Status::Ok();
  }
  if (target.Known() && (BeforeCopy(target) || ddl.if_not_exists)) {
    Skip(target, "the table is already there");
    return Status::Ok();
  }
  // init_replica creates the mapped schemas; one it found no table in may still be missing.
  ASSIGN_OR_RETURN(bool schema_exists, SchemaExists(connection_, *target.pg_schema));
  if (!schema_exists) {
    RETURN_IF_ERROR(Exec("CREATE SCHEMA " + pg::QuoteIdentifier(*target.pg_schema)));
  }
  if (ddl.kind == DdlKind::kCreateTableLike) return CreateTableLike(ddl, target);
  if (ddl.columns.empty()) {
    return Untranslatable(
        "CREATE TABLE ... SELECT without a column list: the new table's columns are not in the "
        "statement; create it in PostgreSQL and run sync_tables for it");
  }
  translation::TableDefinition definition;
  definition.origin_schema = target.mysql_schema;
  definition.table = target.table;
  for (const auto& written : ddl.columns) {
    ASSIGN_OR_RETURN(translation::ParsedColumn parsed,
                     ParseColumn(written.name, written.definition));
    ASSIGN_OR_RETURN(translation::ColumnType type, MapType(parsed.column, target));
    if (!type.enum_labels.empty()) {
      ASSIGN_OR_RETURN(type.pg_type,
                       EnumNameFor(*target.pg_schema, target.table, parsed.column.name));
    }
    WarnDefault(target, parsed.column, type);
    if (parsed.primary_key || parsed.unique) {
      translation::SourceIndex index;
      index.name = parsed.primary_key ? "PRIMARY" : parsed.column.name;
      index.unique = true;
      index.index_type = "BTREE";
      index.columns = {parsed.column.name};
      definition.indexes.push_back(std::move(index));
    }
    definition.columns.push_back(std::move(parsed.column));
    definition.types.push_back(std::move(type));
  }
  for (const std::string& key : ddl.keys) {
    auto index = translation::ParseKeyDefinition(key);
    if (!index.ok()) return Untranslatable(index.status().message());
    if (!*index) {
      log_.info("DDL at {}: {}.{}: '{}' is not replayed (foreign keys and checks are not)", where_,
                target.mysql_schema, target.table, key);
      continue;
    }
    definition.indexes.push_back(std::move(**index));
  }
  // PostgreSQL makes key columns NOT NULL; say so in CREATE TABLE as MySQL does.
  for (const std::string& key_column : definition.PrimaryKey()) {
    for (size_t index = 0; index < definition.columns.size(); ++index) {
      if (definition.columns[index].name == key_column) definition.types[index].nullable = false;
    }
  }
  for (const std::string& sql :
       translation::CreateTableStatements(definition, *target.pg_schema, 0)) {
    RETURN_IF_ERROR(Exec(sql));
  }
  RETURN_IF_ERROR(CreateIndexes(target, definition.indexes));
  return Register(target, definition.PrimaryKey());
}

Status DdlReplay::CreateTableLike(const ParsedDdl& ddl, const Target& target) {
  Target like = Resolve(ddl.like);
  if (!like.Known()) {
    return Untranslatable(fmt::format(
        "CREATE TABLE ... LIKE {}.{}: that table is not in the replica, so its definition is "
        "unknown here",
        like.mysql_schema, like.table));
  }
  RETURN_IF_ERROR(
      Exec(fmt::format("CREATE TABLE {} (LIKE {} INCLUDING DEFAULTS INCLUDING "
                       "IDENTITY INCLUDING COMMENTS INCLUDING GENERATED)",
                       target.qualified, like.qualified)));
  // The indexes again, named for the new table as init_replica names them.
  ASSIGN_OR_RETURN(std::vector<PgIndex> like_indexes, IndexesOf(connection_, like.qualified));
  std::vector<translation::SourceIndex> indexes;
  for (PgIndex& like_index : like_indexes) {
    translation::SourceIndex index;
    index.index_type = "BTREE";
    index.unique = like_index.unique;
    index.columns = std::move(like_index.columns);
    std::string name = like_index.name;
    if (StartsWith(name, like.table + "_")) name.erase(0, like.table.size() + 1);
    if (name.ends_with("_key") || name.ends_with("_idx")) name.resize(name.size() - 4);
    index.name = like_index.primary ? "PRIMARY" : name;
    indexes.push_back(std::move(index));
  }
  RETURN_IF_ERROR(CreateIndexes(target, indexes));
  // Enum columns get their own types, as every other table's do.
  ASSIGN_OR_RETURN(auto enums, EnumColumns(connection_, target.qualified));
  for (const PgColumn& pg_column : enums) {
    const std::string& column = pg_column.name;
    ASSIGN_OR_RETURN(std::string name, EnumNameFor(*target.pg_schema, target.table, column));
    std::string type = QualifiedName(*target.pg_schema, name);
    std::string old_type = QualifiedName(pg_column.type_schema, pg_column.type_name);
    RETURN_IF_ERROR(Exec(fmt::format(
        "DO $chameleon$ BEGIN EXECUTE format('CREATE TYPE %s AS ENUM (%s)', {}, (SELECT "
        "string_agg(quote_literal(enumlabel), ', ' ORDER BY enumsortorder) FROM pg_enum WHERE "
        "enumtypid = {}::regtype)); END $chameleon$",
        pg::QuoteLiteral(type), pg::QuoteLiteral(old_type))));
    std::string quoted = pg::QuoteIdentifier(column);
    RETURN_IF_ERROR(
        Exec(fmt::format("ALTER TABLE {} ALTER COLUMN {} DROP DEFAULT", target.qualified, quoted)));
    RETURN_IF_ERROR(Exec(fmt::format("ALTER TABLE {} ALTER COLUMN {} TYPE {} USING {}::text::{}",
                                     target.qualified, quoted, type, quoted, type)));
    ASSIGN_OR_RETURN(auto default_value, ColumnDefault(connection_, like.qualified, column));
    if (default_value) {
      std::string value = *default_value;
      size_t cast = value.rfind("::");
      if (cast != std::string::npos) value.resize(cast);  // 'a'::"s"."enum_old_c"
      RETURN_IF_ERROR(Exec(fmt::format("ALTER TABLE {} ALTER COLUMN {} SET DEFAULT {}",
                                       target.qualified, quoted, value)));
    }
  }
  ASSIGN_OR_RETURN(std::vector<std::string> primary_key,
                   PrimaryKeyOf(connection_, target.qualified));
  return Register(target, primary_key);
}

Status DdlReplay::Register(const Target& target, const std::vector<std::string>& primary_key) {
  catalogue::ReplicaTable record;
  record.schema = *target.pg_schema;
  record.table = target.table;
  record.primary_key = primary_key;
  record.enabled = !primary_key.empty();
  if (!record.enabled) record.disabled_reason = kNoPrimaryKey;
  RETURN_IF_ERROR(catalogue::SaveTable(connection_, options_.source_id, record));
  TableState state;
  state.primary_key = primary_key;
  state.enabled = record.enabled;
  (*tables_)[TableKey(record.schema, record.table)] = state;
  if (primary_key.empty()) {
    log_.warn("DDL at {}: table {}.{} has no primary key: it is created but not replicated", where_,
              record.schema, record.table);
  }
  MarkStale(target);
  ++result_->applied;
  return Status::Ok();
}

// --- ALTER TABLE ---

Status DdlReplay::AlterTable(const ParsedDdl& ddl) {
  Target target = Resolve(ddl.tables.front());
  About(target);
  if (!target.Known() || BeforeCopy(target)) {
    Skip(target, "not replicated or before its copy");
    return Status::Ok();
  }
  const AlterClause* rename = nullptr;
  for (const AlterClause& clause : ddl.clauses) {
    switch (clause.kind) {
      case AlterKind::kAddColumn:
        RETURN_IF_ERROR(AddColumn(target, clause));
        break;
      case AlterKind::kDropColumn:
        RETURN_IF_ERROR(DropColumn(target, clause));
        break;
      case AlterKind::kModifyColumn:
      case AlterKind::kChangeColumn:
        RETURN_IF_ERROR(ModifyColumn(target, clause));
        break;
      case AlterKind::kRenameColumn:
        RETURN_IF_ERROR(Exec(fmt::format("ALTER TABLE {} RENAME COLUMN {} TO {}", target.qualified,
                                         pg::QuoteIdentifier(clause.name),
                                         pg::QuoteIdentifier(clause.new_name))));
        break;
      case AlterKind::kAlterColumn:
        RETURN_IF_ERROR(AlterColumnDefault(target, clause));
        break;
      case AlterKind::kAddIndex:
      case AlterKind::kAddPrimaryKey:
        RETURN_IF_ERROR(AddIndex(target, clause.definition, clause.name));
        break;
      case AlterKind::kDropIndex:
        RETURN_IF_ERROR(DropIndex(target, clause.name));
        break;
      case AlterKind::kDropPrimaryKey:
        RETURN_IF_ERROR(DropPrimaryKey(target));
        break;
      case AlterKind::kRenameIndex:
        RETURN_IF_ERROR(RenameIndex(target, clause));
        break;
      case AlterKind::kRenameTable:
        rename = &clause;  // MySQL renames after the other clauses, whatever their order
        break;
      case AlterKind::kAddForeignKey:
      case AlterKind::kDropForeignKey:
      case AlterKind::kOther:
        log_.info(
            "DDL at {}: ALTER TABLE {}.{} {} '{}' is not replayed (not a change to "
            "columns or keys)",
            where_, target.mysql_schema, target.table, translation::AlterKindName(clause.kind),
            clause.definition.empty() ? clause.name : clause.definition);
        break;
    }
  }
  RETURN_IF_ERROR(UpdatePrimaryKey(target));
  RETURN_IF_ERROR(TidyEnumTypes(target));
  MarkStale(target);
  ++result_->applied;
  if (rename != nullptr) {
    TableName to = rename->rename_to;
    if (to.schema.empty()) to.schema = target.mysql_schema;  // ALTER TABLE s.a RENAME b: s.b
    Target destination = Resolve(to);
    --result_->applied;  // Rename counts it
    return Rename(target, destination);
  }
  return Status::Ok();
}

Status DdlReplay::AddColumn(const Target& target, const AlterClause& clause) {
  ASSIGN_OR_RETURN(translation::ParsedColumn parsed, ParseColumn(clause.name, clause.definition));
  ASSIGN_OR_RETURN(translation::ColumnType type, MapType(parsed.column, target));
  if (!type.enum_labels.empty()) {
    ASSIGN_OR_RETURN(type.pg_type, EnumNameFor(*target.pg_schema, target.table, clause.name));
    RETURN_IF_ERROR(Exec(translation::CreateEnumTypeStatement(type, *target.pg_schema)));
  }
  WarnDefault(target, parsed.column, type);
  std::string line = translation::ColumnSql(parsed.column, type, *target.pg_schema);
  // MySQL gives the rows already there the type's implicit default; so does this, once.
  bool fill = !type.nullable && !type.auto_increment &&
              translation::DefaultClause(parsed.column, type).empty();
  if (fill) line += " DEFAULT " + translation::ImplicitDefault(type);
  RETURN_IF_ERROR(Exec(fmt::format("ALTER TABLE {} ADD COLUMN {}", target.qualified, line)));
  if (fill) {
    RETURN_IF_ERROR(Exec(fmt::format("ALTER TABLE {} ALTER COLUMN {} DROP DEFAULT",
                                     target.qualified, pg::QuoteIdentifier(clause.name))));
  }
  if (!clause.position.empty()) {
    log_.debug("DDL at {}: column {} added last ({} has no PostgreSQL form)", where_, clause.name,
               clause.position);
  }
  RETURN_IF_ERROR(Comment(target, parsed.column, false));
  if (parsed.primary_key || parsed.unique) {
    translation::SourceIndex index;
    index.name = parsed.primary_key ? "PRIMARY" : clause.name;
    index.unique = true;
    index.index_type = "BTREE";
    index.columns = {clause.name};
    RETURN_IF_ERROR(CreateIndexes(target, {index}));
  }
  return Status::Ok();
}

Status DdlReplay::DropColumn(const Target& target, const AlterClause& clause) {
  ASSIGN_OR_RETURN(std::optional<PgColumn> column,
                   ColumnOf(connection_, target.qualified, clause.name));
  RETURN_IF_ERROR(Exec(fmt::format("ALTER TABLE {} DROP COLUMN {}", target.qualified,
                                   pg::QuoteIdentifier(clause.name))));
  if (column && column->is_enum) {
    RETURN_IF_ERROR(DropTypeIfUnused(column->type_schema, column->type_name));
  }
  return Status::Ok();
}

Status DdlReplay::ModifyColumn(const Target& target, const AlterClause& clause) {
  bool change = clause.kind == AlterKind::kChangeColumn;
  const std::string& name = change ? clause.new_name : clause.name;
  ASSIGN_OR_RETURN(translation::ParsedColumn parsed, ParseColumn(name, clause.definition));
  ASSIGN_OR_RETURN(translation::ColumnType type, MapType(parsed.column, target));
  ASSIGN_OR_RETURN(std::optional<PgColumn> current,
                   ColumnOf(connection_, target.qualified, clause.name));
  if (!current) {
    return Status::NotFound(
        fmt::format("column {} of {} does not exist in PostgreSQL", clause.name, target.qualified));
  }
  std::string column = pg::QuoteIdentifier(name);
  std::string alter = fmt::format("ALTER TABLE {} ALTER COLUMN {} ", target.qualified, column);
  if (name != clause.name) {
    RETURN_IF_ERROR(Exec(fmt::format("ALTER TABLE {} RENAME COLUMN {} TO {}", target.qualified,
                                     pg::QuoteIdentifier(clause.name), column)));
  }
  // An identity stays only on an integer type: bigint unsigned (numeric(20)) gets a sequence.
  // It has no default to drop (PostgreSQL refuses DROP DEFAULT on an identity column).
  bool keeps_identity = type.auto_increment && IsIntegerType(type.pg_type);
  if (current->identity) {
    if (!keeps_identity) RETURN_IF_ERROR(Exec(alter + "DROP IDENTITY"));
  } else {
    RETURN_IF_ERROR(Exec(alter + "DROP DEFAULT"));
  }
  if (!type.enum_labels.empty()) {
    // A new type under a passing name, the column moved to it, the old one dropped, then the
    // new one takes the name init_replica would give it.
    type.pg_type = translation::SuffixedName("chameleon_enum_" + target.table + "_" + name,
                                             where_ + std::to_string(event_.sequence));
    RETURN_IF_ERROR(Exec(translation::CreateEnumTypeStatement(type, *target.pg_schema)));
    std::string temporary = QualifiedName(*target.pg_schema, type.pg_type);
    RETURN_IF_ERROR(
        Exec(alter + fmt::format("TYPE {} USING {}::text::{}", temporary, column, temporary)));
    if (current->is_enum)
      RETURN_IF_ERROR(DropTypeIfUnused(current->type_schema, current->type_name));
    ASSIGN_OR_RETURN(std::string final_name, EnumNameFor(*target.pg_schema, target.table, name));
    RETURN_IF_ERROR(Exec(
        fmt::format("ALTER TYPE {} RENAME TO {}", temporary, pg::QuoteIdentifier(final_name))));
    type.pg_type = final_name;
  } else {
    RETURN_IF_ERROR(Exec(alter + fmt::format("TYPE {} USING {}{}{}", type.pg_type, column,
                                             current->is_enum ? "::text::" : "::", type.pg_type)));
    if (current->is_enum)
      RETURN_IF_ERROR(DropTypeIfUnused(current->type_schema, current->type_name));
  }
  // MySQL keeps a primary key's columns NOT NULL whatever the MODIFY says.
  bool in_key = target.state != nullptr &&
                std::find(target.state->primary_key.begin(), target.state->primary_key.end(),
                          name) != target.state->primary_key.end();
  bool not_null = !type.nullable || type.auto_increment || in_key;
  RETURN_IF_ERROR(Exec(alter + (not_null ? "SET NOT NULL" : "DROP NOT NULL")));
  WarnDefault(target, parsed.column, type);
  std::string default_clause = translation::DefaultClause(parsed.column, type);
  if (!default_clause.empty()) {
    RETURN_IF_ERROR(Exec(alter + "SET" + default_clause));  // " DEFAULT x"
  }
  if (keeps_identity && !current->identity) {
    RETURN_IF_ERROR(Exec(alter + "ADD GENERATED BY DEFAULT AS IDENTITY"));
  } else if (type.auto_increment && StartsWith(type.pg_type, "numeric")) {
    // As init_replica does for a bigint unsigned AUTO_INCREMENT: a bigint sequence owned by
    // the column, here started past the rows already there.
    std::string sequence =
        QualifiedName(*target.pg_schema, translation::PgName(target.table + "_" + name + "_seq"));
    RETURN_IF_ERROR(Exec("CREATE SEQUENCE IF NOT EXISTS " + sequence + " AS bigint"));
    RETURN_IF_ERROR(
        Exec(fmt::format("ALTER SEQUENCE {} OWNED BY {}.{}", sequence, target.qualified, column)));
    RETURN_IF_ERROR(
        Exec(fmt::format("SELECT setval({}::regclass, least(greatest(coalesce(max({}), 0) + 1, 1), "
                         "9223372036854775807)::bigint, false) FROM {}",
                         pg::QuoteLiteral(sequence), column, target.qualified)));
    RETURN_IF_ERROR(
        Exec(alter + "SET DEFAULT nextval(" + pg::QuoteLiteral(sequence) + "::regclass)"));
  }
  RETURN_IF_ERROR(Comment(target, parsed.column, true));
  if (parsed.primary_key || parsed.unique) {
    translation::SourceIndex index;
    index.name = parsed.primary_key ? "PRIMARY" : name;
    index.unique = true;
    index.index_type = "BTREE";
    index.columns = {name};
    RETURN_IF_ERROR(CreateIndexes(target, {index}));
  }
  return Status::Ok();
}

Status DdlReplay::AlterColumnDefault(const Target& target, const AlterClause& clause) {
  std::string alter = fmt::format("ALTER TABLE {} ALTER COLUMN {} ", target.qualified,
                                  pg::QuoteIdentifier(clause.name));
  std::string upper = translation::UpperAscii(Trim(clause.definition));
  if (upper == "DROP DEFAULT") return Exec(alter + "DROP DEFAULT");
  if (!StartsWith(upper, "SET DEFAULT")) {
    log_.info("DDL at {}: ALTER COLUMN {} {} is not replayed", where_, clause.name,
              clause.definition);
    return Status::Ok();
  }
  ASSIGN_OR_RETURN(std::optional<PgColumn> current,
                   ColumnOf(connection_, target.qualified, clause.name));
  if (!current) {
    return Status::NotFound(
        fmt::format("column {} of {} does not exist in PostgreSQL", clause.name, target.qualified));
  }
  translation::SourceColumn column;
  column.name = clause.name;
  column.default_value = translation::ReadDefaultValue(
      Trim(clause.definition).substr(std::string("SET DEFAULT").size()));
  translation::ColumnType type = TypeOfPgColumn(*current, options_.type_map.zero_date_sentinel);
  std::string default_clause = translation::DefaultClause(column, type);
  if (default_clause.empty()) {
    WarnDefault(target, column, type);
    return Exec(alter + "DROP DEFAULT");
  }
  return Exec(alter + "SET" + default_clause);
}

Status DdlReplay::AddIndex(const Target& target, const std::string& definition,
                           const std::string& name) {
  auto index = translation::ParseKeyDefinition(definition);
  if (!index.ok()) return Untranslatable(index.status().message());
  if (!*index) return Status::Ok();
  if (!name.empty() && (*index)->name != "PRIMARY") (*index)->name = name;
  return CreateIndexes(target, {std::move(**index)});
}

Status DdlReplay::CreateIndexes(const Target& target,
                                std::vector<translation::SourceIndex> indexes) {
  translation::TableDefinition definition;
  definition.origin_schema = target.mysql_schema;
  definition.table = target.table;
  definition.indexes = std::move(indexes);
  std::vector<std::string> skipped;
  for (const std::string& sql :
       translation::IndexStatements(definition, *target.pg_schema, &skipped)) {
    RETURN_IF_ERROR(Exec(sql));
  }
  for (const std::string& index : skipped) {
    log_.info("DDL at {}: index {} of {}.{} is not built in PostgreSQL", where_, index,
              target.mysql_schema, target.table);
  }
  return Status::Ok();
}

Status DdlReplay::DropIndex(const Target& target, const std::string& name) {
  if (translation::UpperAscii(name) == "PRIMARY") return DropPrimaryKey(target);
  // Not built (FULLTEXT, prefix) or already gone with its column: nothing to do.
  ASSIGN_OR_RETURN(std::optional<std::string> index, IndexOf(target, name));
  if (!index) return Status::Ok();
  return Exec("DROP INDEX " + QualifiedName(*target.pg_schema, *index));
}

Status DdlReplay::DropPrimaryKey(const Target& target) {
  // The primary key itself (pg_chameleon dropped whichever constraint came first).
  ASSIGN_OR_RETURN(std::optional<std::string> name,
                   PrimaryKeyConstraint(connection_, target.qualified));
  if (!name) return Status::Ok();
  return Exec(fmt::format("ALTER TABLE {} DROP CONSTRAINT {}", target.qualified,
                          pg::QuoteIdentifier(*name)));
}

Status DdlReplay::RenameIndex(const Target& target, const AlterClause& clause) {
  ASSIGN_OR_RETURN(std::optional<std::string> index, IndexOf(target, clause.name));
  if (!index) return Status::Ok();
  std::string suffix = index->substr(index->size() - 4);  // _key or _idx
  return Exec(fmt::format(
      "ALTER INDEX {} RENAME TO {}", QualifiedName(*target.pg_schema, *index),
      pg::QuoteIdentifier(translation::PgName(target.table + "_" + clause.new_name + suffix))));
}

// --- RENAME, DROP, CREATE INDEX ---

Status DdlReplay::Rename(const Target& from, const Target& to) {
  if (!from.Known() || BeforeCopy(from)) {
    if (to.pg_schema && !from.Known()) {
      result_->notes.push_back(fmt::format(
          "{}.{} was renamed to {}.{}, a replicated schema, but its rows were never copied: "
          "`sync_tables --tables {}.{}` copies it",
          from.mysql_schema, from.table, to.mysql_schema, to.table, to.mysql_schema, to.table));
    }
    Skip(from, "not replicated or before its copy");
    return Status::Ok();
  }
  MarkStale(from);
  MarkStale(to);
  ++result_->applied;
  if (!to.pg_schema) {
    RETURN_IF_ERROR(
        catalogue::DeleteTable(connection_, options_.source_id, *from.pg_schema, from.table));
    tables_->erase(TableKey(*from.pg_schema, from.table));
    log_.warn(
        "DDL at {}: {}.{} was renamed to {}.{}, a schema the replica does not map: "
        "{} is kept as it is and no longer replicated",
        where_, from.mysql_schema, from.table, to.mysql_schema, to.table, from.qualified);
    return Status::Ok();
  }
  if (from.table != to.table) {
    RETURN_IF_ERROR(Exec(
        fmt::format("ALTER TABLE {} RENAME TO {}", from.qualified, pg::QuoteIdentifier(to.table))));
  }
  if (*from.pg_schema != *to.pg_schema) {
    RETURN_IF_ERROR(
        Exec(fmt::format("ALTER TABLE {} SET SCHEMA {}", QualifiedName(*from.pg_schema, to.table),
                         pg::QuoteIdentifier(*to.pg_schema))));
  }
  Target moved = to;
  moved.qualified = QualifiedName(*to.pg_schema, to.table);
  RETURN_IF_ERROR(RenameIndexes(moved, from.table));
  RETURN_IF_ERROR(TidyEnumTypes(moved));
  RETURN_IF_ERROR(catalogue::RenameTable(connection_, options_.source_id, *from.pg_schema,
                                         from.table, *to.pg_schema, to.table));
  TableState state = *from.state;
  tables_->erase(TableKey(*from.pg_schema, from.table));
  (*tables_)[TableKey(*to.pg_schema, to.table)] = std::move(state);
  return Status::Ok();
}

Status DdlReplay::DropTable(const Target& target) {
  if (!target.Known() || BeforeCopy(target)) {
    Skip(target, "not replicated or before its copy");
    return Status::Ok();
  }
  ASSIGN_OR_RETURN(auto enums, EnumColumns(connection_, target.qualified));
  RETURN_IF_ERROR(Exec("DROP TABLE IF EXISTS " + target.qualified));
  for (const PgColumn& pg_column : enums) {
    RETURN_IF_ERROR(DropTypeIfUnused(pg_column.type_schema, pg_column.type_name));
  }
  RETURN_IF_ERROR(
      catalogue::DeleteTable(connection_, options_.source_id, *target.pg_schema, target.table));
  target.state->dropped = true;
  MarkStale(target);
  ++result_->applied;
  return Status::Ok();
}

Status DdlReplay::CreateIndex(const ParsedDdl& ddl) {
  Target target = Resolve(ddl.tables.front());
  About(target);
  if (!target.Known() || BeforeCopy(target)) {
    Skip(target, "not replicated or before its copy");
    return Status::Ok();
  }
  // The parse keeps UNIQUE; FULLTEXT/SPATIAL are read from the statement's first words.
  std::string kind = ddl.unique ? "UNIQUE " : "";
  std::string error;
  for (const auto& token : translation::TokenizeSql(event_.ddl_statement, &error)) {
    std::string word = translation::UpperAscii(token.text);
    if (word == "INDEX") break;
    if (word == "FULLTEXT" || word == "SPATIAL") kind = word + " ";
  }
  std::string name = "`";
  for (char c : ddl.index_name) {
    if (c == '`') name += '`';
    name += c;
  }
  RETURN_IF_ERROR(AddIndex(target, kind + "INDEX " + name + "` " + ddl.index_definition, ""));
  RETURN_IF_ERROR(UpdatePrimaryKey(target));
  MarkStale(target);
  ++result_->applied;
  return Status::Ok();
}

// --- helpers ---

Result<translation::ParsedColumn> DdlReplay::ParseColumn(const std::string& name,
                                                         const std::string& definition) {
  auto parsed = translation::ParseColumnDefinition(name, definition, options_.type_map.overrides);
  if (!parsed.ok()) return Untranslatable(parsed.status().message());
  return parsed;
}

Result<translation::ColumnType> DdlReplay::MapType(const translation::SourceColumn& column,
                                                   const Target& target) {
  auto type = translation::MapColumn(column, target.mysql_schema, target.table, options_.type_map);
  if (!type.ok()) return Untranslatable(type.status().message());
  return type;
}

void DdlReplay::WarnDefault(const Target& target, const translation::SourceColumn& column,
                            const translation::ColumnType& type) {
  if (!column.default_value || ToLower(*column.default_value) == "null" || type.auto_increment) {
    return;
  }
  if (!translation::DefaultClause(column, type).empty()) return;
  log_.warn(
      "DDL at {}: DEFAULT {} of {}.{}.{} has no PostgreSQL form and is left out (rows "
      "still arrive with their values)",
      where_, *column.default_value, target.mysql_schema, target.table, column.name);
}

Status DdlReplay::Comment(const Target& target, const translation::SourceColumn& column,
                          bool always) {
  if (column.comment.empty() && !always) return Status::Ok();
  return Exec(fmt::format("COMMENT ON COLUMN {}.{} IS {}", target.qualified,
                          pg::QuoteIdentifier(column.name),
                          column.comment.empty() ? "NULL" : pg::QuoteLiteral(column.comment)));
}

Result<std::optional<std::string>> DdlReplay::IndexOf(const Target& target,
                                                      const std::string& mysql_name) {
  for (const char* suffix : {"_key", "_idx"}) {
    std::string name = translation::PgName(target.table + "_" + mysql_name + suffix);
    ASSIGN_OR_RETURN(bool found,
                     RelationExists(connection_, QualifiedName(*target.pg_schema, name)));
    if (found) return std::optional<std::string>(name);
  }
  return std::optional<std::string>();
}

Result<std::string> DdlReplay::EnumNameFor(const std::string& pg_schema, const std::string& table,
                                           const std::string& column) {
  // init_replica's name, or its way out of a clash (UniqueEnumTypeNames).
  std::string wanted = translation::EnumTypeName(table, column);
  ASSIGN_OR_RETURN(bool taken, TypeExists(connection_, pg_schema, wanted));
  if (!taken) return wanted;
  std::string suffixed = translation::SuffixedName(wanted, table + std::string(1, '\0') + column);
  ASSIGN_OR_RETURN(taken, TypeExists(connection_, pg_schema, suffixed));
  if (!taken) return suffixed;
  return Status::AlreadyExists(
      fmt::format("types {} and {} both exist in schema {}", wanted, suffixed, pg_schema));
}

Status DdlReplay::DropTypeIfUnused(const std::string& schema, const std::string& name) {
  if (!StartsWith(name, "enum_") && !StartsWith(name, "chameleon_enum_")) return Status::Ok();
  ASSIGN_OR_RETURN(int users, TypeUsers(connection_, schema, name, 1));
  if (users > 0) return Status::Ok();
  return Exec("DROP TYPE IF EXISTS " + QualifiedName(schema, name));
}

Status DdlReplay::TidyEnumTypes(const Target& target) {
  // After a table or column rename: the types follow the names, as init_replica would name
  // them, when the name is free and the type is this column's alone.
  ASSIGN_OR_RETURN(auto enums, EnumColumns(connection_, target.qualified));
  for (const PgColumn& pg_column : enums) {
    if (!StartsWith(pg_column.type_name, "enum_")) continue;
    std::string wanted = translation::EnumTypeName(target.table, pg_column.name);
    if (pg_column.type_schema == *target.pg_schema && pg_column.type_name == wanted) continue;
    ASSIGN_OR_RETURN(int users,
                     TypeUsers(connection_, pg_column.type_schema, pg_column.type_name, 2));
    if (users > 1) continue;
    ASSIGN_OR_RETURN(bool taken, TypeExists(connection_, *target.pg_schema, wanted));
    if (taken) continue;
    std::string current = QualifiedName(pg_column.type_schema, pg_column.type_name);
    if (pg_column.type_schema != *target.pg_schema) {
      ASSIGN_OR_RETURN(bool clash, TypeExists(connection_, *target.pg_schema, pg_column.type_name));
      if (clash) continue;
      RETURN_IF_ERROR(Exec(fmt::format("ALTER TYPE {} SET SCHEMA {}", current,
                                       pg::QuoteIdentifier(*target.pg_schema))));
      current = QualifiedName(*target.pg_schema, pg_column.type_name);
    }
    if (pg_column.type_name != wanted) {
      RETURN_IF_ERROR(
          Exec(fmt::format("ALTER TYPE {} RENAME TO {}", current, pg::QuoteIdentifier(wanted))));
    }
  }
  return Status::Ok();
}

Status DdlReplay::RenameIndexes(const Target& target, const std::string& old_table) {
  if (old_table == target.table) return Status::Ok();
  ASSIGN_OR_RETURN(std::vector<PgIndex> indexes, IndexesOf(connection_, target.qualified));
  std::string prefix = old_table + "_";
  for (const PgIndex& index : indexes) {
    const std::string& name = index.name;
    if (!StartsWith(name, prefix)) continue;
    std::string renamed = translation::PgName(target.table + "_" + name.substr(prefix.size()));
    RETURN_IF_ERROR(
        Exec(fmt::format("ALTER INDEX {} RENAME TO {}", QualifiedName(*target.pg_schema, name),
                         pg::QuoteIdentifier(renamed))));
  }
  return Status::Ok();
}

Status DdlReplay::UpdatePrimaryKey(const Target& target) {
  ASSIGN_OR_RETURN(std::vector<std::string> primary_key,
                   PrimaryKeyOf(connection_, target.qualified));
  TableState& state = *target.state;
  if (primary_key == state.primary_key) return Status::Ok();
  std::string reason;
  if (primary_key.empty()) {
    reason = kNoPrimaryKey;
    log_.warn("DDL at {}: {} has no primary key any more: it is no longer replicated", where_,
              target.qualified);
  } else if (state.primary_key.empty()) {
    // Its changes were skipped while it had no key: only a new copy makes it whole.
    reason = "primary key added by replayed DDL at " + where_ +
             "; changes made before were not replayed: sync_tables brings it back";
    log_.warn("DDL at {}: {} has a primary key now; {}", where_, target.qualified,
              "run sync_tables for it to be replicated");
  }
  RETURN_IF_ERROR(catalogue::SetTablePrimaryKey(connection_, options_.source_id, *target.pg_schema,
                                                target.table, primary_key, reason));
  state.primary_key = std::move(primary_key);
  if (!reason.empty()) state.enabled = false;
  return Status::Ok();
}

}  // namespace

Status ReplayDdl(pg::Connection& connection, const ReplayerOptions& options, spdlog::logger& log,
                 const std::string& where, const ChangeEvent& event, TableStates* tables,
                 DdlResult* result) {
  DdlReplay replay(connection, options, log, where, event, tables, result);
  return replay.Run();
}

}  // namespace chameleon::replayer
