// Shared command steps; see steps.h.
#include "commands/steps.h"

#include <fmt/format.h>

#include "catalogue/catalogue.h"
#include "commands/registry.h"
#include "daemon/daemon.h"

namespace chameleon::commands {

Result<pg::Connection> ConnectToCurrentCatalogue(Context& context) {
  ASSIGN_OR_RETURN(pg::Connection connection, context.ConnectTarget());
  catalogue::Catalogue catalogue(connection);
  RETURN_IF_ERROR(catalogue.RequireCurrent(context.options().config));
  return connection;
}

Result<catalogue::SourceRecord> RequireRegistered(Context& context, pg::Connection& connection,
                                                  const std::string& name) {
  ASSIGN_OR_RETURN(auto record, catalogue::FindSource(connection, name));
  if (!record) {
    return Status::NotFound(fmt::format(
        "source '{}' is not registered in sch_chameleon; add it with `chameleon add_source "
        "--config {} --source {}`",
        name, context.options().config, name));
  }
  return *record;
}

Result<std::vector<catalogue::SourceStatus>> QueryStatuses(
    Context& context, pg::Connection& connection, const std::optional<std::string>& source) {
  ASSIGN_OR_RETURN(const config::Config* config, context.Config());
  std::filesystem::path pid_dir = config->pid_dir;
  auto probe = [pid_dir](const std::string& name) -> std::optional<bool> {
    std::filesystem::path pid_file = daemon::PidFilePath(pid_dir, name);
    std::error_code error;
    // No pid file here: the process may run on another host; say nothing.
    if (!std::filesystem::exists(pid_file, error)) return std::nullopt;
    return daemon::PidFile::Holder(pid_file).has_value();
  };
  return catalogue::QuerySourceStatus(connection, source, probe);
}

Result<std::string> RequireSourceOption(Context& context) {
  const auto& source = context.options().source;
  if (source && *source != "*") return *source;
  // Not given: Source(true) builds the message that lists the configured sources.
  Status missing = context.Source(true).status();
  return missing.ok() ? Status::InvalidArgument("needs --source NAME") : missing;
}

Result<const config::Source*> RequireMysqlSource(Context& context) {
  ASSIGN_OR_RETURN(const config::Source* source, context.Source(true));
  if (source->type == config::SourceType::kPgsql) {
    return Status::NotSupported(fmt::format(
        "source {} is of type pgsql, which has no replica and no spool (`chameleon {}` works on "
        "mysql sources)",
        source->name, context.options().command));
  }
  return source;
}

std::string HolderCommand(const daemon::PidHolder& holder) {
  for (size_t index = 1; index < holder.arguments.size(); ++index) {
    for (const CommandSpec& command : AllCommands()) {
      if (holder.arguments[index] == command.name) return command.name;
    }
  }
  return "";
}

}  // namespace chameleon::commands
