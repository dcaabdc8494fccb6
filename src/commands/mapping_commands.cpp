// update_schema_mappings: applies the schema_mappings of the configuration to a registered
// source — the catalogue, its table rows and the PostgreSQL schema names — in one transaction.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "catalogue/mappings.h"
#include "commands/handlers.h"
#include "commands/steps.h"
#include "common/strings.h"
#include "daemon/daemon.h"

namespace chameleon::commands {
namespace {

std::string Refusal(Context& context, const std::string& source, const std::string& status) {
  if (status == "initialising" || status == "syncing") {
    return fmt::format(
        "source '{}' is {}: a copy is running; wait for it to end (`chameleon show_status "
        "--source {}`), then run update_schema_mappings",
        source, status, source);
  }
  return fmt::format(
      "source '{}' is running; stop it with `chameleon stop_replica --config {} --source {}` "
      "first, then run update_schema_mappings",
      source, context.options().config, source);
}

void SaySummary(Context& context, const std::string& source, const std::string& status,
                const catalogue::MappingChanges& changes,
                const catalogue::AppliedMappings& applied) {
  context.Say(
      fmt::format("schema_mappings of source '{}' updated: {} renamed, {} removed, {} added",
                  source, changes.renamed.size(), changes.removed.size(), changes.added.size()));
  for (const auto& rename : changes.renamed) {
    bool absent = std::find(applied.absent_schemas.begin(), applied.absent_schemas.end(),
                            rename.from) != applied.absent_schemas.end();
    context.Say(fmt::format("  renamed: {} -> {} (origin {}){}", rename.from, rename.to,
                            rename.origin,
                            absent ? "; schema " + rename.from +
                                         " does not exist in PostgreSQL, only the catalogue "
                                         "changed"
                                   : ""));
  }
  if (!changes.renamed.empty()) {
    context.Say(
        fmt::format("  {} replicated table(s) moved to their new schema", applied.tables_moved));
  }
  for (const auto& [origin, destination] : changes.removed) {
    context.Say(fmt::format(
        "  removed: {} (schema {}): no longer replicated; the PostgreSQL schema {} and its "
        "data are left in place (drop it yourself when it is no longer needed)",
        origin, destination, destination));
  }
  if (!changes.removed.empty()) {
    context.Say(
        fmt::format("  {} table(s) removed from the replica catalogue", applied.tables_forgotten));
  }
  for (const auto& [origin, destination] : changes.added) {
    context.Say(fmt::format(
        "  added: {} -> {}: no data copied yet; `chameleon refresh_schema --config {} --source "
        "{} --schema {}` copies it (until then the replica skips its rows: it has no tables in "
        "the catalogue)",
        origin, destination, context.options().config, source, origin));
  }
  if (status != catalogue::kStatusReady) {
    context.Say(
        fmt::format("the replica of source '{}' replicates with these mappings from its next start "
                    "(`chameleon start_replica --config {} --source {}`)",
                    source, context.options().config, source));
  }
}

}  // namespace

int UpdateSchemaMappings(Context& context) {
  auto loaded = context.Config();
  if (!loaded.ok()) return context.Fail(loaded.status());
  auto found = context.Source(true);
  if (!found.ok()) return context.Fail(found.status());
  const config::Source& source = **found;
  context.OpenLog("");
  auto connection = ConnectToCurrentCatalogue(context);
  if (!connection.ok()) return context.Fail(connection.status());
  auto record = RequireRegistered(context, *connection, source.name);
  if (!record.ok()) return context.Fail(record.status());
  auto statuses = QueryStatuses(context, *connection, source.name);
  if (!statuses.ok()) return context.Fail(statuses.status());
  const std::string& shown = statuses->front().shown_status;
  if (shown == "running" || shown == "initialising" || shown == "syncing") {
    return context.Fail(Refusal(context, source.name, shown));
  }
  // Held to the end, so no replica or copy of this source starts while its schemas move.
  auto pid_file = daemon::PidFile::Acquire(daemon::PidFilePath((*loaded)->pid_dir, source.name));
  if (!pid_file.ok()) {
    return context.Fail(
        pid_file.status().WithContext(Refusal(context, source.name, record->status)));
  }
  auto changes = catalogue::DiffMappings(record->schema_mappings, source.schema_mappings);
  if (!changes.ok()) return context.Fail(changes.status());
  if (changes->empty()) {
    context.Say(fmt::format(
        "schema_mappings of source '{}' are the same in the configuration and the catalogue; "
        "nothing to change",
        source.name));
    return kExitOk;
  }
  auto applied =
      catalogue::ApplyMappingChanges(*connection, *record, *changes, source.schema_mappings);
  if (!applied.ok()) {
    return context.Fail(
        applied.status().WithContext("schema_mappings not updated, nothing changed"));
  }
  spdlog::info("schema_mappings of source {} stored: {}", source.name,
               catalogue::MappingsToJson(source.schema_mappings));
  SaySummary(context, source.name, record->status, *changes, *applied);
  return kExitOk;
}

}  // namespace chameleon::commands
