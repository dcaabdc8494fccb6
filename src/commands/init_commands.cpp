// init_replica, refresh_schema, sync_tables and copy_schema: the copy commands. They run
// in the background unless --debug or log_dest: stdout, as pg_chameleon's do.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "catalogue/batches.h"
#include "catalogue/sources.h"
#include "catalogue/tables.h"
#include "commands/handlers.h"
#include "commands/startup_reporter.h"
#include "commands/steps.h"
#include "common/strings.h"
#include "daemon/daemon.h"
#include "init/foreign_keys.h"
#include "init/mysql_copy.h"
#include "init/pgsql_copy.h"
#include "logging/logging.h"
#include "mysql/server_checks.h"
#include "spool/spool.h"

namespace chameleon::commands {
namespace {

struct CopyCommand {
  init::CopyScope scope;
  const char* running_status;  // nullptr: the status does not change
  const char* done_status;
};

std::vector<std::string> OriginSchemas(const config::Source& source) {
  std::vector<std::string> origins;
  for (const auto& [origin, destination] : source.schema_mappings)
    origins.push_back(origin);
  return origins;
}

// The request's schemas and tables from --schema / --tables, checked against the mappings.
Result<init::CopyRequest> BuildRequest(Context& context, const config::Source& source,
                                       const CopyCommand& command,
                                       const std::vector<catalogue::ReplicaTable>& known) {
  init::CopyRequest request;
  request.scope = command.scope;
  request.origin_schemas = OriginSchemas(source);
  if (command.scope == init::CopyScope::kOneSchema) {
    if (!context.options().schema) {
      return Status::InvalidArgument("refresh_schema needs --schema <origin schema>");
    }
    const std::string& schema = *context.options().schema;
    if (std::find(request.origin_schemas.begin(), request.origin_schemas.end(), schema) ==
        request.origin_schemas.end()) {
      return Status::NotFound(fmt::format("--schema {}: not an origin schema of source {} ({}){}",
                                          schema, source.name, Join(request.origin_schemas, ", "),
                                          DidYouMean(schema, request.origin_schemas)));
    }
    request.origin_schemas = {schema};
  }
  if (command.scope == init::CopyScope::kTables) {
    if (!context.options().tables || context.options().tables->empty()) {
      return Status::InvalidArgument(
          "sync_tables needs --tables schema.table[,schema.table...] or --tables disabled");
    }
    if (*context.options().tables == "disabled") {
      // The catalogue holds PostgreSQL names; map them back to the origin schema.
      for (const auto& table : known) {
        if (table.enabled || table.disabled_reason == "no primary key") continue;
        for (const auto& [origin, destination] : source.schema_mappings) {
          if (destination == table.schema) request.only.push_back(origin + "." + table.table);
        }
      }
      if (request.only.empty()) {
        return Status::NotFound("no table of source " + source.name +
                                " is disabled; nothing to sync");
      }
    } else {
      for (const auto& name : Split(*context.options().tables, ',')) {
        std::string trimmed = Trim(name);
        if (trimmed.find('.') == std::string::npos) {
          return Status::InvalidArgument(
              fmt::format("--tables: '{}' must be written schema.table", trimmed));
        }
        request.only.push_back(trimmed);
      }
    }
    std::vector<std::string> schemas;
    for (const auto& name : request.only) {
      std::string schema = name.substr(0, name.find('.'));
      if (std::find(request.origin_schemas.begin(), request.origin_schemas.end(), schema) ==
          request.origin_schemas.end()) {
        return Status::NotFound(fmt::format("--tables {}: schema {} is not mapped by source {}",
                                            name, schema, source.name));
      }
      if (std::find(schemas.begin(), schemas.end(), schema) == schemas.end()) {
        schemas.push_back(schema);
      }
    }
    request.origin_schemas = schemas;
  }
  return request;
}

// The MySQL prerequisites of a binlog replica, and the origin schemas.
Status CheckMysqlSource(Context& context, const config::Source& source,
                        const std::vector<std::string>& origins) {
  ASSIGN_OR_RETURN(mysql::Connection mysql, context.ConnectSource(source));
  ASSIGN_OR_RETURN(mysql::ServerCheck check, mysql::CheckReplicationPrerequisites(mysql));
  for (const auto& warning : check.warnings)
    context.Warn(warning);
  if (!check.problems.empty()) return Status::FailedPrecondition(Join(check.problems, "\n"));
  ASSIGN_OR_RETURN(auto missing, mysql::MissingSchemas(mysql, origins));
  if (!missing.empty()) {
    return Status::NotFound(fmt::format(
        "schema_mappings of source {}: origin schema(s) {} do not exist on MySQL {}; create "
        "them or fix the mapping",
        source.name, Join(missing, ", "), mysql.description()));
  }
  return Status::Ok();
}

// A pgsql source is reachable and has the origin schemas.
Status CheckPgsqlSource(Context& context, const config::Source& source,
                        const std::vector<std::string>& origins) {
  ASSIGN_OR_RETURN(pg::Connection connection, context.ConnectPgsqlSource(source));
  std::vector<std::string> missing;
  for (const auto& schema : origins) {
    ASSIGN_OR_RETURN(
        auto exists,
        connection.QueryValue("SELECT count(*) FROM pg_namespace WHERE nspname = $1", {schema}));
    if (exists.value_or("0") == "0") missing.push_back(schema);
  }
  if (!missing.empty()) {
    return Status::NotFound(fmt::format(
        "schema_mappings of source {}: origin schema(s) {} do not exist in {}; create them or "
        "fix the mapping",
        source.name, Join(missing, ", "), connection.description()));
  }
  return Status::Ok();
}

// Reads the foreign keys of the mapped schemas from MySQL and builds them; a key that fails
// is a warning, as in pg_chameleon.
Result<init::ForeignKeyReport> BuildForeignKeys(Context& context, const config::Source& source) {
  ASSIGN_OR_RETURN(mysql::Connection mysql, context.ConnectSource(source));
  ASSIGN_OR_RETURN(std::vector<init::ForeignKey> keys, init::ReadForeignKeys(mysql, source));
  ASSIGN_OR_RETURN(pg::Connection target, context.ConnectTarget());
  ASSIGN_OR_RETURN(init::ForeignKeyReport report, init::BuildForeignKeys(target, keys));
  for (const auto& problem : report.problems)
    context.Warn(problem);
  spdlog::info("{} foreign key(s) created, {} already there", report.created, report.already_there);
  return report;
}

// The spool and the catalogue's record of replayed spool batches, both emptied (the source's
// pid file is held, so no replica daemon has the spool open).
Status ResetReplicaStream(pg::Connection& connection, const config::Source& source,
                          int64_t source_id) {
  RETURN_IF_ERROR(spool::Spool::Destroy(source.spool_dir));
  return catalogue::ForgetSpoolBatches(connection, source_id);
}

int RunCopyCommand(Context& context, const CopyCommand& command) {
  auto loaded = context.Config();
  if (!loaded.ok()) return context.Fail(loaded.status());
  const config::Config& config = **loaded;
  auto found = context.Source(true);
  if (!found.ok()) return context.Fail(found.status());
  const config::Source& source = **found;
  bool pgsql = source.type == config::SourceType::kPgsql;
  if (pgsql && command.scope != init::CopyScope::kAllSchemas) {
    return context.Fail(Status::NotSupported(
        fmt::format("source {} is of type pgsql, which supports init_replica only (as in "
                    "pg_chameleon); {} works on mysql sources",
                    source.name, context.options().command)));
  }
  context.OpenLog("init");
  bool foreground = context.options().debug || config.log_dest == config::LogDestination::kStdout;
  if (!foreground) {
    // Nothing may be connected yet: a forked libpq or MySQL connection must not be shared.
    std::filesystem::path log_file = logging::CurrentFile();
    logging::Shutdown();
    auto role = daemon::Daemonise(log_file);
    if (!role.ok() || *role == daemon::Role::kParent) {
      context.OpenLog("init");  // the parent's logger was shut down for the fork
      if (!role.ok()) return context.Fail(role.status());
      context.Say(fmt::format(
          "{} of source '{}' runs in the background; its log is {} and `chameleon show_status "
          "--source {}` tells when it ends",
          context.options().command, source.name, log_file.string(), source.name));
      return kExitOk;
    }
    context.OpenLog("init");
  }
  StartupReporter reporter(context);
  if (foreground) reporter.Started();  // no parent waits
  auto pid_file = daemon::PidFile::Acquire(daemon::PidFilePath(config.pid_dir, source.name));
  if (!pid_file.ok()) return reporter.Fail(pid_file.status());
  auto connected = ConnectToCurrentCatalogue(context);
  if (!connected.ok()) return reporter.Fail(connected.status());
  pg::Connection& catalogue_connection = *connected;
  auto record = RequireRegistered(context, catalogue_connection, source.name);
  if (!record.ok()) return reporter.Fail(record.status());
  auto known = catalogue::ListTables(catalogue_connection, record->id);
  if (!known.ok()) return reporter.Fail(known.status());
  auto request = BuildRequest(context, source, command, *known);
  if (!request.ok()) return reporter.Fail(request.status());
  request->config = &config;
  request->source = &source;
  request->source_id = record->id;
  request->connect_source = [&]() { return context.ConnectSource(source); };
  request->connect_target = [&]() { return context.ConnectTarget(); };
  request->connect_pgsql_source = [&]() { return context.ConnectPgsqlSource(source); };
  Status checked = pgsql ? CheckPgsqlSource(context, source, request->origin_schemas)
                         : CheckMysqlSource(context, source, request->origin_schemas);
  if (!checked.ok()) return reporter.Fail(checked);
  if (command.scope == init::CopyScope::kAllSchemas && !pgsql) {
    // A new copy starts the replica anew: what the old spool holds is older than the copy.
    Status reset = ResetReplicaStream(catalogue_connection, source, record->id);
    if (!reset.ok()) return reporter.Fail(reset);
  }
  if (command.running_status != nullptr) {
    Status status =
        catalogue::SetSourceStatus(catalogue_connection, source.name, command.running_status, "");
    if (!status.ok()) return reporter.Fail(status);
  }
  reporter.Started();
  spdlog::info("{} of source {} started", context.options().command, source.name);
  auto summary = pgsql ? init::RunPgsqlCopy(*request) : init::RunMysqlCopy(*request);
  if (!summary.ok()) {
    if (command.running_status != nullptr) {
      Status marked = catalogue::SetSourceStatus(
          catalogue_connection, source.name, catalogue::kStatusError, summary.status().message());
      if (!marked.ok()) spdlog::error("cannot record the error: {}", marked.message());
    }
    return context.Fail(summary.status());
  }
  if (command.scope == init::CopyScope::kStructure) {
    // copy_schema is init without data plus MySQL's foreign keys (pg_chameleon's docs).
    auto built = BuildForeignKeys(context, source);
    if (!built.ok()) return context.Fail(built.status());
  }
  if (command.scope == init::CopyScope::kAllSchemas) {
    // A pgsql source has no binlog: its coordinates stay empty, as pg_chameleon's.
    Status stored =
        pgsql ? catalogue::SetSourceCoordinates(catalogue_connection, record->id, std::nullopt,
                                                std::nullopt, summary->consistent)
              : catalogue::SetSourceCoordinates(catalogue_connection, record->id,
                                                summary->coordinates.binlog_name,
                                                summary->coordinates.binlog_position, true);
    if (!stored.ok()) return context.Fail(stored);
  }
  if (command.done_status != nullptr) {
    Status status =
        catalogue::SetSourceStatus(catalogue_connection, source.name, command.done_status, "");
    if (!status.ok()) return context.Fail(status);
  }
  for (const auto& name : summary->not_replicated) {
    context.Warn("table " + name +
                 " has no primary key: it is copied but not replicated (show_status lists it)");
  }
  std::string done = fmt::format(
      "{} of source '{}': {} tables, {} rows copied{}", context.options().command, source.name,
      summary->tables_copied, summary->rows_copied,
      command.scope == init::CopyScope::kStructure ? ""
      : pgsql                                      ? (summary->consistent ? " from one snapshot"
                                                                          : " from a hot standby, NOT consistent between tables")
              : fmt::format(" at {}:{}", summary->coordinates.binlog_name,
                            summary->coordinates.binlog_position));
  context.Say(done);
  if (!summary->failures.empty()) {
    return context.Fail(
        fmt::format("{} table(s) failed and are left out of the replica (fix them, then `chameleon "
                    "sync_tables --source {} --tables disabled`):\n{}",
                    summary->failures.size(), source.name, Join(summary->failures, "\n")));
  }
  if (command.scope != init::CopyScope::kStructure) context.Notify(notify::Level::kInfo, done);
  return kExitOk;
}

}  // namespace

int InitReplica(Context& context) {
  return RunCopyCommand(context, {init::CopyScope::kAllSchemas, catalogue::kStatusInitialising,
                                  catalogue::kStatusInitialised});
}

int RefreshSchema(Context& context) {
  return RunCopyCommand(context, {init::CopyScope::kOneSchema, catalogue::kStatusSyncing,
                                  catalogue::kStatusInitialised});
}

int SyncTables(Context& context) {
  return RunCopyCommand(
      context, {init::CopyScope::kTables, catalogue::kStatusSyncing, catalogue::kStatusSynced});
}

int CopySchema(Context& context) {
  return RunCopyCommand(context, {init::CopyScope::kStructure, nullptr, nullptr});
}

}  // namespace chameleon::commands
