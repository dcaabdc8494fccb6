// The replica daemon's progress and the lags derived from it; see progress.h.
#include "catalogue/progress.h"

#include <fmt/format.h>

#include <algorithm>

namespace chameleon::catalogue {
namespace {

using Clock = std::chrono::system_clock;

double EpochSeconds(Clock::time_point time) {
  return std::chrono::duration<double>(time.time_since_epoch()).count();
}

std::optional<std::string> EpochText(const std::optional<Clock::time_point>& time) {
  if (!time) return std::nullopt;
  return fmt::format("{:.6f}", EpochSeconds(*time));
}

std::optional<double> OptionalEpochSeconds(const std::optional<Clock::time_point>& time) {
  if (!time) return std::nullopt;
  return EpochSeconds(*time);
}

}  // namespace

Status RecordProgress(pg::Connection& connection, int64_t source_id,
                      const ReplicaProgress& progress) {
  // Everything the source had sent when it went idle is applied: the lower bound of the
  // source time of whatever arrives next (ComputeLags).
  ProgressTimes reported;
  reported.caught_up_at = OptionalEpochSeconds(progress.caught_up_at);
  reported.last_received = OptionalEpochSeconds(progress.last_received);
  std::optional<Clock::time_point> all_applied_at;
  if (progress.batches_waiting == 0 && CaughtUp(reported)) all_applied_at = progress.caught_up_at;
  pg::Params params = {std::to_string(source_id),
                       EpochText(progress.last_event_time),
                       EpochText(progress.last_received),
                       EpochText(progress.caught_up_at),
                       EpochText(all_applied_at),
                       progress.read_binlog_name,
                       progress.read_binlog_position
                           ? std::optional(std::to_string(*progress.read_binlog_position))
                           : std::nullopt,
                       std::to_string(progress.spool_bytes),
                       std::to_string(progress.batches_waiting),
                       std::to_string(progress.events_read),
                       EpochText(Clock::now())};
  auto upserted = connection.Query(
      "INSERT INTO sch_chameleon.t_last_received AS l (i_id_source, ts_last_received, "
      "ts_last_contact, ts_caught_up, ts_all_applied, t_read_binlog_name, "
      "i_read_binlog_position, i_spool_bytes, i_batches_waiting, i_events_read, ts_progress, "
      "ts_progress_daemon) VALUES ($1::bigint, "
      "to_timestamp($2::double precision) AT TIME ZONE 'UTC', "
      "to_timestamp($3::double precision), to_timestamp($4::double precision), "
      "to_timestamp($5::double precision), $6, $7::bigint, $8::bigint, $9::bigint, "
      "$10::bigint, clock_timestamp(), to_timestamp($11::double precision)) "
      "ON CONFLICT (i_id_source) DO UPDATE SET "
      "ts_last_received = coalesce(excluded.ts_last_received, l.ts_last_received), "
      "ts_last_contact = coalesce(excluded.ts_last_contact, l.ts_last_contact), "
      "ts_caught_up = coalesce(excluded.ts_caught_up, l.ts_caught_up), "
      "ts_all_applied = coalesce(excluded.ts_all_applied, l.ts_all_applied), "
      "t_read_binlog_name = coalesce(excluded.t_read_binlog_name, l.t_read_binlog_name), "
      "i_read_binlog_position = "
      "  coalesce(excluded.i_read_binlog_position, l.i_read_binlog_position), "
      "i_spool_bytes = excluded.i_spool_bytes, "
      "i_batches_waiting = excluded.i_batches_waiting, "
      "i_events_read = excluded.i_events_read, ts_progress = excluded.ts_progress, "
      "ts_progress_daemon = excluded.ts_progress_daemon",
      params);
  if (upserted.ok()) return Status::Ok();
  if (connection.last_sqlstate() == "23503") {
    return Status::NotFound(
        fmt::format("cannot record the progress of source id {}: it is not "
                    "registered in sch_chameleon",
                    source_id));
  }
  return upserted.status();
}

bool CaughtUp(const ProgressTimes& times) {
  return times.caught_up_at &&
         (!times.last_received || *times.caught_up_at >= *times.last_received);
}

Lags ComputeLags(const ProgressTimes& times, double now) {
  auto since = [now](double then) { return std::max(0.0, now - then); };
  Lags lags;
  if (CaughtUp(times)) {
    // Not now - caught_up_at: that would count the time since the report as lag.
    lags.read_seconds = std::max(0.0, times.reported_at.value_or(now) - *times.caught_up_at);
  } else if (times.last_event_time) {
    lags.read_seconds = since(*times.last_event_time);
  }
  if (!times.batches_waiting) return lags;
  if (*times.batches_waiting == 0 && CaughtUp(times)) {
    lags.replay_seconds = 0.0;
    return lags;
  }
  // Whatever waits was written at the source after the last applied event and after the
  // last moment everything was applied; measuring from the later of the two is an upper bound.
  std::optional<double> floor = times.last_replayed_event_time;
  if (times.all_applied_at)
    floor = std::max(floor.value_or(*times.all_applied_at), *times.all_applied_at);
  if (floor) lags.replay_seconds = since(*floor);
  return lags;
}

}  // namespace chameleon::catalogue
