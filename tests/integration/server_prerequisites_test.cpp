// add_source refuses a MariaDB whose binlog cannot feed a replica. It changes a global
// server variable for a moment, so ctest runs it alone (RUN_SERIAL).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/replica_sandbox.h"
#include "support/test_servers.h"

namespace chameleon {
namespace {

using ::testing::HasSubstr;

class GlobalVariable {
 public:
  GlobalVariable(std::string name, const std::string& value)
      : name_(std::move(name)), connection_(test_support::MysqlAdmin()) {
    auto old = connection_.Variable(name_);
    EXPECT_TRUE(old.ok() && old->has_value());
    old_value_ = old.ok() ? old->value_or("") : "";
    EXPECT_TRUE(connection_.Execute("SET GLOBAL " + name_ + " = '" + value + "'").ok());
  }
  ~GlobalVariable() {
    Status restored = connection_.Execute("SET GLOBAL " + name_ + " = '" + old_value_ + "'");
    EXPECT_TRUE(restored.ok()) << restored.message();
  }
  GlobalVariable(const GlobalVariable&) = delete;
  GlobalVariable& operator=(const GlobalVariable&) = delete;

 private:
  std::string name_;
  std::string old_value_;
  mysql::Connection connection_;
};

TEST(ServerPrerequisites, AddSourceRefusesAnIncompleteRowImage) {
  test_support::ReplicaSandbox sandbox;
  ASSERT_EQ(sandbox.Run({"create_replica_schema"}).exit_code, 0);
  {
    GlobalVariable row_image("binlog_row_image", "MINIMAL");
    auto refused = sandbox.Run({"add_source", "--source", "mysql"});
    EXPECT_EQ(refused.exit_code, 1);
    EXPECT_THAT(refused.err, HasSubstr("binlog_row_image is MINIMAL; set binlog_row_image=FULL"));
  }
  {
    GlobalVariable format("binlog_format", "STATEMENT");
    auto refused = sandbox.Run({"add_source", "--source", "mysql"});
    EXPECT_EQ(refused.exit_code, 1);
    EXPECT_THAT(refused.err, HasSubstr("binlog_format is STATEMENT; set binlog_format=ROW"));
  }
  auto target = sandbox.Target();
  EXPECT_EQ(target.QueryValue("SELECT count(*) FROM sch_chameleon.t_sources")->value_or(""), "0");
  auto added = sandbox.Run({"add_source", "--source", "mysql"});
  EXPECT_EQ(added.exit_code, 0) << added.all();
}

}  // namespace
}  // namespace chameleon
