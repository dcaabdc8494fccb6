// File-system locations: home directory, "~" expansion, the pg_chameleon directory layout.
#pragma once

#include <filesystem>
#include <string>

#include "common/status.h"

namespace chameleon {

// $HOME, or the passwd entry of the current user.
std::filesystem::path HomeDirectory();

// "~/x" -> "$HOME/x"; other paths unchanged.
std::filesystem::path ExpandUser(const std::string& path);

// ~/.pg_chameleon, the root pg_chameleon users know.
std::filesystem::path ChameleonHome();

// Creates `directory` (mode 0700) and its parents where missing; an existing one is kept as is.
Status EnsurePrivateDirectory(const std::filesystem::path& directory);

}  // namespace chameleon
