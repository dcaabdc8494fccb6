// The exposition Prometheus parses: exact text, escaping, and counts that stay exact under
// concurrent increments.
#include "metrics/metrics_registry.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <thread>
#include <vector>

#include "metrics/http_request.h"
#include "metrics/replica_metrics.h"

namespace chameleon::metrics {
namespace {

using ::testing::HasSubstr;

TEST(MetricsRegistry, RendersTheTextFormatExactly) {
  MetricsRegistry registry("mysql");
  Counter* inserts = *registry.AddCounter("chameleon_rows_replayed_total", "Rows applied.",
                                          {{"operation", "insert"}});
  Counter* deletes = *registry.AddCounter("chameleon_rows_replayed_total", "Rows applied.",
                                          {{"operation", "delete"}});
  Gauge* lag = *registry.AddGauge("chameleon_read_lag_seconds", "Seconds behind.");
  Gauge* heartbeat = *registry.AddGauge("chameleon_last_heartbeat_timestamp_seconds", "Unix time.");
  inserts->Increment(41);
  inserts->Increment();
  deletes->Increment(7);
  lag->Set(2.5);
  heartbeat->Set(1764130000);
  EXPECT_EQ(registry.Render(),
            "# HELP chameleon_rows_replayed_total Rows applied.\n"
            "# TYPE chameleon_rows_replayed_total counter\n"
            "chameleon_rows_replayed_total{source=\"mysql\",operation=\"insert\"} 42\n"
            "chameleon_rows_replayed_total{source=\"mysql\",operation=\"delete\"} 7\n"
            "# HELP chameleon_read_lag_seconds Seconds behind.\n"
            "# TYPE chameleon_read_lag_seconds gauge\n"
            "chameleon_read_lag_seconds{source=\"mysql\"} 2.5\n"
            "# HELP chameleon_last_heartbeat_timestamp_seconds Unix time.\n"
            "# TYPE chameleon_last_heartbeat_timestamp_seconds gauge\n"
            "chameleon_last_heartbeat_timestamp_seconds{source=\"mysql\"} 1764130000\n");
}

TEST(MetricsRegistry, EscapesLabelValuesAndHelp) {
  MetricsRegistry registry("a\"b\\c\nd");
  Gauge* gauge = *registry.AddGauge("g", "line one\nback\\slash \"quoted\"", {{"table", "x\"y"}});
  gauge->Set(1);
  EXPECT_EQ(registry.Render(),
            "# HELP g line one\\nback\\\\slash \"quoted\"\n"
            "# TYPE g gauge\n"
            "g{source=\"a\\\"b\\\\c\\nd\",table=\"x\\\"y\"} 1\n");
}

TEST(MetricsRegistry, SpecialValuesAsPrometheusSpellsThem) {
  EXPECT_EQ(FormatSampleValue(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(FormatSampleValue(-std::numeric_limits<double>::infinity()), "-Inf");
  EXPECT_EQ(FormatSampleValue(std::nan("")), "NaN");
  EXPECT_EQ(FormatSampleValue(0), "0");
  EXPECT_EQ(FormatSampleValue(0.125), "0.125");
  EXPECT_EQ(FormatSampleValue(123456789012.0), "123456789012");
}

TEST(MetricsRegistry, RegisteringTwiceReturnsTheSameSeries) {
  MetricsRegistry registry("s");
  Counter* first = *registry.AddCounter("c_total", "help", {{"operation", "insert"}});
  Counter* again = *registry.AddCounter("c_total", "help", {{"operation", "insert"}});
  EXPECT_EQ(first, again);
}

TEST(MetricsRegistry, RefusesBadNamesAndConflicts) {
  MetricsRegistry registry("s");
  ASSERT_TRUE(registry.AddCounter("c_total", "help").ok());
  EXPECT_THAT(registry.AddGauge("c_total", "help").status().message(),
              HasSubstr("already registered as a counter"));
  EXPECT_FALSE(registry.AddCounter("9lives", "help").ok());
  EXPECT_FALSE(registry.AddCounter("bad-name", "help").ok());
  EXPECT_FALSE(registry.AddCounter("x_total", "help", {{"source", "other"}}).ok());
  EXPECT_FALSE(registry.AddCounter("x_total", "help", {{"__name", "v"}}).ok());
  EXPECT_FALSE(registry.AddCounter("x_total", "help", {{"a:b", "v"}}).ok());
}

TEST(MetricsRegistry, ConcurrentIncrementsAreAllCounted) {
  MetricsRegistry registry("s");
  Counter* counter = *registry.AddCounter("c_total", "help");
  Gauge* gauge = *registry.AddGauge("g", "help");
  constexpr int kThreads = 8;
  constexpr int kIncrements = 100000;
  std::vector<std::thread> threads;
  threads.reserve(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kIncrements; ++i) {
        counter->Increment();
        gauge->Add(1);
      }
    });
  }
  // Rendering while they run must not disturb them.
  for (int i = 0; i < 100; ++i)
    EXPECT_THAT(registry.Render(), HasSubstr("c_total{source=\"s\"}"));
  for (auto& thread : threads)
    thread.join();
  EXPECT_EQ(counter->value(), uint64_t{kThreads} * kIncrements);
  EXPECT_EQ(gauge->value(), double{kThreads} * kIncrements);
}

TEST(MetricsRegistry, RaiseToNeverGoesBack) {
  MetricsRegistry registry("s");
  Counter* counter = *registry.AddCounter("c_total", "help");
  counter->RaiseTo(10);
  counter->RaiseTo(4);
  EXPECT_EQ(counter->value(), 10U);
}

TEST(ReplicaMetrics, RegistersEveryMetricWithUpAtOne) {
  MetricsRegistry registry("mysql");
  auto metrics = RegisterReplicaMetrics(registry);
  ASSERT_TRUE(metrics.ok()) << metrics.status().message();
  metrics->rows_updated->Increment(3);
  std::string text = registry.Render();
  for (const char* name :
       {kEventsReadTotal, kTransactionsReadTotal, kReaderReconnectionsTotal, kDdlReplayedTotal,
        kBatchesReplayedTotal, kReplayErrorsTotal, kTablesDisabled, kReadLagSeconds,
        kReplayLagSeconds, kSpoolBytes, kBatchesWaiting, kLastHeartbeatSeconds}) {
    EXPECT_THAT(text, HasSubstr(std::string("\n") + name + "{source=\"mysql\"} 0\n")) << name;
  }
  EXPECT_THAT(text, HasSubstr("chameleon_up{source=\"mysql\"} 1\n"));
  EXPECT_THAT(
      text, HasSubstr("chameleon_rows_replayed_total{source=\"mysql\",operation=\"update\"} 3\n"));
  EXPECT_THAT(
      text, HasSubstr("chameleon_rows_replayed_total{source=\"mysql\",operation=\"insert\"} 0\n"));
  EXPECT_THAT(
      text, HasSubstr("chameleon_rows_replayed_total{source=\"mysql\",operation=\"delete\"} 0\n"));
}

TEST(HttpRequest, FindsTheEndOfTheHead) {
  EXPECT_EQ(RequestHeadLength("GET /metrics HTTP/1.1\r\nHost: x\r\n"), 0U);
  EXPECT_EQ(RequestHeadLength("GET /metrics HTTP/1.1\r\n\r\n"), 25U);
  EXPECT_EQ(RequestHeadLength("GET /metrics HTTP/1.0\n\n"), 23U);
}

TEST(HttpRequest, AnswersByPathAndMethod) {
  auto render = [] { return std::string("body\n"); };
  std::string ok = RespondTo("GET /metrics?x=1 HTTP/1.1\r\n\r\n", render);
  EXPECT_THAT(ok, HasSubstr("HTTP/1.1 200 OK\r\n"));
  EXPECT_THAT(ok, HasSubstr("Content-Type: text/plain; version=0.0.4"));
  EXPECT_THAT(ok, HasSubstr("Content-Length: 5\r\n"));
  EXPECT_TRUE(ok.ends_with("\r\n\r\nbody\n"));
  EXPECT_TRUE(RespondTo("HEAD /metrics HTTP/1.1\r\n\r\n", render).ends_with("\r\n\r\n"));
  EXPECT_THAT(RespondTo("GET / HTTP/1.1\r\n\r\n", render), HasSubstr("404 Not Found"));
  EXPECT_THAT(RespondTo("POST /metrics HTTP/1.1\r\n\r\n", render), HasSubstr("405"));
  EXPECT_THAT(RespondTo("garbage\r\n\r\n", render), HasSubstr("400 Bad Request"));
}

}  // namespace
}  // namespace chameleon::metrics
