// Daemon; see crash_daemon.h.
#include "crash/crash_daemon.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <stdexcept>
#include <thread>
#include <vector>

extern char** environ;

namespace chameleon::crash_test {

Daemon::Daemon(const std::string& binary, const std::filesystem::path& home,
               const std::string& kill_point, const std::filesystem::path& log) {
  // Everything the child needs is prepared before fork: the test is multi-threaded.
  std::vector<std::string> args = {binary, "start_replica", "--source", "mysql", "--debug"};
  std::vector<std::string> environment;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    std::string text = *entry;
    if (text.rfind("HOME=", 0) == 0 || text.rfind("CHAMELEON_KILL_POINT=", 0) == 0) continue;
    environment.push_back(std::move(text));
  }
  environment.push_back("HOME=" + home.string());
  if (!kill_point.empty()) environment.push_back("CHAMELEON_KILL_POINT=" + kill_point);
  std::vector<char*> argv;
  argv.reserve(args.size() + 1);
  for (auto& arg : args)
    argv.push_back(arg.data());
  argv.push_back(nullptr);
  std::vector<char*> envp;
  envp.reserve(environment.size() + 1);
  for (auto& entry : environment)
    envp.push_back(entry.data());
  envp.push_back(nullptr);
  std::string log_path = log.string();

  pid_ = fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    int out = open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
    int in = open("/dev/null", O_RDONLY);
    if (out < 0 || in < 0) _exit(127);
    dup2(in, 0);
    dup2(out, 1);
    dup2(out, 2);
    execve(argv[0], argv.data(), envp.data());
    _exit(127);
  }
}

Daemon::~Daemon() {
  if (!status_) Kill();
}

std::optional<int> Daemon::Wait(std::chrono::milliseconds timeout) {
  if (status_) return status_;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    int status = 0;
    pid_t done = waitpid(pid_, &status, WNOHANG);
    if (done == pid_) {
      status_ = status;
      return status_;
    }
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

int Daemon::Kill() {
  if (status_) return *status_;
  kill(pid_, SIGKILL);
  int status = 0;
  waitpid(pid_, &status, 0);
  status_ = status;
  return status;
}

int Daemon::Terminate(std::chrono::milliseconds timeout) {
  if (status_) return *status_;
  kill(pid_, SIGTERM);
  if (auto status = Wait(timeout)) return *status;
  return Kill();
}

std::string DescribeWaitStatus(int status) {
  if (WIFEXITED(status)) return "exit " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return "killed by signal " + std::to_string(WTERMSIG(status));
  return "status " + std::to_string(status);
}

}  // namespace chameleon::crash_test
