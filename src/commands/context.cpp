// Command context; see context.h.
#include "commands/context.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <iostream>

#include "common/strings.h"
#include "config/config_loader.h"
#include "daemon/daemon.h"
#include "logging/logging.h"
#include "notify/notifier.h"

namespace chameleon::commands {

Context::Context(Options options, std::ostream& out, std::ostream& err, std::istream& in)
    : options_(std::move(options)), out_(out), err_(err), in_(in) {}

Context::~Context() {
  FinishNotifications();
}

Result<const config::Config*> Context::Config() {
  if (config_) return &*config_;
  ASSIGN_OR_RETURN(config::LoadedConfig loaded, config::LoadConfig(options_.config));
  for (const auto& warning : loaded.warnings)
    err_ << "warning: " << warning << "\n";
  config_ = std::move(loaded.config);
  return &*config_;
}

Result<const config::Source*> Context::Source(bool required) {
  ASSIGN_OR_RETURN(const config::Config* config, Config());
  std::string known = config->sources.empty() ? "none" : Join(config->SourceNames(), ", ");
  if (!options_.source || *options_.source == "*") {
    if (!required) return static_cast<const config::Source*>(nullptr);
    return Status::InvalidArgument(
        fmt::format("needs --source NAME (sources in {}: {})", config->file.string(), known));
  }
  const config::Source* source = config->FindSource(*options_.source);
  if (source == nullptr) {
    return Status::NotFound(fmt::format("no source '{}' in {} (sources: {}){}", *options_.source,
                                        config->file.string(), known,
                                        DidYouMean(*options_.source, config->SourceNames())));
  }
  return source;
}

logging::Options Context::LogOptions(const std::string& component) const {
  logging::Options log;
  log.to_console = options_.debug || config_->log_dest == config::LogDestination::kStdout;
  log.level = options_.debug ? logging::Level::kDebug
                             : static_cast<logging::Level>(static_cast<int>(config_->log_level));
  log.directory = config_->log_dir;
  std::string source = options_.source && *options_.source != "*" ? *options_.source : "";
  log.file_stem = logging::FileStem(config_->name, source, component);
  log.days_keep = config_->log_days_keep;
  log.process_name = options_.command;
  return log;
}

Result<std::shared_ptr<spdlog::logger>> Context::ComponentLogger(const std::string& component) {
  if (!config_) return Status::FailedPrecondition("no configuration loaded for the log");
  logging::Options log = LogOptions(component);
  log.process_name = component;
  return logging::MakeLogger(log);
}

void Context::OpenLog(const std::string& component) {
  if (!config_) return;
  logging::Options log = LogOptions(component);
  std::string source = options_.source && *options_.source != "*" ? *options_.source : "";
  log_on_console_ = log.to_console;
  Status status = logging::Setup(log);
  if (!status.ok()) {
    // The command can still do its work; its messages reach the console instead.
    err_ << "warning: " << status.message() << "; logging to the console\n";
    log.to_console = true;
    log_on_console_ = true;
    (void)logging::Setup(log);
  }
  spdlog::debug("chameleon {} --config {}{}", options_.command, options_.config,
                source.empty() ? "" : " --source " + source);
}

Result<pg::Connection> Context::ConnectTarget() {
  ASSIGN_OR_RETURN(const config::Config* config, Config());
  pg::ConnectOptions options;
  options.host = config->pg_conn.host;
  options.port = config->pg_conn.port;
  options.user = config->pg_conn.user;
  options.password = config->pg_conn.password;
  options.database = config->pg_conn.database;
  options.connect_timeout_seconds = config->pg_conn.connect_timeout_seconds;
  options.sslmode = config->pg_conn.sslmode;
  // pg_conn.charset is accepted for compatibility; the session is always UTF8 so that
  // every character survives.
  options.application_name = "chameleon " + options_.command;
  return pg::Connection::Open(options);
}

Result<mysql::Connection> Context::ConnectSource(const config::Source& source) const {
  mysql::ConnectOptions options;
  options.host = source.db_conn.host;
  options.port = source.db_conn.port;
  options.user = source.db_conn.user;
  options.password = source.db_conn.password;
  options.charset = source.db_conn.charset;
  options.connect_timeout_seconds = source.db_conn.connect_timeout_seconds;
  options.net_read_timeout_seconds = source.net_read_timeout_seconds;
  return mysql::Connection::Open(options);
}

Result<pg::Connection> Context::ConnectPgsqlSource(const config::Source& source) const {
  pg::ConnectOptions options;
  options.host = source.db_conn.host;
  options.port = source.db_conn.port;
  options.user = source.db_conn.user;
  options.password = source.db_conn.password;
  options.database = source.db_conn.database;
  options.connect_timeout_seconds = source.db_conn.connect_timeout_seconds;
  options.application_name = "chameleon " + options_.command + " (source " + source.name + ")";
  return pg::Connection::Open(options);
}

int Context::Fail(const std::string& message) {
  for (const auto& line : Split(message, '\n')) {
    if (!log_on_console_) err_ << "chameleon " << options_.command << ": " << line << "\n";
    spdlog::error("{}", line);
  }
  // A daemon child that handed its failure to the waiting parent leaves the notice to it.
  if (!daemon::FailureHandedToParent()) {
    std::string source = options_.source && *options_.source != "*"
                             ? fmt::format(" of source '{}'", *options_.source)
                             : "";
    Notify(notify::Level::kError,
           fmt::format("{}{} failed: {}", options_.command, source, message));
  }
  return kExitFailed;
}

int Context::Fail(const Status& status) {
  return Fail(status.message());
}

void Context::Warn(const std::string& message) {
  if (!log_on_console_) err_ << "warning: " << message << "\n";
  spdlog::warn("{}", message);
}

void Context::Say(const std::string& message) {
  out_ << message << "\n";
  spdlog::info("{}", message);
}

}  // namespace chameleon::commands
