// The marker-row lag probe; see lag_probe.h. Lag = the probe's clock when a marker is first seen
// minus the send time in the row: both on this machine's wall clock.
#include "lag_probe.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>

namespace chameleon::bench {
namespace {

int64_t ToInt64(const std::optional<std::string>& text) {
  int64_t value = 0;
  if (text) std::from_chars(text->data(), text->data() + text->size(), value);
  return value;
}

double Percentile(const std::vector<int64_t>& sorted_us, double fraction) {
  if (sorted_us.empty()) return 0;
  auto rank =
      static_cast<size_t>(std::lround(fraction * static_cast<double>(sorted_us.size() - 1)));
  return static_cast<double>(sorted_us[std::min(rank, sorted_us.size() - 1)]) / 1000.0;
}

std::string MarkerQuery(const std::string& schema) {
  return fmt::format("SELECT id, sent_us FROM {}.bench_marker WHERE id > $1 ORDER BY id",
                     PgIdentifier(schema));
}

}  // namespace

LagProbe::LagProbe(PgSession session, std::string schema, int64_t after_id)
    : session_(std::move(session)), schema_(std::move(schema)), seen_id_(after_id) {}

LagProbe::~LagProbe() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

void LagProbe::Start() {
  thread_ = std::thread([this] { Run(); });
}

void LagProbe::Run() {
  const std::string sql = MarkerQuery(schema_);
  while (!stop_) {
    int64_t after;
    {
      std::lock_guard lock(mutex_);
      after = seen_id_;
    }
    Result<TextRows> rows = session_.Query(sql, {std::to_string(after)});
    int64_t now_us = WallMicros();
    {
      std::lock_guard lock(mutex_);
      if (!rows.ok()) {
        error_ = rows.status();
        return;
      }
      for (const auto& row : *rows) {
        lags_us_.push_back(now_us - ToInt64(row[1]));
        seen_id_ = std::max(seen_id_, ToInt64(row[0]));
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(kPollIntervalMs));
  }
}

Status LagProbe::WaitFor(int64_t last_id, int64_t timeout_ms) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  Status status = Status::Ok();
  while (true) {
    {
      std::lock_guard lock(mutex_);
      if (!error_.ok()) {
        status = error_;
        break;
      }
      if (seen_id_ >= last_id) break;
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      status = Status::Unavailable(fmt::format(
          "the last marker did not reach {}.bench_marker within {} ms", schema_, timeout_ms));
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(kPollIntervalMs));
  }
  stop_ = true;
  if (thread_.joinable()) thread_.join();
  return status;
}

LagStats LagProbe::Stats() const {
  std::vector<int64_t> sorted;
  {
    std::lock_guard lock(mutex_);
    sorted = lags_us_;
  }
  std::sort(sorted.begin(), sorted.end());
  LagStats stats;
  stats.samples = sorted.size();
  stats.p50_ms = Percentile(sorted, 0.50);
  stats.p99_ms = Percentile(sorted, 0.99);
  stats.max_ms = sorted.empty() ? 0 : static_cast<double>(sorted.back()) / 1000.0;
  return stats;
}

Status WaitForMarker(PgSession& session, const std::string& schema, int64_t min_id,
                     int64_t timeout_ms) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  const std::string sql = MarkerQuery(schema);
  while (true) {
    ASSIGN_OR_RETURN(TextRows rows, session.Query(sql, {std::to_string(min_id - 1)}));
    if (!rows.empty()) return Status::Ok();
    if (std::chrono::steady_clock::now() >= deadline) {
      return Status::Unavailable(fmt::format("marker {} did not reach {}.bench_marker within {} ms",
                                             min_id, schema, timeout_ms));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(LagProbe::kPollIntervalMs));
  }
}

}  // namespace chameleon::bench
