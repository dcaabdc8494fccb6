// Daemonising and pid files; see daemon.h.
#include "daemon/daemon.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>

namespace chameleon::daemon {
namespace {

int ready_fd = -1;  // the child's end of the pipe its parent waits on
bool failure_handed = false;

std::string ErrnoText() {
  return std::strerror(errno);
}

bool WriteAll(int fd, const std::string& text) {
  size_t done = 0;
  while (done < text.size()) {
    ssize_t written = write(fd, text.data() + done, text.size() - done);
    if (written < 0 && errno == EINTR) continue;
    if (written <= 0) return false;
    done += static_cast<size_t>(written);
  }
  return true;
}

void Tell(const std::string& word) {
  if (ready_fd < 0) return;
  (void)WriteAll(ready_fd, word);
  close(ready_fd);
  ready_fd = -1;
}

}  // namespace

std::filesystem::path PidFilePath(const std::filesystem::path& pid_dir, const std::string& source) {
  return pid_dir / (source + ".pid");
}

Result<PidFile> PidFile::Acquire(const std::filesystem::path& path) {
  std::error_code error;
  std::filesystem::create_directories(path.parent_path(), error);
  int fd = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    return Status::IoError(
        fmt::format("cannot open the pid file {}: {}; check pid_dir", path.string(), ErrnoText()));
  }
  struct flock lock {};
  lock.l_type = F_WRLCK;
  lock.l_whence = SEEK_SET;
  if (fcntl(fd, F_SETLK, &lock) != 0) {
    std::optional<int> holder = Holder(path);
    close(fd);
    return Status::FailedPrecondition(fmt::format(
        "another chameleon process (pid {}) already works on this source and holds {}; wait for "
        "it or stop it first",
        holder ? std::to_string(*holder) : "unknown", path.string()));
  }
  std::string pid = std::to_string(getpid()) + "\n";
  if (ftruncate(fd, 0) != 0 || !WriteAll(fd, pid)) {
    close(fd);
    return Status::IoError(
        fmt::format("cannot write the pid file {}: {}", path.string(), ErrnoText()));
  }
  return PidFile(path, fd);
}

std::optional<int> PidFile::Holder(const std::filesystem::path& path) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  struct flock lock {};
  lock.l_type = F_WRLCK;
  lock.l_whence = SEEK_SET;
  int got = fcntl(fd, F_GETLK, &lock);
  close(fd);
  if (got != 0 || lock.l_type == F_UNLCK) return std::nullopt;
  return static_cast<int>(lock.l_pid);
}

std::optional<PidHolder> PidFile::Holding(const std::filesystem::path& path) {
  std::optional<int> pid = Holder(path);
  if (!pid) return std::nullopt;
  PidHolder holder{*pid, {}};
  std::ifstream file("/proc/" + std::to_string(*pid) + "/cmdline", std::ios::binary);
  std::string argument;
  while (std::getline(file, argument, '\0'))
    holder.arguments.push_back(argument);
  return holder;
}

PidFile::PidFile(PidFile&& other) noexcept : path_(std::move(other.path_)), fd_(other.fd_) {
  other.fd_ = -1;
}

PidFile& PidFile::operator=(PidFile&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) close(fd_);
    path_ = std::move(other.path_);
    fd_ = other.fd_;
    other.fd_ = -1;
  }
  return *this;
}

PidFile::~PidFile() {
  if (fd_ < 0) return;
  // Unlink while still holding the lock, so no other process can lock a file we then remove.
  unlink(path_.c_str());
  close(fd_);
}

Result<Role> Daemonise(const std::filesystem::path& output) {
  int pipe_fds[2];
  if (pipe2(pipe_fds, O_CLOEXEC) != 0) return Status::Internal("pipe: " + ErrnoText());
  pid_t child = fork();
  if (child < 0) return Status::Internal("fork: " + ErrnoText());
  if (child > 0) {
    close(pipe_fds[1]);
    std::string word;
    char buffer[512];
    ssize_t got = 0;
    while ((got = read(pipe_fds[0], buffer, sizeof buffer)) != 0) {
      if (got < 0 && errno == EINTR) continue;
      if (got < 0) break;
      word.append(buffer, static_cast<size_t>(got));
    }
    close(pipe_fds[0]);
    // The intermediate child exits right after the second fork; reap it.
    int ignored = 0;
    waitpid(child, &ignored, 0);
    if (word == "ok") return Role::kParent;
    if (word.empty()) return Status::Internal("the background process ended before it started");
    return Status::FailedPrecondition(word);
  }
  close(pipe_fds[0]);
  // Double fork: the daemon is not a session leader, so it never gets a controlling tty back.
  if (setsid() < 0) _exit(1);
  pid_t grandchild = fork();
  if (grandchild < 0) _exit(1);
  if (grandchild > 0) _exit(0);
  ready_fd = pipe_fds[1];
  if (chdir("/") != 0) {
    // Not fatal: the daemon only uses absolute paths.
  }
  umask(022);
  int null_fd = open("/dev/null", O_RDONLY);
  int out_fd = open(output.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0640);
  if (null_fd >= 0) dup2(null_fd, STDIN_FILENO);
  if (out_fd >= 0) {
    dup2(out_fd, STDOUT_FILENO);
    dup2(out_fd, STDERR_FILENO);
  }
  if (null_fd > STDERR_FILENO) close(null_fd);
  if (out_fd > STDERR_FILENO) close(out_fd);
  return Role::kChild;
}

void Ready() {
  Tell("ok");
}

void Failed(const std::string& message) {
  failure_handed = ready_fd >= 0;
  Tell(message.empty() ? "failed" : message);
}

bool FailureHandedToParent() {
  return failure_handed;
}

}  // namespace chameleon::daemon
