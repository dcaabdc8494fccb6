// Runs the chameleon binary as a user would: a separate process, its own HOME, optional
// standard input; captures exit status, stdout and stderr.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace chameleon::test_support {

struct CliResult {
  int exit_code = -1;
  std::string out;
  std::string err;
  std::string all() const { return out + err; }
};

// `home` becomes $HOME (so ~/.pg_chameleon is private to the test).
CliResult RunChameleon(const std::filesystem::path& home, const std::vector<std::string>& args,
                       const std::string& input = "");

}  // namespace chameleon::test_support
