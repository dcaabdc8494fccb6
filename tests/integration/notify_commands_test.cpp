// Notifications from real chameleon runs to loopback receivers standing in for Rollbar and a
// webhook: init_replica's success (info) and failure (error), exactly once in the
// background too, --rollbar-level, passwords never sent, and a receiver that never answers
// holding the command up by the close timeout at most.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <thread>

#include "integration/init_fixture.h"
#include "support/http_receiver.h"

namespace chameleon {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;
using test_support::HttpReceiver;
using test_support::HttpRequest;
using ::testing::HasSubstr;

class Notifications : public test_support::InitFixture {
 protected:
  // The sandbox's configuration with `notify_keys` in place of its empty Rollbar keys.
  std::string ConfigWith(const std::string& notify_keys, const std::string& base = "") {
    std::string yaml = base.empty() ? sandbox_.ConfigYaml() : base;
    const std::string empty_keys = "rollbar_key: ''\nrollbar_env: ''\n";
    size_t at = yaml.find(empty_keys);
    EXPECT_NE(at, std::string::npos);
    return yaml.replace(at, empty_keys.size(), notify_keys);
  }

  // Rollbar at `rollbar` (token tok-1234-abcd, environment ci) and the webhook at `webhook`.
  std::string BothTargets(const HttpReceiver& rollbar, const HttpReceiver& webhook,
                          const std::string& webhook_level = "info") {
    return "rollbar_key: 'tok-1234-abcd'\nrollbar_env: 'ci'\nrollbar_endpoint: '" +
           rollbar.Url("/api/1/item/") + "'\nalert_webhook_url: '" + webhook.Url("/hook/T0K") +
           "'\nalert_webhook_level: " + webhook_level + "\n";
  }

  // The configuration with the mapped MySQL schema renamed to one that does not exist.
  std::string MissingSchema(const std::string& yaml) {
    std::string broken = yaml;
    std::string mapping = sandbox_.mysql_schema() + ": " + sandbox_.destination_schema();
    size_t at = broken.find(mapping);
    EXPECT_NE(at, std::string::npos);
    return broken.replace(at, sandbox_.mysql_schema().size(), "no_such_schema_x");
  }

  static nlohmann::json Data(const HttpRequest& request) {
    return nlohmann::json::parse(request.body)["data"];
  }
};

TEST_F(Notifications, InitReplicaSuccessSendsInfoToRollbarAndTheWebhook) {
  Mysql("CREATE TABLE t1 (id int PRIMARY KEY, v varchar(10))");
  Mysql("INSERT INTO t1 VALUES (1, 'a'), (2, 'b')");
  HttpReceiver rollbar;
  HttpReceiver webhook;
  sandbox_.WriteConfig(ConfigWith(BothTargets(rollbar, webhook)));
  auto init = Init();
  ASSERT_EQ(init.exit_code, 0) << init.all();

  auto to_rollbar = rollbar.Requests();
  ASSERT_EQ(to_rollbar.size(), 1U) << init.all();
  const HttpRequest& item = to_rollbar[0];
  EXPECT_EQ(item.path, "/api/1/item/");
  EXPECT_EQ(item.headers.at("x-rollbar-access-token"), "tok-1234-abcd");
  auto data = Data(item);
  EXPECT_EQ(data["level"], "info");
  EXPECT_EQ(data["environment"], "ci");
  std::string message = data["body"]["message"]["body"];
  EXPECT_THAT(message, HasSubstr("init_replica of source 'mysql': 1 tables, 2 rows copied at "));
  EXPECT_EQ(data["custom"]["config"], "default");
  EXPECT_EQ(data["custom"]["source"], "mysql");
  EXPECT_EQ(data["custom"]["command"], "init_replica");
  EXPECT_FALSE(std::string(data["custom"]["host"]).empty());
  EXPECT_FALSE(std::string(data["custom"]["chameleon_version"]).empty());

  auto to_webhook = webhook.Requests();
  ASSERT_EQ(to_webhook.size(), 1U);
  EXPECT_EQ(to_webhook[0].path, "/hook/T0K");
  EXPECT_EQ(to_webhook[0].headers.count("x-rollbar-access-token"), 0U);
  EXPECT_EQ(Data(to_webhook[0])["body"], data["body"]);
}

TEST_F(Notifications, InitReplicaFailureSendsOneError) {
  HttpReceiver rollbar;
  HttpReceiver webhook;
  sandbox_.WriteConfig(MissingSchema(ConfigWith(BothTargets(rollbar, webhook, "error"))));
  auto init = Init();
  ASSERT_EQ(init.exit_code, 1) << init.all();
  for (const HttpReceiver* receiver : {&rollbar, &webhook}) {
    auto requests = receiver->Requests();
    ASSERT_EQ(requests.size(), 1U) << init.all();
    auto data = Data(requests[0]);
    EXPECT_EQ(data["level"], "error");
    std::string message = data["body"]["message"]["body"];
    EXPECT_THAT(message, HasSubstr("init_replica of source 'mysql' failed: "));
    EXPECT_THAT(message, HasSubstr("no_such_schema_x"));
    EXPECT_THAT(message, HasSubstr("do not exist"));
  }
}

TEST_F(Notifications, BackgroundInitReplicaNotifiesOnceFromOneProcess) {
  HttpReceiver rollbar;
  HttpReceiver webhook;
  std::string good = ConfigWith(BothTargets(rollbar, webhook));
  // A failure the background child hands to its waiting parent: one notice, not two.
  sandbox_.WriteConfig(MissingSchema(good));
  auto failed = sandbox_.Run({"init_replica", "--source", "mysql"});
  ASSERT_EQ(failed.exit_code, 1) << failed.all();
  std::this_thread::sleep_for(milliseconds(500));  // time for a duplicate to show up
  ASSERT_EQ(rollbar.Requests().size(), 1U) << failed.all();
  EXPECT_EQ(Data(rollbar.Requests()[0])["level"], "error");

  // A success: the parent returns at once, the background child notifies when done.
  Mysql("CREATE TABLE t1 (id int PRIMARY KEY)");
  sandbox_.WriteConfig(good);
  auto started = sandbox_.Run({"init_replica", "--source", "mysql"});
  ASSERT_EQ(started.exit_code, 0) << started.all();
  ASSERT_TRUE(rollbar.WaitForRequests(2, milliseconds(60000))) << sandbox_.Logs();
  std::this_thread::sleep_for(milliseconds(500));
  auto requests = rollbar.Requests();
  ASSERT_EQ(requests.size(), 2U);
  EXPECT_EQ(Data(requests[1])["level"], "info");
  EXPECT_THAT(std::string(Data(requests[1])["body"]["message"]["body"]),
              HasSubstr("1 tables, 0 rows copied"));
}

TEST_F(Notifications, RollbarLevelCriticalKeepsErrorsFromRollbarOnly) {
  HttpReceiver rollbar;
  HttpReceiver webhook;
  sandbox_.WriteConfig(MissingSchema(ConfigWith(BothTargets(rollbar, webhook, "error"))));
  auto init =
      sandbox_.Run({"init_replica", "--source", "mysql", "--debug", "--rollbar-level", "critical"});
  ASSERT_EQ(init.exit_code, 1) << init.all();
  EXPECT_EQ(rollbar.Requests().size(), 0U);
  EXPECT_EQ(webhook.Requests().size(), 1U);  // alert_webhook_level: error
}

TEST_F(Notifications, NoPasswordInWhatIsSent) {
  HttpReceiver rollbar;
  HttpReceiver webhook;
  const std::string wrong_password = "Wr0ng-Passw0rd-4711";
  std::string yaml = ConfigWith(BothTargets(rollbar, webhook, "error"));
  // A target connection that fails authentication, with a password worth leaking.
  const auto& servers = test_support::TestServers::Get();
  std::string good_line = "password: \"" + servers.pg.password + "\"";
  size_t at = yaml.find(good_line);
  ASSERT_NE(at, std::string::npos);
  yaml.replace(at, good_line.size(), "password: \"" + wrong_password + "\"");
  sandbox_.WriteConfig(yaml);
  for (const std::string command : {"init_replica", "show_status"}) {
    auto run = sandbox_.Run({command, "--source", "mysql", "--debug"});
    ASSERT_EQ(run.exit_code, 1) << run.all();
  }
  auto requests = rollbar.Requests();
  ASSERT_EQ(requests.size(), 2U);
  for (const auto& request : requests) {
    EXPECT_EQ(Data(request)["level"], "error");
    EXPECT_EQ(request.body.find(wrong_password), std::string::npos) << request.body;
  }
  for (const auto& request : webhook.Requests())
    EXPECT_EQ(request.body.find(wrong_password), std::string::npos) << request.body;
}

TEST_F(Notifications, AReceiverThatNeverAnswersDelaysTheCommandByTheCloseTimeoutAtMost) {
  std::string broken = MissingSchema(sandbox_.ConfigYaml());
  sandbox_.WriteConfig(broken);
  auto started = steady_clock::now();
  auto baseline = Init();
  auto baseline_time = steady_clock::now() - started;
  ASSERT_EQ(baseline.exit_code, 1) << baseline.all();

  HttpReceiver hanging(/*hold=*/true);
  sandbox_.WriteConfig(ConfigWith(
      "rollbar_key: ''\nrollbar_env: ''\nalert_webhook_url: '" + hanging.Url() + "'\n", broken));
  started = steady_clock::now();
  auto held = Init();
  auto held_time = steady_clock::now() - started;
  ASSERT_EQ(held.exit_code, 1) << held.all();
  EXPECT_EQ(hanging.Requests().size(), 1U);
  auto ms = [](auto duration) {
    return std::chrono::duration_cast<milliseconds>(duration).count();
  };
  // The close timeout is 5 s; 2.5 s for a loaded machine.
  EXPECT_LT(ms(held_time - baseline_time), 7500)
      << "baseline " << ms(baseline_time) << " ms, with a hanging receiver " << ms(held_time)
      << " ms";
  std::cout << "[ measure ] failing init_replica: " << ms(baseline_time)
            << " ms without notifications, " << ms(held_time)
            << " ms with a receiver that never answers\n";
}

}  // namespace
}  // namespace chameleon
