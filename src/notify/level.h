// Notification levels as Rollbar names them, and the threshold test every target applies
// (pg_chameleon's --rollbar-level: critical(1) < error(2) < warning(3) < info(5)).
#pragma once

#include <optional>
#include <string_view>

namespace chameleon::notify {

// Most severe first.
enum class Level { kCritical, kError, kWarning, kInfo };

const char* Name(Level level);
// "critical", "error", "warning" or "info"; nullopt for anything else.
std::optional<Level> ParseLevel(std::string_view text);

// True when a message of `level` goes to a target whose threshold is `threshold`: the
// threshold and every more severe level pass (threshold error: critical and error).
inline bool Passes(Level level, Level threshold) {
  return static_cast<int>(level) <= static_cast<int>(threshold);
}

}  // namespace chameleon::notify
