// Notifier: sends notifications to Rollbar and/or a webhook without ever holding up its
// caller. Send() only queues (a bounded queue: when full the oldest message is dropped and
// counted); ONE background thread posts, each request bounded by its timeouts; failures are
// logged at most once a minute and never reach the caller. Thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/secret.h"
#include "common/status.h"
#include "notify/level.h"
#include "notify/notification.h"

namespace chameleon::notify {

class HttpPoster;

inline constexpr const char* kRollbarEndpoint = "https://api.rollbar.com/api/1/item/";

// One place notifications go.
struct Target {
  std::string name;                // "rollbar" or "webhook", for the log
  Secret url;                      // may hold a token: logs print UrlOrigin() only
  Secret access_token;             // sent as X-Rollbar-Access-Token when not empty
  Level threshold = Level::kInfo;  // messages passing Passes(level, threshold) go here
};

struct NotifierOptions {
  std::vector<Target> targets;
  std::string environment;  // rollbar_env
  Origin origin;
  std::vector<Secret> secrets;  // masked out of every message (see Scrub)
  size_t queue_capacity = 100;  // messages waiting; beyond it the oldest is dropped
  size_t max_message_bytes = 16384;
  std::chrono::milliseconds connect_timeout{3000};
  std::chrono::milliseconds request_timeout{5000};  // one POST, connect included
  std::chrono::milliseconds close_timeout{5000};    // the destructor's Flush
  std::chrono::milliseconds failure_log_interval{60 * 1000};
};

struct NotifierStats {
  uint64_t queued = 0;   // messages accepted by Send for at least one target
  uint64_t sent = 0;     // POSTs answered 2xx
  uint64_t failed = 0;   // POSTs that failed or timed out
  uint64_t dropped = 0;  // messages dropped from a full queue
};

class Notifier {
 public:
  // Starts the sender thread. Messages at levels no target takes are ignored.
  explicit Notifier(NotifierOptions options);
  // Close(now + close_timeout).
  ~Notifier();
  Notifier(const Notifier&) = delete;
  Notifier& operator=(const Notifier&) = delete;

  // Queues `message` for every target whose threshold `level` passes; never blocks on I/O.
  void Send(Level level, const std::string& message);

  // Waits until every queued message has been posted (or has failed), or until `deadline`.
  // True when the queue drained in time.
  bool Flush(std::chrono::steady_clock::time_point deadline);

  // Flush(deadline), then stops the thread: a POST still in flight is abandoned, messages
  // still queued are counted in the log. Later Sends are ignored. Idempotent.
  void Close(std::chrono::steady_clock::time_point deadline);

  NotifierStats stats() const;

 private:
  struct Pending {
    std::string body;
    std::vector<size_t> targets;  // indexes into options_.targets
  };

  void Run();
  void Deliver(const Pending& pending);
  void ReportFailure(const Target& target, const Status& status);

  const NotifierOptions options_;
  std::unique_ptr<HttpPoster> poster_;

  mutable std::mutex mutex_;
  std::condition_variable wake_;     // the sender: work or stop
  std::condition_variable drained_;  // Flush: queue empty and nothing in flight
  std::deque<Pending> queue_;
  bool in_flight_ = false;
  bool stopping_ = false;
  bool closed_ = false;
  NotifierStats stats_;
  std::chrono::steady_clock::time_point last_drop_log_{};
  // Sender thread only.
  std::chrono::steady_clock::time_point last_failure_log_{};
  uint64_t failures_unreported_ = 0;

  std::thread sender_;  // last: started once everything above exists
};

}  // namespace chameleon::notify
