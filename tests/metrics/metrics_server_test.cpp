// The endpoint scraped over real TCP sockets on an ephemeral loopback port.
#include "metrics/metrics_server.h"

#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <string>

namespace chameleon::metrics {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;
using Clock = std::chrono::steady_clock;

// A connected client socket to 127.0.0.1:port; closed by the destructor.
class Client {
 public:
  explicit Client(int port) {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    // NOLINTNEXTLINE(cppcoreguidelines-pro-type-reinterpret-cast): sockaddr API
    connected_ = connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
  }
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;
  ~Client() { close(fd_); }

  bool connected() const { return connected_; }
  void Send(const std::string& text) const {
    ASSERT_EQ(send(fd_, text.data(), text.size(), MSG_NOSIGNAL), static_cast<ssize_t>(text.size()));
  }
  // Everything until the server closes, or what came within `timeout`.
  std::string ReadAll(std::chrono::milliseconds timeout = std::chrono::seconds(5)) const {
    std::string out;
    auto until = Clock::now() + timeout;
    while (Clock::now() < until) {
      pollfd polled{fd_, POLLIN, 0};
      if (poll(&polled, 1, 50) <= 0) continue;
      char buffer[4096];
      ssize_t got = recv(fd_, buffer, sizeof buffer, 0);
      if (got <= 0) break;
      out.append(buffer, static_cast<size_t>(got));
    }
    return out;
  }

 private:
  int fd_ = -1;
  bool connected_ = false;
};

std::string Scrape(int port, const std::string& request) {
  Client client(port);
  EXPECT_TRUE(client.connected());
  client.Send(request);
  return client.ReadAll();
}

class MetricsServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Gauge* up = *registry_.AddGauge("chameleon_up", "1 while the replica daemon runs.");
    up->Set(1);
    MetricsServerOptions options;
    options.connection_timeout = std::chrono::milliseconds(1500);
    options.max_request_bytes = 1024;
    server_ = std::make_unique<MetricsServer>(registry_, options);
    Status started = server_->Start();
    ASSERT_TRUE(started.ok()) << started.message();
    ASSERT_GT(server_->port(), 0);
  }

  MetricsRegistry registry_{"mysql"};
  std::unique_ptr<MetricsServer> server_;
};

TEST_F(MetricsServerTest, GetMetricsAnswersTheExposition) {
  std::string response =
      Scrape(server_->port(), "GET /metrics HTTP/1.1\r\nHost: localhost\r\nAccept: */*\r\n\r\n");
  EXPECT_THAT(response, StartsWith("HTTP/1.1 200 OK\r\n"));
  EXPECT_THAT(response, HasSubstr("Content-Type: text/plain; version=0.0.4"));
  std::string body = registry_.Render();
  EXPECT_THAT(response, HasSubstr("Content-Length: " + std::to_string(body.size()) + "\r\n"));
  EXPECT_TRUE(response.ends_with("\r\n\r\n" + body)) << response;
  EXPECT_THAT(body, HasSubstr("chameleon_up{source=\"mysql\"} 1\n"));
}

TEST_F(MetricsServerTest, OtherPathsAre404) {
  EXPECT_THAT(Scrape(server_->port(), "GET /favicon.ico HTTP/1.1\r\n\r\n"),
              StartsWith("HTTP/1.1 404 Not Found\r\n"));
}

TEST_F(MetricsServerTest, AnOversizedRequestIsRefused) {
  EXPECT_THAT(Scrape(server_->port(), "GET /metrics HTTP/1.1\r\nX: " + std::string(4000, 'a')),
              StartsWith("HTTP/1.1 431"));
}

TEST_F(MetricsServerTest, ASlowClientDoesNotDelayAnotherScrape) {
  Client slow(server_->port());
  ASSERT_TRUE(slow.connected());
  slow.Send("GET /met");  // and nothing more
  auto start = Clock::now();
  std::string response = Scrape(server_->port(), "GET /metrics HTTP/1.1\r\n\r\n");
  EXPECT_THAT(response, StartsWith("HTTP/1.1 200 OK\r\n"));
  EXPECT_LT(Clock::now() - start, std::chrono::milliseconds(500));
  // The slow one is closed at its deadline (1.5 s) without an answer.
  start = Clock::now();
  EXPECT_EQ(slow.ReadAll(std::chrono::seconds(5)), "");
  EXPECT_LT(Clock::now() - start, std::chrono::milliseconds(3000));
}

TEST_F(MetricsServerTest, AClientThatHangsUpEarlyDoesNotHurtTheServer) {
  for (int i = 0; i < 20; ++i) {
    Client gone(server_->port());
    gone.Send("GET /metrics HTTP/1.1\r\n\r\n");
  }  // closed before reading: the answer meets a reset connection (no SIGPIPE)
  EXPECT_THAT(Scrape(server_->port(), "GET /metrics HTTP/1.1\r\n\r\n"),
              StartsWith("HTTP/1.1 200 OK\r\n"));
}

TEST_F(MetricsServerTest, StopReturnsQuicklyEvenWithAnIdleClient) {
  Client idle(server_->port());
  ASSERT_TRUE(idle.connected());
  auto start = Clock::now();
  server_->Stop();
  EXPECT_LT(Clock::now() - start, std::chrono::milliseconds(200));
  EXPECT_FALSE(Client(server_->port()).connected());
}

TEST_F(MetricsServerTest, APortInUseIsAClearError) {
  MetricsServerOptions options;
  options.port = server_->port();
  MetricsServer second(registry_, options);
  Status started = second.Start();
  EXPECT_EQ(started.code(), StatusCode::kUnavailable);
  EXPECT_THAT(started.message(),
              HasSubstr("metrics_port " + std::to_string(server_->port()) + " is in use: "));
}

TEST(MetricsServer, ABadAddressIsAClearError) {
  MetricsRegistry registry("s");
  MetricsServerOptions options;
  options.address = "localhost";
  MetricsServer server(registry, options);
  Status started = server.Start();
  EXPECT_EQ(started.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(started.message(), HasSubstr("metrics_address 'localhost' is not an IPv4 or IPv6"));
}

}  // namespace
}  // namespace chameleon::metrics
