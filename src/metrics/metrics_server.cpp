// MetricsServer: a non-blocking listen socket and connections driven by one poll() loop.
// Sends use MSG_NOSIGNAL so a client that hangs up never raises SIGPIPE.
#include "metrics/metrics_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string_view>
#include <vector>

#include "metrics/http_request.h"

namespace chameleon::metrics {
namespace {

using Clock = std::chrono::steady_clock;
constexpr int kPollTimeoutMs = 100;

struct Connection {
  int fd = -1;
  std::string received;
  std::string response;  // non-empty once the request is answered
  size_t sent = 0;
  Clock::time_point deadline;
};

std::string ErrnoText(int error) {
  return std::strerror(error);  // NOLINT(concurrency-mt-unsafe): messages only
}

void CloseFd(int& fd) {
  if (fd >= 0) close(fd);
  fd = -1;
}

// Reads what the client sent; false when the connection is to be closed now.
bool ReadRequest(Connection& connection, const MetricsRegistry& registry, size_t max_bytes) {
  char buffer[4096];
  ssize_t got = recv(connection.fd, buffer, sizeof buffer, MSG_DONTWAIT);
  if (got < 0) return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
  if (got == 0) return false;  // the client went away before a full request
  connection.received.append(buffer, static_cast<size_t>(got));
  size_t head = RequestHeadLength(connection.received);
  if (head == 0 && connection.received.size() > max_bytes) {
    connection.response = PlainResponse("431 Request Header Fields Too Large",
                                        "the request is too large for the metrics endpoint");
  } else if (head != 0) {
    connection.response = RespondTo(std::string_view(connection.received).substr(0, head),
                                    [&registry] { return registry.Render(); });
  }
  return true;
}

// Sends what it can; false when done or failed (the connection is to be closed).
bool WriteResponse(Connection& connection) {
  while (connection.sent < connection.response.size()) {
    ssize_t put = send(connection.fd, connection.response.data() + connection.sent,
                       connection.response.size() - connection.sent, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (put < 0) return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
    connection.sent += static_cast<size_t>(put);
  }
  shutdown(connection.fd, SHUT_WR);
  return false;
}

}  // namespace

MetricsServer::MetricsServer(const MetricsRegistry& registry, MetricsServerOptions options)
    : registry_(registry), options_(std::move(options)) {}

MetricsServer::~MetricsServer() {
  Stop();
}

Status MetricsServer::Start() {
  if (thread_.joinable()) return Status::FailedPrecondition("the metrics server is running");
  sockaddr_storage address{};
  socklen_t address_length = 0;
  auto* v4 = reinterpret_cast<sockaddr_in*>(&address);   // NOLINT: sockaddr API
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&address);  // NOLINT: sockaddr API
  auto port = htons(static_cast<uint16_t>(options_.port));
  if (inet_pton(AF_INET, options_.address.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = port;
    address_length = sizeof(sockaddr_in);
  } else if (inet_pton(AF_INET6, options_.address.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = port;
    address_length = sizeof(sockaddr_in6);
  } else {
    return Status::InvalidArgument("metrics_address '" + options_.address +
                                   "' is not an IPv4 or IPv6 address (e.g. 127.0.0.1)");
  }
  listen_fd_ = socket(address.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (listen_fd_ < 0) return Status::IoError("metrics endpoint: socket: " + ErrnoText(errno));
  int on = 1;
  setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);  // restarts in TIME_WAIT
  // NOLINTNEXTLINE(cppcoreguidelines-pro-type-reinterpret-cast): sockaddr API
  if (bind(listen_fd_, reinterpret_cast<sockaddr*>(&address), address_length) != 0 ||
      listen(listen_fd_, 64) != 0) {
    int error = errno;
    CloseFd(listen_fd_);
    if (error == EADDRINUSE) {
      return Status::Unavailable("metrics_port " + std::to_string(options_.port) +
                                 " is in use: " + ErrnoText(error) + " on " + options_.address +
                                 "; stop what listens there or choose another metrics_port");
    }
    return Status::Unavailable(
        "metrics endpoint " + options_.address + ":" + std::to_string(options_.port) +
        ": cannot listen: " + ErrnoText(error) + "; check metrics_address and metrics_port");
  }
  sockaddr_storage bound{};
  socklen_t bound_length = sizeof bound;
  // NOLINTNEXTLINE(cppcoreguidelines-pro-type-reinterpret-cast): sockaddr API
  getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&bound), &bound_length);
  bound_port_ = ntohs(bound.ss_family == AF_INET
                          ? reinterpret_cast<sockaddr_in*>(&bound)->sin_port      // NOLINT
                          : reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port);  // NOLINT
  if (pipe2(wake_pipe_, O_CLOEXEC | O_NONBLOCK) != 0) {
    int error = errno;
    CloseFd(listen_fd_);
    return Status::IoError("metrics endpoint: pipe: " + ErrnoText(error));
  }
  stopping_.store(false);
  thread_ = std::thread([this] { Serve(); });
  return Status::Ok();
}

void MetricsServer::Stop() {
  if (thread_.joinable()) {
    stopping_.store(true);
    char byte = 0;
    [[maybe_unused]] ssize_t written = write(wake_pipe_[1], &byte, 1);
    thread_.join();
  }
  CloseFd(listen_fd_);
  CloseFd(wake_pipe_[0]);
  CloseFd(wake_pipe_[1]);
}

void MetricsServer::Serve() {
  std::vector<Connection> connections;
  std::vector<pollfd> polled;
  while (!stopping_.load()) {
    polled.clear();
    polled.push_back({listen_fd_, POLLIN, 0});
    polled.push_back({wake_pipe_[0], POLLIN, 0});
    for (const auto& connection : connections) {
      short events = connection.response.empty() ? POLLIN : POLLOUT;
      polled.push_back({connection.fd, events, 0});
    }
    int ready = poll(polled.data(), polled.size(), kPollTimeoutMs);
    if (ready < 0 && errno != EINTR) break;  // cannot happen with valid descriptors
    if (stopping_.load()) break;
    auto now = Clock::now();
    // Connections first: `polled` indexes them from 2 in the order of `connections`.
    for (size_t index = 0; index < connections.size(); ++index) {
      Connection& connection = connections[index];
      short revents = polled[index + 2].revents;
      bool keep = now < connection.deadline;
      if (keep && (revents & (POLLERR | POLLNVAL)) != 0) keep = false;
      if (keep && connection.response.empty() && (revents & (POLLIN | POLLHUP)) != 0) {
        keep = ReadRequest(connection, registry_, options_.max_request_bytes);
      }
      // Answer at once rather than wait a poll round: the socket is almost always writable.
      if (keep && !connection.response.empty()) keep = WriteResponse(connection);
      if (!keep) CloseFd(connection.fd);
    }
    std::erase_if(connections, [](const Connection& connection) { return connection.fd < 0; });
    if ((polled[0].revents & POLLIN) == 0) continue;
    while (true) {
      int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd < 0) break;  // EAGAIN: none left; anything else: the client is gone
      if (connections.size() >= options_.max_connections) {
        close(fd);
        continue;
      }
      connections.push_back({fd, {}, {}, 0, now + options_.connection_timeout});
    }
  }
  for (auto& connection : connections)
    CloseFd(connection.fd);
}

}  // namespace chameleon::metrics
