// Names of configuration enums (as written in the YAML file) and lookups.
#include "config/config.h"

namespace chameleon::config {

const char* Name(LogDestination value) {
  return value == LogDestination::kFile ? "file" : "stdout";
}

const char* Name(LogLevel value) {
  switch (value) {
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarning:
      return "warning";
    case LogLevel::kError:
      return "error";
    case LogLevel::kCritical:
      return "critical";
  }
  return "info";
}

const char* Name(SourceType value) {
  return value == SourceType::kMysql ? "mysql" : "pgsql";
}
const char* Name(CopyMode value) {
  return value == CopyMode::kFile ? "file" : "direct";
}
const char* Name(OnError value) {
  return value == OnError::kExit ? "exit" : "continue";
}

const Source* Config::FindSource(const std::string& source_name) const {
  for (const auto& source : sources) {
    if (source.name == source_name) return &source;
  }
  return nullptr;
}

int Config::MetricsPortFor(const Source& source) const {
  return source.metrics_port.value_or(metrics_port);
}

std::vector<std::string> Config::SourceNames() const {
  std::vector<std::string> names;
  names.reserve(sources.size());
  for (const auto& source : sources)
    names.push_back(source.name);
  return names;
}

}  // namespace chameleon::config
