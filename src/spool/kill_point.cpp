// Kill points for the crash test; empty unless CHAMELEON_KILL_POINTS (see kill_point.h).
#include "spool/kill_point.h"

#if defined(CHAMELEON_KILL_POINTS)

#include <signal.h>
#include <unistd.h>

#include <cstdlib>
#include <mutex>

namespace chameleon::spool::kill_point {
namespace {

struct Armed {
  std::mutex mutex;
  bool initialised = false;
  std::string name;
  uint64_t remaining = 0;
};

Armed& State() {
  static Armed armed;
  return armed;
}

// Caller holds the mutex.
void InitialiseFromEnvironment(Armed& armed) {
  if (armed.initialised) return;
  armed.initialised = true;
  const char* spec = std::getenv("CHAMELEON_KILL_POINT");
  if (spec == nullptr) return;
  std::string text = spec;
  size_t colon = text.find(':');
  armed.name = text.substr(0, colon);
  armed.remaining =
      colon == std::string::npos ? 0 : std::strtoull(text.c_str() + colon + 1, nullptr, 10);
}

}  // namespace

void Reached(const char* name) {
  Armed& armed = State();
  std::lock_guard lock(armed.mutex);
  InitialiseFromEnvironment(armed);
  if (armed.name.empty() || armed.name != name) return;
  if (armed.remaining > 0) {
    --armed.remaining;
    return;
  }
  kill(getpid(), SIGKILL);
}

void Arm(const std::string& name, uint64_t skip) {
  Armed& armed = State();
  std::lock_guard lock(armed.mutex);
  armed.initialised = true;
  armed.name = name;
  armed.remaining = skip;
}

void Disarm() {
  Arm("", 0);
}

}  // namespace chameleon::spool::kill_point

#endif
