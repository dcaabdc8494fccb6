// The notification JSON and message scrubbing; see notification.h.
#include "notify/notification.h"

#include <nlohmann/json.hpp>

namespace chameleon::notify {

std::string ItemJson(const Notification& notification) {
  const Origin& origin = notification.origin;
  nlohmann::json data = {
      {"environment", notification.environment},
      {"level", Name(notification.level)},
      {"timestamp", notification.timestamp_seconds},
      {"platform", "linux"},
      {"language", "c++"},
      {"framework", "chameleon"},
      {"server", {{"host", origin.host}}},
      {"notifier", {{"name", "chameleon"}, {"version", origin.version}}},
      {"body", {{"message", {{"body", notification.message}}}}},
      {"custom",
       {{"config", origin.config},
        {"source", origin.source},
        {"command", origin.command},
        {"host", origin.host},
        {"chameleon_version", origin.version}}},
  };
  // Messages may quote bytes from MySQL: invalid UTF-8 becomes U+FFFD instead of throwing.
  return nlohmann::json{{"data", data}}.dump(-1, ' ', false,
                                             nlohmann::json::error_handler_t::replace);
}

std::string Scrub(std::string text, const std::vector<Secret>& secrets, size_t max_bytes) {
  for (const auto& secret : secrets) {
    const std::string& value = secret.reveal();
    if (value.size() < kMinSecretLength) continue;
    for (size_t at = text.find(value); at != std::string::npos;
         at = text.find(value, at + std::char_traits<char>::length(Secret::kMask))) {
      text.replace(at, value.size(), Secret::kMask);
    }
  }
  if (text.size() > max_bytes) {
    size_t cut = max_bytes;
    // Back up over UTF-8 continuation bytes so no character is cut in half.
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0U) == 0x80U)
      --cut;
    text.resize(cut);
    text += "…";
  }
  return text;
}

std::string UrlOrigin(const std::string& url) {
  size_t scheme_end = url.find("://");
  if (scheme_end == std::string::npos) return "(invalid URL)";
  size_t host_end = url.find_first_of("/?#", scheme_end + 3);
  std::string origin = url.substr(0, host_end);
  // user:password@host: keep the host only.
  size_t at = origin.rfind('@');
  if (at != std::string::npos) origin = origin.substr(0, scheme_end + 3) + origin.substr(at + 1);
  return origin;
}

}  // namespace chameleon::notify
