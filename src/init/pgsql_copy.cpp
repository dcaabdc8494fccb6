// init_replica of a pgsql source; see pgsql_copy.h.
#include "init/pgsql_copy.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "catalogue/tables.h"
#include "common/strings.h"
#include "init/sequences.h"
#include "init/source_tables.h"
#include "translation/table_ddl.h"

namespace chameleon::init {
namespace {

using translation::QualifiedName;
using translation::QuotedColumnList;

constexpr uint64_t kMinChunkBytes = 64 * 1024;
constexpr uint64_t kMaxChunkBytes = 8 * 1024 * 1024;

struct PgColumn {
  std::string name;
  std::string type;  // format_type's text, a serial type, or the per-column enum type
  bool not_null = false;
  std::optional<std::string> default_expression;  // or the generation expression
  char identity = 0;                              // 'a' ALWAYS, 'd' BY DEFAULT, 0 none
  bool generated = false;                         // GENERATED ALWAYS AS (...) STORED
  std::vector<std::string> enum_labels;
};

// A constraint (ALTER TABLE ... ADD CONSTRAINT name definition) or an index (its whole
// CREATE INDEX, naming the source table).
struct PgKey {
  bool is_index = false;
  bool primary = false;
  std::string name;
  std::string definition;
  std::string source_relation;  // indexes: the table as pg_get_indexdef prints it
};

struct PgTable {
  std::string oid;
  SourceTable target;  // names, destination and enum types, as the swap wants them
  std::vector<PgColumn> columns;
  std::vector<PgKey> keys;
  std::vector<std::string> primary_key;
  std::string unsupported;  // why the table cannot be copied; "" when it can
};

std::string SchemaList(const std::vector<std::string>& schemas) {
  return nlohmann::json(schemas).dump();
}

// The base tables of the mapped schemas, for the queries below ($1: the schema list).
constexpr const char* kTablesCte =
    "WITH copied AS (SELECT c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
    "WHERE c.relkind = 'r' AND n.nspname IN (SELECT jsonb_array_elements_text($1::jsonb))) ";

// 'x'::schema.type -> 'x': an enum default names the source's type, not ours.
std::string EnumDefault(const std::string& expression) {
  if (expression.empty() || expression.front() != '\'') return expression;
  size_t end = 1;
  while (end < expression.size()) {
    if (expression[end] == '\'') {
      if (end + 1 < expression.size() && expression[end + 1] == '\'') {
        end += 2;
        continue;
      }
      break;
    }
    ++end;
  }
  return expression.substr(0, end + 1);
}

bool MentionsSchema(const std::string& expression, const std::vector<std::string>& schemas) {
  return std::any_of(schemas.begin(), schemas.end(), [&](const std::string& schema) {
    return expression.find(schema + ".") != std::string::npos ||
           expression.find(pg::QuoteIdentifier(schema) + ".") != std::string::npos;
  });
}

Status ReadColumns(pg::Connection& source, const std::vector<std::string>& schemas,
                   std::map<std::string, PgTable>* tables) {
  ASSIGN_OR_RETURN(auto version, source.QueryValue("SHOW server_version_num"));
  bool has_generated = std::stoi(version.value_or("0")) >= 120000;
  ASSIGN_OR_RETURN(
      pg::Rows rows,
      source.Query(std::string(kTablesCte) +
                       "SELECT a.attrelid::text, a.attname, format_type(a.atttypid, a.atttypmod), "
                       "a.attnotnull, pg_get_expr(d.adbin, d.adrelid), a.attidentity::text, " +
                       (has_generated ? "a.attgenerated = 's'" : "false") +
                       ", t.typtype::text, format_type(t.typbasetype, t.typtypmod), "
                       "(SELECT json_agg(e.enumlabel ORDER BY e.enumsortorder) FROM pg_enum e "
                       " WHERE e.enumtypid = a.atttypid)::text, "
                       "(SELECT nspname FROM pg_namespace WHERE oid = coalesce(et.typnamespace, "
                       " t.typnamespace)), "
                       "a.attidentity = '' AND "
                       "pg_get_serial_sequence(a.attrelid::regclass::text, a.attname) IS NOT NULL "
                       "FROM pg_attribute a JOIN copied ON copied.oid = a.attrelid "
                       "JOIN pg_type t ON t.oid = a.atttypid "
                       "LEFT JOIN pg_type et ON et.oid = t.typelem AND t.typcategory = 'A' "
                       "LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum "
                       "WHERE a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attrelid, a.attnum",
                   {SchemaList(schemas)}));
  static const std::map<std::string, std::string> kSerial = {
      {"smallint", "smallserial"}, {"integer", "serial"}, {"bigint", "bigserial"}};
  for (int row = 0; row < rows.size(); ++row) {
    auto found = tables->find(std::string(rows.Text(row, 0)));
    if (found == tables->end()) continue;  // skip_tables / limit_tables left it out
    PgTable& table = found->second;
    PgColumn column;
    column.name = rows.Text(row, 1);
    column.type = rows.Text(row, 2);
    column.not_null = rows.Bool(row, 3);
    column.default_expression = rows.Value(row, 4);
    std::string identity(rows.Text(row, 5));
    column.identity = identity.empty() ? 0 : identity[0];
    column.generated = rows.Bool(row, 6);
    std::string kind(rows.Text(row, 7));
    std::string type_schema(rows.Text(row, 10));
    if (kind == "e") {
      auto labels = nlohmann::json::parse(rows.Text(row, 9), nullptr, false);
      if (labels.is_array()) {
        for (const auto& label : labels)
          column.enum_labels.push_back(label.get<std::string>());
      }
      if (column.default_expression) {
        column.default_expression = EnumDefault(*column.default_expression);
      }
    } else if (kind == "d") {
      column.type = rows.Text(row, 8);  // a domain becomes its base type
    } else if (std::find(schemas.begin(), schemas.end(), type_schema) != schemas.end()) {
      table.unsupported = fmt::format(
          "column {}: type {} is defined in the source schema (composite types, arrays of enums "
          "and other types of the schema are not copied); exclude the table with skip_tables",
          column.name, column.type);
    }
    if (rows.Bool(row, 11) && kSerial.count(column.type) > 0) {
      column.type = kSerial.at(column.type);  // its own sequence, moved with the table
      column.default_expression.reset();
    }
    if (column.default_expression && !column.generated &&
        MentionsSchema(*column.default_expression, schemas)) {
      spdlog::warn("{}.{}: default {} names an object of the source schema; it is not copied",
                   table.target.definition.table, column.name, *column.default_expression);
      column.default_expression.reset();
    }
    table.columns.push_back(std::move(column));
  }
  return Status::Ok();
}

Status ReadKeys(pg::Connection& source, const std::vector<std::string>& schemas,
                std::map<std::string, PgTable>* tables) {
  ASSIGN_OR_RETURN(
      pg::Rows constraints,
      source.Query(std::string(kTablesCte) +
                       "SELECT k.conrelid::text, k.conname, pg_get_constraintdef(k.oid), "
                       "k.contype = 'p', (SELECT json_agg(a.attname ORDER BY u.ord) FROM "
                       "unnest(k.conkey) WITH ORDINALITY u(attnum, ord) JOIN pg_attribute a ON "
                       "a.attrelid = k.conrelid AND a.attnum = u.attnum)::text "
                       "FROM pg_constraint k JOIN copied ON copied.oid = k.conrelid "
                       "WHERE k.contype IN ('p', 'u', 'x', 'c') "
                       "ORDER BY k.conrelid, k.contype <> 'p', k.conname",
                   {SchemaList(schemas)}));
  for (int row = 0; row < constraints.size(); ++row) {
    auto found = tables->find(std::string(constraints.Text(row, 0)));
    if (found == tables->end()) continue;
    PgKey key;
    key.name = constraints.Text(row, 1);
    key.definition = constraints.Text(row, 2);
    key.primary = constraints.Bool(row, 3);
    if (key.primary) {
      auto columns = nlohmann::json::parse(constraints.Text(row, 4), nullptr, false);
      if (columns.is_array()) {
        for (const auto& column : columns)
          found->second.primary_key.push_back(column.get<std::string>());
      }
    }
    found->second.keys.push_back(std::move(key));
  }
  ASSIGN_OR_RETURN(
      pg::Rows indexes,
      source.Query(std::string(kTablesCte) +
                       "SELECT i.indrelid::text, ic.relname, pg_get_indexdef(i.indexrelid), "
                       "quote_ident(n.nspname) || '.' || quote_ident(c.relname) "
                       "FROM pg_index i JOIN copied ON copied.oid = i.indrelid "
                       "JOIN pg_class ic ON ic.oid = i.indexrelid "
                       "JOIN pg_class c ON c.oid = i.indrelid "
                       "JOIN pg_namespace n ON n.oid = c.relnamespace "
                       "WHERE NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = "
                       "i.indexrelid AND k.conrelid = i.indrelid AND k.contype IN ('p', 'u', "
                       "'x')) ORDER BY 1, 2",
                   {SchemaList(schemas)}));
  for (int row = 0; row < indexes.size(); ++row) {
    auto found = tables->find(std::string(indexes.Text(row, 0)));
    if (found == tables->end()) continue;
    PgKey key;
    key.is_index = true;
    key.name = indexes.Text(row, 1);
    key.definition = indexes.Text(row, 2);
    key.source_relation = indexes.Text(row, 3);
    found->second.keys.push_back(std::move(key));
  }
  return Status::Ok();
}

// The selected tables of the mapped schemas with their columns and keys, read inside the
// snapshot so that the definitions match the rows.
Result<std::vector<PgTable>> ReadPgTables(pg::Connection& source, const config::Source& config) {
  std::vector<std::string> schemas;
  std::map<std::string, std::string> destinations;
  for (const auto& [origin, destination] : config.schema_mappings) {
    schemas.push_back(origin);
    destinations[origin] = destination;
  }
  ASSIGN_OR_RETURN(
      pg::Rows rows,
      source.Query(std::string(kTablesCte) +
                       "SELECT c.oid::text, n.nspname, c.relname, pg_total_relation_size(c.oid) "
                       "FROM copied JOIN pg_class c ON c.oid = copied.oid "
                       "JOIN pg_namespace n ON n.oid = c.relnamespace ORDER BY 2, 3",
                   {SchemaList(schemas)}));
  std::map<std::string, PgTable> by_oid;
  for (int row = 0; row < rows.size(); ++row) {
    std::string schema(rows.Text(row, 1));
    std::string name(rows.Text(row, 2));
    if (!TableSelected(config, {}, schema, name)) continue;
    PgTable table;
    table.oid = rows.Text(row, 0);
    table.target.definition.origin_schema = schema;
    table.target.definition.table = name;
    table.target.destination_schema = destinations[schema];
    table.target.estimated_bytes = rows.Integer(row, 3);
    by_oid.emplace(table.oid, std::move(table));
  }
  RETURN_IF_ERROR(ReadColumns(source, schemas, &by_oid));
  RETURN_IF_ERROR(ReadKeys(source, schemas, &by_oid));
  // One enum type per column, as pg_chameleon; names unique per source schema.
  std::map<std::string, std::vector<translation::EnumColumn>> enum_columns;
  for (const auto& [oid, table] : by_oid) {
    for (const auto& column : table.columns) {
      if (column.enum_labels.empty()) continue;
      enum_columns[table.target.definition.origin_schema].emplace_back(
          table.target.definition.table, column.name);
    }
  }
  std::vector<PgTable> tables;
  for (auto& [oid, table] : by_oid) {
    auto names =
        translation::UniqueEnumTypeNames(enum_columns[table.target.definition.origin_schema]);
    for (auto& column : table.columns) {
      translation::ColumnType type;
      if (!column.enum_labels.empty()) {
        type.pg_type = names[{table.target.definition.table, column.name}];
        type.enum_labels = column.enum_labels;
        column.type = type.pg_type;
      }
      table.target.definition.types.push_back(std::move(type));
    }
    tables.push_back(std::move(table));
  }
  return tables;
}

std::vector<std::string> CreateStatements(const PgTable& table, const std::string& loading) {
  std::vector<std::string> statements;
  std::vector<std::string> lines;
  for (const auto& column : table.columns) {
    std::string type = column.type;
    if (!column.enum_labels.empty()) {
      std::vector<std::string> labels;
      for (const auto& label : column.enum_labels)
        labels.push_back(pg::QuoteLiteral(label));
      statements.push_back(fmt::format("CREATE TYPE {} AS ENUM ({})",
                                       QualifiedName(loading, column.type), Join(labels, ", ")));
      type = QualifiedName(loading, column.type);
    }
    std::string line = pg::QuoteIdentifier(column.name) + " " + type;
    if (column.identity == 'a') line += " GENERATED ALWAYS AS IDENTITY";
    if (column.identity == 'd') line += " GENERATED BY DEFAULT AS IDENTITY";
    if (column.default_expression) {
      line += column.generated ? " GENERATED ALWAYS AS (" + *column.default_expression + ") STORED"
                               : " DEFAULT " + *column.default_expression;
    }
    if (column.not_null) line += " NOT NULL";
    lines.push_back(line);
  }
  statements.push_back(fmt::format("CREATE TABLE {} (\n  {}\n)",
                                   QualifiedName(loading, table.target.definition.table),
                                   Join(lines, ",\n  ")));
  return statements;
}

// The columns COPY moves: generated ones are computed again by the destination.
std::string CopyColumns(const PgTable& table) {
  std::vector<std::string> names;
  for (const auto& column : table.columns) {
    if (!column.generated) names.push_back(column.name);
  }
  return QuotedColumnList(names);
}

class PgWorker {
 public:
  PgWorker(pg::Connection source, pg::Connection target, uint64_t chunk_bytes)
      : source_(std::move(source)), target_(std::move(target)), chunk_bytes_(chunk_bytes) {}

  pg::Connection& source() { return source_; }

  CopyOutcome Copy(const PgTable& table, const std::string& loading) {
    CopyOutcome outcome;
    std::string name = table.target.definition.origin_schema + "." + table.target.definition.table;
    outcome.status = CopyRows(table, loading, &outcome.rows);
    if (outcome.status.ok()) outcome.status = BuildKeys(table, loading, &outcome.skipped_indexes);
    if (outcome.status.ok()) spdlog::info("copied {}: {} rows", name, outcome.rows);
    return outcome;
  }

 private:
  Status CopyRows(const PgTable& table, const std::string& loading, int64_t* rows) {
    const auto& definition = table.target.definition;
    std::string columns = CopyColumns(table);
    RETURN_IF_ERROR(target_.BeginCopy(
        fmt::format("COPY {} ({}) FROM STDIN", QualifiedName(loading, definition.table), columns)));
    buffer_.clear();
    // COPY's text format is the same on both ends: each row passes through untouched.
    Status streamed = source_.CopyOut(
        fmt::format("COPY {} ({}) TO STDOUT",
                    QualifiedName(definition.origin_schema, definition.table), columns),
        [&](std::string_view row) -> Status {
          buffer_.append(row);
          ++*rows;
          if (buffer_.size() < chunk_bytes_) return Status::Ok();
          Status sent = target_.PutCopyData(buffer_);
          buffer_.clear();
          return sent;
        });
    return FinishCopy(target_, streamed, &buffer_);
  }

  // The primary key must come (the catalogue records it); another key PostgreSQL refuses
  // here (e.g. an expression naming a function of the source schema) is reported and left.
  Status BuildKeys(const PgTable& table, const std::string& loading,
                   std::vector<std::string>* skipped) {
    std::string target = QualifiedName(loading, table.target.definition.table);
    for (const auto& key : table.keys) {
      std::string sql;
      if (key.is_index) {
        sql = key.definition;
        std::string on = " ON " + key.source_relation + " ";
        size_t at = sql.find(on);
        if (at == std::string::npos) {
          skipped->push_back(key.name + " (cannot find its table in " + sql + ")");
          continue;
        }
        sql.replace(at, on.size(), " ON " + target + " ");
      } else {
        sql = fmt::format("ALTER TABLE {} ADD CONSTRAINT {} {}", target,
                          pg::QuoteIdentifier(key.name), key.definition);
      }
      Status built = target_.Execute(sql);
      if (built.ok()) continue;
      if (key.primary) return built;
      skipped->push_back(key.name + " (" + built.message() + ")");
    }
    return Status::Ok();
  }

  pg::Connection source_;
  pg::Connection target_;
  uint64_t chunk_bytes_;
  std::string buffer_;
};

// The snapshot every worker imports: held by an open transaction on `control`.
struct Snapshot {
  std::string id;  // "" when the source could not export one (hot standby)
};

Result<Snapshot> ExportSnapshot(pg::Connection& control) {
  ASSIGN_OR_RETURN(auto recovery, control.QueryValue("SELECT pg_is_in_recovery()"));
  bool standby = recovery.value_or("f") == "t";
  RETURN_IF_ERROR(control.Execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"));
  auto exported = control.QueryValue("SELECT pg_export_snapshot()");
  if (exported.ok()) return Snapshot{exported->value_or("")};
  if (!standby) return exported.status().WithContext("cannot export a snapshot of the source");
  spdlog::warn(
      "the source is a hot standby that cannot export a snapshot ({}); each copy connection "
      "reads its own snapshot, so the tables are not consistent with each other",
      exported.status().message());
  RETURN_IF_ERROR(control.Execute("ROLLBACK"));
  RETURN_IF_ERROR(control.Execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"));
  return Snapshot{};
}

}  // namespace

Result<CopySummary> RunPgsqlCopy(const CopyRequest& request) {
  const config::Source& source = *request.source;
  ASSIGN_OR_RETURN(pg::Connection control, request.connect_pgsql_source());
  // Outside pg_catalog every name comes qualified, which tells the source's types apart.
  RETURN_IF_ERROR(control.Execute("SET search_path = pg_catalog"));
  ASSIGN_OR_RETURN(Snapshot snapshot, ExportSnapshot(control));
  ASSIGN_OR_RETURN(std::vector<PgTable> tables, ReadPgTables(control, source));

  ASSIGN_OR_RETURN(pg::Connection target, request.connect_target());
  std::set<std::string> destinations;
  for (const auto& [origin, destination] : source.schema_mappings)
    destinations.insert(destination);
  RETURN_IF_ERROR(CreateLoadingSchemas(target, destinations));

  CopySummary summary;
  summary.consistent = !snapshot.id.empty();
  std::vector<const PgTable*> jobs;
  std::vector<std::pair<const PgTable*, std::string>> failed;  // table, reason
  for (const auto& table : tables) {
    std::string loading = LoadingSchema(table.target.destination_schema);
    Status created = table.unsupported.empty() ? target.InTransaction([&]() -> Status {
      for (const auto& statement : CreateStatements(table, loading))
        RETURN_IF_ERROR(target.Execute(statement));
      return Status::Ok();
    })
                                               : Status::NotSupported(table.unsupported);
    if (!created.ok()) {
      failed.emplace_back(&table, "cannot create it in PostgreSQL: " + created.message());
      continue;
    }
    jobs.push_back(&table);
  }

  // The biggest tables start first; each worker takes the next table when it is free.
  std::stable_sort(jobs.begin(), jobs.end(), [](const PgTable* a, const PgTable* b) {
    return a->target.estimated_bytes > b->target.estimated_bytes;
  });
  int worker_count = std::max(1, std::min<int>(source.copy_workers, static_cast<int>(jobs.size())));
  uint64_t chunk = std::clamp(source.copy_max_memory_bytes / static_cast<uint64_t>(worker_count),
                              kMinChunkBytes, kMaxChunkBytes);
  std::vector<std::unique_ptr<PgWorker>> workers;
  for (int index = 0; index < worker_count && !jobs.empty(); ++index) {
    ASSIGN_OR_RETURN(pg::Connection reader, request.connect_pgsql_source());
    RETURN_IF_ERROR(reader.Execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"));
    if (!snapshot.id.empty()) {
      RETURN_IF_ERROR(reader.Execute("SET TRANSACTION SNAPSHOT " + pg::QuoteLiteral(snapshot.id)));
    }
    ASSIGN_OR_RETURN(pg::Connection writer, request.connect_target());
    workers.push_back(std::make_unique<PgWorker>(std::move(reader), std::move(writer), chunk));
  }
  spdlog::info("copying {} tables of a pgsql source with {} workers ({})", jobs.size(),
               workers.size(), summary.consistent ? "one exported snapshot" : "not consistent");
  std::vector<CopyOutcome> outcomes(jobs.size());
  std::atomic<size_t> next{0};
  std::vector<std::thread> threads;
  for (auto& worker : workers) {
    threads.emplace_back([&, raw = worker.get()]() {
      for (size_t slot = next++; slot < jobs.size(); slot = next++) {
        outcomes[slot] =
            raw->Copy(*jobs[slot], LoadingSchema(jobs[slot]->target.destination_schema));
      }
    });
  }
  for (auto& thread : threads)
    thread.join();
  workers.clear();
  (void)control.Execute("COMMIT");  // the snapshot is no longer needed

  std::vector<std::string> loading_schemas;
  for (const auto& destination : destinations)
    loading_schemas.push_back(LoadingSchema(destination));
  auto reset = ResetSequences(target, loading_schemas);
  if (!reset.ok()) {
    DropLoadingSchemas(target, destinations);
    return reset.status().WithContext("setting the sequences past the copied keys");
  }
  for (const auto& destination : destinations) {
    RETURN_IF_ERROR(catalogue::DeleteTables(target, request.source_id, destination));
    for (const auto& role : source.grant_select_to) {
      Status granted =
          target.Execute(fmt::format("GRANT USAGE ON SCHEMA {} TO {}",
                                     pg::QuoteIdentifier(destination), pg::QuoteIdentifier(role)));
      if (!granted.ok()) spdlog::warn("grant_select_to: {}", granted.message());
    }
  }
  for (size_t index = 0; index < jobs.size(); ++index) {
    const PgTable& table = *jobs[index];
    const std::string& name = table.target.definition.table;
    for (const auto& skipped : outcomes[index].skipped_indexes)
      spdlog::warn("table {}: {} is not created in PostgreSQL", name, skipped);
    if (!outcomes[index].status.ok()) {
      failed.emplace_back(&table, outcomes[index].status.message());
      continue;
    }
    catalogue::ReplicaTable record;
    record.schema = table.target.destination_schema;
    record.table = name;
    record.primary_key = table.primary_key;
    if (record.primary_key.empty()) {
      record.enabled = false;
      record.disabled_reason = "no primary key";
      summary.not_replicated.push_back(table.target.definition.origin_schema + "." + name);
    }
    Status swapped = SwapIn(target, request, table.target, LoadingSchema(record.schema), record);
    if (!swapped.ok()) {
      failed.emplace_back(&table, swapped.message());
      continue;
    }
    ++summary.tables_copied;
    summary.rows_copied += outcomes[index].rows;
  }
  for (const auto& [table, reason] : failed) {
    std::string line = fmt::format("table {}.{}: {}", table->target.definition.origin_schema,
                                   table->target.definition.table, reason);
    spdlog::error("{}", line);
    summary.failures.push_back(line);
    catalogue::ReplicaTable record;
    record.schema = table->target.destination_schema;
    record.table = table->target.definition.table;
    record.primary_key = table->primary_key;
    record.enabled = false;
    record.disabled_reason = "copy failed: " + reason;
    RETURN_IF_ERROR(catalogue::SaveTable(target, request.source_id, record));
  }
  DropLoadingSchemas(target, destinations);
  return summary;
}

}  // namespace chameleon::init
