// The replayer tests' fixture: a ReplicaSandbox with a catalogue and source "mysql", a
// spool the test writes events into by hand, and helpers to build rows and read PostgreSQL.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "catalogue/sources.h"
#include "catalogue/tables.h"
#include "replayer/replayer.h"
#include "support/replica_sandbox.h"
#include "support/scratch_dir.h"
#include "support/test_servers.h"

namespace chameleon::replayer_test {

using replayer::BatchOutcome;
using replayer::Replayer;
using replayer::ReplayerOptions;
using test_support::QueryText;
using test_support::ReplicaSandbox;

inline ColumnShape Column(const std::string& name, const std::string& column_type,
                          bool nullable = true) {
  ColumnShape column;
  column.name = name;
  column.column_type = column_type;
  column.nullable = nullable;
  return column;
}

inline ChangeEvent Row(Operation operation, const std::string& schema, const std::string& table,
                       std::vector<Value> before, std::vector<Value> after) {
  ChangeEvent event;
  event.operation = operation;
  event.schema = schema;
  event.table = table;
  event.shape_version = 1;
  event.source_timestamp_seconds = 1700000000;
  event.before = std::move(before);
  event.after = std::move(after);
  return event;
}

inline ChangeEvent Insert(const std::string& schema, const std::string& table,
                          std::vector<Value> after) {
  return Row(Operation::kInsert, schema, table, {}, std::move(after));
}
inline ChangeEvent Update(const std::string& schema, const std::string& table,
                          std::vector<Value> before, std::vector<Value> after) {
  return Row(Operation::kUpdate, schema, table, std::move(before), std::move(after));
}
inline ChangeEvent Delete(const std::string& schema, const std::string& table,
                          std::vector<Value> before) {
  return Row(Operation::kDelete, schema, table, std::move(before), {});
}

class ReplayerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto created = sandbox_.Run({"create_replica_schema"});
    ASSERT_EQ(created.exit_code, 0) << created.all();
    auto added = sandbox_.Run({"add_source", "--source", "mysql"});
    ASSERT_EQ(added.exit_code, 0) << added.all();
    target_.emplace(sandbox_.Target());
    auto source = catalogue::FindSource(*target_, "mysql");
    ASSERT_TRUE(source.ok() && source->has_value());
    source_id_ = (*source)->id;
    spool::SpoolOptions options;
    options.directory = spool_dir_.path() / "spool";
    options.source_id = static_cast<uint32_t>(source_id_);
    options.batch_size_events = 1'000'000'000;  // the test closes batches itself
    auto opened = spool::Spool::Open(options);
    ASSERT_TRUE(opened.ok()) << opened.status().message();
    spool_.emplace(std::move(*opened));
  }

  std::string Schema() const { return sandbox_.mysql_schema(); }
  std::string Dest() const { return sandbox_.destination_schema(); }
  std::string Qualified(const std::string& table) const {
    return "\"" + Dest() + "\".\"" + table + "\"";
  }

  void Exec(const std::string& sql) {
    Status status = target_->Execute(sql);
    ASSERT_TRUE(status.ok()) << status.message();
  }
  std::string Q(const std::string& sql) { return QueryText(*target_, sql); }

  // A PostgreSQL table (id integer key, v text) registered as replicated, and its shape.
  TableShape KeyValueTable(const std::string& table, const std::string& extra_sql = "",
                           std::optional<BinlogPosition> coordinates = std::nullopt) {
    Exec("CREATE SCHEMA IF NOT EXISTS \"" + Dest() + "\"");
    Exec("CREATE TABLE " + Qualified(table) + " (id integer PRIMARY KEY, v text" + extra_sql + ")");
    catalogue::ReplicaTable row;
    row.schema = Dest();
    row.table = table;
    row.primary_key = {"id"};
    if (coordinates) {
      row.binlog_name = BinlogFileName("mysql-bin", coordinates->file_number);
      row.binlog_position = static_cast<int64_t>(coordinates->position);
    }
    EXPECT_TRUE(catalogue::SaveTable(*target_, source_id_, row).ok());
    TableShape shape;
    shape.schema = Schema();
    shape.table = table;
    shape.version = 1;
    shape.columns = {Column("id", "int(11)", false), Column("v", "text")};
    shape.primary_key = {0};
    return shape;
  }

  // Stores `events` as one source transaction at the next positions.
  void Append(std::vector<ChangeEvent> events, std::vector<TableShape> shapes = {}) {
    for (auto& event : events) {
      if (event.position.file_number == 0) {
        event.position = next_;
        next_.position += 100;
      } else {
        next_ = event.position;
        next_.position += 100;
      }
    }
    auto appended = spool_->AppendTransaction(events, next_, shapes);
    ASSERT_TRUE(appended.ok()) << appended.status().message();
  }
  void Close() {
    auto closed = spool_->CloseBatch();
    ASSERT_TRUE(closed.ok()) << closed.status().message();
  }

  std::unique_ptr<Replayer> MakeReplayer(ReplayerOptions options = {}) {
    options.source_id = source_id_;
    options.source_name = "mysql";
    options.schema_mappings = {{Schema(), Dest()}};
    options.first_backoff = std::chrono::milliseconds(10);
    const ReplicaSandbox* sandbox = &sandbox_;
    return std::make_unique<Replayer>(
        *spool_, [sandbox]() -> Result<pg::Connection> { return sandbox->Target(); },
        std::move(options));
  }

  BatchOutcome ReplayOne(Replayer& replayer) {
    auto outcome = replayer.ReplayOneBatch();
    EXPECT_TRUE(outcome.ok()) << outcome.status().message();
    if (!outcome.ok() || !outcome->has_value()) {
      ADD_FAILURE() << "no batch was replayed";
      return {};
    }
    return **outcome;
  }

  std::string Rows(const std::string& table) {
    return Q(
        "SELECT coalesce(string_agg(id || '=' || coalesce(v, 'NULL'), ' ' ORDER BY id), '') "
        "FROM " +
        Qualified(table));
  }

  ReplicaSandbox sandbox_;
  test_support::ScratchDir spool_dir_;
  std::optional<pg::Connection> target_;
  std::optional<spool::Spool> spool_;
  int64_t source_id_ = 0;
  BinlogPosition next_{1, 4};
};

}  // namespace chameleon::replayer_test
