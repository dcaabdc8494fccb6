// Sources in the catalogue (sch_chameleon.t_sources and their per-source rows):
// register, find, list, drop, and move through the status machine.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"
#include "pg/connection.h"

namespace chameleon::catalogue {

// pg_chameleon's en_src_status values.
inline constexpr const char* kStatusReady = "ready";
inline constexpr const char* kStatusStopped = "stopped";
inline constexpr const char* kStatusRunning = "running";
inline constexpr const char* kStatusError = "error";

struct SourceRecord {
  int64_t id = 0;
  std::string name;
  std::string type;    // mysql | pgsql
  std::string status;  // en_src_status
  std::string status_reason;
  std::vector<std::pair<std::string, std::string>> schema_mappings;  // origin -> destination
  bool consistent = true;
  bool paused = false;
  bool maintenance = false;
  std::optional<int> pid;
  std::string pid_host;
};

using SchemaMappings = std::vector<std::pair<std::string, std::string>>;

Result<std::optional<SourceRecord>> FindSource(pg::Connection& connection, const std::string& name);
Result<std::vector<SourceRecord>> ListSources(pg::Connection& connection);

// Registers a source with status ready. Fails with AlreadyExists when the name is taken and
// with FailedPrecondition when a destination schema belongs to another source.
Status AddSource(pg::Connection& connection, const std::string& name, const std::string& type,
                 const SchemaMappings& mappings);

// Deletes the source and, by cascade, its batches, tables, errors and timestamps.
Status DropSource(pg::Connection& connection, const std::string& name);

// Sets the status (and its reason, "" to clear it) for a command that holds the source's pid
// file: a replica daemon's pid and host left by a kill are cleared (no daemon runs now).
Status SetSourceStatus(pg::Connection& connection, const std::string& name,
                       const std::string& status, const std::string& reason);

// enable_replica: back to stopped, with maintenance and pause flags cleared (pg_chameleon
// forgets b_paused; we do not) and the daemon fields emptied. Works on every catalogue
// version of ours (`catalogue_version`), so a source can be reset before an upgrade.
Status EnableSource(pg::Connection& connection, const std::string& name, int catalogue_version);

// The mappings as stored JSON (jsonb object) and back.
std::string MappingsToJson(const SchemaMappings& mappings);

}  // namespace chameleon::catalogue
