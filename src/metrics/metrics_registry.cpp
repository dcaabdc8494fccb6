// MetricsRegistry: series kept in deques so the pointers handed out never move; rendering
// reads the atomics under the registration lock only.
#include "metrics/metrics_registry.h"

#include <fmt/format.h>

#include <cmath>

namespace chameleon::metrics {

struct MetricsRegistry::Series {
  Labels labels;
  Counter counter;  // the one used follows the family's type
  Gauge gauge;
};

struct MetricsRegistry::Family {
  std::string name;
  std::string help;
  MetricType type = MetricType::kCounter;
  std::deque<Series> series;
};

namespace {

bool IsNameStart(char c, bool allow_colon) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (allow_colon && c == ':');
}

// Metric names: [a-zA-Z_:][a-zA-Z0-9_:]*; label names: [a-zA-Z_][a-zA-Z0-9_]*.
bool ValidName(const std::string& name, bool allow_colon) {
  if (name.empty() || !IsNameStart(name[0], allow_colon)) return false;
  for (char c : name) {
    if (!IsNameStart(c, allow_colon) && !(c >= '0' && c <= '9')) return false;
  }
  return true;
}

const char* TypeName(MetricType type) {
  return type == MetricType::kCounter ? "counter" : "gauge";
}

}  // namespace

void Counter::RaiseTo(uint64_t total) {
  uint64_t current = value_.load(std::memory_order_relaxed);
  while (current < total &&
         !value_.compare_exchange_weak(current, total, std::memory_order_relaxed)) {
  }
}

MetricsRegistry::MetricsRegistry(std::string source) : source_(std::move(source)) {}

MetricsRegistry::~MetricsRegistry() = default;

Result<Counter*> MetricsRegistry::AddCounter(const std::string& name, const std::string& help,
                                             const Labels& labels) {
  ASSIGN_OR_RETURN(Series * series, AddSeries(name, help, MetricType::kCounter, labels));
  return &series->counter;
}

Result<Gauge*> MetricsRegistry::AddGauge(const std::string& name, const std::string& help,
                                         const Labels& labels) {
  ASSIGN_OR_RETURN(Series * series, AddSeries(name, help, MetricType::kGauge, labels));
  return &series->gauge;
}

Result<MetricsRegistry::Series*> MetricsRegistry::AddSeries(const std::string& name,
                                                            const std::string& help,
                                                            MetricType type, const Labels& labels) {
  if (!ValidName(name, true)) {
    return Status::InvalidArgument("metric name '" + name + "' is not a Prometheus name");
  }
  for (const auto& [label, value] : labels) {
    if (!ValidName(label, false) || label.starts_with("__") || label == "source") {
      return Status::InvalidArgument("metric " + name + ": label name '" + label +
                                     "' is reserved or not a Prometheus label name");
    }
  }
  std::lock_guard lock(mutex_);
  Family* family = nullptr;
  for (auto& candidate : families_) {
    if (candidate.name == name) family = &candidate;
  }
  if (family == nullptr) {
    family = &families_.emplace_back();
    family->name = name;
    family->help = help;
    family->type = type;
  } else if (family->type != type || family->help != help) {
    return Status::InvalidArgument("metric " + name + " is already registered as a " +
                                   TypeName(family->type) + " with other help text");
  }
  for (auto& series : family->series) {
    if (series.labels == labels) return &series;
  }
  Series& added = family->series.emplace_back();
  added.labels = labels;
  return &added;
}

std::string MetricsRegistry::Render() const {
  std::string source_label = "source=\"" + EscapeLabelValue(source_) + "\"";
  std::string out;
  std::lock_guard lock(mutex_);
  for (const auto& family : families_) {
    fmt::format_to(std::back_inserter(out), "# HELP {} {}\n# TYPE {} {}\n", family.name,
                   EscapeHelp(family.help), family.name, TypeName(family.type));
    for (const auto& series : family.series) {
      out += family.name;
      out += '{';
      out += source_label;
      for (const auto& [label, value] : series.labels) {
        fmt::format_to(std::back_inserter(out), ",{}=\"{}\"", label, EscapeLabelValue(value));
      }
      out += "} ";
      out += family.type == MetricType::kCounter ? std::to_string(series.counter.value())
                                                 : FormatSampleValue(series.gauge.value());
      out += '\n';
    }
  }
  return out;
}

std::string EscapeLabelValue(const std::string& value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string EscapeHelp(const std::string& help) {
  std::string out;
  out.reserve(help.size());
  for (char c : help) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string FormatSampleValue(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  return fmt::format("{}", value);
}

}  // namespace chameleon::metrics
