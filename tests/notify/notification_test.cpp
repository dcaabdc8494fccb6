// The notification JSON (Rollbar's item format), level thresholds, and the scrubbing that
// keeps passwords out of every message.
#include "notify/notification.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "notify/level.h"

namespace chameleon::notify {
namespace {

TEST(NotifyLevel, ThresholdLetsThroughItsLevelAndTheMoreSevere) {
  EXPECT_TRUE(Passes(Level::kCritical, Level::kCritical));
  EXPECT_FALSE(Passes(Level::kError, Level::kCritical));
  EXPECT_TRUE(Passes(Level::kCritical, Level::kError));
  EXPECT_TRUE(Passes(Level::kError, Level::kError));
  EXPECT_FALSE(Passes(Level::kWarning, Level::kError));
  EXPECT_FALSE(Passes(Level::kInfo, Level::kError));
  EXPECT_TRUE(Passes(Level::kWarning, Level::kWarning));
  EXPECT_FALSE(Passes(Level::kInfo, Level::kWarning));
  for (Level level : {Level::kCritical, Level::kError, Level::kWarning, Level::kInfo})
    EXPECT_TRUE(Passes(level, Level::kInfo)) << Name(level);
}

TEST(NotifyLevel, ParsesTheNamesOfRollbarLevel) {
  EXPECT_EQ(ParseLevel("critical"), Level::kCritical);
  EXPECT_EQ(ParseLevel("error"), Level::kError);
  EXPECT_EQ(ParseLevel("warning"), Level::kWarning);
  EXPECT_EQ(ParseLevel("info"), Level::kInfo);
  EXPECT_EQ(ParseLevel("debug"), std::nullopt);
  EXPECT_EQ(ParseLevel(""), std::nullopt);
}

TEST(NotifyItemJson, HasRollbarsItemShapeAndTheOrigin) {
  Notification notification;
  notification.level = Level::kWarning;
  notification.message = "init_replica of source 'mysql' failed: \"quoted\"\nsecond line";
  notification.environment = "production";
  notification.origin = {"default", "mysql", "init_replica", "db1.example", "0.1.0"};
  notification.timestamp_seconds = 1764124800;
  auto item = nlohmann::json::parse(ItemJson(notification));
  ASSERT_TRUE(item.contains("data")) << item.dump();
  EXPECT_FALSE(item.contains("access_token"));  // the token travels in a header
  const auto& data = item["data"];
  EXPECT_EQ(data["environment"], "production");
  EXPECT_EQ(data["level"], "warning");
  EXPECT_EQ(data["timestamp"], 1764124800);
  EXPECT_EQ(data["body"]["message"]["body"], notification.message);
  EXPECT_EQ(data["server"]["host"], "db1.example");
  EXPECT_EQ(data["notifier"]["name"], "chameleon");
  EXPECT_EQ(data["custom"]["config"], "default");
  EXPECT_EQ(data["custom"]["source"], "mysql");
  EXPECT_EQ(data["custom"]["command"], "init_replica");
  EXPECT_EQ(data["custom"]["host"], "db1.example");
  EXPECT_EQ(data["custom"]["chameleon_version"], "0.1.0");
}

TEST(NotifyItemJson, InvalidUtf8DoesNotThrow) {
  Notification notification;
  notification.message = std::string("value \xff\xfe from MySQL");
  auto item = nlohmann::json::parse(ItemJson(notification));
  std::string body = item["data"]["body"]["message"]["body"];
  EXPECT_NE(body.find("from MySQL"), std::string::npos);
}

TEST(NotifyScrub, MasksEverySecretOccurrence) {
  std::vector<Secret> secrets = {Secret("hunter22"), Secret("p@ss-Word"), Secret("abc"),
                                 Secret("")};
  std::string scrubbed =
      Scrub("login hunter22 failed; retried with hunter22 and p@ss-Word; abc stays", secrets, 1000);
  EXPECT_EQ(scrubbed.find("hunter22"), std::string::npos) << scrubbed;
  EXPECT_EQ(scrubbed.find("p@ss-Word"), std::string::npos) << scrubbed;
  EXPECT_EQ(scrubbed, "login ******** failed; retried with ******** and ********; abc stays");
}

TEST(NotifyScrub, CutsLongMessagesOnACharacterBoundary) {
  std::string text = "ab" + std::string("é") + "cd";  // é is two bytes
  EXPECT_EQ(Scrub(text, {}, 3), "ab…");
  EXPECT_EQ(Scrub(text, {}, 4), "abé…");
  EXPECT_EQ(Scrub(text, {}, 100), text);
}

TEST(NotifyUrlOrigin, KeepsSchemeAndHostOnly) {
  EXPECT_EQ(UrlOrigin("https://hooks.example.com/services/T000/B000/XXXX"),
            "https://hooks.example.com");
  EXPECT_EQ(UrlOrigin("http://user:pw@127.0.0.1:8080/hook?token=1"), "http://127.0.0.1:8080");
  EXPECT_EQ(UrlOrigin("https://api.rollbar.com"), "https://api.rollbar.com");
  EXPECT_EQ(UrlOrigin("not a url"), "(invalid URL)");
}

}  // namespace
}  // namespace chameleon::notify
