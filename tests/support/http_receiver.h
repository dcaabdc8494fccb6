// HttpReceiver: a loopback HTTP server thread for tests. It records every request it reads
// (method, path, headers, body) and answers 200, or, while held, reads requests and keeps
// them unanswered (an endpoint that hangs) until Release() or destruction.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace chameleon::test_support {

struct HttpRequest {
  std::string method;
  std::string path;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
};

class HttpReceiver {
 public:
  // `hold`: leave requests unanswered until Release().
  explicit HttpReceiver(bool hold = false);
  ~HttpReceiver();
  HttpReceiver(const HttpReceiver&) = delete;
  HttpReceiver& operator=(const HttpReceiver&) = delete;

  // http://127.0.0.1:<port><path>
  std::string Url(const std::string& path = "/") const;

  std::vector<HttpRequest> Requests() const;
  // Waits until at least `count` requests have been read; false after `timeout`.
  bool WaitForRequests(size_t count, std::chrono::milliseconds timeout) const;
  // Answers the held request and every later one.
  void Release();

 private:
  void Serve();
  void HandleConnection(int fd);

  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;
  bool hold_;
  std::vector<HttpRequest> requests_;
  std::thread thread_;
};

}  // namespace chameleon::test_support
