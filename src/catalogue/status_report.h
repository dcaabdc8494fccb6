// What show_status and show_errors read: one query each over the catalogue, nothing from
// the spool or the daemons (the catalogue is the truth; daemons keep it current).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "catalogue/progress.h"
#include "common/status.h"
#include "pg/connection.h"

namespace chameleon::catalogue {

// A running daemon beats at least this often; a silent one is reported dead.
inline constexpr int kHeartbeatTimeoutSeconds = 60;

struct SourceStatus {
  int64_t id = 0;
  std::string name;
  std::string type;
  std::string status;        // as stored in t_sources
  std::string shown_status;  // what the user sees: "dead" when the process is gone
  std::string status_reason;
  bool daemon_registered = false;               // t_sources.i_pid is set
  std::optional<double> heartbeat_age_seconds;  // since t_sources.ts_heartbeat
  bool consistent = true;
  // Lags (progress.h ComputeLags): nullopt when unknown (the daemon never reported).
  std::optional<double> read_lag_seconds;
  std::string last_read;  // UTC timestamps as text, "" when never: last event read (source time)
  std::optional<double> replay_lag_seconds;
  std::string last_replay;       // last event applied (source time)
  std::string last_replayed_at;  // when it was applied
  // The daemon's last progress report (t_last_received); nullopt / "" when it never reported.
  std::string last_received;  // last event or heartbeat received from the source
  std::string caught_up_at;   // the source last said it had nothing more to send
  std::string read_position;  // the reader's resume position, "binlog:position"
  std::optional<uint64_t> batches_waiting;
  std::optional<uint64_t> spool_bytes;
  std::optional<uint64_t> events_read;  // since the daemon started
  std::string figures_as_of;            // when the daemon reported them
  // The daemon is not running (stopped, error, dead) or silent: the lag, spool and received
  // figures are as of its last report, not live.
  bool figures_stale = false;
};

struct DisabledTable {
  std::string schema;
  std::string table;
  std::string reason;
};

// The extra sections of `show_status --source S`.
struct SourceDetail {
  std::vector<std::pair<std::string, std::string>> schema_mappings;
  int64_t tables_replicated = 0;
  int64_t tables_not_replicated = 0;
  int64_t tables_all = 0;
  std::string last_maintenance;  // "" when never
  std::string next_maintenance;  // "N/A" when auto_maintenance is disabled
  int64_t replayed_rows = 0;
  int64_t replayed_ddl = 0;
  int64_t skipped_rows = 0;
  std::vector<DisabledTable> disabled_tables;
};

struct ErrorEntry {
  int64_t id = 0;
  std::string source;
  std::optional<int64_t> batch_id;
  std::string table;
  std::string schema;
  std::string timestamp;
  std::string sql;
  std::string message;
  std::string binlog_name;
  std::optional<int64_t> binlog_position;
};

// Whether the process working for `source` on this host is alive (its pid file is locked);
// nullopt when that cannot be told from here.
using LocalProcessProbe = std::function<std::optional<bool>(const std::string& source)>;

// The status to show for a source whose catalogue status is `stored`: "dead" when it claims a
// process works for it (running, initialising, syncing) but that process is gone — a
// registered daemon silent for over kHeartbeatTimeoutSeconds, or, for a process that does
// not beat (init_replica), no live holder of its pid file. Pure.
std::string ShownStatus(const std::string& stored, bool daemon_registered,
                        const std::optional<double>& heartbeat_age_seconds,
                        const std::optional<bool>& local_process_alive);

// Whether a daemon's progress report, `report_age_seconds` old, shows live figures: its
// source is shown running and the report is not older than a silent daemon's heartbeat.
// Otherwise the figures are as of that report (stale). Pure.
bool FiguresLive(const std::string& shown_status, double report_age_seconds);

// All sources, or the one named; `probe` (may be empty) checks local pid files.
Result<std::vector<SourceStatus>> QuerySourceStatus(pg::Connection& connection,
                                                    const std::optional<std::string>& source,
                                                    const LocalProcessProbe& probe);

// `auto_maintenance` is the source's interval text or "disabled".
Result<SourceDetail> QuerySourceDetail(pg::Connection& connection, int64_t source_id,
                                       const std::string& auto_maintenance);

// Errors, newest last; filtered by source and/or log id when given.
Result<std::vector<ErrorEntry>> QueryErrors(pg::Connection& connection,
                                            const std::optional<std::string>& source,
                                            const std::optional<int64_t>& log_id);

// "1 day 02:03:04"-style text for a lag in seconds; "N/A" when unknown.
std::string FormatLag(const std::optional<double>& seconds);

// "12.3 MiB"-style text for a size; "N/A" when unknown.
std::string FormatBytes(const std::optional<uint64_t>& bytes);

}  // namespace chameleon::catalogue
