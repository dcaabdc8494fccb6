// File-system locations; see paths.h.
#include "common/paths.h"

#include <pwd.h>
#include <unistd.h>

#include <cstdlib>
#include <system_error>

namespace chameleon {

std::filesystem::path HomeDirectory() {
  // Read once at start-up paths, before any thread exists.
  const char* home = std::getenv("HOME");  // NOLINT(concurrency-mt-unsafe)
  if (home != nullptr && *home != '\0') {
    return home;
  }
  struct passwd entry {};
  struct passwd* found = nullptr;
  char buffer[4096];
  if (getpwuid_r(getuid(), &entry, buffer, sizeof(buffer), &found) == 0 && found != nullptr) {
    return found->pw_dir;
  }
  return "/";
}

std::filesystem::path ExpandUser(const std::string& path) {
  if (path == "~") return HomeDirectory();
  if (path.rfind("~/", 0) == 0) return HomeDirectory() / path.substr(2);
  return path;
}

std::filesystem::path ChameleonHome() {
  return HomeDirectory() / ".pg_chameleon";
}

Status EnsurePrivateDirectory(const std::filesystem::path& directory) {
  std::error_code error;
  // Only a directory we create gets mode 0700: an existing one (say /tmp) is left as it is.
  if (std::filesystem::is_directory(directory, error)) return Status::Ok();
  std::filesystem::create_directories(directory, error);
  if (error) {
    return Status::IoError("cannot create directory " + directory.string() + ": " +
                           error.message());
  }
  std::filesystem::permissions(directory, std::filesystem::perms::owner_all,
                               std::filesystem::perm_options::replace, error);
  if (error) {
    return Status::IoError("cannot set mode 0700 on " + directory.string() + ": " +
                           error.message());
  }
  return Status::Ok();
}

}  // namespace chameleon
