// RunChameleon; see cli_runner.h.
#include "support/cli_runner.h"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace chameleon::test_support {
namespace {

std::string ReadFile(const std::filesystem::path& file) {
  std::ifstream stream(file, std::ios::binary);
  std::ostringstream contents;
  contents << stream.rdbuf();
  return contents.str();
}

}  // namespace

CliResult RunChameleon(const std::filesystem::path& home, const std::vector<std::string>& args,
                       const std::string& input) {
  const char* binary = std::getenv("CHAMELEON_BINARY");  // NOLINT(concurrency-mt-unsafe)
  if (binary == nullptr) throw std::runtime_error("CHAMELEON_BINARY is not set (run via ctest)");
  std::filesystem::path io = home / ".test-io";
  std::filesystem::create_directories(io);
  {
    std::ofstream stdin_file(io / "stdin", std::ios::binary | std::ios::trunc);
    stdin_file << input;
  }
  std::vector<std::string> argv_storage = {binary};
  argv_storage.insert(argv_storage.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& arg : argv_storage)
    argv.push_back(arg.data());
  argv.push_back(nullptr);
  std::string home_env = "HOME=" + home.string();

  pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    int in = open((io / "stdin").c_str(), O_RDONLY);
    int out = open((io / "stdout").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    int err = open((io / "stderr").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (in < 0 || out < 0 || err < 0) _exit(127);
    dup2(in, 0);
    dup2(out, 1);
    dup2(err, 2);
    putenv(home_env.data());  // NOLINT(concurrency-mt-unsafe): the child is single-threaded
    execv(binary, argv.data());
    _exit(127);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  CliResult result;
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  result.out = ReadFile(io / "stdout");
  result.err = ReadFile(io / "stderr");
  return result;
}

}  // namespace chameleon::test_support
