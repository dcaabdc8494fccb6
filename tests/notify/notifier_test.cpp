// The Notifier against a loopback HTTP receiver: what reaches Rollbar and the webhook,
// level thresholds per target, a full queue dropping the oldest, and a hanging endpoint
// that never holds up the caller beyond the close timeout.
#include "notify/notifier.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/http_receiver.h"

namespace chameleon::notify {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;
using test_support::HttpReceiver;

NotifierOptions Options(const HttpReceiver& rollbar, const HttpReceiver& webhook) {
  NotifierOptions options;
  options.targets.push_back(
      {"rollbar", Secret(rollbar.Url("/api/1/item/")), Secret("tok-rollbar-0123"), Level::kInfo});
  options.targets.push_back(
      {"webhook", Secret(webhook.Url("/hook/secret-path")), Secret(), Level::kError});
  options.environment = "staging";
  options.origin = {"default", "mysql", "init_replica", "host1", "0.1.0"};
  options.secrets = {Secret("hunter22")};
  return options;
}

std::string MessageOf(const test_support::HttpRequest& request) {
  return nlohmann::json::parse(request.body)["data"]["body"]["message"]["body"];
}

TEST(Notifier, PostsToRollbarWithTheTokenAndToTheWebhookWithout) {
  HttpReceiver rollbar;
  HttpReceiver webhook;
  Notifier notifier(Options(rollbar, webhook));
  notifier.Send(Level::kError, "copy failed");
  ASSERT_TRUE(notifier.Flush(steady_clock::now() + milliseconds(5000)));

  auto to_rollbar = rollbar.Requests();
  ASSERT_EQ(to_rollbar.size(), 1U);
  EXPECT_EQ(to_rollbar[0].method, "POST");
  EXPECT_EQ(to_rollbar[0].path, "/api/1/item/");
  EXPECT_EQ(to_rollbar[0].headers["x-rollbar-access-token"], "tok-rollbar-0123");
  EXPECT_EQ(to_rollbar[0].headers["content-type"], "application/json");
  EXPECT_EQ(to_rollbar[0].body.find("tok-rollbar-0123"), std::string::npos);
  auto item = nlohmann::json::parse(to_rollbar[0].body);
  EXPECT_EQ(item["data"]["level"], "error");
  EXPECT_EQ(item["data"]["environment"], "staging");
  EXPECT_EQ(MessageOf(to_rollbar[0]), "copy failed");

  auto to_webhook = webhook.Requests();
  ASSERT_EQ(to_webhook.size(), 1U);
  EXPECT_EQ(to_webhook[0].path, "/hook/secret-path");
  EXPECT_EQ(to_webhook[0].headers.count("x-rollbar-access-token"), 0U);
  EXPECT_EQ(to_webhook[0].body, to_rollbar[0].body);
  EXPECT_EQ(notifier.stats().sent, 2U);
}

TEST(Notifier, EachTargetKeepsToItsThreshold) {
  HttpReceiver rollbar;
  HttpReceiver webhook;
  NotifierOptions options = Options(rollbar, webhook);
  options.targets[0].threshold = Level::kWarning;  // rollbar: critical, error, warning
  Notifier notifier(options);
  notifier.Send(Level::kInfo, "info");
  notifier.Send(Level::kWarning, "warning");
  notifier.Send(Level::kError, "error");
  notifier.Send(Level::kCritical, "critical");
  ASSERT_TRUE(notifier.Flush(steady_clock::now() + milliseconds(5000)));
  std::vector<std::string> to_rollbar;
  for (const auto& request : rollbar.Requests())
    to_rollbar.push_back(MessageOf(request));
  std::vector<std::string> to_webhook;
  for (const auto& request : webhook.Requests())
    to_webhook.push_back(MessageOf(request));
  EXPECT_EQ(to_rollbar, (std::vector<std::string>{"warning", "error", "critical"}));
  EXPECT_EQ(to_webhook, (std::vector<std::string>{"error", "critical"}));
}

TEST(Notifier, MasksSecretsInMessages) {
  HttpReceiver rollbar;
  HttpReceiver webhook;
  Notifier notifier(Options(rollbar, webhook));
  notifier.Send(Level::kCritical, "cannot connect with password hunter22");
  ASSERT_TRUE(notifier.Flush(steady_clock::now() + milliseconds(5000)));
  for (const auto& request : rollbar.Requests()) {
    EXPECT_EQ(request.body.find("hunter22"), std::string::npos) << request.body;
    EXPECT_EQ(MessageOf(request), "cannot connect with password ********");
  }
  EXPECT_EQ(rollbar.Requests().size(), 1U);
}

TEST(Notifier, AFullQueueDropsTheOldestAndCountsThem) {
  HttpReceiver held(/*hold=*/true);
  NotifierOptions options;
  options.targets.push_back({"webhook", Secret(held.Url()), Secret(), Level::kInfo});
  options.queue_capacity = 3;
  options.request_timeout = milliseconds(20000);
  Notifier notifier(options);
  notifier.Send(Level::kError, "message 1");
  // Message 1 is in flight (read by the receiver, unanswered): the queue is empty again.
  ASSERT_TRUE(held.WaitForRequests(1, milliseconds(5000)));
  auto started = steady_clock::now();
  for (int i = 2; i <= 10; ++i)
    notifier.Send(Level::kError, "message " + std::to_string(i));
  EXPECT_LT(steady_clock::now() - started, milliseconds(500)) << "Send waited on the network";
  EXPECT_EQ(notifier.stats().dropped, 6U);
  EXPECT_EQ(notifier.stats().queued, 10U);
  held.Release();
  ASSERT_TRUE(notifier.Flush(steady_clock::now() + milliseconds(10000)));
  std::vector<std::string> delivered;
  for (const auto& request : held.Requests())
    delivered.push_back(MessageOf(request));
  EXPECT_EQ(delivered,
            (std::vector<std::string>{"message 1", "message 8", "message 9", "message 10"}));
}

TEST(Notifier, AHangingEndpointTimesOutAndTheNextMessageStillGoes) {
  HttpReceiver hanging(/*hold=*/true);
  HttpReceiver webhook;
  NotifierOptions options;
  options.targets.push_back({"rollbar", Secret(hanging.Url()), Secret("t0ken"), Level::kInfo});
  options.targets.push_back({"webhook", Secret(webhook.Url()), Secret(), Level::kInfo});
  options.request_timeout = milliseconds(500);
  Notifier notifier(options);
  notifier.Send(Level::kError, "first");
  notifier.Send(Level::kError, "second");
  ASSERT_TRUE(notifier.Flush(steady_clock::now() + milliseconds(5000)));
  EXPECT_EQ(webhook.Requests().size(), 2U);
  EXPECT_EQ(notifier.stats().failed, 2U);  // both timed out on the hanging endpoint
  EXPECT_EQ(notifier.stats().sent, 2U);
}

TEST(Notifier, CloseAbandonsAHangingPostAtItsDeadline) {
  HttpReceiver hanging(/*hold=*/true);
  NotifierOptions options;
  options.targets.push_back({"webhook", Secret(hanging.Url()), Secret(), Level::kInfo});
  options.request_timeout = milliseconds(30000);
  Notifier notifier(options);
  notifier.Send(Level::kError, "never answered");
  ASSERT_TRUE(hanging.WaitForRequests(1, milliseconds(5000)));
  auto started = steady_clock::now();
  notifier.Close(steady_clock::now() + milliseconds(300));
  auto waited = steady_clock::now() - started;
  EXPECT_GE(waited, milliseconds(250));
  EXPECT_LT(waited, milliseconds(1500)) << "Close did not abort the POST in flight";
  notifier.Send(Level::kError, "after close");  // ignored, no crash
  EXPECT_EQ(notifier.stats().queued, 1U);
}

TEST(Notifier, AnUnreachableEndpointFailsQuietly) {
  NotifierOptions options;
  // Port 1 on loopback: connection refused at once.
  options.targets.push_back({"webhook", Secret("http://127.0.0.1:1/"), Secret(), Level::kInfo});
  Notifier notifier(options);
  for (int i = 0; i < 3; ++i)
    notifier.Send(Level::kError, "lost");
  ASSERT_TRUE(notifier.Flush(steady_clock::now() + milliseconds(5000)));
  EXPECT_EQ(notifier.stats().failed, 3U);
  EXPECT_EQ(notifier.stats().sent, 0U);
}

}  // namespace
}  // namespace chameleon::notify
