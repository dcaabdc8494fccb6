// Steps several commands share: reach a current catalogue, find a registered source.
#pragma once

#include <string>

#include "catalogue/sources.h"
#include "catalogue/status_report.h"
#include "commands/context.h"
#include "daemon/daemon.h"

namespace chameleon::commands {

// The command of the replica daemon: stop_replica and run_maintenance signal only a pid
// file holder running it, never a copy or a detach.
inline constexpr const char* kReplicaCommand = "start_replica";

// The chameleon command a pid file's holder runs, from its command line; "" when it cannot
// be read (then it is taken for a replica daemon, as before commands were told apart).
std::string HolderCommand(const daemon::PidHolder& holder);

// Connects to pg_conn and checks that sch_chameleon exists at this release's version.
Result<pg::Connection> ConnectToCurrentCatalogue(Context& context);

// The catalogue row of `name`, or a NotFound that says to run add_source.
Result<catalogue::SourceRecord> RequireRegistered(Context& context, pg::Connection& connection,
                                                  const std::string& name);

// Source statuses with local pid files checked, so a gone process shows "dead".
Result<std::vector<catalogue::SourceStatus>> QueryStatuses(
    Context& context, pg::Connection& connection, const std::optional<std::string>& source);

// The configured --source of a command that needs the binlog (a replica, its spool): a
// pgsql source is refused with NotSupported.
Result<const config::Source*> RequireMysqlSource(Context& context);

// --source as given (the catalogue may know sources the configuration no longer lists).
Result<std::string> RequireSourceOption(Context& context);

}  // namespace chameleon::commands
