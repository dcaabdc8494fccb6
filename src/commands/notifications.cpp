// Context::Notify: the Notifier of one command run, built from the configuration on first
// use (after a daemon's fork, so its sender thread lives in the process that sends).
#include <unistd.h>

#include <climits>
#include <string>

#include "commands/context.h"
#include "common/version.h"
#include "notify/notifier.h"

namespace chameleon::commands {
namespace {

notify::Level ToNotifyLevel(config::LogLevel level) {
  switch (level) {
    case config::LogLevel::kCritical:
      return notify::Level::kCritical;
    case config::LogLevel::kError:
      return notify::Level::kError;
    case config::LogLevel::kWarning:
      return notify::Level::kWarning;
    default:
      return notify::Level::kInfo;
  }
}

std::string HostName() {
  char name[HOST_NAME_MAX + 1] = {};
  if (gethostname(name, sizeof name - 1) != 0) return "unknown";
  return name;
}

// nullptr when neither Rollbar nor the webhook is configured.
std::unique_ptr<notify::Notifier> BuildNotifier(const config::Config& config,
                                                const Options& options) {
  notify::NotifierOptions settings;
  // pg_chameleon's rule: Rollbar is on when both the key and the environment are set.
  if (!config.rollbar_key.empty() && !config.rollbar_env.empty()) {
    settings.targets.push_back(
        {"rollbar", Secret(config.rollbar_endpoint), config.rollbar_key,
         notify::ParseLevel(options.rollbar_level).value_or(notify::Level::kInfo)});
  }
  if (!config.alert_webhook_url.empty()) {
    settings.targets.push_back(
        {"webhook", config.alert_webhook_url, Secret(), ToNotifyLevel(config.alert_webhook_level)});
  }
  if (settings.targets.empty()) return nullptr;
  settings.environment = config.rollbar_env;
  settings.origin.config = config.name;
  settings.origin.source = options.source && *options.source != "*" ? *options.source : "";
  settings.origin.command = options.command;
  settings.origin.host = HostName();
  settings.origin.version = CHAMELEON_VERSION;
  settings.secrets = {config.pg_conn.password, config.rollbar_key};
  for (const auto& source : config.sources)
    settings.secrets.push_back(source.db_conn.password);
  return std::make_unique<notify::Notifier>(std::move(settings));
}

}  // namespace

void Context::Notify(notify::Level level, const std::string& text) {
  std::lock_guard lock(notify_mutex_);
  if (notifications_finished_ || !config_) return;
  if (notifier_built_ && notifier_pid_ != getpid()) {
    // A daemon child inherited its parent's Notifier, whose thread did not cross the fork
    // and whose mutex may be held: leave it alone (never destroy it) and build our own.
    (void)notifier_.release();  // NOLINT(bugprone-unused-return-value): deliberate leak
    notifier_built_ = false;
  }
  if (!notifier_built_) {
    notifier_ = BuildNotifier(*config_, options_);
    notifier_built_ = true;
    notifier_pid_ = getpid();
  }
  if (notifier_) notifier_->Send(level, text);
}

void Context::FinishNotifications() {
  std::unique_ptr<notify::Notifier> notifier;
  {
    std::lock_guard lock(notify_mutex_);
    notifications_finished_ = true;
    if (notifier_pid_ != getpid()) (void)notifier_.release();  // see Notify
    notifier = std::move(notifier_);
  }
  notifier.reset();  // flushes for a few seconds at most, outside the lock
}

}  // namespace chameleon::commands
