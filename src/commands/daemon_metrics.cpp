// The replica daemon's metrics; see daemon_metrics.h.
#include "commands/daemon_metrics.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <cmath>

#include "catalogue/status_report.h"
#include "catalogue/tables.h"

namespace chameleon::commands {

Result<std::unique_ptr<DaemonMetrics>> DaemonMetrics::Start(const config::Config& config,
                                                            const config::Source& source) {
  std::unique_ptr<DaemonMetrics> daemon_metrics(new DaemonMetrics(source.name));
  ASSIGN_OR_RETURN(daemon_metrics->metrics_,
                   metrics::RegisterReplicaMetrics(daemon_metrics->registry_));
  int port = config.MetricsPortFor(source);
  if (port == 0) return daemon_metrics;
  metrics::MetricsServerOptions options;
  options.address = config.metrics_address;
  options.port = port;
  daemon_metrics->server_.emplace(daemon_metrics->registry_, options);
  RETURN_IF_ERROR(daemon_metrics->server_->Start().WithContext("source " + source.name));
  spdlog::info("metrics of source {} on http://{}:{}/metrics", source.name, config.metrics_address,
               port);
  return daemon_metrics;
}

void DaemonMetrics::AfterBatch(const replayer::BatchOutcome& batch) {
  if (!batch.already_replayed) metrics_.batches_replayed->Increment();
  metrics_.ddl_replayed->Increment(static_cast<uint64_t>(std::max<int64_t>(0, batch.ddl)));
  metrics_.rows_inserted->Increment(static_cast<uint64_t>(std::max<int64_t>(0, batch.inserted)));
  metrics_.rows_updated->Increment(static_cast<uint64_t>(std::max<int64_t>(0, batch.updated)));
  metrics_.rows_deleted->Increment(static_cast<uint64_t>(std::max<int64_t>(0, batch.deleted)));
  metrics_.replay_errors->Increment(batch.disabled_tables.size());
}

void DaemonMetrics::ReplayFailed() {
  metrics_.replay_errors->Increment();
}

void DaemonMetrics::Heartbeat(pg::Connection& connection, const std::string& source,
                              const reader::ReaderStats& stats,
                              const catalogue::ReplicaProgress& progress, int64_t source_id) {
  metrics_.last_heartbeat_seconds->Set(
      std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count());
  metrics_.events_read->RaiseTo(stats.events_appended);
  metrics_.transactions_read->RaiseTo(stats.transactions_appended);
  metrics_.reader_reconnections->RaiseTo(stats.reconnections);
  metrics_.spool_bytes->Set(static_cast<double>(progress.spool_bytes));
  metrics_.batches_waiting->Set(static_cast<double>(progress.batches_waiting));
  // The lags exactly as show_status computes them from the report just recorded.
  auto shown = catalogue::QuerySourceStatus(connection, source, nullptr);
  if (shown.ok() && !shown->empty()) {
    metrics_.read_lag_seconds->Set(shown->front().read_lag_seconds.value_or(std::nan("")));
    metrics_.replay_lag_seconds->Set(shown->front().replay_lag_seconds.value_or(std::nan("")));
  }
  auto tables = catalogue::ListTables(connection, source_id);
  if (tables.ok()) {
    metrics_.tables_disabled->Set(static_cast<double>(std::count_if(
        tables->begin(), tables->end(), [](const auto& table) { return !table.enabled; })));
  }
}

}  // namespace chameleon::commands
