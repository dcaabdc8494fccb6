// Command table and dispatch; see registry.h.
#include "commands/registry.h"

#include <fmt/format.h>

#include "commands/handlers.h"
#include "common/strings.h"

namespace chameleon::commands {

const std::vector<CommandSpec>& AllCommands() {
  static const std::vector<CommandSpec> commands = {
      {"set_configuration_files", "write the example configuration to ~/.pg_chameleon",
       SetConfigurationFiles},
      {"show_config", "show the configuration (passwords masked)", ShowConfig},
      {"show_sources", "show the sources of the configuration", ShowSources},
      {"show_status", "show the replica status of every source (or --source)", ShowStatus},
      {"show_errors", "show the replay error log (--logid N for one entry)", ShowErrors},
      {"create_replica_schema", "create the catalogue sch_chameleon", CreateReplicaSchema},
      {"drop_replica_schema", "drop the catalogue sch_chameleon", DropReplicaSchema},
      {"upgrade_replica_schema", "upgrade the catalogue to this release", UpgradeReplicaSchema},
      {"add_source", "register --source in the catalogue", AddSource},
      {"drop_source", "remove --source from the catalogue", DropSource},
      {"init_replica", "copy the source schemas into PostgreSQL", InitReplica},
      {"refresh_schema", "copy one --schema again", RefreshSchema},
      {"sync_tables", "copy the --tables again (or --tables disabled)", SyncTables},
      {"copy_schema", "create the tables without data", CopySchema},
      {"start_replica", "start the replica daemon of --source", StartReplica},
      {"stop_replica", "stop the replica daemon of --source", StopReplica},
      {"stop_all_replicas", "stop every replica daemon", StopAllReplicas},
      {"detach_replica", "turn the replica into standalone PostgreSQL schemas", DetachReplica},
      {"enable_replica", "reset a source left in error or not stopped cleanly", EnableReplica},
      {"run_maintenance", "compact the spool of --source (--full: all of it)", RunMaintenance},
      {"update_schema_mappings", "apply changed schema_mappings of --source", UpdateSchemaMappings},
      {"spool", "inspect the spool of --source (spool inspect)", Spool},
  };
  return commands;
}

std::string CommandHelp() {
  std::string help = "Commands:\n";
  for (const auto& command : AllCommands()) {
    help += fmt::format("  {:<26}{}{}\n", command.name, command.summary,
                        command.run == nullptr ? " (not implemented yet)" : "");
  }
  return help;
}

int Dispatch(Context& context) {
  const std::string& name = context.options().command;
  std::vector<std::string> names;
  for (const auto& command : AllCommands()) {
    names.push_back(command.name);
    if (command.name != name) continue;
    if (command.run == nullptr) {
      context.Fail("not implemented yet; the README lists the commands that work");
      return kExitUsage;
    }
    return command.run(context);
  }
  context.Fail(fmt::format("unknown command{}; `chameleon --help` lists the commands",
                           DidYouMean(name, names)));
  return kExitUsage;
}

}  // namespace chameleon::commands
