// Replay bookkeeping in the catalogue: the replayed-batch record written in the same
// transaction as the batch's rows (the exactly-once point), errors, excluded tables, and the
// replica daemon's liveness fields (pid, host, heartbeat) that show_status trusts.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "common/status.h"
#include "pg/connection.h"

namespace chameleon::catalogue {

// One applied spool batch (t_replica_batch, catalogue version 3) and t_last_replayed (the
// source time of its last event and, version 4, when it was applied).
struct ReplayedBatch {
  int64_t source_id = 0;
  uint64_t spool_batch_id = 0;
  std::string first_binlog_name;  // batch start
  int64_t first_binlog_position = 0;
  std::string last_binlog_name;  // its last event
  int64_t last_binlog_position = 0;
  // Version 5: where reading resumes after the batch's last transaction (empty: unknown).
  std::string resume_binlog_name;
  int64_t resume_binlog_position = 0;
  int64_t replayed = 0;  // rows applied
  int64_t skipped = 0;   // events of tables not replicated, excluded or not yet consistent
  int64_t ddl = 0;
  int64_t unmatched = 0;                            // UPDATE/DELETE that found no row
  std::optional<int64_t> last_event_epoch_seconds;  // source time of the last event
};

// Writes the batch row (replayed) and t_last_replayed; run it inside the transaction that
// applied the batch. AlreadyExists when the catalogue has that spool batch already.
Status RecordReplayedBatch(pg::Connection& connection, const ReplayedBatch& batch);

struct LastReplayedBatch {
  uint64_t spool_batch_id = 0;  // 0: nothing replayed from a spool yet
  std::optional<std::string> last_binlog_name;
  std::optional<int64_t> last_binlog_position;
  std::optional<std::string> resume_binlog_name;  // where a lost spool resumes reading
  std::optional<int64_t> resume_binlog_position;
};

// The newest replayed spool batch of the source: what startup reconciliation compares with.
Result<LastReplayedBatch> LastReplayed(pg::Connection& connection, int64_t source_id);

// init_replica starts the replica anew with an empty spool: forgets the source's replayed
// spool batches, so that the new spool's batch ids start again without looking lost.
Status ForgetSpoolBatches(pg::Connection& connection, int64_t source_id);

// batch_retention: deletes replayed batch rows older than `retention` (a PostgreSQL
// interval such as "1 day"), always keeping the newest one reconciliation needs.
Result<int64_t> PruneReplayedBatches(pg::Connection& connection, int64_t source_id,
                                     const std::string& retention);

// One t_error_log row (show_errors).
struct ReplayError {
  int64_t source_id = 0;
  std::optional<uint64_t> spool_batch_id;
  std::string schema;  // PostgreSQL names; "" when not about a table
  std::string table;
  std::string table_pkey;  // the row's key as text, "" when unknown
  std::string binlog_name;
  int64_t binlog_position = 0;
  std::string sql;
  std::string message;      // "SQLSTATE - message" or our own reason
  std::string error_class;  // retry | table | replica | ddl | conflict
};
Status RecordReplayError(pg::Connection& connection, const ReplayError& error);

// Takes a table out of the replica with the reason show_status prints.
Status DisableTable(pg::Connection& connection, int64_t source_id, const std::string& schema,
                    const std::string& table, const std::string& reason);

// The table's copy coordinates are reached: from now on every event applies to it.
Status ClearTableCoordinates(pg::Connection& connection, int64_t source_id,
                             const std::string& schema, const std::string& table);

// --- the replica daemon's liveness (t_sources, catalogue version 2) ---
// One replica daemon per source across every host sharing the catalogue: a PostgreSQL
// session advisory lock on the source id, held by the daemon's main connection (released
// when that session ends). False when another session holds it.
Result<bool> TryLockSource(pg::Connection& connection, int64_t source_id);
// Status running with our pid and host and a fresh heartbeat.
Status MarkDaemonRunning(pg::Connection& connection, const std::string& source, int pid,
                         const std::string& host);
// A fresh heartbeat, only while the row still names `pid` (a newer daemon owns it otherwise).
Status Heartbeat(pg::Connection& connection, const std::string& source, int pid);
// Status `status` (stopped | error) with its reason; pid and host cleared. With `only_pid`,
// only while the row names that pid or none (a newer daemon's row is left alone).
Status MarkDaemonEnded(pg::Connection& connection, const std::string& source,
                       const std::string& status, const std::string& reason,
                       std::optional<int> only_pid = std::nullopt);

}  // namespace chameleon::catalogue
