// HttpPoster: one HTTP(S) POST at a time over libcurl, bounded by a connect and a total
// timeout, and abortable from another thread. Used by the Notifier's sender thread only.
#pragma once

#include <atomic>
#include <chrono>
#include <string>
#include <vector>

#include "common/status.h"

namespace chameleon::notify {

struct PostRequest {
  std::string url;
  std::vector<std::string> headers;  // "Name: value"
  std::string body;
  std::chrono::milliseconds connect_timeout{3000};
  std::chrono::milliseconds total_timeout{5000};
};

class HttpPoster {
 public:
  HttpPoster();
  ~HttpPoster();
  HttpPoster(const HttpPoster&) = delete;
  HttpPoster& operator=(const HttpPoster&) = delete;

  // Blocks until the server answers, a timeout passes or Abort() is called. Ok for a 2xx
  // answer; otherwise Unavailable with curl's reason or the HTTP status. The answer's body
  // is read and discarded.
  Status Post(const PostRequest& request);

  // From any thread: ends the Post in progress within milliseconds, and every later one at
  // once. Must not race with destruction.
  void Abort();

 private:
  void* multi_ = nullptr;  // CURLM*, kept out of this header
  std::atomic<bool> aborted_{false};
};

}  // namespace chameleon::notify
