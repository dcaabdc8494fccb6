// What one notification says and the JSON it is posted as: Rollbar's item format
// (https://docs.rollbar.com/reference/create-item), which the alert webhook receives unchanged.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "common/secret.h"
#include "notify/level.h"

namespace chameleon::notify {

// Where a notification comes from; every field goes to the item's "custom" block.
struct Origin {
  std::string config;   // --config name
  std::string source;   // --source, empty without one
  std::string command;  // e.g. "init_replica"
  std::string host;     // this machine's host name
  std::string version;  // chameleon's release
};

struct Notification {
  Level level = Level::kError;
  std::string message;
  std::string environment;  // rollbar_env
  Origin origin;
  int64_t timestamp_seconds = 0;  // Unix time
};

// The body posted to Rollbar and to the webhook (docs/configuration.md shows it):
// {"data": {"environment", "level", "timestamp", "platform", "language", "framework",
//  "server": {"host"}, "notifier": {"name", "version"}, "body": {"message": {"body"}},
//  "custom": {"config", "source", "command", "host", "chameleon_version"}}}.
// The Rollbar access token travels in a header, never in the body.
std::string ItemJson(const Notification& notification);

// `text` with every secret of at least kMinSecretLength characters replaced by Secret::kMask
// (shorter ones would mask ordinary words), cut to at most `max_bytes` on a UTF-8 boundary.
inline constexpr size_t kMinSecretLength = 4;
std::string Scrub(std::string text, const std::vector<Secret>& secrets, size_t max_bytes);

// "scheme://host[:port]" of `url`: what logs and show_config print of an endpoint whose path
// or query may hold a token (webhook URLs often do).
std::string UrlOrigin(const std::string& url);

}  // namespace chameleon::notify
