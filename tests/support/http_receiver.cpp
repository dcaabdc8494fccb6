// The loopback HTTP receiver of the tests; see http_receiver.h. One connection at a time,
// HTTP/1.1 with Content-Length bodies (what libcurl sends for a POST), "Connection: close".
#include "support/http_receiver.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>

namespace chameleon::test_support {
namespace {

std::string Lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

[[noreturn]] void Die(const char* what) {
  (void)std::fprintf(stderr, "HttpReceiver: %s\n", what);
  std::abort();
}

}  // namespace

HttpReceiver::HttpReceiver(bool hold) : hold_(hold) {
  listen_fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listen_fd_ < 0) Die("socket failed");
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  socklen_t length = sizeof address;
  if (bind(listen_fd_, reinterpret_cast<sockaddr*>(&address), length) != 0 ||
      listen(listen_fd_, 16) != 0 ||
      getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    Die("cannot listen on loopback");
  }
  port_ = ntohs(address.sin_port);
  thread_ = std::thread([this] { Serve(); });
}

HttpReceiver::~HttpReceiver() {
  {
    std::lock_guard lock(mutex_);  // so a waiter cannot miss the change
    stopping_ = true;
  }
  changed_.notify_all();
  thread_.join();
  close(listen_fd_);
}

std::string HttpReceiver::Url(const std::string& path) const {
  return "http://127.0.0.1:" + std::to_string(port_) + path;
}

std::vector<HttpRequest> HttpReceiver::Requests() const {
  std::lock_guard lock(mutex_);
  return requests_;
}

bool HttpReceiver::WaitForRequests(size_t count, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, timeout, [&] { return requests_.size() >= count; });
}

void HttpReceiver::Release() {
  {
    std::lock_guard lock(mutex_);
    hold_ = false;
  }
  changed_.notify_all();
}

void HttpReceiver::Serve() {
  while (!stopping_) {
    pollfd waiting{listen_fd_, POLLIN, 0};
    if (poll(&waiting, 1, 50) <= 0) continue;
    int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    HandleConnection(fd);
    close(fd);
  }
}

void HttpReceiver::HandleConnection(int fd) {
  std::string data;
  size_t header_end = std::string::npos;
  size_t body_length = 0;
  // Reads until the headers and the Content-Length body are in, the peer closes, or stop.
  while (!stopping_) {
    if (header_end != std::string::npos && data.size() >= header_end + 4 + body_length) break;
    pollfd readable{fd, POLLIN, 0};
    if (poll(&readable, 1, 50) <= 0) continue;
    char buffer[4096];
    ssize_t got = recv(fd, buffer, sizeof buffer, 0);
    if (got <= 0) return;
    data.append(buffer, static_cast<size_t>(got));
    if (header_end == std::string::npos) {
      header_end = data.find("\r\n\r\n");
      if (header_end == std::string::npos) continue;
      std::string headers = Lower(data.substr(0, header_end));
      size_t at = headers.find("\r\ncontent-length:");
      if (at != std::string::npos) body_length = std::stoul(headers.substr(at + 17));
    }
  }
  if (stopping_) return;
  HttpRequest request;
  size_t line_end = data.find("\r\n");
  std::string request_line = data.substr(0, line_end);
  size_t space = request_line.find(' ');
  request.method = request_line.substr(0, space);
  request.path = request_line.substr(space + 1, request_line.rfind(' ') - space - 1);
  for (size_t start = line_end + 2; start < header_end;) {
    size_t end = data.find("\r\n", start);
    std::string line = data.substr(start, end - start);
    size_t colon = line.find(':');
    if (colon != std::string::npos) {
      size_t value = line.find_first_not_of(' ', colon + 1);
      request.headers[Lower(line.substr(0, colon))] =
          value == std::string::npos ? "" : line.substr(value);
    }
    start = end + 2;
  }
  request.body = data.substr(header_end + 4, body_length);
  {
    std::unique_lock lock(mutex_);
    requests_.push_back(std::move(request));
    changed_.notify_all();
    changed_.wait(lock, [this] { return !hold_ || stopping_; });
  }
  if (stopping_) return;
  const std::string answer =
      "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 22\r\n"
      "Connection: close\r\n\r\n{\"err\": 0, \"ok\": true}";
  (void)send(fd, answer.data(), answer.size(), MSG_NOSIGNAL);
}

}  // namespace chameleon::test_support
