// detach_replica: the migration cut-over. The destination schemas become standalone
// PostgreSQL: sequences past the copied keys, MySQL's foreign keys built, the source gone.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <iostream>

#include "commands/handlers.h"
#include "commands/steps.h"
#include "common/strings.h"
#include "daemon/daemon.h"
#include "init/foreign_keys.h"
#include "init/sequences.h"

namespace chameleon::commands {
namespace {

bool Confirmed(Context& context, const std::string& source, std::string* refusal) {
  context.out() << fmt::format(
      "Detaching the replica of source {} sets the sequences of its schemas past their keys, "
      "creates MySQL's foreign keys and removes the source from the replica catalogue; it "
      "cannot be undone (a new init_replica would be needed).\n"
      "Are you sure? YES/No\n",
      source);
  std::string answer;
  if (!std::getline(context.in(), answer)) {
    *refusal = "not detached: no answer on standard input (type YES to confirm)";
    return false;
  }
  answer = Trim(answer);
  if (answer == "YES") return true;
  *refusal = ToLower(answer) == "yes" || ToLower(answer) == "y"
                 ? "not detached: please type YES all uppercase to confirm"
                 : "not detached: the answer was not YES";
  return false;
}

}  // namespace

int DetachReplica(Context& context) {
  auto loaded = context.Config();
  if (!loaded.ok()) return context.Fail(loaded.status());
  auto found = context.Source(true);
  if (!found.ok()) return context.Fail(found.status());
  const config::Source& configured = **found;
  if (context.options().tables) {
    return context.Fail("detach_replica detaches the whole source; it takes no --tables");
  }
  context.OpenLog("");
  auto connection = ConnectToCurrentCatalogue(context);
  if (!connection.ok()) return context.Fail(connection.status());
  auto record = RequireRegistered(context, *connection, configured.name);
  if (!record.ok()) return context.Fail(record.status());
  auto status = QueryStatuses(context, *connection, configured.name);
  if (!status.ok()) return context.Fail(status.status());
  const std::string& shown = status->front().shown_status;
  if (shown == "running" || shown == "initialising" || shown == "syncing") {
    return context.Fail(fmt::format(
        "source '{}' is {}; stop it with `chameleon stop_replica --config {} --source {}` first",
        configured.name, shown, context.options().config, configured.name));
  }
  // Held to the end, so no replica or copy of this source starts while it is detached.
  auto pid_file =
      daemon::PidFile::Acquire(daemon::PidFilePath((*loaded)->pid_dir, configured.name));
  if (!pid_file.ok()) {
    return context.Fail(pid_file.status().WithContext(
        fmt::format("source '{}' is running; stop it with `chameleon stop_replica --config {} "
                    "--source {}` before detaching it",
                    configured.name, context.options().config, configured.name)));
  }
  std::string refusal;
  if (!Confirmed(context, configured.name, &refusal)) return context.Fail(refusal);

  // The catalogue's mappings are the ones the data was copied with.
  config::Source source = configured;
  source.schema_mappings = record->schema_mappings;
  std::vector<std::string> schemas;
  for (const auto& [origin, destination] : source.schema_mappings)
    schemas.push_back(destination);

  // Read from MySQL before changing anything: an unreachable source changes nothing.
  std::vector<init::ForeignKey> keys;
  bool build_keys = source.type == config::SourceType::kMysql && !source.keep_existing_schema;
  if (build_keys) {
    auto mysql = context.ConnectSource(source);
    if (!mysql.ok()) return context.Fail(mysql.status());
    auto read = init::ReadForeignKeys(*mysql, source);
    if (!read.ok()) return context.Fail(read.status().WithContext("reading the foreign keys"));
    keys = std::move(*read);
  }
  auto resets = init::ResetSequences(*connection, schemas);
  if (!resets.ok()) return context.Fail(resets.status().WithContext("setting the sequences"));
  for (const auto& reset : *resets) {
    spdlog::info("sequence {} of {} starts at {}", reset.sequence, reset.column, reset.next_value);
  }
  init::ForeignKeyReport report;
  if (build_keys) {
    auto built = init::BuildForeignKeys(*connection, keys);
    if (!built.ok()) return context.Fail(built.status().WithContext("creating the foreign keys"));
    report = std::move(*built);
    for (const auto& problem : report.problems)
      context.Warn(problem);
  }
  if (Status dropped = catalogue::DropSource(*connection, configured.name); !dropped.ok()) {
    return context.Fail(dropped);
  }
  context.Say(fmt::format(
      "detached source '{}': schema(s) {} are standalone now; {} sequence(s) set past their "
      "keys, {}",
      configured.name, Join(schemas, ", "), resets->size(),
      build_keys ? fmt::format("{} foreign key(s) created{}{}", report.created,
                               report.already_there > 0
                                   ? fmt::format(", {} already there", report.already_there)
                                   : "",
                               report.problems.empty() ? ""
                                                       : fmt::format(", {} with problems (above)",
                                                                     report.problems.size()))
                 : "foreign keys left as they are (keep_existing_schema or a pgsql source)"));
  return kExitOk;
}

}  // namespace chameleon::commands
