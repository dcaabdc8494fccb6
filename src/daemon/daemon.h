// Daemonising and the pid file: a background command forks away from the terminal, and
// one process per source holds <pid_dir>/<source>.pid locked for as long as it runs.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"

namespace chameleon::daemon {

// A live process holding a pid file, and its command line (/proc/<pid>/cmdline; empty when
// it cannot be read), which tells what it does there.
struct PidHolder {
  int pid = 0;
  std::vector<std::string> arguments;
};

// An fcntl write lock on a pid file holding our pid (the file holds the pid alone, for
// scripts); released (and the file removed) at destruction. The lock dies with the process,
// so a stale file never blocks a start.
class PidFile {
 public:
  // Takes the lock or fails with FailedPrecondition naming the pid that holds it.
  static Result<PidFile> Acquire(const std::filesystem::path& path);
  // The pid holding `path` locked, nullopt when no live process does.
  static std::optional<int> Holder(const std::filesystem::path& path);
  // The same with the holder's command line.
  static std::optional<PidHolder> Holding(const std::filesystem::path& path);

  PidFile(PidFile&& other) noexcept;
  PidFile& operator=(PidFile&& other) noexcept;
  PidFile(const PidFile&) = delete;
  PidFile& operator=(const PidFile&) = delete;
  ~PidFile();

  const std::filesystem::path& path() const { return path_; }

 private:
  PidFile(std::filesystem::path path, int fd) : path_(std::move(path)), fd_(fd) {}
  std::filesystem::path path_;
  int fd_ = -1;
};

// <pid_dir>/<source>.pid
std::filesystem::path PidFilePath(const std::filesystem::path& pid_dir, const std::string& source);

// What Daemonise returns in each process.
enum class Role { kParent, kChild };

// Forks a detached child (setsid, cwd /, stdin from /dev/null, stdout and stderr appended to
// `output`). The child calls Ready() or Failed() once it knows whether it can run; the
// parent waits for that word: kParent means the child runs, an error is the child's failure.
Result<Role> Daemonise(const std::filesystem::path& output);

// In the child: tell the waiting parent that the work has started, or why it cannot.
void Ready();
void Failed(const std::string& message);
// True in a child whose Failed() reached the waiting parent: the parent reports that failure
// (and notifies about it), so the child must not notify a second time.
bool FailureHandedToParent();

}  // namespace chameleon::daemon
