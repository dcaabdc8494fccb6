// Parsing is minimal on purpose: only the request line matters; headers are skipped.
#include "metrics/http_request.h"

#include <fmt/format.h>

namespace chameleon::metrics {
namespace {

std::string Response(std::string_view status, std::string_view content_type, std::string_view body,
                     bool with_body, std::string_view extra_headers) {
  std::string out = fmt::format(
      "HTTP/1.1 {}\r\nContent-Type: {}\r\nContent-Length: {}\r\n{}Connection: close\r\n\r\n",
      status, content_type, body.size(), extra_headers);
  if (with_body) out += body;
  return out;
}

}  // namespace

size_t RequestHeadLength(std::string_view received) {
  size_t crlf = received.find("\r\n\r\n");
  size_t lf = received.find("\n\n");
  if (crlf != std::string_view::npos && (lf == std::string_view::npos || crlf + 2 <= lf)) {
    return crlf + 4;
  }
  return lf == std::string_view::npos ? 0 : lf + 2;
}

std::string PlainResponse(std::string_view status, std::string_view body) {
  return Response(status, "text/plain; charset=utf-8", std::string(body) + "\n", true, "");
}

std::string RespondTo(std::string_view head, const std::function<std::string()>& render) {
  std::string_view line = head.substr(0, head.find('\n'));
  if (line.ends_with('\r')) line.remove_suffix(1);
  size_t first_space = line.find(' ');
  size_t second_space =
      first_space == std::string_view::npos ? first_space : line.find(' ', first_space + 1);
  if (second_space == std::string_view::npos ||
      !line.substr(second_space + 1).starts_with("HTTP/")) {
    return PlainResponse("400 Bad Request", "expected a request line: GET /metrics HTTP/1.1");
  }
  std::string_view method = line.substr(0, first_space);
  std::string_view target = line.substr(first_space + 1, second_space - first_space - 1);
  std::string_view path = target.substr(0, target.find('?'));
  if (path != "/metrics") {
    return PlainResponse("404 Not Found", "not found: the metrics are at /metrics");
  }
  if (method != "GET" && method != "HEAD") {
    return Response("405 Method Not Allowed", "text/plain; charset=utf-8",
                    "only GET and HEAD are allowed\n", true, "Allow: GET, HEAD\r\n");
  }
  return Response("200 OK", kExpositionContentType, render(), method == "GET", "");
}

}  // namespace chameleon::metrics
