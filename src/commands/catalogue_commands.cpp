// create_replica_schema, drop_replica_schema, upgrade_replica_schema.
#include <fmt/format.h>

#include "catalogue/catalogue.h"
#include "catalogue/migrations.h"
#include "catalogue/sources.h"
#include "catalogue/status_report.h"
#include "commands/handlers.h"
#include "commands/steps.h"

namespace chameleon::commands {

int CreateReplicaSchema(Context& context) {
  if (auto config = context.Config(); !config.ok()) return context.Fail(config.status());
  context.OpenLog("");
  auto connection = context.ConnectTarget();
  if (!connection.ok()) return context.Fail(connection.status());
  catalogue::Catalogue catalogue(*connection);
  auto created = catalogue.Create();
  if (!created.ok()) return context.Fail(created.status());
  if (*created) {
    context.Say(fmt::format("created the replica catalogue sch_chameleon (version {}) in {}",
                            catalogue::LatestVersion(), connection->description()));
  } else {
    context.Say(
        fmt::format("the replica catalogue sch_chameleon already exists in {} "
                    "(version {}); nothing to do",
                    connection->description(), catalogue::LatestVersion()));
  }
  return kExitOk;
}

int DropReplicaSchema(Context& context) {
  if (auto config = context.Config(); !config.ok()) return context.Fail(config.status());
  context.OpenLog("");
  auto connection = context.ConnectTarget();
  if (!connection.ok()) return context.Fail(connection.status());
  catalogue::Catalogue catalogue(*connection);
  auto state = catalogue.State();
  if (!state.ok()) return context.Fail(state.status());
  if (state->kind == catalogue::CatalogueKind::kAbsent) {
    context.Say("there is no replica catalogue sch_chameleon in " + connection->description() +
                "; nothing to drop");
    return kExitOk;
  }
  if (state->kind == catalogue::CatalogueKind::kChameleon &&
      state->version == catalogue::LatestVersion()) {
    auto sources = QueryStatuses(context, *connection, std::nullopt);
    if (!sources.ok()) return context.Fail(sources.status());
    for (const auto& source : *sources) {
      // A daemon shown dead cannot be hurt; a live one would lose its catalogue under it.
      if (source.shown_status == "running" || source.shown_status == "initialising" ||
          source.shown_status == "syncing") {
        return context.Fail(fmt::format(
            "source '{}' is {}; stop it with `chameleon stop_replica --config {} --source {}` "
            "before dropping the catalogue",
            source.name, source.shown_status, context.options().config, source.name));
      }
    }
  }
  if (Status status = catalogue.Drop(); !status.ok()) return context.Fail(status);
  context.Say("dropped the replica catalogue sch_chameleon in " + connection->description() +
              "; the replicated schemas are kept");
  return kExitOk;
}

int UpgradeReplicaSchema(Context& context) {
  if (auto config = context.Config(); !config.ok()) return context.Fail(config.status());
  context.OpenLog("");
  auto connection = context.ConnectTarget();
  if (!connection.ok()) return context.Fail(connection.status());
  catalogue::Catalogue catalogue(*connection);
  auto outcome = catalogue.Upgrade();
  if (!outcome.ok()) return context.Fail(outcome.status());
  if (outcome->from_version == outcome->to_version) {
    context.Say(fmt::format("the replica catalogue is already up to date (version {})",
                            outcome->to_version));
  } else {
    context.Say(fmt::format("upgraded the replica catalogue from version {} to {}",
                            outcome->from_version, outcome->to_version));
  }
  return kExitOk;
}

}  // namespace chameleon::commands
