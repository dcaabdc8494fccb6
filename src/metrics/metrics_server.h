// The HTTP endpoint Prometheus scrapes: GET /metrics answers the registry's exposition.
// One background thread multiplexes every connection with poll(), so a slow or silent
// client delays nobody; each connection has a deadline and a request size limit.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <string>
#include <thread>

#include "common/status.h"
#include "metrics/metrics_registry.h"

namespace chameleon::metrics {

struct MetricsServerOptions {
  std::string address = "127.0.0.1";  // IPv4 or IPv6 literal (config key metrics_address)
  int port = 0;                       // 0: an ephemeral port, see MetricsServer::port()
  // A connection that has not sent its request and read the answer by then is closed.
  std::chrono::milliseconds connection_timeout{5000};
  size_t max_request_bytes = 8192;  // request heads above this get 431 and are closed
  size_t max_connections = 32;      // more at once are closed on accept
};

// `registry` must outlive the server. Start() and Stop() from one thread.
class MetricsServer {
 public:
  MetricsServer(const MetricsRegistry& registry, MetricsServerOptions options);
  MetricsServer(const MetricsServer&) = delete;
  MetricsServer& operator=(const MetricsServer&) = delete;
  ~MetricsServer();  // Stop()

  // Binds, listens and starts the thread. kUnavailable when the port is taken
  // ("metrics_port 9187 is in use: ..."), kInvalidArgument for a bad address.
  Status Start();
  // Returns within about 100 ms; closes every connection. Idempotent.
  void Stop();

  // The port bound (the ephemeral one when options.port was 0); 0 before Start().
  int port() const { return bound_port_; }

 private:
  void Serve();

  const MetricsRegistry& registry_;
  MetricsServerOptions options_;
  int listen_fd_ = -1;
  int wake_pipe_[2] = {-1, -1};  // Stop() writes a byte so poll() returns at once
  int bound_port_ = 0;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace chameleon::metrics
