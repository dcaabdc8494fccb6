// spdlog configuration; see logging.h.
#include "logging/logging.h"

#include <fmt/chrono.h>
#include <spdlog/sinks/daily_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <system_error>

#include "logging/crash_handler.h"

namespace chameleon::logging {
namespace {

std::filesystem::path g_current_file;

spdlog::level::level_enum ToSpdlog(Level level) {
  switch (level) {
    case Level::kDebug:
      return spdlog::level::debug;
    case Level::kInfo:
      return spdlog::level::info;
    case Level::kWarning:
      return spdlog::level::warn;
    case Level::kError:
      return spdlog::level::err;
    case Level::kCritical:
      return spdlog::level::critical;
  }
  return spdlog::level::info;
}

}  // namespace

std::string FileStem(const std::string& config_name, const std::string& source_name,
                     const std::string& component) {
  std::string stem = config_name + "_" + (source_name.empty() ? "general" : source_name);
  if (!component.empty()) stem += "_" + component;
  return stem;
}

Result<std::shared_ptr<spdlog::logger>> MakeLogger(const Options& options,
                                                   std::filesystem::path* file) {
  spdlog::sink_ptr sink;
  if (file != nullptr) file->clear();
  try {
    if (options.to_console) {
      sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
    } else {
      std::error_code error;
      std::filesystem::create_directories(options.directory, error);
      if (error) {
        return Status::IoError("log_dir " + options.directory.string() +
                               " cannot be created: " + error.message());
      }
      // One file a day, <stem>_YYYY-MM-DD.log, the oldest beyond days_keep deleted.
      std::filesystem::path base = options.directory / (options.file_stem + ".log");
      sink = std::make_shared<spdlog::sinks::daily_file_sink_mt>(
          base.string(), 0, 0, false, static_cast<uint16_t>(options.days_keep));
      std::time_t now = std::time(nullptr);
      if (file != nullptr) {
        *file = options.directory /
                fmt::format("{}_{:%Y-%m-%d}.log", options.file_stem, fmt::localtime(now));
      }
    }
  } catch (const spdlog::spdlog_ex& error) {
    return Status::IoError("cannot open the log in " + options.directory.string() + ": " +
                           error.what());
  }
  auto logger = std::make_shared<spdlog::logger>(options.process_name, sink);
  // pg_chameleon's line: "2024-01-01 12:00:00 MainProcess INFO: message".
  logger->set_pattern("%Y-%m-%d %H:%M:%S.%e %n %^%l%$: %v");
  logger->set_level(ToSpdlog(options.level));
  logger->flush_on(spdlog::level::info);
  return logger;
}

Status Setup(const Options& options) {
  ASSIGN_OR_RETURN(std::shared_ptr<spdlog::logger> logger, MakeLogger(options, &g_current_file));
  spdlog::set_default_logger(logger);
  SetCrashLogFile(g_current_file);
  return Status::Ok();
}

std::filesystem::path CurrentFile() {
  return g_current_file;
}

void Shutdown() {
  spdlog::shutdown();
}

}  // namespace chameleon::logging
