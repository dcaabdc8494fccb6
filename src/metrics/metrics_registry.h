// Counters and gauges a process publishes, and their Prometheus text exposition (format
// 0.0.4). Registration takes a lock; updates are lock-free atomics, safe from any thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"

namespace chameleon::metrics {

// Label name -> value, rendered in this order after the registry's `source` label.
using Labels = std::vector<std::pair<std::string, std::string>>;

enum class MetricType { kCounter, kGauge };

// A monotonic count. Lock-free.
class Counter {
 public:
  void Increment(uint64_t by = 1) { value_.fetch_add(by, std::memory_order_relaxed); }
  // Mirrors a monotonic total kept elsewhere (e.g. the reader's statistics): the counter
  // becomes `total` unless it is already higher, so it never goes back.
  void RaiseTo(uint64_t total);
  uint64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> value_{0};
};

// A value that goes up and down. Lock-free.
class Gauge {
 public:
  void Set(double value) { value_.store(value, std::memory_order_relaxed); }
  void Add(double delta) { value_.fetch_add(delta, std::memory_order_relaxed); }
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0.0};
};

// Owns every metric it hands out: the pointers stay valid as long as the registry lives.
// Every sample carries the label source="<source>".
class MetricsRegistry {
 public:
  explicit MetricsRegistry(std::string source);
  MetricsRegistry(const MetricsRegistry&) = delete;
  MetricsRegistry& operator=(const MetricsRegistry&) = delete;
  ~MetricsRegistry();

  // Registers the series `name{labels}` (or returns it when registered before with the
  // same type). kInvalidArgument for a name or label name Prometheus does not accept, a
  // `source` label, or a name registered before with another type or help text.
  Result<Counter*> AddCounter(const std::string& name, const std::string& help,
                              const Labels& labels = {});
  Result<Gauge*> AddGauge(const std::string& name, const std::string& help,
                          const Labels& labels = {});

  // The text exposition format 0.0.4: for each metric in registration order its # HELP and
  // # TYPE lines, then one line per series.
  std::string Render() const;

  const std::string& source() const { return source_; }

 private:
  struct Series;
  struct Family;
  Result<Series*> AddSeries(const std::string& name, const std::string& help, MetricType type,
                            const Labels& labels);

  std::string source_;
  mutable std::mutex mutex_;  // guards families_ (the set of series, not their values)
  std::deque<Family> families_;
};

// Prometheus escaping: a label value escapes \, " and newline; help text \ and newline.
std::string EscapeLabelValue(const std::string& value);
std::string EscapeHelp(const std::string& help);
// A sample value as Prometheus reads it: shortest round-trip form, +Inf, -Inf, NaN.
std::string FormatSampleValue(double value);

}  // namespace chameleon::metrics
