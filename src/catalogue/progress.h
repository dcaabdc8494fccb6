// The replica daemon's progress in the catalogue (t_last_received, catalogue version 4) and
// the honest lag figures show_status derives from it. The daemon reports every few seconds;
// the lags are computed when shown, so they keep growing when the reports stop.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "common/status.h"
#include "pg/connection.h"

namespace chameleon::catalogue {

struct ReplicaProgress {
  // Last event or heartbeat received from the source; nullopt before the first.
  std::optional<std::chrono::system_clock::time_point> last_received;
  // Source timestamp (binlog event header) of the last event read; nullopt before the first.
  std::optional<std::chrono::system_clock::time_point> last_event_time;
  // When the source last said it had nothing more to send (a heartbeat while idle); the
  // reader is caught up as of then. Read lag = 0 at that moment.
  std::optional<std::chrono::system_clock::time_point> caught_up_at;
  std::optional<std::string> read_binlog_name;  // the reader's resume position
  std::optional<int64_t> read_binlog_position;
  uint64_t spool_bytes = 0;      // Spool::DiskUsageBytes()
  uint64_t batches_waiting = 0;  // closed batches not yet replayed
  uint64_t events_read = 0;      // since the daemon started
};

// Upserts the source's progress row; called every few seconds by the running daemon.
// A nullopt keeps the value stored before (a restarted daemon that has received nothing yet
// still shows when the source was last heard from). Stamps the report with the daemon's
// clock and PostgreSQL's, so lags are measured on the daemon's clock whoever shows them.
Status RecordProgress(pg::Connection& connection, int64_t source_id,
                      const ReplicaProgress& progress);

// What the lag computation needs, as seconds since the Unix epoch on the daemon's clock
// (source event times on the source's clock, assumed close to it).
struct ProgressTimes {
  std::optional<double> last_received;             // last event or heartbeat received
  std::optional<double> last_event_time;           // source time of the last event read
  std::optional<double> caught_up_at;              // source idle, reader caught up
  std::optional<double> all_applied_at;            // the last report where nothing waited
  std::optional<double> last_replayed_event_time;  // source time of the last event applied
  std::optional<uint64_t> batches_waiting;         // nullopt: the daemon never reported
  std::optional<double> reported_at;               // the report these come from (daemon clock)
};

struct Lags {
  std::optional<double> read_seconds;  // nullopt: unknown
  std::optional<double> replay_seconds;
};

// The reader had everything the source had sent when the source last went idle: the last
// thing received was that idle heartbeat, not an event.
bool CaughtUp(const ProgressTimes& times);

// The lags at `now`. Pure.
// Read lag: when caught up, reported_at - caught_up_at: how long before its last report the
// reader last heard the source say "nothing more" (near zero while heartbeats flow, growing
// report by report when they stop; a daemon that stops reporting is shown dead or stale, not
// lagging); otherwise now - the source time of the last event read.
// Replay lag: 0 when nothing waits (no closed batch waiting and the reader caught up);
// otherwise now - the oldest source time an unapplied event can have: the later of the last
// applied event's time and the last moment when everything was applied (an upper bound).
Lags ComputeLags(const ProgressTimes& times, double now);

}  // namespace chameleon::catalogue
