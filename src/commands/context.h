// Context: what one command run has at hand — the parsed options, the configuration
// (loaded on first use), connections to the target and source, and the one way to report
// a failure (a line on stderr, the same line in the log, an exit status).
#pragma once

#include <cstdint>
#include <iosfwd>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "config/config.h"
#include "logging/logging.h"
#include "mysql/connection.h"
#include "notify/level.h"
#include "pg/connection.h"

namespace chameleon::notify {
class Notifier;
}

namespace chameleon::commands {

// Exit statuses (docs/commands.md). pg_chameleon exits 0 on most errors; we never do.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;  // the command ran and failed; the message says why
inline constexpr int kExitUsage = 2;   // bad command line, or a command not implemented yet

struct Options {
  std::string command;
  std::vector<std::string> arguments;  // words after the command (e.g. "spool inspect")
  std::string config = "default";
  std::optional<std::string> source;
  std::optional<std::string> schema;
  std::optional<std::string> tables;
  std::optional<int64_t> logid;
  bool debug = false;
  std::string rollbar_level = "info";
  bool full = false;
  bool json = false;
  int stop_timeout_seconds = 30;  // stop_replica / stop_all_replicas: then the firm stop
  // spool inspect
  bool spool_batches = false;
  bool spool_events = false;
  bool spool_stats = false;
  std::optional<std::string> spool_from;
  size_t spool_limit = 100;
};

class Context {
 public:
  Context(Options options, std::ostream& out, std::ostream& err, std::istream& in);
  ~Context();
  Context(const Context&) = delete;
  Context& operator=(const Context&) = delete;

  const Options& options() const { return options_; }
  std::ostream& out() { return out_; }
  std::istream& in() { return in_; }

  // The configuration named by --config, loaded once; its warnings go to stderr once.
  Result<const config::Config*> Config();

  // The source named by --source: an error when it is absent from the configuration, or
  // (when `required`) when --source was not given. nullptr when optional and not given.
  Result<const config::Source*> Source(bool required);

  // Opens the log for this command (<config>_<source|general>.log), after Config().
  void OpenLog(const std::string& component);
  // A logger of its own for a component of this process, set up as OpenLog's (same
  // directory, level, console or file): <config>_<source>_<component>_<date>.log.
  Result<std::shared_ptr<spdlog::logger>> ComponentLogger(const std::string& component);

  Result<pg::Connection> ConnectTarget();
  Result<mysql::Connection> ConnectSource(const config::Source& source) const;
  Result<pg::Connection> ConnectPgsqlSource(const config::Source& source) const;

  // Prints "chameleon <command>: <message>" on stderr (one line per message line), logs
  // it, notifies it (error level), and returns the exit status for it.
  int Fail(const Status& status);
  int Fail(const std::string& message);
  // A warning line on stderr and in the log.
  void Warn(const std::string& message);
  // An informational line on stdout and in the log.
  void Say(const std::string& message);

  // Notifications (notifications.cpp): `text` goes to Rollbar (rollbar_key and rollbar_env
  // set, `level` within --rollbar-level) and to alert_webhook_url (within
  // alert_webhook_level), tagged with the config, source, command, host and version.
  // Never waits for the network, callable from any thread, a no-op until Config() has
  // loaded the configuration. Passwords of the configuration are masked out of `text`.
  void Notify(notify::Level level, const std::string& text);
  // Waits a few seconds at most for the notifications still queued, then stops sending;
  // main() calls it before closing the log. Later Notify calls are ignored.
  void FinishNotifications();

 private:
  logging::Options LogOptions(const std::string& component) const;

  Options options_;
  std::ostream& out_;
  std::ostream& err_;
  std::istream& in_;
  std::optional<config::Config> config_;
  bool log_on_console_ = false;  // the log already goes to stderr: do not print twice
  std::mutex notify_mutex_;
  std::unique_ptr<notify::Notifier> notifier_;  // built on the first Notify that needs it
  bool notifier_built_ = false;                 // built, or found unneeded (no target configured)
  int notifier_pid_ = 0;  // the process whose thread sends (a daemon child rebuilds)
  bool notifications_finished_ = false;
};

}  // namespace chameleon::commands
