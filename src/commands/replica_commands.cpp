// start_replica, stop_replica, stop_all_replicas: the replica daemon of a source (one
// process: a reader thread streaming the binlog into the spool, a replayer thread applying
// the spool's batches, a heartbeat in the main thread) and the commands that stop it.
#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <thread>

#include "catalogue/batches.h"
#include "catalogue/maintenance.h"
#include "catalogue/progress.h"
#include "catalogue/tables.h"
#include "commands/daemon_metrics.h"
#include "commands/handlers.h"
#include "commands/spool_maintenance.h"
#include "commands/startup_reporter.h"
#include "commands/steps.h"
#include "daemon/daemon.h"
#include "logging/logging.h"
#include "reader/reader.h"
#include "replayer/replayer.h"
#include "spool/spool.h"

namespace chameleon::commands {
namespace {

// How long stop_replica waits for the batch in hand before the firm stop; losing nothing
// either way is the exactly-once design (an unfinished batch rolls back and comes again).
constexpr std::chrono::seconds kHeartbeatEvery{5};

std::atomic<bool> stop_requested{false};
// run_maintenance's request: 0 none, 1 the replayed prefix (SIGUSR1), 2 everything (SIGUSR2).
std::atomic<int> maintenance_requested{0};

extern "C" void RequestStop(int /*signal*/) {
  stop_requested.store(true);
}

extern "C" void RequestMaintenance(int signal) {
  maintenance_requested.store(signal == SIGUSR2 ? 2 : 1);
}

void InstallSignalHandlers() {
  struct sigaction action {};
  action.sa_handler = RequestStop;
  sigemptyset(&action.sa_mask);
  sigaction(SIGTERM, &action, nullptr);
  sigaction(SIGINT, &action, nullptr);
  struct sigaction maintenance {};
  maintenance.sa_handler = RequestMaintenance;
  sigemptyset(&maintenance.sa_mask);
  sigaction(SIGUSR1, &maintenance, nullptr);
  sigaction(SIGUSR2, &maintenance, nullptr);
}

// Sleeps up to `duration`, waking early when a stop (or, if asked, maintenance) is requested.
void SleepUnlessStopped(std::chrono::milliseconds duration, bool wake_for_maintenance = true) {
  auto until = std::chrono::steady_clock::now() + duration;
  while (!stop_requested.load() && (!wake_for_maintenance || maintenance_requested.load() == 0) &&
         std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

// The daemon's share of maintenance: run_maintenance's request, or auto_maintenance's
// interval (checked every `check` call). Compaction runs online beside both threads.
class Maintenance {
 public:
  explicit Maintenance(const config::Source& source) : source_(source) {}

  void RunIfWanted(pg::Connection& connection, spool::Spool& spool) {
    int requested = maintenance_requested.exchange(0);
    bool due = false;
    if (requested == 0 && source_.auto_maintenance != "disabled" && !auto_broken_ &&
        std::chrono::steady_clock::now() >= next_check_) {
      next_check_ = std::chrono::steady_clock::now() + std::chrono::minutes(1);
      auto checked = catalogue::MaintenanceDue(connection, source_.name, source_.auto_maintenance);
      if (!checked.ok()) {
        spdlog::error("{}; auto_maintenance is off until the daemon restarts",
                      checked.status().message());
        auto_broken_ = checked.status().code() == StatusCode::kInvalidArgument;
      } else {
        due = *checked;
      }
    }
    if (requested == 0 && !due) return;
    Status done = MaintainSpool(connection, spool, source_.name, requested == 2);
    if (!done.ok()) spdlog::error("maintenance of source {}: {}", source_.name, done.message());
  }

 private:
  const config::Source& source_;
  bool auto_broken_ = false;
  std::chrono::steady_clock::time_point next_check_;
};

std::string HostName() {
  char name[256] = {};
  if (gethostname(name, sizeof name - 1) != 0) return "";
  return name;
}

// A worker thread's verdict, read by the main thread once it has joined.
struct ThreadResult {
  Status status;
};

// The reader thread: Run() retries what it may (on_error_read) and returns on Stop() or on
// an error that ends the replica.
void ReadLoop(reader::Reader& reader, ThreadResult* result) {
  Status status = reader.Run();
  if (!status.ok()) {
    result->status = status;
    stop_requested.store(true);
  }
}

void ReplayLoop(Context& context, replayer::Replayer& replayer, const spool::Spool& spool,
                const config::Source& source, spdlog::logger& log, DaemonMetrics& metrics,
                ThreadResult* result) {
  auto idle = std::chrono::milliseconds(1000L * std::max(1, source.sleep_loop_seconds));
  while (!stop_requested.load()) {
    auto outcome = replayer.ReplayOneBatch();
    if (!outcome.ok()) {
      metrics.ReplayFailed();
      if (outcome.status().code() == StatusCode::kUnavailable) {
        // Nothing was lost and the batch stays in the spool: PostgreSQL may come back.
        log.warn("{}; trying again in {} s", outcome.status().message(), idle.count() / 1000);
        SleepUnlessStopped(idle);
        continue;
      }
      result->status = outcome.status();
      stop_requested.store(true);
      return;
    }
    if (outcome->has_value()) {
      metrics.AfterBatch(**outcome);
      for (const std::string& table : (*outcome)->disabled_tables) {
        context.Notify(notify::Level::kError,
                       fmt::format("replica of source {}: table {} left the replica after "
                                   "PostgreSQL rejected a row (`chameleon show_errors --source "
                                   "{}`); the other tables go on",
                                   source.name, table, source.name));
      }
    }
    // Idle: woken as soon as the reader closes a batch (short waits: a stop is seen quickly).
    if (!outcome->has_value()) (void)spool.WaitForClosedBatch(std::chrono::milliseconds(200));
  }
}

// What show_status derives the lags from: the reader's figures and the spool's backlog.
catalogue::ReplicaProgress Progress(const reader::Reader& reader, const spool::Spool& spool) {
  reader::ReaderStats stats = reader.stats();
  catalogue::ReplicaProgress progress;
  if (stats.last_received.time_since_epoch().count() != 0) {
    progress.last_received = stats.last_received;
  }
  if (stats.last_event_timestamp != 0) {
    progress.last_event_time =
        std::chrono::system_clock::time_point(std::chrono::seconds(stats.last_event_timestamp));
  }
  progress.caught_up_at = stats.caught_up_at;
  if (stats.position && !stats.binlog_base_name.empty()) {
    progress.read_binlog_name = BinlogFileName(stats.binlog_base_name, stats.position->file_number);
    progress.read_binlog_position = static_cast<int64_t>(stats.position->position);
  }
  progress.spool_bytes = spool.DiskUsageBytes();
  progress.batches_waiting = spool.Summary().closed_batch_ids.size();
  progress.events_read = stats.events_appended;
  return progress;
}

// Where the reader starts on an empty spool: the coordinates init_replica recorded.
Result<BinlogPosition> StartPosition(pg::Connection& connection, const std::string& source,
                                     int64_t source_id) {
  ASSIGN_OR_RETURN(catalogue::SourceCoordinates coordinates,
                   catalogue::GetSourceCoordinates(connection, source_id));
  if (!coordinates.binlog_name || !coordinates.binlog_position) {
    return Status::FailedPrecondition(
        fmt::format("source {} has no binlog coordinates to start from: run `chameleon "
                    "init_replica --source {}` first",
                    source, source));
  }
  ASSIGN_OR_RETURN(uint32_t file_number, ParseBinlogFileNumber(*coordinates.binlog_name));
  return BinlogPosition{file_number, static_cast<uint64_t>(*coordinates.binlog_position)};
}

// The spool's state when the daemon starts: batches the catalogue has applied are removed
// (a crash between COMMIT and the spool delete). A lost spool resumes from the position the
// catalogue recorded after its last batch; without one (batches recorded before catalogue
// version 5) reading cannot resume without applying a transaction twice or losing one: that
// is refused with what to do.
Status ReconcileSpool(replayer::Replayer& replayer, const config::Source& source) {
  auto reconciled = replayer.Reconcile();
  if (reconciled.ok()) {
    if (reconciled->resumed_from_catalogue) {
      spdlog::warn(
          "source {}: the spool in {} was missing or empty; reading resumes from the "
          "catalogue's position {} (after the last batch PostgreSQL has)",
          source.name, source.spool_dir.string(), ToString(*reconciled->resumed_from_catalogue));
    }
    return Status::Ok();
  }
  if (reconciled.status().code() == StatusCode::kNotFound) {
    return Status::FailedPrecondition(fmt::format(
        "{}; the spool in {} is missing or empty and the catalogue has no position to resume "
        "from (its last batch of source {} was recorded by an older chameleon): restore the "
        "spool directory, or run `chameleon init_replica --source {}` to copy the data again",
        reconciled.status().message(), source.spool_dir.string(), source.name, source.name));
  }
  return reconciled.status();
}

int RunReplica(Context& context, const config::Config& config, const config::Source& source) {
  // Before the pid file names this process: run_maintenance's signal must never kill it.
  InstallSignalHandlers();
  StartupReporter reporter(context);
  bool foreground = context.options().debug || config.log_dest == config::LogDestination::kStdout;
  if (foreground) reporter.Started();
  auto pid_file = daemon::PidFile::Acquire(daemon::PidFilePath(config.pid_dir, source.name));
  if (!pid_file.ok()) {
    return reporter.Fail(Status::FailedPrecondition(fmt::format(
        "the replica of source {} cannot start: {}", source.name, pid_file.status().message())));
  }
  auto connected = ConnectToCurrentCatalogue(context);
  if (!connected.ok()) return reporter.Fail(connected.status());
  pg::Connection& connection = *connected;
  auto record = RequireRegistered(context, connection, source.name);
  if (!record.ok()) return reporter.Fail(record.status());
  // The pid file guards this host; the advisory lock every host sharing the catalogue. A
  // daemon killed a moment ago may still have a session PostgreSQL has not ended: wait a bit.
  auto locked = catalogue::TryLockSource(connection, record->id);
  for (int attempt = 0; locked.ok() && !*locked && attempt < 40 && !stop_requested.load();
       ++attempt) {
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
    locked = catalogue::TryLockSource(connection, record->id);
  }
  if (!locked.ok()) return reporter.Fail(locked.status());
  if (!*locked) {
    return reporter.Fail(Status::FailedPrecondition(fmt::format(
        "source {} is replicated by another chameleon daemon using this catalogue (its row "
        "says host '{}', pid {}); stop that one first: two replicas of one source would "
        "apply changes twice",
        source.name, record->pid_host, record->pid ? std::to_string(*record->pid) : "unknown")));
  }
  const std::string& status = record->status;
  if (status == "ready" || status == "initialising" || status == "syncing" || status == "error") {
    std::string fix = status == "error" ? "fix the cause (`chameleon show_status --source " +
                                              source.name + "`), then `chameleon enable_replica`"
                      : status == "ready"
                          ? "run `chameleon init_replica --source " + source.name + "` first"
                          : "wait for the copy to finish";
    return reporter.Fail(Status::FailedPrecondition(
        fmt::format("source {} is {}; the replica cannot start: {}", source.name, status, fix)));
  }
  auto configured = source.schema_mappings;
  auto registered = record->schema_mappings;
  std::sort(configured.begin(), configured.end());
  std::sort(registered.begin(), registered.end());
  if (configured != registered) {
    // The catalogue's tables follow its mappings: replaying by other ones would write rows
    // into schemas the catalogue does not know, or drop the rows of schemas it does.
    return reporter.Fail(Status::FailedPrecondition(fmt::format(
        "schema_mappings of source {} in the configuration differ from the catalogue's ({}); "
        "`chameleon update_schema_mappings --source {}` applies them first",
        source.name, catalogue::MappingsToJson(record->schema_mappings), source.name)));
  }
  if (status == "running") {
    // The pid file lock is free, so its daemon is gone (kill -9, a crash): the catalogue
    // and the spool hold everything needed to go on without loss.
    spdlog::warn("source {} was left running by a daemon that is gone; starting anyway",
                 source.name);
  }

  spool::SpoolOptions spool_options;
  spool_options.directory = source.spool_dir;
  spool_options.source_id = static_cast<uint32_t>(record->id);
  spool_options.batch_size_events = source.SpoolBatchEvents();
  auto opened = spool::Spool::Open(spool_options);
  if (!opened.ok()) return reporter.Fail(opened.status());
  spool::Spool spool = std::move(*opened);

  auto replay_log = context.ComponentLogger("replay");
  if (!replay_log.ok()) {
    spdlog::warn("{}; the replayer logs here", replay_log.status().message());
    replay_log = spdlog::default_logger();
  }
  replayer::ReplayerOptions options;
  options.source_id = record->id;
  options.source_name = source.name;
  options.schema_mappings = source.schema_mappings;
  options.type_map.overrides = config.type_override;
  options.type_map.zero_date_sentinel = source.zero_date_sentinel;
  options.on_error = source.on_error_replay;
  options.logger = *replay_log;
  options.stopping = [] { return stop_requested.load(); };
  replayer::Replayer replayer(
      spool, [&context]() { return context.ConnectTarget(); }, options);
  Status reconciled = ReconcileSpool(replayer, source);
  if (!reconciled.ok()) return reporter.Fail(reconciled);

  reader::ReaderOptions read_options;
  read_options.source = source;
  if (!spool.ResumePosition()) {
    auto start = StartPosition(connection, source.name, record->id);
    if (!start.ok()) return reporter.Fail(start.status());
    read_options.start = *start;
  }
  reader::Reader reader(read_options, &spool);

  auto started_metrics = DaemonMetrics::Start(config, source);
  if (!started_metrics.ok()) return reporter.Fail(started_metrics.status());
  DaemonMetrics& metrics = **started_metrics;
  if (stop_requested.load()) {
    // Stopped while starting (systemctl stop, stop_replica): nothing was read or applied.
    reporter.Started();
    Status stopped = catalogue::MarkDaemonEnded(connection, source.name, catalogue::kStatusStopped,
                                                "stopped while starting");
    return stopped.ok() ? kExitOk : context.Fail(stopped);
  }
  Status running = catalogue::MarkDaemonRunning(connection, source.name, getpid(), HostName());
  if (!running.ok()) return reporter.Fail(running);
  reporter.Started();
  spdlog::info(
      "replica of source {} started (pid {}); spool {}; reading from {}", source.name, getpid(),
      source.spool_dir.string(),
      ToString(spool.ResumePosition().value_or(read_options.start.value_or(BinlogPosition{}))));

  ThreadResult read_result;
  ThreadResult replay_result;
  std::thread read_thread(ReadLoop, std::ref(reader), &read_result);
  std::thread replay_thread(ReplayLoop, std::ref(context), std::ref(replayer), std::cref(spool),
                            std::cref(source), std::ref(**replay_log), std::ref(metrics),
                            &replay_result);

  Maintenance maintenance(source);
  Status lock_lost;
  bool holds_lock = true;  // the advisory lock taken at start, on this session
  auto next_prune = std::chrono::steady_clock::now();
  auto prune_every = std::chrono::seconds(10L * std::max(1, source.sleep_loop_seconds));
  while (!stop_requested.load()) {
    // Maintenance waits for a working connection: without one the loop would spin on it.
    SleepUnlessStopped(kHeartbeatEvery, !connection.is_broken());
    if (stop_requested.load()) break;
    if (connection.is_broken()) {
      auto again = context.ConnectTarget();
      if (!again.ok()) {
        spdlog::warn("heartbeat: {}", again.status().message());
        continue;
      }
      connection = std::move(*again);
      holds_lock = false;  // it went with the old session
    }
    if (!holds_lock) {
      // Take it again, or another daemon has taken the source meanwhile.
      auto relocked = catalogue::TryLockSource(connection, record->id);
      if (!relocked.ok()) {
        spdlog::warn("heartbeat: {}", relocked.status().message());
        continue;
      }
      auto row = catalogue::FindSource(connection, source.name);
      bool still_ours =
          row.ok() && *row && (*row)->pid == getpid() && (*row)->pid_host == HostName();
      if (!*relocked && still_ours) {
        // Our previous session, which PostgreSQL has not seen end yet (a network cut): the
        // catalogue still names this daemon, so go on and take the lock once it is free.
        spdlog::warn("source {}: waiting for PostgreSQL to end this daemon's previous session",
                     source.name);
      } else if (!*relocked) {
        lock_lost = Status::FailedPrecondition(
            fmt::format("another chameleon daemon took source {} while this one was cut off from "
                        "PostgreSQL; this one stops",
                        source.name));
        spdlog::error("{}", lock_lost.message());
        stop_requested.store(true);
        break;
      } else {
        holds_lock = true;
      }
    }
    Status beat = catalogue::Heartbeat(connection, source.name, getpid());
    if (!beat.ok()) spdlog::warn("heartbeat: {}", beat.message());
    catalogue::ReplicaProgress progress = Progress(reader, spool);
    Status reported = catalogue::RecordProgress(connection, record->id, progress);
    if (!reported.ok()) spdlog::warn("progress report: {}", reported.message());
    metrics.Heartbeat(connection, source.name, reader.stats(), progress, record->id);
    maintenance.RunIfWanted(connection, spool);
    if (std::chrono::steady_clock::now() >= next_prune) {
      next_prune = std::chrono::steady_clock::now() + prune_every;
      auto pruned = catalogue::PruneReplayedBatches(connection, record->id, source.batch_retention);
      if (!pruned.ok()) spdlog::warn("batch_retention: {}", pruned.status().message());
    }
  }
  spdlog::info("replica of source {} stopping: finishing the batch in hand", source.name);
  reader.Stop();
  read_thread.join();
  replay_thread.join();
  if (connection.is_broken()) {
    auto again = context.ConnectTarget();
    if (again.ok()) connection = std::move(*again);
  }
  Status last_report = catalogue::RecordProgress(connection, record->id, Progress(reader, spool));
  if (!last_report.ok()) spdlog::warn("progress report: {}", last_report.message());
  Status failure = !read_result.status.ok() ? read_result.status : replay_result.status;
  if (!lock_lost.ok()) return context.Fail(lock_lost);  // the row belongs to the other daemon
  if (!failure.ok()) {
    Status marked = catalogue::MarkDaemonEnded(connection, source.name, catalogue::kStatusError,
                                               failure.message());
    if (!marked.ok()) spdlog::error("cannot record the error: {}", marked.message());
    return context.Fail(failure);
  }
  Status stopped = catalogue::MarkDaemonEnded(connection, source.name, catalogue::kStatusStopped,
                                              "stopped by stop_replica");
  if (!stopped.ok()) return context.Fail(stopped);
  spdlog::info("replica of source {} stopped", source.name);
  return kExitOk;
}

bool ProcessAlive(int pid) {
  return kill(pid, 0) == 0;
}

// Signals the daemon of `source` and waits for it; true when one was running. Only a replica
// daemon is signalled: a copy, a detach or a maintenance holding the source is named instead.
Result<bool> StopOne(Context& context, const config::Config& config, const std::string& source) {
  std::filesystem::path pid_path = daemon::PidFilePath(config.pid_dir, source);
  std::optional<daemon::PidHolder> holder = daemon::PidFile::Holding(pid_path);
  if (!holder) return false;
  const int pid = holder->pid;
  std::string command = HolderCommand(*holder);
  if (!command.empty() && command != kReplicaCommand) {
    return Status::FailedPrecondition(fmt::format(
        "source {} is busy with chameleon {} (pid {}), not a running replica; stop_replica "
        "does not interrupt it: wait for it to finish",
        source, command, pid));
  }
  // Still the process we signalled (a new daemon may take the file once it is gone).
  auto ours = [&] {
    std::optional<int> now = daemon::PidFile::Holder(pid_path);
    return now && *now == pid;
  };
  if (kill(pid, SIGTERM) != 0) {
    return Status::PermissionDenied(
        fmt::format("cannot signal the replica of source {} (pid {})", source, pid));
  }
  const std::chrono::seconds wait(context.options().stop_timeout_seconds);
  auto deadline = std::chrono::steady_clock::now() + wait;
  while (ProcessAlive(pid) && ours() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  if (!ours()) return true;
  // The firm stop: the batch in hand was not committed, so PostgreSQL rolls it back and the
  // next start applies it again from the spool; nothing is lost or doubled.
  kill(pid, SIGKILL);
  auto killed_by = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (ours()) {
    if (std::chrono::steady_clock::now() >= killed_by) {
      return Status::Unavailable(fmt::format(
          "the replica of source {} (pid {}) did not end within 30 s of SIGKILL (stuck in "
          "the kernel: a hung disk or NFS mount?)",
          source, pid));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  auto connection = ConnectToCurrentCatalogue(context);
  if (connection.ok()) {
    RETURN_IF_ERROR(catalogue::MarkDaemonEnded(
        *connection, source, catalogue::kStatusStopped,
        fmt::format("stopped by force after {} s; the batch in hand was rolled back and will "
                    "be applied at the next start",
                    wait.count()),
        pid));
  }
  context.Warn(
      fmt::format("the replica of source {} did not stop within {} s and was killed; "
                  "nothing is lost (the unfinished batch is applied at the next start)",
                  source, wait.count()));
  return true;
}

}  // namespace

int StartReplica(Context& context) {
  auto loaded = context.Config();
  if (!loaded.ok()) return context.Fail(loaded.status());
  const config::Config& config = **loaded;
  auto found = RequireMysqlSource(context);
  if (!found.ok()) return context.Fail(found.status());
  const config::Source& source = **found;
  if (auto holder = daemon::PidFile::Holding(daemon::PidFilePath(config.pid_dir, source.name))) {
    std::string command = HolderCommand(*holder);
    if (!command.empty() && command != kReplicaCommand) {
      return context.Fail(Status::FailedPrecondition(fmt::format(
          "source {} is busy with chameleon {} (pid {}); start the replica once it has finished",
          source.name, command, holder->pid)));
    }
    return context.Fail(Status::FailedPrecondition(fmt::format(
        "the replica of source {} is already running (pid {}); `chameleon stop_replica --source "
        "{}` stops it",
        source.name, holder->pid, source.name)));
  }
  context.OpenLog("read");
  bool foreground = context.options().debug || config.log_dest == config::LogDestination::kStdout;
  if (!foreground) {
    // Nothing may be connected yet: a forked libpq connection must not be shared.
    std::filesystem::path log_file = logging::CurrentFile();
    logging::Shutdown();
    auto role = daemon::Daemonise(log_file);
    if (!role.ok() || *role == daemon::Role::kParent) {
      context.OpenLog("read");
      if (!role.ok()) return context.Fail(role.status());
      std::string replay_file = log_file.filename().string();
      auto at = replay_file.rfind("_read_");
      if (at != std::string::npos) replay_file.replace(at, 6, "_replay_");
      context.Say(fmt::format(
          "replica of source '{}' started in the background; its logs are {} and {}; `chameleon "
          "show_status --source {}` shows it, `chameleon stop_replica --source {}` stops it",
          source.name, log_file.string(), (log_file.parent_path() / replay_file).string(),
          source.name, source.name));
      return kExitOk;
    }
    context.OpenLog("read");
  }
  return RunReplica(context, config, source);
}

int StopReplica(Context& context) {
  auto loaded = context.Config();
  if (!loaded.ok()) return context.Fail(loaded.status());
  auto found = context.Source(true);
  if (!found.ok()) return context.Fail(found.status());
  context.OpenLog("");
  auto stopped = StopOne(context, **loaded, (*found)->name);
  if (!stopped.ok()) return context.Fail(stopped.status());
  if (!*stopped) {
    return context.Fail(Status::FailedPrecondition(
        fmt::format("no replica of source {} runs on this host", (*found)->name)));
  }
  context.Say(fmt::format("replica of source '{}' stopped", (*found)->name));
  return kExitOk;
}

int StopAllReplicas(Context& context) {
  auto loaded = context.Config();
  if (!loaded.ok()) return context.Fail(loaded.status());
  context.OpenLog("");
  int stopped_count = 0;
  for (const auto& source : (*loaded)->sources) {
    auto stopped = StopOne(context, **loaded, source.name);
    if (!stopped.ok()) return context.Fail(stopped.status());
    if (*stopped) {
      ++stopped_count;
      context.Say(fmt::format("replica of source '{}' stopped", source.name));
    }
  }
  if (stopped_count == 0) context.Say("no replica was running");
  return kExitOk;
}

}  // namespace chameleon::commands
