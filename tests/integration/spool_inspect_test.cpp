// `chameleon spool inspect` on a spool written through the spool API: batches, decoded
// events and stats, as text and JSON, read-only.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "spool/spool.h"
#include "spool/test_events.h"
#include "support/replica_sandbox.h"

namespace chameleon {
namespace {

using test_support::ReplicaSandbox;
using ::testing::HasSubstr;

// Transactions 0, 1 and 5 (1, 2 and 1 rows) into the sandbox's default spool of source
// "mysql": the first two fill and close a batch of 3 events, the last stays in an open one.
void WriteSpool(const ReplicaSandbox& sandbox) {
  spool::SpoolOptions options;
  options.directory = sandbox.home() / ".pg_chameleon/spool/mysql";
  options.source_id = 1;
  options.batch_size_events = 3;
  auto opened = spool::Spool::Open(options);
  ASSERT_TRUE(opened.ok()) << opened.status().message();
  for (uint64_t t : {0ULL, 1ULL, 5ULL}) {
    auto events = spool_test::Transaction(t);
    auto appended = opened->AppendTransaction(events, spool_test::TransactionStart(t + 1));
    ASSERT_TRUE(appended.ok()) << appended.status().message();
  }
}

TEST(SpoolInspect, ShowsBatchesEventsAndStats) {
  ReplicaSandbox sandbox;
  WriteSpool(sandbox);

  auto stats = sandbox.Run({"spool", "inspect", "--source", "mysql"});
  ASSERT_EQ(stats.exit_code, 0) << stats.all();
  EXPECT_THAT(stats.out, HasSubstr("format"));
  auto stats_json = sandbox.Run({"spool", "inspect", "--source", "mysql", "--stats", "--json"});
  ASSERT_EQ(stats_json.exit_code, 0) << stats_json.all();
  auto parsed_stats = nlohmann::json::parse(stats_json.out);
  EXPECT_EQ(parsed_stats["pending_events"], 1 + 2 + 1);

  auto batches = sandbox.Run({"spool", "inspect", "--source", "mysql", "--batches", "--json"});
  ASSERT_EQ(batches.exit_code, 0) << batches.all();
  auto parsed_batches = nlohmann::json::parse(batches.out);
  ASSERT_TRUE(parsed_batches.is_array()) << batches.out;
  ASSERT_GE(parsed_batches.size(), 2U);
  EXPECT_EQ(parsed_batches[0]["state"], "closed");
  EXPECT_EQ(parsed_batches.back()["state"], "open");

  auto events = sandbox.Run({"spool", "inspect", "--source", "mysql", "--events", "--limit", "2"});
  ASSERT_EQ(events.exit_code, 0) << events.all();
  EXPECT_THAT(events.out, HasSubstr("app.orders"));
  auto from = sandbox.Run({"spool", "inspect", "--source", "mysql", "--events", "--json", "--from",
                           ToString(spool_test::TransactionStart(1))});
  ASSERT_EQ(from.exit_code, 0) << from.all();
  EXPECT_EQ(nlohmann::json::parse(from.out).size(), 3U);  // transactions 1 and 5
}

TEST(SpoolInspect, BadRequestsAreOneLine) {
  ReplicaSandbox sandbox;
  auto missing = sandbox.Run({"spool", "inspect", "--source", "mysql"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_THAT(missing.err, HasSubstr("has no spool at"));
  WriteSpool(sandbox);
  auto bad_from = sandbox.Run({"spool", "inspect", "--source", "mysql", "--events", "--from", "x"});
  EXPECT_EQ(bad_from.exit_code, 1);
  EXPECT_THAT(bad_from.err, HasSubstr("--from 'x'"));
  auto usage = sandbox.Run({"spool", "dump", "--source", "mysql"});
  EXPECT_EQ(usage.exit_code, 2);
  EXPECT_THAT(usage.err, HasSubstr("usage: chameleon spool inspect"));
  auto two = sandbox.Run({"spool", "inspect", "--source", "mysql", "--events", "--stats"});
  EXPECT_EQ(two.exit_code, 2);
}

}  // namespace
}  // namespace chameleon
