// The configuration of one chameleon run: pg_chameleon 2.0's YAML keys (same names, same
// meaning, pg_chameleon's defaults) plus chameleon's own keys, all documented in
// docs/configuration.md. Values here are validated and typed; see config_loader.h.
#pragma once

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/secret.h"

namespace chameleon::config {

enum class LogDestination { kFile, kStdout };
enum class LogLevel { kDebug, kInfo, kWarning, kError, kCritical };
enum class SourceType { kMysql, kPgsql };
enum class CopyMode { kFile, kDirect };
enum class OnError { kExit, kContinue };

const char* Name(LogDestination value);
const char* Name(LogLevel value);
const char* Name(SourceType value);
const char* Name(CopyMode value);
const char* Name(OnError value);

// `pg_conn`: the target PostgreSQL database that holds sch_chameleon and the replica.
struct PgConnection {
  std::string host = "localhost";
  int port = 5432;
  std::string user;
  Secret password;
  std::string database;
  std::string charset = "utf8";
  int connect_timeout_seconds = 10;
  std::string sslmode;  // ours; empty = libpq's default (prefer)
};

// `db_conn` of a source: a MySQL/MariaDB server, or a PostgreSQL one for `type: pgsql`.
struct SourceConnection {
  std::string host = "localhost";
  int port = 3306;
  std::string user;
  Secret password;
  std::string charset = "utf8";
  int connect_timeout_seconds = 10;
  std::string database;  // pgsql sources only
};

// `skip_events`: row events dropped at read time, by `db` or `db.table`.
struct SkipEvents {
  std::vector<std::string> insert;
  std::vector<std::string> update;
  std::vector<std::string> delete_;
};

// One entry of `type_override`: a MySQL column_type mapped to another PostgreSQL type.
struct TypeOverride {
  std::string mysql_column_type;  // exact information_schema column_type, e.g. "tinyint(1)"
  std::string override_to;
  std::vector<std::string> override_tables;  // "*" or "schema.table"
};

// One entry of `fillfactor`; later entries win for a table listed twice.
struct Fillfactor {
  int fillfactor = 100;
  std::vector<std::string> tables;
};

struct Source {
  std::string name;
  SourceType type = SourceType::kMysql;
  SourceConnection db_conn;
  std::vector<std::pair<std::string, std::string>> schema_mappings;  // origin -> destination
  std::vector<std::string> limit_tables;
  std::vector<std::string> skip_tables;
  std::vector<std::string> grant_select_to;
  std::string lock_timeout = "120s";
  uint32_t my_server_id = 100;
  int64_t replica_batch_size = 10000;
  int64_t replay_max_rows = 10000;
  // Events per spool batch, which the replayer applies in one PostgreSQL transaction: the
  // smaller of replica_batch_size and replay_max_rows (pg_chameleon's rows per replay
  // transaction); a batch still closes only at a source transaction's end.
  uint64_t SpoolBatchEvents() const {
    return static_cast<uint64_t>(std::min(replica_batch_size, replay_max_rows));
  }
  std::string batch_retention = "1 day";
  uint64_t copy_max_memory_bytes = 300ULL * 1024 * 1024;
  CopyMode copy_mode = CopyMode::kFile;
  std::filesystem::path out_dir = "/tmp";
  int sleep_loop_seconds = 1;
  OnError on_error_replay = OnError::kContinue;
  OnError on_error_read = OnError::kExit;
  std::string auto_maintenance = "disabled";  // a PostgreSQL interval, or "disabled"
  bool gtid_enable = false;
  SkipEvents skip_events;
  bool keep_existing_schema = false;
  int net_read_timeout_seconds = 600;
  // chameleon's own keys.
  std::filesystem::path spool_dir;  // the RocksDB spool of this source
  int copy_workers = 0;             // init_replica copy connections; 0 = number of cores
  // Tables with more rows are copied in primary-key ranges of about this many rows; 0: never.
  int64_t copy_split_rows = 1000000;
  // The date a MySQL zero date (0000-00-00) becomes in a NOT NULL column (NULL otherwise).
  std::string zero_date_sentinel = "1970-01-01";
  // This source's daemon's metrics port when set (0 = off for it); else Config::metrics_port.
  std::optional<int> metrics_port;
};

struct Config {
  std::string name;            // "default" for ~/.pg_chameleon/configuration/default.yml
  std::filesystem::path file;  // the file it was read from
  std::filesystem::path pid_dir;
  std::filesystem::path log_dir;
  LogDestination log_dest = LogDestination::kFile;
  LogLevel log_level = LogLevel::kInfo;
  int log_days_keep = 10;
  Secret rollbar_key;
  std::string rollbar_env;
  // Ours: notifications (docs/configuration.md, "Notifications").
  std::string rollbar_endpoint = "https://api.rollbar.com/api/1/item/";  // tests and proxies
  Secret alert_webhook_url;                         // may carry a token in its path
  LogLevel alert_webhook_level = LogLevel::kError;  // critical, error, warning or info
  std::vector<TypeOverride> type_override;
  std::vector<Fillfactor> fillfactor;
  PgConnection pg_conn;
  std::vector<Source> sources;
  std::filesystem::path spool_dir;  // ours: parent of every source's spool
  // Ours: the replica daemon's Prometheus endpoint (docs/metrics.md); 0 = disabled.
  int metrics_port = 0;
  std::string metrics_address = "127.0.0.1";  // an IPv4 or IPv6 literal

  const Source* FindSource(const std::string& source_name) const;
  // The port `source`'s replica daemon serves its metrics on; 0 = no endpoint.
  int MetricsPortFor(const Source& source) const;
  std::vector<std::string> SourceNames() const;
};

}  // namespace chameleon::config
