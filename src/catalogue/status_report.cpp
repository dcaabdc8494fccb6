// Catalogue queries behind show_status and show_errors; see status_report.h.
#include "catalogue/status_report.h"

#include <fmt/format.h>

#include <cmath>
#include <cstdlib>
#include <nlohmann/json.hpp>

namespace chameleon::catalogue {
namespace {

std::optional<double> OptionalDouble(const pg::Rows& rows, int row, int column) {
  if (rows.IsNull(row, column)) return std::nullopt;
  return std::strtod(std::string(rows.Text(row, column)).c_str(), nullptr);
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
  ASSIGN_OR_RETURN(
      pg::Rows rows,
      connection.Query(
          "SELECT s.i_id_source, s.t_source, s.enm_source_type::text, s.enm_status::text, "
          " s.i_pid IS NOT NULL, extract(epoch FROM clock_timestamp() - s.ts_heartbeat), "
          " coalesce(s.t_status_reason, ''), s.b_consistent, "
          " extract(epoch FROM date_trunc('seconds', now() AT TIME ZONE 'UTC') - "
          "   r.ts_last_received), "
          " coalesce(to_char(r.ts_last_received, 'YYYY-MM-DD HH24:MI:SS'), ''), "
          " extract(epoch FROM r.ts_last_received - p.ts_last_replayed), "
          " coalesce(to_char(p.ts_last_replayed, 'YYYY-MM-DD HH24:MI:SS'), '') "
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
    status.read_lag_seconds = OptionalDouble(rows, row, 8);
    status.last_read = rows.Text(row, 9);
    status.replay_lag_seconds = OptionalDouble(rows, row, 10);
    status.last_replay = rows.Text(row, 11);
    std::optional<bool> alive = probe ? probe(status.name) : std::nullopt;
    status.shown_status =
        ShownStatus(status.status, status.daemon_registered, status.heartbeat_age_seconds, alive);
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
