// Catalogue queries behind show_status and show_errors; see status_report.h.
#include "catalogue/status_report.h"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <ctime>
#include <iterator>
#include <nlohmann/json.hpp>

namespace chameleon::catalogue {
namespace {

std::optional<double> OptionalDouble(const pg::Rows& rows, int row, int column) {
  if (rows.IsNull(row, column)) return std::nullopt;
  return std::strtod(std::string(rows.Text(row, column)).c_str(), nullptr);
}

std::optional<uint64_t> OptionalCount(const pg::Rows& rows, int row, int column) {
  if (rows.IsNull(row, column)) return std::nullopt;
  return static_cast<uint64_t>(std::max<int64_t>(0, rows.Integer(row, column)));
}

// UTC, as pg_chameleon prints its timestamps; "" when never.
std::string FormatTime(const std::optional<double>& epoch_seconds) {
  if (!epoch_seconds) return "";
  auto seconds = static_cast<std::time_t>(std::floor(*epoch_seconds));
  return fmt::format("{:%Y-%m-%d %H:%M:%S}", fmt::gmtime(seconds));
}

}  // namespace

std::string FormatLag(const std::optional<double>& seconds) {
  if (!seconds) return "N/A";
  auto total = static_cast<int64_t>(std::llround(std::max(0.0, *seconds)));
  int64_t days = total / 86400;
  std::string clock =
      fmt::format("{:02}:{:02}:{:02}", (total % 86400) / 3600, (total % 3600) / 60, total % 60);
  if (days == 0) return clock;
  return fmt::format("{} day{} {}", days, days == 1 ? "" : "s", clock);
}

std::string FormatBytes(const std::optional<uint64_t>& bytes) {
  if (!bytes) return "N/A";
  if (*bytes < 1024) return fmt::format("{} B", *bytes);
  static constexpr const char* kUnits[] = {"KiB", "MiB", "GiB", "TiB"};
  double value = static_cast<double>(*bytes);
  size_t unit = 0;
  for (value /= 1024; value >= 1024 && unit + 1 < std::size(kUnits); value /= 1024)
    ++unit;
  return fmt::format("{:.1f} {}", value, kUnits[unit]);
}

bool FiguresLive(const std::string& shown_status, double report_age_seconds) {
  return shown_status == "running" && report_age_seconds <= kHeartbeatTimeoutSeconds;
}

std::string ShownStatus(const std::string& stored, bool daemon_registered,
                        const std::optional<double>& heartbeat_age_seconds,
                        const std::optional<bool>& local_process_alive) {
  if (stored != "running" && stored != "initialising" && stored != "syncing") return stored;
  if (daemon_registered) {
    bool silent = !heartbeat_age_seconds || *heartbeat_age_seconds > kHeartbeatTimeoutSeconds;
    return silent ? "dead" : stored;
  }
  if (local_process_alive && !*local_process_alive) return "dead";
  return stored;
}

Result<std::vector<SourceStatus>> QuerySourceStatus(pg::Connection& connection,
                                                    const std::optional<std::string>& source,
                                                    const LocalProcessProbe& probe) {
  // pg_chameleon shows a killed daemon as running forever (its issue #119); we do not.
  // Timestamps come as seconds since the epoch (ts_last_received and ts_last_replayed are
  // UTC without time zone, as pg_chameleon's).
  ASSIGN_OR_RETURN(
      pg::Rows rows,
      connection.Query(
          "SELECT s.i_id_source, s.t_source, s.enm_source_type::text, s.enm_status::text, "
          " s.i_pid IS NOT NULL, extract(epoch FROM clock_timestamp() - s.ts_heartbeat), "
          " coalesce(s.t_status_reason, ''), s.b_consistent, "
          " extract(epoch FROM clock_timestamp()), extract(epoch FROM r.ts_last_received), "
          " extract(epoch FROM r.ts_last_contact), extract(epoch FROM r.ts_caught_up), "
          " extract(epoch FROM r.ts_all_applied), r.t_read_binlog_name, "
          " r.i_read_binlog_position, r.i_spool_bytes, r.i_batches_waiting, r.i_events_read, "
          " extract(epoch FROM r.ts_progress), extract(epoch FROM r.ts_progress_daemon), "
          " extract(epoch FROM p.ts_last_replayed), extract(epoch FROM p.ts_replayed_at) "
          "FROM sch_chameleon.t_sources s "
          "LEFT JOIN sch_chameleon.t_last_received r USING (i_id_source) "
          "LEFT JOIN sch_chameleon.t_last_replayed p USING (i_id_source) "
          "WHERE $1::text IS NULL OR s.t_source = $1 "
          "ORDER BY s.i_id_source",
          {source}));
  std::vector<SourceStatus> statuses;
  for (int row = 0; row < rows.size(); ++row) {
    SourceStatus status;
    status.id = rows.Integer(row, 0);
    status.name = rows.Text(row, 1);
    status.type = rows.Text(row, 2);
    status.status = rows.Text(row, 3);
    status.daemon_registered = rows.Bool(row, 4);
    status.heartbeat_age_seconds = OptionalDouble(rows, row, 5);
    status.status_reason = rows.Text(row, 6);
    status.consistent = rows.Bool(row, 7);
    std::optional<bool> alive = probe ? probe(status.name) : std::nullopt;
    status.shown_status =
        ShownStatus(status.status, status.daemon_registered, status.heartbeat_age_seconds, alive);

    double database_now = OptionalDouble(rows, row, 8).value_or(0.0);
    ProgressTimes times;
    times.last_event_time = OptionalDouble(rows, row, 9);
    times.last_received = OptionalDouble(rows, row, 10);
    times.caught_up_at = OptionalDouble(rows, row, 11);
    times.all_applied_at = OptionalDouble(rows, row, 12);
    times.batches_waiting = OptionalCount(rows, row, 16);
    times.last_replayed_event_time = OptionalDouble(rows, row, 20);
    std::optional<double> reported = OptionalDouble(rows, row, 18);
    std::optional<double> reported_daemon = OptionalDouble(rows, row, 19);
    std::optional<double> replayed_at = OptionalDouble(rows, row, 21);
    times.reported_at = reported_daemon;

    status.last_read = FormatTime(times.last_event_time);
    status.last_replay = FormatTime(times.last_replayed_event_time);
    status.last_replayed_at = FormatTime(replayed_at);
    if (reported && reported_daemon) {
      // Lags are measured on the daemon's clock: PostgreSQL's clock tells how much time has
      // passed since the report, whatever the two clocks say.
      bool live = FiguresLive(status.shown_status, database_now - *reported);
      double now = live ? *reported_daemon + (database_now - *reported) : *reported_daemon;
      Lags lags = ComputeLags(times, now);
      status.read_lag_seconds = lags.read_seconds;
      status.replay_lag_seconds = lags.replay_seconds;
      status.figures_stale = !live;
      status.figures_as_of = FormatTime(reported_daemon);
      status.last_received = FormatTime(times.last_received);
      status.caught_up_at = FormatTime(times.caught_up_at);
      if (!rows.IsNull(row, 13)) {
        status.read_position = fmt::format("{}:{}", rows.Text(row, 13), rows.Text(row, 14));
      }
      status.spool_bytes = OptionalCount(rows, row, 15);
      status.batches_waiting = times.batches_waiting;
      status.events_read = OptionalCount(rows, row, 17);
    }
    statuses.push_back(std::move(status));
  }
  return statuses;
}

Result<SourceDetail> QuerySourceDetail(pg::Connection& connection, int64_t source_id,
                                       const std::string& auto_maintenance) {
  SourceDetail detail;
  std::string id = std::to_string(source_id);
  ASSIGN_OR_RETURN(
      pg::Rows summary,
      connection.Query(
          "SELECT s.jsb_schema_mappings::text, "
          " (SELECT count(*) FILTER (WHERE b_replica_enabled) FROM sch_chameleon.t_replica_tables "
          "  WHERE i_id_source = s.i_id_source), "
          " (SELECT count(*) FILTER (WHERE NOT b_replica_enabled) "
          "  FROM sch_chameleon.t_replica_tables WHERE i_id_source = s.i_id_source), "
          " (SELECT count(*) FROM sch_chameleon.t_replica_tables "
          "  WHERE i_id_source = s.i_id_source), "
          " coalesce(to_char(s.ts_last_maintenance, 'YYYY-MM-DD HH24:MI:SS'), ''), "
          " CASE WHEN $2 = 'disabled' THEN 'N/A' ELSE to_char(coalesce(s.ts_last_maintenance, "
          "   'epoch'::timestamp) + $2::interval, 'YYYY-MM-DD HH24:MI:SS') END, "
          " (SELECT coalesce(sum(i_replayed), 0) FROM sch_chameleon.t_replica_batch "
          "  WHERE i_id_source = s.i_id_source), "
          " (SELECT coalesce(sum(i_ddl), 0) FROM sch_chameleon.t_replica_batch "
          "  WHERE i_id_source = s.i_id_source), "
          " (SELECT coalesce(sum(i_skipped), 0) FROM sch_chameleon.t_replica_batch "
          "  WHERE i_id_source = s.i_id_source) "
          "FROM sch_chameleon.t_sources s WHERE s.i_id_source = $1",
          {id, auto_maintenance}));
  if (summary.empty()) return Status::NotFound("source id " + id + " is not registered");
  auto mappings = nlohmann::json::parse(summary.Text(0, 0), nullptr, false);
  if (mappings.is_object()) {
    for (const auto& [origin, destination] : mappings.items()) {
      detail.schema_mappings.emplace_back(
          origin, destination.is_string() ? destination.get<std::string>() : destination.dump());
    }
  }
  detail.tables_replicated = summary.Integer(0, 1);
  detail.tables_not_replicated = summary.Integer(0, 2);
  detail.tables_all = summary.Integer(0, 3);
  detail.last_maintenance = summary.Text(0, 4);
  detail.next_maintenance = summary.Text(0, 5);
  detail.replayed_rows = summary.Integer(0, 6);
  detail.replayed_ddl = summary.Integer(0, 7);
  detail.skipped_rows = summary.Integer(0, 8);
  ASSIGN_OR_RETURN(pg::Rows disabled,
                   connection.Query("SELECT v_schema_name, v_table_name, "
                                    "coalesce(t_disabled_reason, '') "
                                    "FROM sch_chameleon.t_replica_tables "
                                    "WHERE i_id_source = $1 AND NOT b_replica_enabled "
                                    "ORDER BY v_schema_name, v_table_name",
                                    {id}));
  for (int row = 0; row < disabled.size(); ++row) {
    detail.disabled_tables.push_back({std::string(disabled.Text(row, 0)),
                                      std::string(disabled.Text(row, 1)),
                                      std::string(disabled.Text(row, 2))});
  }
  return detail;
}

Result<std::vector<ErrorEntry>> QueryErrors(pg::Connection& connection,
                                            const std::optional<std::string>& source,
                                            const std::optional<int64_t>& log_id) {
  pg::Params params = {source, log_id ? std::optional(std::to_string(*log_id)) : std::nullopt};
  ASSIGN_OR_RETURN(
      pg::Rows rows,
      connection.Query("SELECT e.i_id_log, s.t_source, e.i_id_batch, coalesce(e.v_table_name, ''), "
                       " coalesce(e.v_schema_name, ''), "
                       " to_char(e.ts_error, 'YYYY-MM-DD HH24:MI:SS'), coalesce(e.t_sql, ''), "
                       " coalesce(e.t_error_message, ''), coalesce(e.t_binlog_name, ''), "
                       " e.i_binlog_position "
                       "FROM sch_chameleon.t_error_log e "
                       "JOIN sch_chameleon.t_sources s USING (i_id_source) "
                       "WHERE ($1::text IS NULL OR s.t_source = $1) "
                       "  AND ($2::bigint IS NULL OR e.i_id_log = $2) "
                       "ORDER BY e.i_id_log",
                       params));
  std::vector<ErrorEntry> entries;
  for (int row = 0; row < rows.size(); ++row) {
    ErrorEntry entry;
    entry.id = rows.Integer(row, 0);
    entry.source = rows.Text(row, 1);
    if (!rows.IsNull(row, 2)) entry.batch_id = rows.Integer(row, 2);
    entry.table = rows.Text(row, 3);
    entry.schema = rows.Text(row, 4);
    entry.timestamp = rows.Text(row, 5);
    entry.sql = rows.Text(row, 6);
    entry.message = rows.Text(row, 7);
    entry.binlog_name = rows.Text(row, 8);
    if (!rows.IsNull(row, 9)) entry.binlog_position = rows.Integer(row, 9);
    entries.push_back(std::move(entry));
  }
  return entries;
}

}  // namespace chameleon::catalogue
