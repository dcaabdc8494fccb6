// The read and replay lag show_status derives from the daemon's progress reports: an idle
// source that keeps sending heartbeats shows no lag; a silent connection and a backlog do.
#include <gtest/gtest.h>

#include "catalogue/progress.h"
#include "catalogue/status_report.h"

namespace chameleon::catalogue {
namespace {

constexpr double kStart = 1'800'000'000.0;  // an arbitrary moment, seconds since the epoch

// A source idle since kStart: its last event was read and applied, then heartbeats came.
ProgressTimes IdleSource(double last_heartbeat, double reported_at) {
  ProgressTimes times;
  times.reported_at = reported_at;
  times.last_event_time = kStart;
  times.last_received = last_heartbeat;
  times.caught_up_at = last_heartbeat;
  times.all_applied_at = last_heartbeat;
  times.last_replayed_event_time = kStart;
  times.batches_waiting = 0;
  return times;
}

TEST(ComputeLags, AnIdleSourceWithHeartbeatsHasNoLagHoweverOldItsLastEvent) {
  // A day without writes: pg_chameleon would show a day of lag.
  double heartbeat = kStart + 86400;
  // The last report came 0.2 s after a heartbeat; show_status runs 4 s after that report.
  Lags lags = ComputeLags(IdleSource(heartbeat, heartbeat + 0.2), heartbeat + 4.2);
  ASSERT_TRUE(lags.read_seconds);
  EXPECT_NEAR(*lags.read_seconds, 0.2, 1e-6) << "the time since the report is not lag";
  ASSERT_TRUE(lags.replay_seconds);
  EXPECT_DOUBLE_EQ(*lags.replay_seconds, 0.0);
}

TEST(ComputeLags, ReadLagGrowsWhenTheSourceFallsSilent) {
  // The connection stalls: no heartbeat since; each report shows the time since we last heard.
  double heartbeat = kStart + 60;
  EXPECT_DOUBLE_EQ(*ComputeLags(IdleSource(heartbeat, heartbeat + 10), heartbeat + 12).read_seconds,
                   10.0);
  EXPECT_DOUBLE_EQ(
      *ComputeLags(IdleSource(heartbeat, heartbeat + 600), heartbeat + 601).read_seconds, 600.0);
}

TEST(ComputeLags, ReadLagOfAStreamIsMeasuredFromTheLastEventsSourceTime) {
  // Events keep coming (received after the last idle heartbeat): not caught up.
  ProgressTimes times = IdleSource(kStart + 10, kStart + 104);
  times.last_event_time = kStart + 100;
  times.last_received = kStart + 103;
  EXPECT_FALSE(CaughtUp(times));
  EXPECT_DOUBLE_EQ(*ComputeLags(times, kStart + 105).read_seconds, 5.0);
  EXPECT_DOUBLE_EQ(*ComputeLags(times, kStart + 400).read_seconds, 300.0);
}

TEST(ComputeLags, ReplayLagGrowsWithABacklog) {
  // Caught up reader, but batches wait: measured from the last applied event.
  ProgressTimes times = IdleSource(kStart + 50, kStart + 55);
  times.all_applied_at = std::nullopt;
  times.last_replayed_event_time = kStart + 20;
  times.batches_waiting = 3;
  EXPECT_DOUBLE_EQ(*ComputeLags(times, kStart + 60).replay_seconds, 40.0);
  EXPECT_DOUBLE_EQ(*ComputeLags(times, kStart + 160).replay_seconds, 140.0);
  // The reader is still reading while nothing closed waits: the open batch waits.
  times.batches_waiting = 0;
  times.last_received = kStart + 55;
  EXPECT_DOUBLE_EQ(*ComputeLags(times, kStart + 60).replay_seconds, 40.0);
}

TEST(ComputeLags, ABurstAfterALongIdleTimeIsNotADayOfReplayLag) {
  // Everything was applied when the source went idle a day ago; then a burst arrives.
  double idle_since = kStart + 86400;
  ProgressTimes times = IdleSource(idle_since, idle_since + 7);
  times.last_event_time = idle_since + 5;
  times.last_received = idle_since + 5;
  times.batches_waiting = 2;
  EXPECT_DOUBLE_EQ(*ComputeLags(times, idle_since + 8).replay_seconds, 8.0);
}

TEST(ComputeLags, UnknownBeforeAnythingIsKnown) {
  Lags never = ComputeLags(ProgressTimes{}, kStart);
  EXPECT_FALSE(never.read_seconds);
  EXPECT_FALSE(never.replay_seconds);
  // Batches wait but nothing was ever applied nor caught up: no bound to measure from.
  ProgressTimes times;
  times.last_event_time = kStart;
  times.last_received = kStart;
  times.batches_waiting = 1;
  Lags lags = ComputeLags(times, kStart + 3);
  EXPECT_DOUBLE_EQ(*lags.read_seconds, 3.0);
  EXPECT_FALSE(lags.replay_seconds);
}

TEST(ComputeLags, NeverNegative) {
  // Clocks of the source and the daemon may disagree by a little.
  ProgressTimes times;
  times.last_event_time = kStart + 2;
  times.last_received = kStart;
  EXPECT_DOUBLE_EQ(*ComputeLags(times, kStart).read_seconds, 0.0);
}

TEST(FiguresLive, OnlyARunningDaemonWithARecentReport) {
  EXPECT_TRUE(FiguresLive("running", 4.0));
  EXPECT_FALSE(FiguresLive("running", kHeartbeatTimeoutSeconds + 1.0));
  EXPECT_FALSE(FiguresLive("dead", 4.0));
  EXPECT_FALSE(FiguresLive("stopped", 4.0));
  EXPECT_FALSE(FiguresLive("error", 0.0));
}

TEST(FormatBytes, PowersOf1024) {
  EXPECT_EQ(FormatBytes(std::nullopt), "N/A");
  EXPECT_EQ(FormatBytes(0), "0 B");
  EXPECT_EQ(FormatBytes(1023), "1023 B");
  EXPECT_EQ(FormatBytes(1536), "1.5 KiB");
  EXPECT_EQ(FormatBytes(uint64_t{5} << 20), "5.0 MiB");
  EXPECT_EQ(FormatBytes(uint64_t{3} << 40), "3.0 TiB");
}

}  // namespace
}  // namespace chameleon::catalogue
