// The copy into existing tables (keep_existing_schema); see existing_tables.h.
#include "init/existing_tables.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "catalogue/tables.h"
#include "translation/table_ddl.h"

namespace chameleon::init {
namespace {

using translation::QualifiedName;

// A constraint or an index to put back: `restore` re-creates it (its statements in order;
// a foreign key is added NOT VALID, then validated), `drop` removes it.
struct SavedObject {
  std::string label;  // for messages
  std::string drop;
  std::vector<std::string> restore;
};

// The foreign keys on or to any of `tables` (qualified, quoted names), each once.
Result<std::vector<SavedObject>> ForeignKeysOf(pg::Connection& connection,
                                               const std::vector<std::string>& tables) {
  ASSIGN_OR_RETURN(
      pg::Rows rows,
      connection.Query(
          "SELECT format('%I.%I', n.nspname, c.relname), quote_ident(k.conname), "
          "pg_get_constraintdef(k.oid), k.convalidated "
          "FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid "
          "JOIN pg_namespace n ON n.oid = c.relnamespace "
          "WHERE k.contype = 'f' AND (k.conrelid IN (SELECT t::regclass FROM "
          "jsonb_array_elements_text($1::jsonb) t) OR k.confrelid IN (SELECT t::regclass FROM "
          "jsonb_array_elements_text($1::jsonb) t)) ORDER BY 1, 2",
          {nlohmann::json(tables).dump()}));
  std::vector<SavedObject> keys;
  for (int row = 0; row < rows.size(); ++row) {
    std::string table(rows.Text(row, 0));
    std::string name(rows.Text(row, 1));
    std::string definition(rows.Text(row, 2));
    // A key that was valid is added NOT VALID and validated after; pg_get_constraintdef
    // already ends a not-valid one with NOT VALID.
    bool valid = rows.Bool(row, 3);
    SavedObject key{"foreign key " + name + " of " + table,
                    fmt::format("ALTER TABLE {} DROP CONSTRAINT {}", table, name),
                    {fmt::format("ALTER TABLE {} ADD CONSTRAINT {} {}{}", table, name, definition,
                                 valid ? " NOT VALID" : "")}};
    if (valid) {
      key.restore.push_back(fmt::format("ALTER TABLE {} VALIDATE CONSTRAINT {}", table, name));
    }
    keys.push_back(std::move(key));
  }
  return keys;
}

// The primary key, unique and exclusion constraints, then the other indexes of `table`:
// what makes a load slow. CHECK and NOT NULL constraints stay.
Result<std::vector<SavedObject>> KeysOf(pg::Connection& connection, const std::string& table) {
  std::vector<SavedObject> keys;
  ASSIGN_OR_RETURN(pg::Rows constraints,
                   connection.Query("SELECT quote_ident(conname), pg_get_constraintdef(oid) "
                                    "FROM pg_constraint WHERE conrelid = $1::regclass AND "
                                    "contype IN ('p', 'u', 'x') ORDER BY contype <> 'p', conname",
                                    {table}));
  for (int row = 0; row < constraints.size(); ++row) {
    std::string name(constraints.Text(row, 0));
    keys.push_back({"constraint " + name + " of " + table,
                    fmt::format("ALTER TABLE {} DROP CONSTRAINT {}", table, name),
                    {fmt::format("ALTER TABLE {} ADD CONSTRAINT {} {}", table, name,
                                 constraints.Text(row, 1))}});
  }
  ASSIGN_OR_RETURN(
      pg::Rows indexes,
      connection.Query(
          "SELECT format('%I.%I', n.nspname, ic.relname), pg_get_indexdef(i.indexrelid) "
          "FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid "
          "JOIN pg_namespace n ON n.oid = ic.relnamespace "
          "WHERE i.indrelid = $1::regclass AND NOT EXISTS (SELECT 1 FROM "
          "pg_constraint k WHERE k.conindid = i.indexrelid AND k.conrelid = "
          "i.indrelid AND k.contype IN ('p', 'u', 'x')) ORDER BY 1",
          {table}));
  for (int row = 0; row < indexes.size(); ++row) {
    std::string name(indexes.Text(row, 0));
    keys.push_back({"index " + name, "DROP INDEX " + name, {std::string(indexes.Text(row, 1))}});
  }
  return keys;
}

Status DropAll(pg::Connection& connection, const std::vector<SavedObject>& objects) {
  for (const auto& object : objects)
    RETURN_IF_ERROR(connection.Execute(object.drop));
  return Status::Ok();
}

// Puts back each object; one that fails is reported and the others still come back.
void RestoreAll(pg::Connection& connection, const std::vector<SavedObject>& objects,
                std::vector<std::string>* problems) {
  for (const auto& object : objects) {
    for (const auto& statement : object.restore) {
      Status restored = connection.Execute(statement);
      if (restored.ok()) continue;
      std::string line =
          fmt::format("{}: `{}` failed: {}", object.label, statement, restored.message());
      spdlog::error("{}", line);
      problems->push_back(line);
      break;
    }
  }
}

}  // namespace

Result<CopySummary> CopyIntoExistingTables(const CopyRequest& request,
                                           const std::vector<SourceTable>& tables) {
  if (request.scope == CopyScope::kStructure) {
    return Status::FailedPrecondition(
        "copy_schema creates the tables, and keep_existing_schema: Yes says they exist already; "
        "set keep_existing_schema: No to create them");
  }
  ASSIGN_OR_RETURN(pg::Connection control, request.connect_target());
  // Every name below comes back qualified, so the definitions do not depend on search_path.
  RETURN_IF_ERROR(control.Execute("SET search_path = pg_catalog"));
  CopySummary summary;
  std::vector<const SourceTable*> present;
  std::vector<std::string> qualified;
  std::vector<std::pair<const SourceTable*, std::string>> failed;  // table, reason
  for (const auto& table : tables) {
    std::string name = QualifiedName(table.destination_schema, table.definition.table);
    ASSIGN_OR_RETURN(auto exists, control.QueryValue("SELECT to_regclass($1) IS NOT NULL", {name}));
    if (exists.value_or("f") != "t") {
      failed.emplace_back(&table, fmt::format("keep_existing_schema: table {}.{} does not exist "
                                              "in PostgreSQL; create it first",
                                              table.destination_schema, table.definition.table));
      continue;
    }
    present.push_back(&table);
    qualified.push_back(name);
  }

  // Foreign keys first: none may point at a table while its key is dropped or truncated.
  ASSIGN_OR_RETURN(std::vector<SavedObject> foreign_keys, ForeignKeysOf(control, qualified));
  std::vector<std::vector<SavedObject>> keys(present.size());
  std::vector<std::string> problems;
  Status prepared = control.InTransaction([&]() -> Status {
    RETURN_IF_ERROR(control.Execute("SET LOCAL lock_timeout = " +
                                    pg::QuoteLiteral(request.source->lock_timeout)));
    RETURN_IF_ERROR(DropAll(control, foreign_keys));
    for (size_t index = 0; index < present.size(); ++index) {
      ASSIGN_OR_RETURN(keys[index], KeysOf(control, qualified[index]));
      RETURN_IF_ERROR(DropAll(control, keys[index]));
      RETURN_IF_ERROR(control.Execute("TRUNCATE " + qualified[index]));
    }
    return Status::Ok();
  });
  RETURN_IF_ERROR(prepared.WithContext("preparing the existing tables for the copy"));
  for (const auto& key : foreign_keys)
    spdlog::info("saved and dropped for the copy: {}", key.label);

  std::vector<CopyJob> jobs;
  for (const auto* table : present)
    jobs.push_back({table, table->destination_schema, false});
  std::vector<CopyOutcome> outcomes;
  auto coordinates = CopyTables(CopyOptionsFor(request), jobs, &outcomes);

  // The keys come back whatever happened to the copy: the schema is the user's.
  for (const auto& saved : keys)
    RestoreAll(control, saved, &problems);
  RestoreAll(control, foreign_keys, &problems);
  RETURN_IF_ERROR(coordinates.status());
  summary.coordinates = *coordinates;

  if (request.scope == CopyScope::kAllSchemas || request.scope == CopyScope::kOneSchema) {
    std::set<std::string> destinations;
    for (const auto& table : tables)
      destinations.insert(table.destination_schema);
    for (const auto& destination : destinations)
      RETURN_IF_ERROR(catalogue::DeleteTables(control, request.source_id, destination));
  }
  for (size_t index = 0; index < present.size(); ++index) {
    const SourceTable& table = *present[index];
    if (!outcomes[index].status.ok()) {
      failed.emplace_back(&table, outcomes[index].status.message());
      continue;
    }
    RETURN_IF_ERROR(
        catalogue::SaveTable(control, request.source_id, CopiedRecord(table, &summary)));
    ++summary.tables_copied;
    summary.rows_copied += outcomes[index].rows;
  }
  for (const auto& [table, reason] : failed) {
    summary.failures.push_back(reason);
    RETURN_IF_ERROR(catalogue::SaveTable(control, request.source_id, FailedRecord(*table, reason)));
  }
  for (const auto& problem : problems)
    summary.failures.push_back(problem);
  return summary;
}

}  // namespace chameleon::init
