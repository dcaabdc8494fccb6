// The notification queue and its sender thread; see notifier.h.
#include "notify/notifier.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <ctime>

#include "notify/http_post.h"

namespace chameleon::notify {

Notifier::Notifier(NotifierOptions options)
    : options_(std::move(options)), poster_(std::make_unique<HttpPoster>()) {
  sender_ = std::thread([this] { Run(); });
}

Notifier::~Notifier() {
  Close(std::chrono::steady_clock::now() + options_.close_timeout);
}

void Notifier::Send(Level level, const std::string& message) {
  Pending pending;
  for (size_t i = 0; i < options_.targets.size(); ++i) {
    if (Passes(level, options_.targets[i].threshold)) pending.targets.push_back(i);
  }
  if (pending.targets.empty()) return;
  Notification notification;
  notification.level = level;
  notification.message = Scrub(message, options_.secrets, options_.max_message_bytes);
  notification.environment = options_.environment;
  notification.origin = options_.origin;
  notification.timestamp_seconds = static_cast<int64_t>(std::time(nullptr));
  pending.body = ItemJson(notification);

  uint64_t dropped = 0;
  {
    std::lock_guard lock(mutex_);
    if (closed_) return;
    if (queue_.size() >= options_.queue_capacity && !queue_.empty()) {
      queue_.pop_front();
      ++stats_.dropped;
      auto now = std::chrono::steady_clock::now();
      if (stats_.dropped == 1 || now - last_drop_log_ >= options_.failure_log_interval) {
        last_drop_log_ = now;
        dropped = stats_.dropped;
      }
    }
    queue_.push_back(std::move(pending));
    ++stats_.queued;
  }
  wake_.notify_one();
  if (dropped > 0) {
    spdlog::warn(
        "notifications: {} waiting on a slow endpoint, the oldest dropped ({} dropped so far)",
        options_.queue_capacity, dropped);
  }
}

bool Notifier::Flush(std::chrono::steady_clock::time_point deadline) {
  std::unique_lock lock(mutex_);
  return drained_.wait_until(lock, deadline,
                             [this] { return (queue_.empty() && !in_flight_) || stopping_; }) &&
         queue_.empty() && !in_flight_;
}

void Notifier::Close(std::chrono::steady_clock::time_point deadline) {
  {
    std::lock_guard lock(mutex_);
    if (closed_) return;
    closed_ = true;  // no new messages from here on
  }
  bool drained = Flush(deadline);
  size_t left = 0;
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    left = queue_.size() + (in_flight_ ? 1 : 0);
  }
  wake_.notify_all();
  poster_->Abort();
  if (sender_.joinable()) sender_.join();
  if (!drained && left > 0) {
    spdlog::warn("notifications: {} message(s) not delivered before exit", left);
  }
  uint64_t dropped = stats().dropped;
  if (dropped > 0) {
    spdlog::warn("notifications: {} message(s) were dropped because the queue was full", dropped);
  }
  if (failures_unreported_ > 0) {
    spdlog::warn("notifications: {} more failed POST(s) since the last one logged",
                 failures_unreported_);
  }
}

NotifierStats Notifier::stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

void Notifier::Run() {
  std::unique_lock lock(mutex_);
  while (true) {
    wake_.wait(lock, [this] { return !queue_.empty() || stopping_; });
    if (stopping_) break;
    Pending pending = std::move(queue_.front());
    queue_.pop_front();
    in_flight_ = true;
    lock.unlock();
    Deliver(pending);
    lock.lock();
    in_flight_ = false;
    if (queue_.empty()) drained_.notify_all();
  }
  drained_.notify_all();
}

void Notifier::Deliver(const Pending& pending) {
  for (size_t index : pending.targets) {
    const Target& target = options_.targets[index];
    PostRequest request;
    request.url = target.url.reveal();
    request.headers.emplace_back("Content-Type: application/json");
    if (!target.access_token.empty()) {
      request.headers.push_back("X-Rollbar-Access-Token: " + target.access_token.reveal());
    }
    request.body = pending.body;
    request.connect_timeout = options_.connect_timeout;
    request.total_timeout = options_.request_timeout;
    Status status = poster_->Post(request);
    bool report = false;
    {
      std::lock_guard lock(mutex_);
      if (status.ok()) {
        ++stats_.sent;
      } else {
        ++stats_.failed;
        report = !stopping_;  // a POST abandoned at exit is counted by Close()
      }
    }
    if (status.ok()) {
      spdlog::debug("notification sent to {}", target.name);
    } else if (report) {
      ReportFailure(target, status);
    }
  }
}

void Notifier::ReportFailure(const Target& target, const Status& status) {
  auto now = std::chrono::steady_clock::now();
  bool first = last_failure_log_ == std::chrono::steady_clock::time_point{};
  if (!first && now - last_failure_log_ < options_.failure_log_interval) {
    ++failures_unreported_;
    return;
  }
  std::string earlier =
      failures_unreported_ == 0
          ? ""
          : fmt::format(" ({} more failure(s) since the last report)", failures_unreported_);
  spdlog::warn("notification to {} ({}) failed: {}{}; the replica goes on", target.name,
               UrlOrigin(target.url.reveal()), status.message(), earlier);
  last_failure_log_ = now;
  failures_unreported_ = 0;
}

}  // namespace chameleon::notify
