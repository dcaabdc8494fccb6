// The reader's filters keep exactly the rows init_replica copies (pg_chameleon's documented
// limit_tables semantics, without its bug of dropping a bare schema entry's binlog rows).
#include "reader/filter.h"

#include <gtest/gtest.h>

namespace chameleon::reader {
namespace {

config::Source Mapped() {
  config::Source source;
  source.schema_mappings = {{"shop", "shop"}, {"crm", "crm"}, {"logs", "logs"}};
  return source;
}

TEST(EventFilterTest, LimitTablesRestrictsOnlyTheSchemasItNames) {
  config::Source source = Mapped();
  source.limit_tables = {"shop.orders", "crm"};
  EventFilter filter(source);
  EXPECT_TRUE(filter.WantsTable("shop", "orders"));
  EXPECT_FALSE(filter.WantsTable("shop", "carts")) << "shop is limited to shop.orders";
  EXPECT_TRUE(filter.WantsTable("crm", "contacts")) << "a bare schema entry keeps all of it";
  EXPECT_TRUE(filter.WantsTable("logs", "events")) << "a schema limit_tables does not name";
  EXPECT_FALSE(filter.WantsTable("other", "t")) << "not mapped";
}

TEST(EventFilterTest, SkipTablesAndSkipEventsWinOverLimits) {
  config::Source source = Mapped();
  source.limit_tables = {"crm"};
  source.skip_tables = {"crm.secrets"};
  source.skip_events.delete_ = {"logs"};
  source.skip_events.update = {"shop.orders"};
  EventFilter filter(source);
  EXPECT_FALSE(filter.WantsTable("crm", "secrets"));
  EXPECT_FALSE(filter.WantsRow(Operation::kDelete, "logs", "events"));
  EXPECT_TRUE(filter.WantsRow(Operation::kInsert, "logs", "events"));
  EXPECT_FALSE(filter.WantsRow(Operation::kUpdate, "shop", "orders"));
  EXPECT_TRUE(filter.WantsRow(Operation::kUpdate, "shop", "carts"));
}

}  // namespace
}  // namespace chameleon::reader
