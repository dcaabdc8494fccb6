// Reading a configuration file: name resolution as pg_chameleon does it, YAML parsing,
// validation with one line per problem, and warnings for keys we do not know.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "common/status.h"
#include "config/config.h"

namespace chameleon::config {

// ~/.pg_chameleon/configuration
std::filesystem::path ConfigurationDirectory();

// `--config NAME`: NAME as a path when it names a file (contains '/' or ends in .yml/.yaml),
// otherwise ~/.pg_chameleon/configuration/NAME.yml, as pg_chameleon.
std::filesystem::path ResolveConfigPath(const std::string& name);
// The configuration's name in log file names (<name>_<source>_<date>.log in log_dir): `NAME`
// itself, or a path's file name without its extension (/etc/chameleon/prod.yml -> prod).
std::string ConfigName(const std::string& name);

struct LoadedConfig {
  Config config;
  std::vector<std::string> warnings;  // one line each: unknown keys, lifted keys
};

// Loads and validates `file`. On failure the Status message holds one line per problem.
Result<LoadedConfig> LoadConfigFile(const std::filesystem::path& file, const std::string& name);

// Loads the configuration named by `--config`.
Result<LoadedConfig> LoadConfig(const std::string& name);

// "300M", "64k", "1G" or a plain number of bytes (pg_chameleon's copy_max_memory).
Result<uint64_t> ParseByteSize(const std::string& text);

}  // namespace chameleon::config
