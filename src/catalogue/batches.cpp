// Replay bookkeeping in the catalogue; see batches.h.
#include "catalogue/batches.h"

namespace chameleon::catalogue {
namespace {

std::optional<std::string> Text(const std::optional<int64_t>& value) {
  if (!value) return std::nullopt;
  return std::to_string(*value);
}

Status Run(pg::Connection& connection, const std::string& sql, const pg::Params& params) {
  ASSIGN_OR_RETURN(pg::Rows ignored, connection.Query(sql, params));
  (void)ignored;
  return Status::Ok();
}

}  // namespace

Status RecordReplayedBatch(pg::Connection& connection, const ReplayedBatch& batch) {
  std::string source = std::to_string(batch.source_id);
  Status inserted = Run(
      connection,
      "INSERT INTO sch_chameleon.t_replica_batch (i_id_source, i_spool_batch, t_binlog_name, "
      "i_binlog_position, t_last_binlog_name, i_last_binlog_position, b_started, b_processed, "
      "b_replayed, ts_processed, ts_replayed, i_replayed, i_skipped, i_ddl, i_unmatched, "
      "t_resume_binlog_name, i_resume_binlog_position) "
      "VALUES ($1::bigint, $2::bigint, $3, $4::bigint, $5, $6::bigint, true, true, true, "
      "clock_timestamp(), clock_timestamp(), $7::bigint, $8::bigint, $9::bigint, $10::bigint, "
      "nullif($11, ''), CASE WHEN $11 = '' THEN NULL ELSE $12::bigint END)",
      {source, std::to_string(batch.spool_batch_id), batch.first_binlog_name,
       std::to_string(batch.first_binlog_position), batch.last_binlog_name,
       std::to_string(batch.last_binlog_position), std::to_string(batch.replayed),
       std::to_string(batch.skipped), std::to_string(batch.ddl), std::to_string(batch.unmatched),
       batch.resume_binlog_name, std::to_string(batch.resume_binlog_position)});
  if (!inserted.ok()) {
    if (connection.last_sqlstate() == "23505") {
      return Status::AlreadyExists("spool batch " + std::to_string(batch.spool_batch_id) +
                                   " is already recorded replayed: " + inserted.message());
    }
    return inserted;
  }
  return Run(connection,
             "INSERT INTO sch_chameleon.t_last_replayed AS l (i_id_source, ts_last_replayed, "
             "ts_replayed_at) VALUES ($1::bigint, to_timestamp($2::bigint) AT TIME ZONE 'UTC', "
             "CASE WHEN $2::bigint IS NULL THEN NULL ELSE clock_timestamp() END) "
             "ON CONFLICT (i_id_source) DO UPDATE SET ts_last_replayed = "
             "coalesce(excluded.ts_last_replayed, l.ts_last_replayed), ts_replayed_at = CASE "
             "WHEN excluded.ts_last_replayed IS NULL THEN l.ts_replayed_at ELSE clock_timestamp() "
             "END",
             {source, Text(batch.last_event_epoch_seconds)});
}

Result<LastReplayedBatch> LastReplayed(pg::Connection& connection, int64_t source_id) {
  ASSIGN_OR_RETURN(pg::Rows rows,
                   connection.Query("SELECT i_spool_batch, t_last_binlog_name, "
                                    "i_last_binlog_position, t_resume_binlog_name, "
                                    "i_resume_binlog_position FROM sch_chameleon.t_replica_batch "
                                    "WHERE i_id_source = $1::bigint AND b_replayed "
                                    "AND i_spool_batch IS NOT NULL "
                                    "ORDER BY i_spool_batch DESC LIMIT 1",
                                    {std::to_string(source_id)}));
  LastReplayedBatch last;
  if (rows.empty()) return last;
  last.spool_batch_id = static_cast<uint64_t>(rows.Integer(0, 0));
  last.last_binlog_name = rows.Value(0, 1);
  if (!rows.IsNull(0, 2)) last.last_binlog_position = rows.Integer(0, 2);
  if (!rows.IsNull(0, 3) && !rows.IsNull(0, 4)) {
    last.resume_binlog_name = rows.Value(0, 3);
    last.resume_binlog_position = rows.Integer(0, 4);
  }
  return last;
}

Status ForgetSpoolBatches(pg::Connection& connection, int64_t source_id) {
  return Run(connection,
             "DELETE FROM sch_chameleon.t_replica_batch WHERE i_id_source = $1::bigint "
             "AND i_spool_batch IS NOT NULL",
             {std::to_string(source_id)});
}

Result<int64_t> PruneReplayedBatches(pg::Connection& connection, int64_t source_id,
                                     const std::string& retention) {
  ASSIGN_OR_RETURN(
      pg::Rows rows,
      connection.Query("WITH gone AS (DELETE FROM sch_chameleon.t_replica_batch b "
                       "WHERE b.i_id_source = $1::bigint AND b.b_replayed "
                       "AND b.ts_replayed < clock_timestamp()::timestamp - $2::interval "
                       "AND b.i_spool_batch < (SELECT max(i_spool_batch) FROM "
                       "sch_chameleon.t_replica_batch WHERE i_id_source = $1::bigint) "
                       "RETURNING 1) SELECT count(*) FROM gone",
                       {std::to_string(source_id), retention}));
  return rows.Integer(0, 0);
}

Status RecordReplayError(pg::Connection& connection, const ReplayError& error) {
  std::optional<std::string> batch;
  if (error.spool_batch_id) batch = std::to_string(*error.spool_batch_id);
  return Run(connection,
             "INSERT INTO sch_chameleon.t_error_log (i_id_batch, i_id_source, v_schema_name, "
             "v_table_name, t_table_pkey, t_binlog_name, i_binlog_position, t_sql, "
             "t_error_message, t_error_class) VALUES ((SELECT i_id_batch FROM "
             "sch_chameleon.t_replica_batch WHERE i_id_source = $2::bigint AND i_spool_batch = "
             "$1::bigint), $2::bigint, nullif($3, ''), nullif($4, ''), $5, nullif($6, ''), "
             "$7::bigint, $8, $9, $10)",
             {batch, std::to_string(error.source_id), error.schema, error.table, error.table_pkey,
              error.binlog_name, std::to_string(error.binlog_position), error.sql, error.message,
              error.error_class});
}

Status DisableTable(pg::Connection& connection, int64_t source_id, const std::string& schema,
                    const std::string& table, const std::string& reason) {
  return Run(connection,
             "UPDATE sch_chameleon.t_replica_tables SET b_replica_enabled = false, "
             "t_disabled_reason = $4 WHERE i_id_source = $1::bigint AND v_schema_name = $2 "
             "AND v_table_name = $3",
             {std::to_string(source_id), schema, table, reason});
}

Status ClearTableCoordinates(pg::Connection& connection, int64_t source_id,
                             const std::string& schema, const std::string& table) {
  return Run(connection,
             "UPDATE sch_chameleon.t_replica_tables SET t_binlog_name = NULL, "
             "i_binlog_position = NULL WHERE i_id_source = $1::bigint AND v_schema_name = $2 "
             "AND v_table_name = $3",
             {std::to_string(source_id), schema, table});
}

Status MarkDaemonRunning(pg::Connection& connection, const std::string& source, int pid,
                         const std::string& host) {
  return Run(connection,
             "UPDATE sch_chameleon.t_sources SET enm_status = 'running', t_status_reason = NULL, "
             "i_pid = $2::integer, t_pid_host = $3, ts_heartbeat = clock_timestamp(), "
             "ts_status_changed = clock_timestamp() WHERE t_source = $1",
             {source, std::to_string(pid), host});
}

Status Heartbeat(pg::Connection& connection, const std::string& source, int pid) {
  return Run(connection,
             "UPDATE sch_chameleon.t_sources SET ts_heartbeat = clock_timestamp() "
             "WHERE t_source = $1 AND i_pid = $2::integer",
             {source, std::to_string(pid)});
}

Result<bool> TryLockSource(pg::Connection& connection, int64_t source_id) {
  constexpr int kSourceLockClass = 0x4348414D;  // "CHAM": keeps clear of other applications
  ASSIGN_OR_RETURN(
      std::optional<std::string> locked,
      connection.QueryValue("SELECT pg_try_advisory_lock($1::integer, $2::integer)",
                            {std::to_string(kSourceLockClass), std::to_string(source_id)}));
  return locked && *locked == "t";
}

Status MarkDaemonEnded(pg::Connection& connection, const std::string& source,
                       const std::string& status, const std::string& reason,
                       std::optional<int> only_pid) {
  std::optional<std::string> pid;
  if (only_pid) pid = std::to_string(*only_pid);
  return Run(connection,
             "UPDATE sch_chameleon.t_sources SET enm_status = $2::sch_chameleon.en_src_status, "
             "t_status_reason = nullif($3, ''), i_pid = NULL, t_pid_host = NULL, "
             "ts_status_changed = clock_timestamp() WHERE t_source = $1 "
             "AND ($4::integer IS NULL OR i_pid IS NULL OR i_pid = $4::integer)",
             {source, status, reason, pid});
}

}  // namespace chameleon::catalogue
