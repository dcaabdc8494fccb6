// Replication lag as a user sees it: the writer stamps marker rows with their send time; this
// probe polls the target's bench_marker on its own connection and records when each appears.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "clients.h"

namespace chameleon::bench {

struct LagStats {
  size_t samples = 0;
  double p50_ms = 0;
  double p99_ms = 0;
  double max_ms = 0;
};

class LagProbe {
 public:
  // How often the target is polled: the resolution of every lag figure.
  static constexpr int kPollIntervalMs = 10;

  // Only markers with an id above `after_id` count (earlier runs left theirs behind).
  LagProbe(PgSession session, std::string schema, int64_t after_id);
  LagProbe(const LagProbe&) = delete;
  LagProbe& operator=(const LagProbe&) = delete;
  ~LagProbe();

  void Start();
  // Waits until marker `last_id` is visible or `timeout_ms` passes, then stops polling.
  // Fails on timeout (naming how far it got) or on a query error.
  Status WaitFor(int64_t last_id, int64_t timeout_ms);
  LagStats Stats() const;

 private:
  void Run();

  PgSession session_;
  std::string schema_;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  mutable std::mutex mutex_;  // guards the fields below
  int64_t seen_id_;
  std::vector<int64_t> lags_us_;
  Status error_;
};

// Polls until a marker with id >= `min_id` is in `schema`.bench_marker; fails after `timeout_ms`.
Status WaitForMarker(PgSession& session, const std::string& schema, int64_t min_id,
                     int64_t timeout_ms);

}  // namespace chameleon::bench
