// The replica daemon's Prometheus metrics (docs/metrics.md): registered always, served on
// metrics_port when one is configured, fed by the replay thread after each batch and by the
// main thread at each heartbeat.
#pragma once

#include <memory>
#include <optional>

#include "catalogue/progress.h"
#include "common/status.h"
#include "config/config.h"
#include "metrics/metrics_registry.h"
#include "metrics/metrics_server.h"
#include "metrics/replica_metrics.h"
#include "pg/connection.h"
#include "reader/reader.h"
#include "replayer/replayer.h"

namespace chameleon::commands {

class DaemonMetrics {
 public:
  // Registers the metrics and, with a metrics_port for the source, starts serving them
  // (kUnavailable when the port is taken). Call after daemonising: the server is a thread.
  static Result<std::unique_ptr<DaemonMetrics>> Start(const config::Config& config,
                                                      const config::Source& source);

  // Replay thread.
  void AfterBatch(const replayer::BatchOutcome& batch);
  void ReplayFailed();
  // Main thread, every heartbeat: the reader's totals, the spool, the lags show_status shows.
  void Heartbeat(pg::Connection& connection, const std::string& source,
                 const reader::ReaderStats& stats, const catalogue::ReplicaProgress& progress,
                 int64_t source_id);

 private:
  explicit DaemonMetrics(const std::string& source) : registry_(source) {}

  metrics::MetricsRegistry registry_;
  metrics::ReplicaMetrics metrics_;
  std::optional<metrics::MetricsServer> server_;  // after the registry: destroyed first
};

}  // namespace chameleon::commands
