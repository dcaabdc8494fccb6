// A whole copy from a MySQL source; see mysql_copy.h.
#include "init/mysql_copy.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <map>
#include <set>

#include "catalogue/tables.h"
#include "common/strings.h"
#include "init/existing_tables.h"
#include "translation/table_ddl.h"

namespace chameleon::init {
namespace {

std::string Qualified(const std::string& schema, const std::string& name) {
  return pg::QuoteIdentifier(schema) + "." + pg::QuoteIdentifier(name);
}

// A view (or materialized view) that depends on a table being replaced: it is dropped with
// the old table and created again on the new one, in the same transaction.
struct DependentView {
  std::string name;  // qualified and quoted
  bool materialized = false;
  std::string definition;
};

Result<std::vector<DependentView>> DependentViews(pg::Connection& connection,
                                                  const std::string& qualified_table) {
  ASSIGN_OR_RETURN(
      pg::Rows rows,
      connection.Query(
          "WITH RECURSIVE deps(oid) AS ("
          "  SELECT r.ev_class FROM pg_depend d JOIN pg_rewrite r ON r.oid = d.objid "
          "  WHERE d.classid = 'pg_rewrite'::regclass AND d.refobjid = $1::regclass "
          "    AND r.ev_class <> $1::regclass "
          "  UNION "
          "  SELECT r.ev_class FROM deps JOIN pg_depend d ON d.refobjid = deps.oid "
          "  JOIN pg_rewrite r ON r.oid = d.objid "
          "  WHERE d.classid = 'pg_rewrite'::regclass AND r.ev_class <> deps.oid) "
          "SELECT DISTINCT c.oid, format('%I.%I', n.nspname, c.relname), c.relkind = 'm', "
          "pg_get_viewdef(c.oid) FROM deps JOIN pg_class c ON c.oid = deps.oid "
          "JOIN pg_namespace n ON n.oid = c.relnamespace ORDER BY c.oid",
          {qualified_table}));
  std::vector<DependentView> views;
  for (int row = 0; row < rows.size(); ++row) {
    views.push_back(
        {std::string(rows.Text(row, 1)), rows.Bool(row, 2), std::string(rows.Text(row, 3))});
  }
  return views;
}

}  // namespace

Status SwapIn(pg::Connection& connection, const CopyRequest& request, const SourceTable& table,
              const std::string& loading, const catalogue::ReplicaTable& record) {
  const auto& definition = table.definition;
  const std::string& destination = table.destination_schema;
  return connection.InTransaction([&]() -> Status {
    RETURN_IF_ERROR(connection.Execute("SET LOCAL lock_timeout = " +
                                       pg::QuoteLiteral(request.source->lock_timeout)));
    std::string target = Qualified(destination, definition.table);
    ASSIGN_OR_RETURN(auto exists,
                     connection.QueryValue("SELECT to_regclass($1) IS NOT NULL", {target}));
    std::vector<DependentView> views;
    if (exists.value_or("f") == "t") {
      ASSIGN_OR_RETURN(views, DependentViews(connection, target));
      RETURN_IF_ERROR(connection.Execute("DROP TABLE " + target + " CASCADE"));
    }
    for (const auto& type : definition.types) {
      if (type.enum_labels.empty()) continue;
      RETURN_IF_ERROR(
          connection.Execute("DROP TYPE IF EXISTS " + Qualified(destination, type.pg_type)));
      RETURN_IF_ERROR(connection.Execute(fmt::format("ALTER TYPE {} SET SCHEMA {}",
                                                     Qualified(loading, type.pg_type),
                                                     pg::QuoteIdentifier(destination))));
    }
    RETURN_IF_ERROR(connection.Execute(fmt::format("ALTER TABLE {} SET SCHEMA {}",
                                                   Qualified(loading, definition.table),
                                                   pg::QuoteIdentifier(destination))));
    for (const auto& view : views) {
      Status recreated = connection.Execute(fmt::format("CREATE {}VIEW {} AS {}",
                                                        view.materialized ? "MATERIALIZED " : "",
                                                        view.name, view.definition));
      if (!recreated.ok()) {
        return recreated.WithContext(fmt::format(
            "view {} depends on the table and no longer fits its new definition; the old "
            "table is kept",
            view.name));
      }
    }
    for (const auto& role : request.source->grant_select_to) {
      RETURN_IF_ERROR(connection.Execute(
          fmt::format("GRANT SELECT ON {} TO {}", target, pg::QuoteIdentifier(role))));
    }
    if (request.scope == CopyScope::kStructure) return Status::Ok();
    return catalogue::SaveTable(connection, request.source_id, record);
  });
}

catalogue::ReplicaTable CopiedRecord(const SourceTable& table, CopySummary* summary) {
  catalogue::ReplicaTable record;
  record.schema = table.destination_schema;
  record.table = table.definition.table;
  record.primary_key = table.definition.PrimaryKey();
  record.binlog_name = summary->coordinates.binlog_name;
  record.binlog_position = summary->coordinates.binlog_position;
  if (record.primary_key.empty()) {
    record.enabled = false;
    record.disabled_reason = "no primary key";
    summary->not_replicated.push_back(table.definition.origin_schema + "." +
                                      table.definition.table);
  }
  return record;
}

catalogue::ReplicaTable FailedRecord(const SourceTable& table, const std::string& reason) {
  catalogue::ReplicaTable record;
  record.schema = table.destination_schema;
  record.table = table.definition.table;
  record.primary_key = table.definition.PrimaryKey();
  record.enabled = false;
  record.disabled_reason = "copy failed: " + reason;
  return record;
}

CopyOptions CopyOptionsFor(const CopyRequest& request) {
  CopyOptions options;
  options.workers = request.source->copy_workers;
  options.max_memory_bytes = request.source->copy_max_memory_bytes;
  options.split_rows = static_cast<uint64_t>(request.source->copy_split_rows);
  options.connect_source = request.connect_source;
  options.connect_target = request.connect_target;
  return options;
}

std::string LoadingSchema(const std::string& destination) {
  return translation::PgName("_chameleon_loading_" + destination);
}

Status CreateLoadingSchemas(pg::Connection& connection, const std::set<std::string>& destinations) {
  for (const auto& destination : destinations) {
    // A loading schema left by a killed copy is ours to drop.
    RETURN_IF_ERROR(connection.Execute(
        "DROP SCHEMA IF EXISTS " + pg::QuoteIdentifier(LoadingSchema(destination)) + " CASCADE"));
    RETURN_IF_ERROR(
        connection.Execute("CREATE SCHEMA " + pg::QuoteIdentifier(LoadingSchema(destination))));
    RETURN_IF_ERROR(
        connection.Execute("CREATE SCHEMA IF NOT EXISTS " + pg::QuoteIdentifier(destination)));
  }
  return Status::Ok();
}

void DropLoadingSchemas(pg::Connection& connection, const std::set<std::string>& destinations) {
  for (const auto& destination : destinations) {
    Status dropped = connection.Execute(
        "DROP SCHEMA IF EXISTS " + pg::QuoteIdentifier(LoadingSchema(destination)) + " CASCADE");
    if (!dropped.ok()) spdlog::warn("cannot drop a loading schema: {}", dropped.message());
  }
}

Result<CopySummary> RunMysqlCopy(const CopyRequest& request) {
  const config::Source& source = *request.source;
  ASSIGN_OR_RETURN(mysql::Connection reader, request.connect_source());
  ASSIGN_OR_RETURN(
      std::vector<SourceTable> tables,
      ReadSourceTables(reader, *request.config, source, request.origin_schemas, request.only));
  if (request.scope == CopyScope::kTables) {
    for (const auto& wanted : request.only) {
      bool found = std::any_of(tables.begin(), tables.end(), [&](const SourceTable& table) {
        return table.definition.origin_schema + "." + table.definition.table == wanted;
      });
      if (!found) {
        return Status::NotFound(
            fmt::format("table {} is not a table of a mapped schema on MySQL {} (or limit_tables / "
                        "skip_tables exclude it); check --tables",
                        wanted, reader.description()));
      }
    }
  }
  if (source.keep_existing_schema) return CopyIntoExistingTables(request, tables);
  ASSIGN_OR_RETURN(pg::Connection control, request.connect_target());
  std::set<std::string> destinations;
  for (const auto& [origin, destination] : source.schema_mappings) {
    if (std::find(request.origin_schemas.begin(), request.origin_schemas.end(), origin) !=
        request.origin_schemas.end()) {
      destinations.insert(destination);
    }
  }
  auto drop_loading = [&]() { DropLoadingSchemas(control, destinations); };
  RETURN_IF_ERROR(CreateLoadingSchemas(control, destinations));

  CopySummary summary;
  std::vector<CopyJob> jobs;
  std::vector<const SourceTable*> failed_to_create;
  std::vector<std::string> create_errors;
  for (const auto& table : tables) {
    std::string loading = LoadingSchema(table.destination_schema);
    Status created = control.InTransaction([&]() -> Status {
      for (const auto& statement :
           translation::CreateTableStatements(table.definition, loading, table.fillfactor)) {
        RETURN_IF_ERROR(control.Execute(statement));
      }
      return Status::Ok();
    });
    if (!created.ok()) {
      std::string line =
          fmt::format("table {}.{}: cannot create it in PostgreSQL: {}",
                      table.definition.origin_schema, table.definition.table, created.message());
      spdlog::error("{}", line);
      summary.failures.push_back(line);
      failed_to_create.push_back(&table);
      create_errors.push_back(created.message());
      continue;
    }
    jobs.push_back({&table, loading});
  }

  std::vector<CopyOutcome> outcomes;
  if (request.scope != CopyScope::kStructure) {
    auto coordinates = CopyTables(CopyOptionsFor(request), jobs, &outcomes);
    if (!coordinates.ok()) {
      drop_loading();
      return coordinates.status();
    }
    summary.coordinates = *coordinates;
  } else {
    outcomes.assign(jobs.size(), CopyOutcome{});
    for (const auto& job : jobs) {
      std::vector<std::string> skipped;
      for (const auto& statement :
           translation::IndexStatements(job.table->definition, job.loading_schema, &skipped)) {
        RETURN_IF_ERROR(control.Execute(statement));
      }
    }
  }

  // Catalogue rows of tables that no longer exist go; each copied table's row comes back
  // with its swap.
  if (request.scope == CopyScope::kAllSchemas || request.scope == CopyScope::kOneSchema) {
    for (const auto& destination : destinations) {
      RETURN_IF_ERROR(catalogue::DeleteTables(control, request.source_id, destination));
    }
  }
  for (const auto& destination : destinations) {
    for (const auto& role : source.grant_select_to) {
      Status granted =
          control.Execute(fmt::format("GRANT USAGE ON SCHEMA {} TO {}",
                                      pg::QuoteIdentifier(destination), pg::QuoteIdentifier(role)));
      if (!granted.ok()) spdlog::warn("grant_select_to: {}", granted.message());
    }
  }
  auto record_failure = [&](const SourceTable& table, const std::string& reason) -> Status {
    if (request.scope == CopyScope::kStructure) return Status::Ok();
    return catalogue::SaveTable(control, request.source_id, FailedRecord(table, reason));
  };
  for (size_t index = 0; index < jobs.size(); ++index) {
    const SourceTable& table = *jobs[index].table;
    std::string name = table.definition.origin_schema + "." + table.definition.table;
    const CopyOutcome& outcome = outcomes[index];
    for (const auto& skipped : outcome.skipped_indexes) {
      spdlog::warn("table {}: index {} is not created in PostgreSQL", name, skipped);
    }
    if (!outcome.status.ok()) {
      summary.failures.push_back(outcome.status.message());
      RETURN_IF_ERROR(record_failure(table, outcome.status.message()));
      continue;
    }
    catalogue::ReplicaTable record = CopiedRecord(table, &summary);
    Status swapped = SwapIn(control, request, table, jobs[index].loading_schema, record);
    if (!swapped.ok()) {
      std::string line = "table " + name + ": " + swapped.message();
      spdlog::error("{}", line);
      summary.failures.push_back(line);
      RETURN_IF_ERROR(record_failure(table, swapped.message()));
      continue;
    }
    ++summary.tables_copied;
    summary.rows_copied += outcome.rows;
  }
  for (size_t index = 0; index < failed_to_create.size(); ++index) {
    RETURN_IF_ERROR(record_failure(*failed_to_create[index], create_errors[index]));
  }
  drop_loading();
  return summary;
}

}  // namespace chameleon::init
