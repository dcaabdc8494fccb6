// Logging setup: pg_chameleon's log layout (one file per process and source in log_dir,
// daily files kept log_days_keep days, or stdout) on top of spdlog's default logger.
// Modules log through spdlog::info/warn/... once Setup has run.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "common/status.h"

namespace spdlog {
class logger;
}

namespace chameleon::logging {

enum class Level { kDebug, kInfo, kWarning, kError, kCritical };

struct Options {
  // log_dest: stdout, or --debug. Console logs go to stderr, so that what a command prints
  // on stdout (show_status, --json) stays clean for scripts.
  bool to_console = false;
  Level level = Level::kInfo;       // log_level (--debug forces debug)
  std::filesystem::path directory;  // log_dir
  std::string file_stem;     // e.g. "default_mysql_replay" -> default_mysql_replay_<date>.log
  int days_keep = 10;        // log_days_keep
  std::string process_name;  // shown in every line, e.g. "replay"
};

// "<config>_<source>[_<component>]" or "<config>_general", as pg_chameleon names its logs.
std::string FileStem(const std::string& config_name, const std::string& source_name,
                     const std::string& component);

// A logger as Setup makes it, not installed as the default: a component's own log (the
// replica daemon's replayer writes <config>_<source>_replay). `file`, when given, receives
// today's file (empty on the console).
Result<std::shared_ptr<spdlog::logger>> MakeLogger(const Options& options,
                                                   std::filesystem::path* file = nullptr);

// Installs the default logger. Safe to call again (replaces the previous one).
Status Setup(const Options& options);

// The file the current logger writes today, empty when logging to the console.
std::filesystem::path CurrentFile();

// Flushes and drops every logger (before exit or fork).
void Shutdown();

}  // namespace chameleon::logging
