// The little HTTP/1.x the metrics endpoint speaks: find the end of a request's head, and
// answer it (GET /metrics: the exposition; anything else: 404, 405 or 400). Pure functions.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

namespace chameleon::metrics {

inline constexpr char kExpositionContentType[] = "text/plain; version=0.0.4; charset=utf-8";

// The length of the request head (through the blank line) when `received` holds all of it;
// 0 while more is needed. Accepts CRLF and bare LF line ends.
size_t RequestHeadLength(std::string_view received);

// The full HTTP response (Connection: close) to the request head `head`; `render` is
// called only for GET or HEAD of /metrics.
std::string RespondTo(std::string_view head, const std::function<std::string()>& render);

// A response with status `code` (e.g. "413 Content Too Large") and a one-line text body.
std::string PlainResponse(std::string_view status, std::string_view body);

}  // namespace chameleon::metrics
