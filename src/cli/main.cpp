// chameleon's entry point: parses pg_chameleon's command line with CLI11 and dispatches.
// Options may come before or after the command, as with pg_chameleon's argparse.
#include <spdlog/sinks/null_sink.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <iostream>

#include "commands/context.h"
#include "commands/registry.h"
#include "common/strings.h"
#include "common/version.h"
#include "logging/crash_handler.h"
#include "logging/logging.h"

int main(int argc, char** argv) {
  using chameleon::commands::Options;
  // The command line never holds a password (they live in the configuration file only).
  chameleon::logging::InstallCrashHandler(
      chameleon::Join(std::vector<std::string>(argv, argv + argc), " "));
  // Until a command opens its log, nothing is logged (errors still reach stderr).
  spdlog::set_default_logger(std::make_shared<spdlog::logger>(
      "chameleon", std::make_shared<spdlog::sinks::null_sink_mt>()));

  Options options;
  std::vector<std::string> words;
  CLI::App app{"chameleon " CHAMELEON_VERSION
               " - MySQL/MariaDB to PostgreSQL replica (pg_chameleon 2.0 compatible)",
               "chameleon"};
  app.add_option("command", words, "the command to run, and its arguments")->required();
  app.add_option("--config", options.config,
                 "configuration NAME (~/.pg_chameleon/configuration/NAME.yml) or path to a file")
      ->capture_default_str();
  app.add_option("--source", options.source, "source name from the configuration");
  app.add_option("--schema", options.schema, "MySQL schema (refresh_schema)");
  app.add_option("--tables", options.tables,
                 "comma-separated schema.table list, or 'disabled' (sync_tables)");
  app.add_option("--logid", options.logid, "error log id (show_errors)");
  app.add_flag("--debug", options.debug, "foreground, log to the console at debug level");
  app.add_option("--rollbar-level", options.rollbar_level,
                 "highest level sent to rollbar: critical, error, warning or info")
      ->check(CLI::IsMember({"critical", "error", "warning", "info"}))
      ->capture_default_str();
  app.add_flag("--full", options.full, "run_maintenance: full compaction");
  app.add_option("--timeout", options.stop_timeout_seconds,
                 "stop_replica/stop_all_replicas: seconds to finish the batch in hand before "
                 "the daemon is killed (losing nothing)")
      ->check(CLI::Range(1, 86400))
      ->capture_default_str();
  app.add_flag("--json", options.json, "show_status/show_errors/spool inspect: JSON output");
  app.add_flag("--batches", options.spool_batches, "spool inspect: the batches");
  app.add_flag("--events", options.spool_events, "spool inspect: decoded events");
  app.add_flag("--stats", options.spool_stats, "spool inspect: disk use, resume position");
  app.add_option("--from", options.spool_from, "spool inspect --events: from FILE:POS");
  app.add_option("--limit", options.spool_limit, "spool inspect --events: at most N events")
      ->capture_default_str();
  app.set_version_flag("--version", "chameleon " CHAMELEON_VERSION);
  app.footer(chameleon::commands::CommandHelp() +
             "\nExit status: 0 success, 1 failure, 2 usage error or command not implemented yet.");
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& help) {
    return app.exit(help);
  } catch (const CLI::CallForVersion& version) {
    return app.exit(version);
  } catch (const CLI::ParseError& error) {
    std::cerr << "chameleon: " << error.what() << "; `chameleon --help` lists the options\n";
    return chameleon::commands::kExitUsage;
  }
  options.command = words.front();
  options.arguments.assign(words.begin() + 1, words.end());
  chameleon::commands::Context context(std::move(options), std::cout, std::cerr, std::cin);
  int status = chameleon::commands::Dispatch(context);
  context.FinishNotifications();  // may log: before the log closes
  chameleon::logging::Shutdown();
  return status;
}
