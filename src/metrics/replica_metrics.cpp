// The replica's metric set: names from replica_metrics.h, help text as docs/metrics.md.
#include "metrics/replica_metrics.h"

namespace chameleon::metrics {

Result<ReplicaMetrics> RegisterReplicaMetrics(MetricsRegistry& registry) {
  ReplicaMetrics m;
  ASSIGN_OR_RETURN(m.events_read, registry.AddCounter(kEventsReadTotal,
                                                      "Row and DDL events read from the "
                                                      "source's binlog into the spool."));
  ASSIGN_OR_RETURN(
      m.transactions_read,
      registry.AddCounter(kTransactionsReadTotal, "Source transactions read into the spool."));
  ASSIGN_OR_RETURN(m.reader_reconnections,
                   registry.AddCounter(kReaderReconnectionsTotal,
                                       "Times the binlog reader reconnected to the source."));
  const char* rows_help = "Rows applied to PostgreSQL, by operation.";
  ASSIGN_OR_RETURN(m.rows_inserted,
                   registry.AddCounter(kRowsReplayedTotal, rows_help, {{"operation", "insert"}}));
  ASSIGN_OR_RETURN(m.rows_updated,
                   registry.AddCounter(kRowsReplayedTotal, rows_help, {{"operation", "update"}}));
  ASSIGN_OR_RETURN(m.rows_deleted,
                   registry.AddCounter(kRowsReplayedTotal, rows_help, {{"operation", "delete"}}));
  ASSIGN_OR_RETURN(m.ddl_replayed,
                   registry.AddCounter(kDdlReplayedTotal, "DDL statements applied to PostgreSQL."));
  ASSIGN_OR_RETURN(m.batches_replayed,
                   registry.AddCounter(kBatchesReplayedTotal,
                                       "Spool batches applied to PostgreSQL and committed."));
  ASSIGN_OR_RETURN(m.replay_errors,
                   registry.AddCounter(kReplayErrorsTotal,
                                       "Replay errors: tables taken out of the replica and "
                                       "batches that failed."));
  ASSIGN_OR_RETURN(
      m.tables_disabled,
      registry.AddGauge(kTablesDisabled, "Tables of the source currently out of the replica."));
  ASSIGN_OR_RETURN(m.read_lag_seconds,
                   registry.AddGauge(kReadLagSeconds,
                                     "Seconds the reader is behind the source (as show_status)."));
  ASSIGN_OR_RETURN(m.replay_lag_seconds,
                   registry.AddGauge(kReplayLagSeconds,
                                     "Seconds PostgreSQL is behind the source (as show_status)."));
  ASSIGN_OR_RETURN(m.spool_bytes,
                   registry.AddGauge(kSpoolBytes, "Disk space used by the source's spool."));
  ASSIGN_OR_RETURN(m.batches_waiting,
                   registry.AddGauge(kBatchesWaiting, "Closed spool batches not yet replayed."));
  ASSIGN_OR_RETURN(m.up, registry.AddGauge(kUp, "1 while the replica daemon runs."));
  ASSIGN_OR_RETURN(
      m.last_heartbeat_seconds,
      registry.AddGauge(kLastHeartbeatSeconds, "Unix time of the daemon's last heartbeat."));
  m.up->Set(1);
  return m;
}

}  // namespace chameleon::metrics
