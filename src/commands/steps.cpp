// Shared command steps; see steps.h.
#include "commands/steps.h"

#include <fmt/format.h>

#include "catalogue/catalogue.h"

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

Result<std::string> RequireSourceOption(Context& context) {
  const auto& source = context.options().source;
  if (source && *source != "*") return *source;
  // Not given: Source(true) builds the message that lists the configured sources.
  Status missing = context.Source(true).status();
  return missing.ok() ? Status::InvalidArgument("needs --source NAME") : missing;
}

}  // namespace chameleon::commands
