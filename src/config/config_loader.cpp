// Loads pg_chameleon-compatible YAML into config::Config; see config_loader.h and
// docs/configuration.md for every key, its default and what is ours.
#include "config/config_loader.h"

#include <arpa/inet.h>
#include <fmt/format.h>

#include <charconv>
#include <fstream>
#include <limits>
#include <map>
#include <thread>

#include "common/paths.h"
#include "common/strings.h"
#include "config/yaml_reader.h"

namespace chameleon::config {
namespace {

constexpr int64_t kMaxInt = std::numeric_limits<int32_t>::max();

LogLevel ParseLogLevel(const std::string& text) {
  if (text == "debug") return LogLevel::kDebug;
  if (text == "warning") return LogLevel::kWarning;
  if (text == "error") return LogLevel::kError;
  if (text == "critical") return LogLevel::kCritical;
  return LogLevel::kInfo;
}

OnError ParseOnError(const std::string& text) {
  return text == "exit" ? OnError::kExit : OnError::kContinue;
}

PgConnection ReadPgConnection(MapReader& reader) {
  PgConnection conn;
  conn.host = reader.String("host", conn.host);
  conn.port = static_cast<int>(reader.Integer("port", conn.port, 1, 65535));
  if (auto user = reader.RequiredString("user")) conn.user = *user;
  conn.password = Secret(reader.String("password", ""));
  if (auto database = reader.RequiredString("database")) conn.database = *database;
  conn.charset = reader.String("charset", conn.charset);
  conn.connect_timeout_seconds =
      static_cast<int>(reader.Integer("connect_timeout", conn.connect_timeout_seconds, 0, 3600));
  conn.sslmode = reader.Choice(
      "sslmode", "", {"disable", "allow", "prefer", "require", "verify-ca", "verify-full"});
  reader.WarnUnknownKeys();
  return conn;
}

// pg_chameleon's own config-example.yml indents the keys of its pgsql source under db_conn.
// pg_chameleon never reads them there; we read them at the source level and say so.
const std::vector<std::string>& SourceLevelKeys() {
  static const std::vector<std::string> keys = {"schema_mappings",    "limit_tables",
                                                "skip_tables",        "grant_select_to",
                                                "lock_timeout",       "my_server_id",
                                                "replica_batch_size", "replay_max_rows",
                                                "batch_retention",    "copy_max_memory",
                                                "copy_mode",          "out_dir",
                                                "sleep_loop",         "on_error_replay",
                                                "on_error_read",      "auto_maintenance",
                                                "gtid_enable",        "type",
                                                "skip_events",        "keep_existing_schema",
                                                "net_read_timeout",   "spool_dir",
                                                "copy_workers",       "zero_date_sentinel",
                                                "copy_split_rows",    "metrics_port"};
  return keys;
}

YAML::Node LiftMisplacedSourceKeys(const YAML::Node& source_node, const std::string& source_path,
                                   Diagnostics& diagnostics) {
  const YAML::Node db_conn = source_node["db_conn"];
  if (!db_conn.IsMap()) return source_node;
  bool any_misplaced = false;
  for (const auto& key : SourceLevelKeys())
    any_misplaced = any_misplaced || db_conn[key].IsDefined();
  if (!any_misplaced) return source_node;  // keep the original node: it carries line numbers
  YAML::Node lifted = YAML::Clone(source_node);
  YAML::Node lifted_conn = lifted["db_conn"];
  for (const auto& key : SourceLevelKeys()) {
    YAML::Node misplaced = db_conn[key];
    if (!misplaced.IsDefined()) continue;
    if (source_node[key].IsDefined()) continue;  // the source-level value wins
    lifted[key] = YAML::Clone(misplaced);
    lifted_conn.remove(key);
    diagnostics.Warning(misplaced.Mark(), source_path + ".db_conn." + key,
                        "source key indented under db_conn (as in pg_chameleon's example file); "
                        "read as " +
                            source_path + "." + key);
  }
  return lifted;
}

SourceConnection ReadSourceConnection(MapReader& reader, SourceType type) {
  SourceConnection conn;
  if (type == SourceType::kPgsql) conn.port = 5432;
  conn.host = reader.String("host", conn.host);
  conn.port = static_cast<int>(reader.Integer("port", conn.port, 1, 65535));
  if (auto user = reader.RequiredString("user")) conn.user = *user;
  conn.password = Secret(reader.String("password", ""));
  conn.charset = reader.String("charset", conn.charset);
  conn.connect_timeout_seconds =
      static_cast<int>(reader.Integer("connect_timeout", conn.connect_timeout_seconds, 0, 3600));
  if (type == SourceType::kPgsql) {
    if (auto database = reader.RequiredString("database")) conn.database = *database;
  } else {
    conn.database = reader.String("database", "");
  }
  reader.WarnUnknownKeys();
  return conn;
}

std::vector<std::pair<std::string, std::string>> ReadSchemaMappings(MapReader& source) {
  std::vector<std::pair<std::string, std::string>> mappings;
  auto map = source.Map("schema_mappings");
  if (!map) {
    if (!source.Has("schema_mappings")) {
      source.Missing("schema_mappings", "a mapping of origin schema to destination schema");
    }
    return mappings;
  }
  for (const auto& origin : map->Keys()) {
    auto destination = map->RequiredString(origin);
    if (destination) mappings.emplace_back(origin, *destination);
  }
  if (mappings.empty() && map->diagnostics().errors().empty()) {
    source.Invalid("schema_mappings", "schema mapping cannot be empty: map at least one schema");
  }
  // Two origins into one destination would mix their tables in one PostgreSQL schema.
  for (size_t first = 0; first < mappings.size(); ++first) {
    for (size_t second = first + 1; second < mappings.size(); ++second) {
      if (mappings[first].second == mappings[second].second) {
        source.Invalid(
            "schema_mappings",
            fmt::format("origins '{}' and '{}' both map to destination schema '{}'",
                        mappings[first].first, mappings[second].first, mappings[first].second));
      }
    }
  }
  return mappings;
}

SkipEvents ReadSkipEvents(MapReader& source) {
  SkipEvents skip;
  auto map = source.Map("skip_events");
  if (!map) return skip;
  skip.insert = map->StringList("insert");
  skip.update = map->StringList("update");
  skip.delete_ = map->StringList("delete");
  map->WarnUnknownKeys();
  return skip;
}

Source ReadSource(const std::string& name, const YAML::Node& node, const Config& config,
                  Diagnostics& diagnostics) {
  const std::string path = "sources." + name;
  MapReader reader(LiftMisplacedSourceKeys(node, path, diagnostics), path, diagnostics);
  Source source;
  source.name = name;
  if (!reader.Has("type")) reader.Missing("type", "mysql or pgsql");
  source.type = reader.Choice("type", "mysql", {"mysql", "pgsql"}) == "pgsql" ? SourceType::kPgsql
                                                                              : SourceType::kMysql;
  if (auto conn = reader.Map("db_conn")) {
    source.db_conn = ReadSourceConnection(*conn, source.type);
  } else if (!reader.Has("db_conn")) {
    reader.Missing("db_conn", "the connection to the source database (host, port, user, ...)");
  }
  source.schema_mappings = ReadSchemaMappings(reader);
  source.limit_tables = reader.StringList("limit_tables");
  source.skip_tables = reader.StringList("skip_tables");
  source.grant_select_to = reader.StringList("grant_select_to");
  source.lock_timeout = reader.String("lock_timeout", source.lock_timeout);
  source.my_server_id = static_cast<uint32_t>(
      reader.Integer("my_server_id", source.my_server_id, 1, std::numeric_limits<uint32_t>::max()));
  source.replica_batch_size =
      reader.Integer("replica_batch_size", source.replica_batch_size, 1, kMaxInt);
  source.replay_max_rows = reader.Integer("replay_max_rows", source.replay_max_rows, 1, kMaxInt);
  source.batch_retention = reader.String("batch_retention", source.batch_retention);
  if (reader.Has("copy_max_memory")) {
    YAML::Node node_value = reader.Raw("copy_max_memory");
    auto bytes = node_value.IsScalar() ? ParseByteSize(node_value.Scalar())
                                       : Result<uint64_t>(Status::InvalidArgument("not a size"));
    if (bytes.ok()) {
      source.copy_max_memory_bytes = *bytes;
    } else {
      reader.Invalid("copy_max_memory",
                     "expected a size in bytes or with a k, M or G suffix "
                     "(e.g. 300M), got " +
                         ScalarText(node_value));
    }
  }
  source.copy_mode = reader.Choice("copy_mode", "file", {"file", "direct"}) == "direct"
                         ? CopyMode::kDirect
                         : CopyMode::kFile;
  source.out_dir = ExpandUser(reader.String("out_dir", source.out_dir.string()));
  source.sleep_loop_seconds =
      static_cast<int>(reader.Integer("sleep_loop", source.sleep_loop_seconds, 1, 3600));
  source.on_error_replay =
      ParseOnError(reader.Choice("on_error_replay", "continue", {"exit", "continue"}));
  source.on_error_read = ParseOnError(reader.Choice("on_error_read", "exit", {"exit", "continue"}));
  source.auto_maintenance = reader.String("auto_maintenance", source.auto_maintenance);
  source.gtid_enable = reader.Boolean("gtid_enable", source.gtid_enable);
  source.skip_events = ReadSkipEvents(reader);
  source.keep_existing_schema = reader.Boolean("keep_existing_schema", false);
  // pg_chameleon falls back to 600 when the value is not an integer; we say it is wrong.
  source.net_read_timeout_seconds =
      static_cast<int>(reader.Integer("net_read_timeout", 600, 1, int64_t{86400} * 7));
  std::string spool = reader.String("spool_dir", "");
  source.spool_dir = spool.empty() ? config.spool_dir / name : ExpandUser(spool);
  int cores = static_cast<int>(std::max(1U, std::thread::hardware_concurrency()));
  source.copy_workers = static_cast<int>(reader.Integer("copy_workers", 0, 0, 256));
  if (source.copy_workers == 0) source.copy_workers = cores;
  source.copy_split_rows = reader.Integer("copy_split_rows", source.copy_split_rows, 0,
                                          std::numeric_limits<int64_t>::max());
  source.zero_date_sentinel = reader.String("zero_date_sentinel", source.zero_date_sentinel);
  if (reader.Has("metrics_port")) {
    source.metrics_port = static_cast<int>(reader.Integer("metrics_port", 0, 0, 65535));
  }
  reader.WarnUnknownKeys();
  return source;
}

std::vector<TypeOverride> ReadTypeOverride(MapReader& root) {
  std::vector<TypeOverride> overrides;
  auto map = root.Map("type_override");
  if (!map) return overrides;
  for (const auto& column_type : map->Keys()) {
    auto entry = map->Map(column_type);
    if (!entry) {
      map->Invalid(column_type, "expected override_to and override_tables");
      continue;
    }
    TypeOverride item;
    item.mysql_column_type = column_type;
    if (auto target = entry->RequiredString("override_to")) item.override_to = *target;
    item.override_tables = entry->StringList("override_tables");
    if (item.override_tables.empty()) {
      entry->Invalid("override_tables", "list \"*\" or the schema.table names it applies to");
    }
    entry->WarnUnknownKeys();
    overrides.push_back(std::move(item));
  }
  return overrides;
}

std::vector<Fillfactor> ReadFillfactor(MapReader& root) {
  std::vector<Fillfactor> fillfactors;
  auto map = root.Map("fillfactor");
  if (!map) return fillfactors;
  for (const auto& level : map->Keys()) {
    Fillfactor item;
    int parsed = 0;
    auto [end, error] = std::from_chars(level.data(), level.data() + level.size(), parsed);
    if (error != std::errc() || end != level.data() + level.size() || parsed < 10 || parsed > 100) {
      map->Invalid(level, "expected a fillfactor from 10 to 100 as the key, got '" + level + "'");
      continue;
    }
    item.fillfactor = parsed;
    auto entry = map->Map(level);
    if (!entry) {
      map->Invalid(level, "expected 'tables:' with a list of schema.table names");
      continue;
    }
    item.tables = entry->StringList("tables");
    entry->WarnUnknownKeys();
    fillfactors.push_back(std::move(item));
  }
  return fillfactors;
}

// An http:// or https:// URL, or empty.
std::string ReadUrl(MapReader& root, const std::string& key, const std::string& fallback) {
  std::string url = root.String(key, fallback);
  if (!url.empty() && !url.starts_with("http://") && !url.starts_with("https://")) {
    root.Invalid(key, "expected an http:// or https:// URL");
    return fallback;
  }
  return url;
}

void ReadNotifications(MapReader& root, Config& config) {
  config.rollbar_key = Secret(root.String("rollbar_key", ""));
  config.rollbar_env = root.String("rollbar_env", "");
  if (config.rollbar_key.empty() != config.rollbar_env.empty()) {
    // pg_chameleon silently sends nothing then; its files must still load, so a warning.
    root.diagnostics().Warning(root.mark(),
                               config.rollbar_key.empty() ? "rollbar_env" : "rollbar_key",
                               "Rollbar needs both rollbar_key and rollbar_env: no Rollbar "
                               "notifications until the other one is set");
  }
  config.rollbar_endpoint = ReadUrl(root, "rollbar_endpoint", config.rollbar_endpoint);
  if (config.rollbar_endpoint.empty()) root.Invalid("rollbar_endpoint", "expected a URL");
  config.alert_webhook_url = Secret(ReadUrl(root, "alert_webhook_url", ""));
  config.alert_webhook_level = ParseLogLevel(
      root.Choice("alert_webhook_level", "error", {"critical", "error", "warning", "info"}));
}

bool IsIpAddress(const std::string& text) {
  in6_addr address{};
  return inet_pton(AF_INET, text.c_str(), &address) == 1 ||
         inet_pton(AF_INET6, text.c_str(), &address) == 1;
}

// Each replica daemon is its own process: two sources on one port cannot both serve.
void WarnSharedMetricsPorts(const Config& config, MapReader& root) {
  std::map<int, std::vector<std::string>> sources_by_port;
  for (const auto& source : config.sources) {
    int port = config.MetricsPortFor(source);
    if (port != 0) sources_by_port[port].push_back(source.name);
  }
  for (const auto& [port, names] : sources_by_port) {
    if (names.size() < 2) continue;
    YAML::Node global = root.Raw("metrics_port");
    root.diagnostics().Warning(
        global.IsDefined() ? global.Mark() : root.mark(), "metrics_port",
        fmt::format("sources {} all use metrics port {}: only the first replica started can "
                    "serve it; set metrics_port under each source",
                    Join(names, ", "), port));
  }
}

Config ReadConfig(const YAML::Node& document, Diagnostics& diagnostics) {
  Config config;
  MapReader root(document, "", diagnostics);
  config.pid_dir = ExpandUser(root.String("pid_dir", "~/.pg_chameleon/pid/"));
  config.log_dir = ExpandUser(root.String("log_dir", "~/.pg_chameleon/logs/"));
  config.log_dest = root.Choice("log_dest", "file", {"file", "stdout"}) == "stdout"
                        ? LogDestination::kStdout
                        : LogDestination::kFile;
  config.log_level = ParseLogLevel(
      root.Choice("log_level", "info", {"debug", "info", "warning", "error", "critical"}));
  config.log_days_keep = static_cast<int>(root.Integer("log_days_keep", 10, 0, 36500));
  ReadNotifications(root, config);
  config.spool_dir = ExpandUser(root.String("spool_dir", "~/.pg_chameleon/spool/"));
  config.metrics_port = static_cast<int>(root.Integer("metrics_port", 0, 0, 65535));
  config.metrics_address = root.String("metrics_address", config.metrics_address);
  if (!IsIpAddress(config.metrics_address)) {
    root.Invalid("metrics_address",
                 "expected an IPv4 or IPv6 address (e.g. 127.0.0.1, or "
                 "0.0.0.0 for every interface), got '" +
                     config.metrics_address + "'");
  }
  config.type_override = ReadTypeOverride(root);
  config.fillfactor = ReadFillfactor(root);
  if (auto pg_conn = root.Map("pg_conn")) {
    config.pg_conn = ReadPgConnection(*pg_conn);
  } else if (!root.Has("pg_conn")) {
    root.Missing("pg_conn", "the connection to the target PostgreSQL database");
  }
  if (auto sources = root.Map("sources")) {
    for (const auto& name : sources->Keys()) {
      YAML::Node node = sources->Raw(name);
      if (!node.IsMap()) {
        sources->Invalid(name, "expected the settings of source '" + name + "'");
        continue;
      }
      config.sources.push_back(ReadSource(name, node, config, diagnostics));
    }
  }
  WarnSharedMetricsPorts(config, root);
  root.WarnUnknownKeys();
  return config;
}

// True when "others" may read `file`: the file is o+r and every directory above it is o+x.
bool WorldReadable(const std::filesystem::path& file) {
  using std::filesystem::perms;
  std::error_code error;
  std::filesystem::path path = std::filesystem::absolute(file, error);
  if (error) return false;
  auto mode = std::filesystem::status(path, error).permissions();
  if (error || (mode & perms::others_read) == perms::none) return false;
  for (path = path.parent_path(); !path.empty(); path = path.parent_path()) {
    mode = std::filesystem::status(path, error).permissions();
    if (error || (mode & perms::others_exec) == perms::none) return false;
    if (path == path.root_path()) break;
  }
  return true;
}

}  // namespace

std::filesystem::path ConfigurationDirectory() {
  return ChameleonHome() / "configuration";
}

namespace {
bool IsConfigPath(const std::string& name) {
  return name.find('/') != std::string::npos || name.ends_with(".yml") || name.ends_with(".yaml");
}
}  // namespace

std::filesystem::path ResolveConfigPath(const std::string& name) {
  if (IsConfigPath(name)) return ExpandUser(name);
  return ConfigurationDirectory() / (name + ".yml");
}

std::string ConfigName(const std::string& name) {
  if (!IsConfigPath(name)) return name;
  return std::filesystem::path(name).stem().string();
}

Result<uint64_t> ParseByteSize(const std::string& text) {
  std::string trimmed = Trim(text);
  if (trimmed.empty()) return Status::InvalidArgument("empty size");
  uint64_t multiplier = 1;
  switch (trimmed.back()) {
    case 'k':
    case 'K':
      multiplier = 1024ULL;
      break;
    case 'M':
    case 'm':
      multiplier = 1024ULL * 1024;
      break;
    case 'G':
    case 'g':
      multiplier = 1024ULL * 1024 * 1024;
      break;
    default:
      break;
  }
  if (multiplier != 1) trimmed.pop_back();
  uint64_t number = 0;
  auto [end, error] = std::from_chars(trimmed.data(), trimmed.data() + trimmed.size(), number);
  if (error != std::errc() || end != trimmed.data() + trimmed.size()) {
    return Status::InvalidArgument("'" + text + "' is not a size");
  }
  if (number > std::numeric_limits<uint64_t>::max() / multiplier) {
    return Status::InvalidArgument("'" + text + "' is too large");
  }
  return number * multiplier;
}

Result<LoadedConfig> LoadConfigFile(const std::filesystem::path& file, const std::string& name) {
  std::error_code exists_error;
  if (!std::filesystem::exists(file, exists_error)) {
    return Status::NotFound("configuration file " + file.string() +
                            " is missing; create it with `chameleon set_configuration_files` "
                            "and edit a copy of config-example.yml");
  }
  std::ifstream stream(file);
  if (!stream) return Status::IoError("cannot read configuration file " + file.string());
  YAML::Node document;
  try {
    document = YAML::Load(stream);
  } catch (const YAML::Exception& error) {
    return Status::InvalidArgument(
        fmt::format("{}:{}: YAML syntax error: {}", file.string(), error.mark.line + 1, error.msg));
  }
  if (!document.IsMap()) {
    return Status::InvalidArgument(file.string() +
                                   ": expected a mapping of configuration keys "
                                   "(pid_dir, pg_conn, sources, ...)");
  }
  Diagnostics diagnostics(file.string());
  LoadedConfig loaded;
  loaded.config = ReadConfig(document, diagnostics);
  loaded.config.name = name;
  loaded.config.file = file;
  if (!diagnostics.errors().empty()) {
    return Status::InvalidArgument(Join(diagnostics.errors(), "\n"));
  }
  loaded.warnings = diagnostics.warnings();
  // The file holds passwords: say so when any local user can read it (pg_chameleon keeps
  // ~/.pg_chameleon at mode 0700 for the same reason).
  if (WorldReadable(file)) {
    loaded.warnings.push_back(
        file.string() + ": any local user can read it and it holds passwords; run chmod 600 " +
        file.string());
  }
  return loaded;
}

Result<LoadedConfig> LoadConfig(const std::string& name) {
  return LoadConfigFile(ResolveConfigPath(name), ConfigName(name));
}

}  // namespace chameleon::config
