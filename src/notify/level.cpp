// Notification levels; see level.h.
#include "notify/level.h"

namespace chameleon::notify {

const char* Name(Level level) {
  switch (level) {
    case Level::kCritical:
      return "critical";
    case Level::kError:
      return "error";
    case Level::kWarning:
      return "warning";
    case Level::kInfo:
      return "info";
  }
  return "error";
}

std::optional<Level> ParseLevel(std::string_view text) {
  for (Level level : {Level::kCritical, Level::kError, Level::kWarning, Level::kInfo}) {
    if (text == Name(level)) return level;
  }
  return std::nullopt;
}

}  // namespace chameleon::notify
