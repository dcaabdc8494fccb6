// run_maintenance: compacts a source's spool. With the replica running, its daemon does it
// (SIGUSR1, SIGUSR2 for --full) and this command waits for the catalogue to record it;
// otherwise the command opens the spool itself, holding the source's pid file meanwhile.
#include <fmt/format.h>
#include <signal.h>

#include <chrono>
#include <thread>

#include "catalogue/maintenance.h"
#include "commands/handlers.h"
#include "commands/spool_maintenance.h"
#include "commands/steps.h"
#include "daemon/daemon.h"

namespace chameleon::commands {
namespace {

// A full compaction of a large spool takes minutes; the daemon goes on after this anyway.
constexpr std::chrono::minutes kDaemonWait{15};

int AskTheDaemon(Context& context, pg::Connection& connection, const std::string& source, int pid,
                 bool full) {
  auto before = catalogue::LastMaintenance(connection, source);
  if (!before.ok()) return context.Fail(before.status());
  if (kill(pid, full ? SIGUSR2 : SIGUSR1) != 0) {
    return context.Fail(Status::PermissionDenied(
        fmt::format("cannot signal the replica of source {} (pid {})", source, pid)));
  }
  auto deadline = std::chrono::steady_clock::now() + kDaemonWait;
  while (std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    auto now = catalogue::LastMaintenance(connection, source);
    if (!now.ok()) return context.Fail(now.status());
    if (*now != *before) {
      context.Say(fmt::format("spool of source '{}' compacted{} by its running replica (pid {})",
                              source, full ? " in full" : "", pid));
      return kExitOk;
    }
  }
  return context.Fail(Status::Unavailable(fmt::format(
      "the replica of source {} (pid {}) has not finished the compaction within {} minutes; "
      "it goes on in the background (see its _read log)",
      source, pid, kDaemonWait.count())));
}

}  // namespace

int RunMaintenance(Context& context) {
  auto loaded = context.Config();
  if (!loaded.ok()) return context.Fail(loaded.status());
  const config::Config& config = **loaded;
  auto found = RequireMysqlSource(context);
  if (!found.ok()) return context.Fail(found.status());
  const config::Source& source = **found;
  context.OpenLog("maintenance");
  auto connected = ConnectToCurrentCatalogue(context);
  if (!connected.ok()) return context.Fail(connected.status());
  auto record = RequireRegistered(context, *connected, source.name);
  if (!record.ok()) return context.Fail(record.status());
  bool full = context.options().full;

  std::filesystem::path pid_path = daemon::PidFilePath(config.pid_dir, source.name);
  if (std::optional<daemon::PidHolder> holder = daemon::PidFile::Holding(pid_path)) {
    std::string command = HolderCommand(*holder);
    if (!command.empty() && command != kReplicaCommand) {
      return context.Fail(Status::FailedPrecondition(fmt::format(
          "source {} is busy with chameleon {} (pid {}); run the maintenance once it has "
          "finished",
          source.name, command, holder->pid)));
    }
    return AskTheDaemon(context, *connected, source.name, holder->pid, full);
  }
  auto pid_file = daemon::PidFile::Acquire(pid_path);
  if (!pid_file.ok()) {
    return context.Fail(Status::FailedPrecondition(
        fmt::format("source {} is busy (a replica, copy or maintenance started meanwhile): {}",
                    source.name, pid_file.status().message())));
  }
  std::error_code error;
  if (!std::filesystem::exists(source.spool_dir / "CURRENT", error)) {
    context.Say(fmt::format("source '{}' has no spool yet (in {}): nothing to compact", source.name,
                            source.spool_dir.string()));
    return kExitOk;
  }
  spool::SpoolOptions options;
  options.directory = source.spool_dir;
  options.source_id = static_cast<uint32_t>(record->id);
  options.batch_size_events = source.SpoolBatchEvents();
  auto spool = spool::Spool::Open(options);
  if (!spool.ok()) return context.Fail(spool.status());
  uint64_t before = spool->DiskUsageBytes();
  Status done = MaintainSpool(*connected, *spool, source.name, full);
  if (!done.ok()) return context.Fail(done);
  context.Say(fmt::format("spool of source '{}' compacted{}: {} -> {} bytes", source.name,
                          full ? " in full" : "", before, spool->DiskUsageBytes()));
  return kExitOk;
}

}  // namespace chameleon::commands
