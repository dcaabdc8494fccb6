// The metrics a replica daemon publishes (docs/metrics.md lists them): their names, and the
// pointers the daemon updates. Every sample also carries source="<source>".
#pragma once

#include "common/status.h"
#include "metrics/metrics_registry.h"

namespace chameleon::metrics {

inline constexpr char kEventsReadTotal[] = "chameleon_events_read_total";
inline constexpr char kTransactionsReadTotal[] = "chameleon_transactions_read_total";
inline constexpr char kReaderReconnectionsTotal[] = "chameleon_reader_reconnections_total";
inline constexpr char kRowsReplayedTotal[] = "chameleon_rows_replayed_total";  // {operation}
inline constexpr char kDdlReplayedTotal[] = "chameleon_ddl_replayed_total";
inline constexpr char kBatchesReplayedTotal[] = "chameleon_batches_replayed_total";
inline constexpr char kReplayErrorsTotal[] = "chameleon_replay_errors_total";
inline constexpr char kTablesDisabled[] = "chameleon_tables_disabled";
inline constexpr char kReadLagSeconds[] = "chameleon_read_lag_seconds";
inline constexpr char kReplayLagSeconds[] = "chameleon_replay_lag_seconds";
inline constexpr char kSpoolBytes[] = "chameleon_spool_bytes";
inline constexpr char kBatchesWaiting[] = "chameleon_batches_waiting";
inline constexpr char kUp[] = "chameleon_up";
inline constexpr char kLastHeartbeatSeconds[] = "chameleon_last_heartbeat_timestamp_seconds";

// Owned by the registry they were registered in; valid while it lives.
struct ReplicaMetrics {
  Counter* events_read = nullptr;
  Counter* transactions_read = nullptr;
  Counter* reader_reconnections = nullptr;
  Counter* rows_inserted = nullptr;  // rows_replayed_total{operation="insert"}
  Counter* rows_updated = nullptr;   // {operation="update"}
  Counter* rows_deleted = nullptr;   // {operation="delete"}
  Counter* ddl_replayed = nullptr;
  Counter* batches_replayed = nullptr;
  Counter* replay_errors = nullptr;
  Gauge* tables_disabled = nullptr;
  Gauge* read_lag_seconds = nullptr;
  Gauge* replay_lag_seconds = nullptr;
  Gauge* spool_bytes = nullptr;
  Gauge* batches_waiting = nullptr;
  Gauge* up = nullptr;  // set to 1 on registration
  Gauge* last_heartbeat_seconds = nullptr;
};

// Registers every replica metric in `registry` (all at 0 but `up`, so dashboards see the
// series from the first scrape).
Result<ReplicaMetrics> RegisterReplicaMetrics(MetricsRegistry& registry);

}  // namespace chameleon::metrics
