// The replica daemon of the crash test: `chameleon_killpoints start_replica --debug` as a child
// of the test (in the foreground, so the test sees how it ended), optionally armed to SIGKILL
// itself at a named kill point (CHAMELEON_KILL_POINT=name:skip).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>

namespace chameleon::crash_test {

class Daemon {
 public:
  // `kill_point` empty: not armed. Output is appended to `log`.
  Daemon(const std::string& binary, const std::filesystem::path& home,
         const std::string& kill_point, const std::filesystem::path& log);
  ~Daemon();
  Daemon(const Daemon&) = delete;
  Daemon& operator=(const Daemon&) = delete;

  pid_t pid() const { return pid_; }
  // The wait status once the process has ended within `timeout`, nullopt while it runs.
  std::optional<int> Wait(std::chrono::milliseconds timeout);
  // SIGKILL now (when still running); the wait status.
  int Kill();
  // SIGTERM (what stop_replica sends) and wait; the wait status.
  int Terminate(std::chrono::milliseconds timeout);

 private:
  pid_t pid_ = -1;
  std::optional<int> status_;
};

// "exit 0", "killed by signal 9", ...
std::string DescribeWaitStatus(int status);

}  // namespace chameleon::crash_test
