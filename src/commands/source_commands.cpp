// add_source, drop_source, enable_replica.
#include <fmt/format.h>

#include <algorithm>
#include <iostream>

#include "catalogue/catalogue.h"
#include "catalogue/migrations.h"
#include "catalogue/status_report.h"
#include "commands/handlers.h"
#include "commands/steps.h"
#include "common/strings.h"
#include "mysql/server_checks.h"

namespace chameleon::commands {
namespace {

std::vector<std::string> OriginSchemas(const config::Source& source) {
  std::vector<std::string> origins;
  for (const auto& [origin, destination] : source.schema_mappings)
    origins.push_back(origin);
  return origins;
}

// Connects to the MySQL source and checks what a binlog replica needs.
Status ValidateMysqlSource(Context& context, const config::Source& source) {
  ASSIGN_OR_RETURN(mysql::Connection connection, context.ConnectSource(source));
  ASSIGN_OR_RETURN(mysql::ServerCheck check, mysql::CheckReplicationPrerequisites(connection));
  for (const auto& warning : check.warnings)
    context.Warn(warning);
  if (!check.problems.empty()) return Status::FailedPrecondition(Join(check.problems, "\n"));
  ASSIGN_OR_RETURN(auto missing, mysql::MissingSchemas(connection, OriginSchemas(source)));
  for (const auto& schema : missing) {
    context.Warn(fmt::format("schema_mappings: origin schema '{}' does not exist on MySQL {} yet",
                             schema, connection.description()));
  }
  return Status::Ok();
}

Status ValidatePgsqlSource(Context& context, const config::Source& source) {
  ASSIGN_OR_RETURN(pg::Connection connection, context.ConnectPgsqlSource(source));
  for (const auto& schema : OriginSchemas(source)) {
    ASSIGN_OR_RETURN(
        auto exists,
        connection.QueryValue("SELECT to_regnamespace(quote_ident($1)) IS NOT NULL", {schema}));
    if (exists.value_or("f") != "t") {
      context.Warn(fmt::format("schema_mappings: origin schema '{}' does not exist in {} yet",
                               schema, connection.description()));
    }
  }
  return Status::Ok();
}

// PostgreSQL parses the interval-valued keys; a bad value is reported now, not at 3 a.m.
Status ValidateIntervals(pg::Connection& connection, const config::Source& source) {
  std::string where = "sources." + source.name + ".";
  auto check = [&](const std::string& key, const std::string& sql,
                   const std::string& value) -> Status {
    Status status = connection.InTransaction([&]() -> Status {
      ASSIGN_OR_RETURN(auto ignored, connection.Query(sql, {value}));
      (void)ignored;
      return Status::Ok();
    });
    if (status.ok()) return status;
    return Status::InvalidArgument(fmt::format(
        "{}{}: '{}' is not a PostgreSQL interval (e.g. '1 day', '120s')", where, key, value));
  };
  RETURN_IF_ERROR(check("batch_retention", "SELECT $1::interval", source.batch_retention));
  if (ToLower(source.auto_maintenance) != "disabled") {
    RETURN_IF_ERROR(check("auto_maintenance", "SELECT $1::interval", source.auto_maintenance));
  }
  return check("lock_timeout", "SELECT set_config('lock_timeout', $1, true)", source.lock_timeout);
}

bool SameMappings(catalogue::SchemaMappings a, catalogue::SchemaMappings b) {
  std::sort(a.begin(), a.end());
  std::sort(b.begin(), b.end());
  return a == b;
}

}  // namespace

int AddSource(Context& context) {
  auto source = context.Source(true);
  if (!source.ok()) return context.Fail(source.status());
  const config::Source& wanted = **source;
  context.OpenLog("");
  auto connection = ConnectToCurrentCatalogue(context);
  if (!connection.ok()) return context.Fail(connection.status());
  Status valid = wanted.type == config::SourceType::kMysql ? ValidateMysqlSource(context, wanted)
                                                           : ValidatePgsqlSource(context, wanted);
  if (valid.ok()) valid = ValidateIntervals(*connection, wanted);
  if (!valid.ok()) return context.Fail(valid);
  Status added = catalogue::AddSource(*connection, wanted.name, config::Name(wanted.type),
                                      wanted.schema_mappings);
  if (added.code() == StatusCode::kAlreadyExists) {
    auto record = catalogue::FindSource(*connection, wanted.name);
    if (record.ok() && *record &&
        SameMappings((*record)->schema_mappings, wanted.schema_mappings)) {
      context.Say(
          fmt::format("source '{}' is already registered with these schema mappings; "
                      "nothing to do",
                      wanted.name));
      return kExitOk;
    }
    return context.Fail(added.message() +
                        " with other schema mappings; apply the new ones with "
                        "`chameleon update_schema_mappings --config " +
                        context.options().config + " --source " + wanted.name + "`");
  }
  if (!added.ok()) return context.Fail(added);
  std::vector<std::string> mappings;
  for (const auto& [origin, destination] : wanted.schema_mappings) {
    mappings.push_back(origin + " -> " + destination);
  }
  context.Say(
      fmt::format("added source '{}' ({}: {}); next: chameleon init_replica --config {} "
                  "--source {}",
                  wanted.name, config::Name(wanted.type), Join(mappings, ", "),
                  context.options().config, wanted.name));
  return kExitOk;
}

int DropSource(Context& context) {
  auto config = context.Config();
  if (!config.ok()) return context.Fail(config.status());
  auto name = RequireSourceOption(context);
  if (!name.ok()) return context.Fail(name.status());
  context.OpenLog("");
  auto connection = ConnectToCurrentCatalogue(context);
  if (!connection.ok()) return context.Fail(connection.status());
  auto record = RequireRegistered(context, *connection, *name);
  if (!record.ok()) return context.Fail(record.status());
  auto status = QueryStatuses(context, *connection, *name);
  if (!status.ok()) return context.Fail(status.status());
  const std::string& shown = status->front().shown_status;
  if (shown == "running" || shown == "initialising" || shown == "syncing") {
    return context.Fail(
        fmt::format("source '{}' is {}; stop it with `chameleon stop_replica "
                    "--config {} --source {}` first",
                    *name, shown, context.options().config, *name));
  }
  // Held through the question and the drop: no replica or copy of the source starts meanwhile.
  auto pid_file = daemon::PidFile::Acquire(daemon::PidFilePath((*config)->pid_dir, *name));
  if (!pid_file.ok()) {
    return context.Fail(pid_file.status().WithContext(fmt::format("source '{}' is busy", *name)));
  }
  context.out() << fmt::format(
      "Dropping the source {} will remove it from the replica catalogue with its batches, "
      "tables and error log; the replicated PostgreSQL schemas are kept.\n"
      "Are you sure? YES/No\n",
      *name);
  std::string answer;
  if (!std::getline(context.in(), answer)) {
    return context.Fail("not dropped: no answer on standard input (type YES to confirm)");
  }
  answer = Trim(answer);
  if (answer != "YES") {
    if (ToLower(answer) == "yes" || ToLower(answer) == "y") {
      return context.Fail("not dropped: please type YES all uppercase to confirm");
    }
    return context.Fail("not dropped: the answer was not YES");
  }
  if (Status dropped = catalogue::DropSource(*connection, *name); !dropped.ok()) {
    return context.Fail(dropped);
  }
  context.Say(fmt::format("dropped source '{}' from the replica catalogue", *name));
  return kExitOk;
}

int EnableReplica(Context& context) {
  auto config = context.Config();
  if (!config.ok()) return context.Fail(config.status());
  auto name = RequireSourceOption(context);
  if (!name.ok()) return context.Fail(name.status());
  context.OpenLog("");
  auto connection = context.ConnectTarget();
  if (!connection.ok()) return context.Fail(connection.status());
  // As pg_chameleon: enable_replica works when the catalogue version differs, so that a
  // source can be reset before an upgrade.
  catalogue::Catalogue catalogue(*connection);
  auto state = catalogue.State();
  if (!state.ok()) return context.Fail(state.status());
  if (state->kind != catalogue::CatalogueKind::kChameleon) {
    return context.Fail(catalogue.RequireCurrent(context.options().config));
  }
  if (state->version != catalogue::LatestVersion()) {
    context.Warn(
        fmt::format("the replica catalogue is version {}, this chameleon expects {}; "
                    "run upgrade_replica_schema after this",
                    state->version, catalogue::LatestVersion()));
  }
  auto record = RequireRegistered(context, *connection, *name);
  if (!record.ok()) return context.Fail(record.status());
  // A live process of this source (a replica whose heartbeat is late, a copy) keeps its state.
  auto pid_file = daemon::PidFile::Acquire(daemon::PidFilePath((*config)->pid_dir, *name));
  if (!pid_file.ok()) {
    return context.Fail(pid_file.status().WithContext(
        fmt::format("source '{}' is in use on this host; enable_replica resets a stopped or "
                    "failed source",
                    *name)));
  }
  if (state->version >= 2) {
    auto status = QueryStatuses(context, *connection, *name);
    if (!status.ok()) return context.Fail(status.status());
    if (status->front().shown_status == "running") {
      return context.Fail(fmt::format(
          "source '{}' is running and alive (pid {} on {}); enable_replica resets a stopped or "
          "failed source: stop it first with stop_replica",
          *name, record->pid ? std::to_string(*record->pid) : "?", record->pid_host));
    }
  }
  if (Status enabled = catalogue::EnableSource(*connection, *name, state->version); !enabled.ok()) {
    return context.Fail(enabled);
  }
  context.Say(
      fmt::format("source '{}' was {}; it is now stopped and can be started with "
                  "`chameleon start_replica --config {} --source {}`",
                  *name, record->status, context.options().config, *name));
  return kExitOk;
}

}  // namespace chameleon::commands
