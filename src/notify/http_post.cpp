// libcurl's multi interface drives one transfer so that Abort() can wake it; see http_post.h.
#include "notify/http_post.h"

#include <curl/curl.h>
#include <fmt/format.h>

#include <mutex>

#include "common/version.h"

namespace chameleon::notify {
namespace {

size_t DiscardBody(char* /*data*/, size_t size, size_t count, void* /*user*/) {
  return size * count;
}

void GlobalInitOnce() {
  // curl_global_init is not thread-safe everywhere: run it once, from the first constructor.
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

// Owns the easy handle and header list of one transfer.
struct Transfer {
  CURL* easy = curl_easy_init();
  curl_slist* headers = nullptr;
  char error[CURL_ERROR_SIZE] = {};
  ~Transfer() {
    if (easy != nullptr) curl_easy_cleanup(easy);
    curl_slist_free_all(headers);
  }
  Transfer() = default;
  Transfer(const Transfer&) = delete;
  Transfer& operator=(const Transfer&) = delete;
};

}  // namespace

HttpPoster::HttpPoster() {
  GlobalInitOnce();
  multi_ = curl_multi_init();
}

HttpPoster::~HttpPoster() {
  if (multi_ != nullptr) curl_multi_cleanup(multi_);
}

void HttpPoster::Abort() {
  aborted_ = true;
  if (multi_ != nullptr) curl_multi_wakeup(multi_);
}

Status HttpPoster::Post(const PostRequest& request) {
  if (aborted_) return Status::Unavailable("abandoned at exit");
  Transfer transfer;
  if (multi_ == nullptr || transfer.easy == nullptr) {
    return Status::Internal("libcurl could not allocate a transfer");
  }
  for (const auto& header : request.headers)
    transfer.headers = curl_slist_append(transfer.headers, header.c_str());
  // No "Expect: 100-continue" round trip: the body is small.
  transfer.headers = curl_slist_append(transfer.headers, "Expect:");
  CURL* easy = transfer.easy;
  curl_easy_setopt(easy, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(easy, CURLOPT_POSTFIELDS, request.body.data());
  curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
  curl_easy_setopt(easy, CURLOPT_HTTPHEADER, transfer.headers);
  curl_easy_setopt(easy, CURLOPT_USERAGENT, "chameleon/" CHAMELEON_VERSION);
  curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(request.connect_timeout.count()));
  curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, static_cast<long>(request.total_timeout.count()));
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, DiscardBody);
  curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, transfer.error);
  if (curl_multi_add_handle(multi_, easy) != CURLM_OK) {
    return Status::Internal("libcurl could not start a transfer");
  }
  int running = 1;
  CURLMcode multi_code = CURLM_OK;
  while (!aborted_) {
    multi_code = curl_multi_perform(multi_, &running);
    if (multi_code != CURLM_OK || running == 0) break;
    // Sleeps until the socket is ready, a curl timer fires, 200 ms pass or Abort() wakes it.
    multi_code = curl_multi_poll(multi_, nullptr, 0, 200, nullptr);
    if (multi_code != CURLM_OK) break;
  }
  CURLcode result = CURLE_OK;
  int left = 0;
  while (CURLMsg* message = curl_multi_info_read(multi_, &left)) {
    if (message->msg == CURLMSG_DONE) result = message->data.result;
  }
  curl_multi_remove_handle(multi_, easy);
  if (running != 0 && aborted_) return Status::Unavailable("abandoned at exit");
  if (multi_code != CURLM_OK) return Status::Internal(curl_multi_strerror(multi_code));
  if (result != CURLE_OK) {
    return Status::Unavailable(transfer.error[0] != '\0' ? transfer.error
                                                         : curl_easy_strerror(result));
  }
  long http_status = 0;
  curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &http_status);
  if (http_status < 200 || http_status >= 300) {
    return Status::Unavailable(fmt::format("answered HTTP {}", http_status));
  }
  return Status::Ok();
}

}  // namespace chameleon::notify
