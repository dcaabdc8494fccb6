// The replayer against the real PostgreSQL, with spools written by the test from hand-made
// events: exact apply, exactly-once across a crash after COMMIT, error isolation, per-table
// copy coordinates, a 200k-event batch in bounded memory, and values equal to init's copy.
#include "replayer/replayer.h"

#include <gtest/gtest.h>
#include <sys/resource.h>

#include <cmath>
#include <limits>

#include "catalogue/sources.h"
#include "catalogue/tables.h"
#include "replayer/replayer_fixture.h"

namespace chameleon::replayer_test {
namespace {

TEST_F(ReplayerTest, AppliesInsertsUpdatesKeyChangesAndDeletesExactly) {
  TableShape shape = KeyValueTable("t");
  std::vector<ChangeEvent> first;
  for (int id = 1; id <= 5; ++id) {
    first.push_back(
        Insert(Schema(), "t", {Value::Int(id), Value::String("v" + std::to_string(id))}));
  }
  Append(first, {shape});
  Append({Update(Schema(), "t", {Value::Int(2), Value::String("v2")},
                 {Value::Int(2), Value::String("two")}),
          Update(Schema(), "t", {Value::Int(3), Value::String("v3")},
                 {Value::Int(30), Value::String("thirty")}),
          Delete(Schema(), "t", {Value::Int(4), Value::String("v4")}),
          Insert(Schema(), "t", {Value::Int(6), Value::Null()}),
          Update(Schema(), "t", {Value::Int(6), Value::Null()},
                 {Value::Int(6), Value::String("tab\there \\ new\nline")})});
  Close();
  auto replayer = MakeReplayer();
  BatchOutcome outcome = ReplayOne(*replayer);
  EXPECT_EQ(outcome.replayed, 10);
  EXPECT_EQ(outcome.skipped, 0);
  EXPECT_EQ(outcome.unmatched, 0);
  EXPECT_EQ(Rows("t"), "1=v1 2=two 5=v5 6=tab\there \\ new\nline 30=thirty");
  EXPECT_EQ(Q("SELECT i_spool_batch || ' ' || b_replayed || ' ' || i_replayed || ' ' || "
              "i_skipped FROM sch_chameleon.t_replica_batch"),
            std::to_string(outcome.batch_id) + " true 10 0");
  EXPECT_EQ(Q("SELECT ts_last_replayed::text FROM sch_chameleon.t_last_replayed"),
            "2023-11-14 22:13:20");
  EXPECT_FALSE(spool_->OldestClosedBatch().has_value());
  auto none = replayer->ReplayOneBatch();
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
}

TEST_F(ReplayerTest, AnUpdateOrDeleteThatMatchesNoRowIsCountedNotIgnored) {
  TableShape shape = KeyValueTable("t");
  Append({Update(Schema(), "t", {Value::Int(7), Value::String("x")},
                 {Value::Int(7), Value::String("y")}),
          Delete(Schema(), "t", {Value::Int(8), Value::Null()}),
          Insert(Schema(), "t", {Value::Int(1), Value::String("a")})},
         {shape});
  Close();
  BatchOutcome outcome = ReplayOne(*MakeReplayer());
  EXPECT_EQ(outcome.unmatched, 2);
  EXPECT_EQ(outcome.replayed, 1);
  EXPECT_EQ(Q("SELECT i_unmatched FROM sch_chameleon.t_replica_batch"), "2");
}

TEST_F(ReplayerTest, ACrashBetweenCommitAndMarkReplayedDoesNotApplyTwice) {
  TableShape shape = KeyValueTable("t");
  Append({Insert(Schema(), "t", {Value::Int(1), Value::String("a")})}, {shape});
  Close();
  Append({Update(Schema(), "t", {Value::Int(1), Value::String("a")},
                 {Value::Int(1), Value::String("b")})});
  Close();
  {
    ReplayerOptions options;
    options.after_commit_for_test = [](uint64_t) { return Status::Internal("simulated crash"); };
    auto crashing = MakeReplayer(options);
    auto result = crashing->ReplayOneBatch();
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.status().message(), "simulated crash");
  }
  // Committed in PostgreSQL, still in the spool.
  EXPECT_EQ(Rows("t"), "1=a");
  ASSERT_EQ(spool_->Batches().size(), 2U);
  auto restarted = MakeReplayer();
  auto reconciled = restarted->Reconcile();
  ASSERT_TRUE(reconciled.ok()) << reconciled.status().message();
  ASSERT_EQ(reconciled->deleted_batch_ids.size(), 1U);
  BatchOutcome second = ReplayOne(*restarted);
  EXPECT_EQ(second.batch_id, reconciled->deleted_batch_ids[0] + 1);
  EXPECT_EQ(Rows("t"), "1=b");
  EXPECT_EQ(Q("SELECT count(*) FROM sch_chameleon.t_replica_batch"), "2");

  // Without Reconcile too: the replayer asks the catalogue before applying.
  Append({Update(Schema(), "t", {Value::Int(1), Value::String("b")},
                 {Value::Int(1), Value::String("c")})});
  Close();
  {
    ReplayerOptions options;
    options.after_commit_for_test = [](uint64_t) { return Status::Internal("simulated crash"); };
    ASSERT_FALSE(MakeReplayer(options)->ReplayOneBatch().ok());
  }
  BatchOutcome again = ReplayOne(*MakeReplayer());
  EXPECT_TRUE(again.already_replayed);
  EXPECT_EQ(Rows("t"), "1=c");
  EXPECT_FALSE(spool_->OldestClosedBatch().has_value());
}

// PostgreSQL lost a batch it had committed (restored from an older backup) while the spool had
// already deleted it: the replayer refuses to go on rather than skip that batch's rows.
TEST_F(ReplayerTest, ABatchPostgresqlLostAfterCommittingIsRefusedNotSkipped) {
  TableShape shape = KeyValueTable("t");
  for (int id = 1; id <= 3; ++id) {
    Append({Insert(Schema(), "t", {Value::Int(id), Value::String("a")})},
           id == 1 ? std::vector<TableShape>{shape} : std::vector<TableShape>{});
    Close();
  }
  auto replayer = MakeReplayer();
  ReplayOne(*replayer);
  ReplayOne(*replayer);
  Q("DELETE FROM sch_chameleon.t_replica_batch WHERE i_spool_batch = 2 RETURNING 1");
  auto refused = replayer->ReplayOneBatch();
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("lost committed batches"), std::string::npos)
      << refused.status().message();
  EXPECT_EQ(Rows("t"), "1=a 2=a");
  EXPECT_TRUE(spool_->OldestClosedBatch().has_value()) << "batch 3 stays in the spool";
}

TEST_F(ReplayerTest, ARejectedRowDisablesOnlyItsTableAndTheOthersLand) {
  TableShape good = KeyValueTable("good");
  TableShape bad_copy = KeyValueTable("bad_copy", ", CHECK (v <> 'bad')");
  TableShape bad_update = KeyValueTable("bad_update", ", CHECK (v <> 'bad')");
  Exec("INSERT INTO " + Qualified("bad_update") + " VALUES (1, 'ok')");
  Append({Insert(Schema(), "good", {Value::Int(1), Value::String("g1")}),
          Insert(Schema(), "bad_copy", {Value::Int(1), Value::String("fine")}),
          Insert(Schema(), "bad_copy", {Value::Int(2), Value::String("bad")}),
          Update(Schema(), "bad_update", {Value::Int(1), Value::String("ok")},
                 {Value::Int(1), Value::String("bad")}),
          Insert(Schema(), "good", {Value::Int(2), Value::String("g2")}),
          Update(Schema(), "good", {Value::Int(1), Value::String("g1")},
                 {Value::Int(1), Value::String("g1!")})},
         {good, bad_copy, bad_update});
  Close();
  ReplayerOptions options;
  options.copy_min_rows = 1;  // every insert run through COPY: its failure path is the one here
  BatchOutcome outcome = ReplayOne(*MakeReplayer(options));
  EXPECT_EQ(outcome.attempts, 3);
  EXPECT_EQ(outcome.disabled_tables.size(), 2U);
  EXPECT_EQ(outcome.replayed, 3);
  EXPECT_EQ(outcome.skipped, 3);
  EXPECT_EQ(Rows("good"), "1=g1! 2=g2");
  EXPECT_EQ(Rows("bad_copy"), "");  // the whole batch was rolled back for it
  EXPECT_EQ(Rows("bad_update"), "1=ok");
  EXPECT_EQ(Q("SELECT string_agg(v_table_name || ':' || b_replica_enabled || ':' || "
              "coalesce((t_disabled_reason LIKE '%check constraint%')::text, '-'), ' ' "
              "ORDER BY v_table_name) FROM "
              "sch_chameleon.t_replica_tables"),
            "bad_copy:false:true bad_update:false:true good:true:-");
  EXPECT_EQ(Q("SELECT string_agg(v_table_name || ' ' || t_error_class || ' ' || "
              "(t_error_message LIKE '23514%') || ' ' || (t_sql LIKE '%' || v_table_name || '%') "
              "|| ' ' || (i_binlog_position > 0), ', ' ORDER BY v_table_name) "
              "FROM sch_chameleon.t_error_log"),
            "bad_copy table true true true, bad_update table true true true");
  EXPECT_EQ(Q("SELECT t_table_pkey FROM sch_chameleon.t_error_log WHERE v_table_name = "
              "'bad_update'"),
            "id=1");
}

TEST_F(ReplayerTest, ARejectedPipelinedInsertNamesItsKey) {
  TableShape good = KeyValueTable("good");
  TableShape bad = KeyValueTable("bad", ", CHECK (v <> 'bad')");
  Append({Insert(Schema(), "bad", {Value::Int(1), Value::String("fine")}),
          Insert(Schema(), "bad", {Value::Int(2), Value::String("bad")}),
          Insert(Schema(), "good", {Value::Int(1), Value::String("g")})},
         {good, bad});
  Close();
  BatchOutcome outcome = ReplayOne(*MakeReplayer());
  EXPECT_EQ(outcome.attempts, 2);
  EXPECT_EQ(Rows("good"), "1=g");
  EXPECT_EQ(Rows("bad"), "");
  EXPECT_EQ(Q("SELECT t_table_pkey || ' ' || (t_sql LIKE 'INSERT INTO%') FROM "
              "sch_chameleon.t_error_log"),
            "id=2 true");
}

TEST_F(ReplayerTest, OnErrorExitStopsAndKeepsTheBatch) {
  TableShape bad = KeyValueTable("bad", ", CHECK (v <> 'bad')");
  Append({Insert(Schema(), "bad", {Value::Int(1), Value::String("bad")})}, {bad});
  Close();
  ReplayerOptions options;
  options.on_error = config::OnError::kExit;
  auto result = MakeReplayer(options)->ReplayOneBatch();
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(result.status().message().find("on_error_replay: exit"), std::string::npos);
  EXPECT_TRUE(spool_->OldestClosedBatch().has_value());
  EXPECT_EQ(Q("SELECT b_replica_enabled FROM sch_chameleon.t_replica_tables"), "t");
  EXPECT_EQ(Q("SELECT t_error_class FROM sch_chameleon.t_error_log"), "replica");
  EXPECT_EQ(Q("SELECT count(*) FROM sch_chameleon.t_replica_batch"), "0");
}

TEST_F(ReplayerTest, EventsOlderThanATablesCopyCoordinatesAreSkipped) {
  TableShape copied = KeyValueTable("copied", "", BinlogPosition{2, 1000});
  TableShape other = KeyValueTable("other");
  Exec("INSERT INTO " + Qualified("copied") + " VALUES (1, 'from the copy')");
  ChangeEvent old_insert = Insert(Schema(), "copied", {Value::Int(1), Value::String("old")});
  old_insert.position = {2, 500};
  ChangeEvent other_insert = Insert(Schema(), "other", {Value::Int(1), Value::String("o")});
  other_insert.position = {2, 600};
  Append({old_insert, other_insert}, {copied, other});
  ChangeEvent new_update = Update(Schema(), "copied", {Value::Int(1), Value::String("x")},
                                  {Value::Int(1), Value::String("new")});
  new_update.position = {2, 1000};
  Append({new_update});
  ChangeEvent unknown = Insert(Schema(), "not_replicated", {Value::Int(1)});
  Append({unknown});
  Close();
  BatchOutcome outcome = ReplayOne(*MakeReplayer());
  EXPECT_EQ(outcome.skipped, 2);
  EXPECT_EQ(outcome.replayed, 2);
  EXPECT_EQ(Rows("copied"), "1=new");
  EXPECT_EQ(Rows("other"), "1=o");
  // Passed: the coordinates are cleared, as pg_chameleon does when it reaches them.
  EXPECT_EQ(Q("SELECT t_binlog_name IS NULL FROM sch_chameleon.t_replica_tables WHERE "
              "v_table_name = 'copied'"),
            "t");
}

TEST_F(ReplayerTest, TruncateAndDropTableApplyUnsupportedDdlIsLogged) {
  TableShape t = KeyValueTable("t");
  TableShape gone = KeyValueTable("gone");
  Append({Insert(Schema(), "t", {Value::Int(1), Value::String("a")}),
          Insert(Schema(), "gone", {Value::Int(1), Value::String("a")})},
         {t, gone});
  ChangeEvent truncate;
  truncate.operation = Operation::kDdl;
  truncate.schema = Schema();
  truncate.ddl_statement = "TRUNCATE TABLE `t`";
  ChangeEvent drop = truncate;
  drop.ddl_statement = "DROP TABLE IF EXISTS `" + Schema() + "`.`gone` /* generated by server */";
  ChangeEvent odd = truncate;
  odd.ddl_statement = "CREATE VIEW v AS SELECT 1";
  Append({truncate});
  Append({Insert(Schema(), "t", {Value::Int(2), Value::String("b")})});
  Append({drop});
  Append({odd});
  Close();
  BatchOutcome outcome = ReplayOne(*MakeReplayer());
  EXPECT_EQ(outcome.ddl, 2);
  EXPECT_EQ(Rows("t"), "2=b");
  EXPECT_EQ(Q("SELECT to_regclass('" + Qualified("gone") + "') IS NULL"), "t");
  EXPECT_EQ(Q("SELECT count(*) FROM sch_chameleon.t_replica_tables WHERE v_table_name = 'gone'"),
            "0");
  EXPECT_EQ(Q("SELECT t_error_class || ' ' || t_sql FROM sch_chameleon.t_error_log"),
            "ddl CREATE VIEW v AS SELECT 1");
}

// The reader's shapes come from the binlog's table map: type codes, no COLUMN_TYPE. The
// value's own type then tells bytes from text, and a BIT value carries its width.
TEST_F(ReplayerTest, TableMapShapesWithoutColumnTypesRenderByValueType) {
  Exec("CREATE SCHEMA IF NOT EXISTS \"" + Dest() + "\"");
  Exec("CREATE TABLE " + Qualified("raw") +
       " (id integer PRIMARY KEY, b bytea, t text, bits bit(10), j jsonb)");
  catalogue::ReplicaTable registered;
  registered.schema = Dest();
  registered.table = "raw";
  registered.primary_key = {"id"};
  ASSERT_TRUE(catalogue::SaveTable(*target_, source_id_, registered).ok());
  TableShape shape;
  shape.schema = Schema();
  shape.table = "raw";
  shape.version = 1;
  auto coded = [](const std::string& name, uint8_t code) {
    ColumnShape column;
    column.name = name;
    column.type_code = code;
    return column;
  };
  shape.columns = {coded("id", 3), coded("b", 15), coded("t", 252), coded("bits", 16),
                   coded("j", 245)};
  shape.primary_key = {0};
  std::vector<Value> row = {Value::Int(1), Value::Bytes(std::string("\x00\xff", 2)),
                            Value::String("h\xc3\xa9llo"), Value::Bit(0b1000000101, 10),
                            Value::Json(R"({"a": 1})")};
  std::vector<Value> changed = row;
  changed[1] = Value::Bytes("\x01");
  changed[3] = Value::Bit(3, 10);
  Append({Insert(Schema(), "raw", row), Update(Schema(), "raw", row, changed)}, {shape});
  Close();
  BatchOutcome outcome = ReplayOne(*MakeReplayer());
  EXPECT_EQ(outcome.replayed, 2);
  EXPECT_EQ(Q("SELECT encode(b, 'hex') || ' ' || t || ' ' || bits::text || ' ' || (j ->> 'a') "
              "FROM " +
              Qualified("raw")),
            "01 h\xc3\xa9llo 0000000011 1");
}

// type_override tinyint(1) -> boolean (pg_chameleon's example configuration): init copies
// 0 as false and anything else as true; the stream's shapes say only "tinyint" (the binlog
// has no display width), yet the rows must read the same, 2 and -1 included.
TEST_F(ReplayerTest, AnIntegerColumnOverriddenToBooleanReplaysAsInitCopiesIt) {
  TableShape shape = KeyValueTable("flags", ", active boolean");
  ColumnShape active;
  active.name = "active";
  active.type_code = 1;  // TINY, no column type: what the reader stores
  shape.columns.push_back(active);
  auto row = [&](int id, int64_t value) {
    return Insert(Schema(), "flags", {Value::Int(id), Value::String("r"), Value::Int(value)});
  };
  Append({row(1, 0), row(2, 1), row(3, 2), row(4, -1)}, {shape});
  Append({Update(Schema(), "flags", {Value::Int(1), Value::String("r"), Value::Int(0)},
                 {Value::Int(1), Value::String("r"), Value::Int(5)})});
  Close();
  BatchOutcome outcome = ReplayOne(*MakeReplayer());
  EXPECT_EQ(outcome.replayed, 5);
  EXPECT_EQ(Q("SELECT string_agg(id || '=' || active, ' ' ORDER BY id) FROM " + Qualified("flags")),
            "1=true 2=true 3=true 4=true");
  EXPECT_EQ(Q("SELECT count(*) FROM sch_chameleon.t_error_log"), "0");
}

// Rows reach PostgreSQL in binlog order across tables, also while one table's inserts stream
// through COPY: a column filled from one sequence records the order they were applied in.
TEST_F(ReplayerTest, InsertsKeepTheirOrderAcrossTablesDuringACopy) {
  Exec("CREATE SCHEMA IF NOT EXISTS \"" + Dest() + "\"");
  Exec("CREATE SEQUENCE \"" + Dest() + "\".applied");
  std::string order = ", ord bigint DEFAULT nextval('\"" + Dest() + "\".applied')";
  TableShape a = KeyValueTable("a", order);
  TableShape b = KeyValueTable("b", order);
  std::vector<ChangeEvent> events;
  for (int id = 1; id <= 70; ++id)
    events.push_back(Insert(Schema(), "a", {Value::Int(id), Value::String("a")}));
  events.push_back(Insert(Schema(), "b", {Value::Int(1), Value::String("b")}));
  events.push_back(Insert(Schema(), "a", {Value::Int(71), Value::String("a")}));
  Append(events, {a, b});
  Close();
  ReplayOne(*MakeReplayer());
  EXPECT_EQ(Q("SELECT (SELECT ord FROM " + Qualified("b") + " WHERE id = 1) < (SELECT ord FROM " +
              Qualified("a") + " WHERE id = 71)"),
            "t")
      << "b's row came before a's 71st in the binlog";
  EXPECT_EQ(Q("SELECT count(*) FROM " + Qualified("a")), "71");
}

long MaxRssKilobytes() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

TEST_F(ReplayerTest, ABatchOf200kEventsStreamsInBoundedMemory) {
  TableShape shape = KeyValueTable("big");
  const int kRows = 150'000;
  std::string payload(200, 'p');
  std::vector<ChangeEvent> transaction;
  for (int id = 0; id < kRows; ++id) {
    transaction.push_back(Insert(Schema(), "big", {Value::Int(id), Value::String(payload)}));
    if (transaction.size() == 5000) {
      Append(std::move(transaction),
             id < 5000 ? std::vector<TableShape>{shape} : std::vector<TableShape>{});
      transaction.clear();
    }
  }
  for (int id = 0; id < 50'000; ++id) {
    if (id % 2 == 0) {
      transaction.push_back(Update(Schema(), "big", {Value::Int(id), Value::String(payload)},
                                   {Value::Int(id), Value::String("u")}));
    } else {
      transaction.push_back(Delete(Schema(), "big", {Value::Int(id), Value::String(payload)}));
    }
    if (transaction.size() == 5000) {
      Append(std::move(transaction));
      transaction.clear();
    }
  }
  Close();
  ASSERT_EQ(spool_->OldestClosedBatch()->event_count, 200'000U);
  long before = MaxRssKilobytes();
  auto started = std::chrono::steady_clock::now();
  BatchOutcome outcome = ReplayOne(*MakeReplayer());
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  long growth = MaxRssKilobytes() - before;
  EXPECT_EQ(outcome.replayed, 200'000);
  EXPECT_EQ(outcome.unmatched, 0);
  EXPECT_EQ(Q("SELECT count(*) || ' ' || count(*) FILTER (WHERE v = 'u') FROM " + Qualified("big")),
            "125000 25000");
  // 200k events of ~220 bytes are 44 MB; the replayer holds one event and one COPY chunk.
  EXPECT_LT(growth, 40 * 1024) << "peak RSS grew by " << growth << " KiB";
  std::cout << "replayed 200000 events in " << seconds << " s (" << 200000 / seconds
            << " events/s), peak RSS growth " << growth << " KiB\n";
}

// The same MySQL row through init_replica's copy (id 1) and through the replayer (id 2, then
// updated in place, then moved to id 3 by a key change) must read the same in PostgreSQL.
TEST_F(ReplayerTest, EveryValueTypeReadsAsInitReplicasCopy) {
  auto admin = test_support::MysqlAdmin();
  auto mysql = [&](const std::string& sql) {
    Status status = admin.Execute(sql);
    ASSERT_TRUE(status.ok()) << status.message();
  };
  mysql("USE `" + Schema() + "`");
  mysql("SET SESSION sql_mode = '', time_zone = '+00:00'");
  mysql(R"(CREATE TABLE every_type (
    id bigint unsigned NOT NULL PRIMARY KEY,
    ti tinyint, tiu tinyint unsigned, t1 tinyint(1), si smallint, siu smallint unsigned,
    mi mediumint, iu int unsigned, bi bigint, ubi bigint unsigned,
    d decimal(65,30), f float, dbl double, b1 bit(1), b10 bit(10), y year,
    c char(4), vc varchar(20), tx text, js json, bin binary(3), vb varbinary(10), bl longblob,
    dt date, dt_nn date NOT NULL, dtm datetime(6), dtm_nn datetime NOT NULL, ts timestamp(3) NULL,
    tm time, tm_big time(2), e enum('small','it''s big'), st set('a','b','c'), g point,
    old_date date
  ))");
  mysql(R"(INSERT INTO every_type VALUES (
    1, -128, 255, 7, -32768, 65535, -8388608, 4294967295, -9223372036854775808,
    18446744073709551615,
    '-12345678901234567890123456789012345.123456789012345678901234567890',
    3.4028234e38, -1.7976931348623157e308, b'1', b'1000000101', 2155,
    'ab', 'tab\there\\nl', 'emoji 😀 ok', '{"k": [1, 2.50, "x"], "n": null}', UNHEX('00FF00'),
    UNHEX('000102'), UNHEX('00'),
    '0000-00-00', '0000-00-00', '2024-02-29 23:59:59.999999', '0000-00-00 00:00:00',
    '2038-01-19 03:14:07.123', '-838:59:59', '123:45:06.78', 'it''s big', 'a,c',
    ST_GeomFromText('POINT(1 2)'), '0009-12-04'
  ))");
  auto init = sandbox_.Run({"init_replica", "--source", "mysql", "--debug"});
  ASSERT_EQ(init.exit_code, 0) << init.all();

  auto columns = admin.Query(
      "SELECT column_name, column_type, is_nullable FROM information_schema.columns WHERE "
      "table_schema = '" +
      Schema() + "' AND table_name = 'every_type' ORDER BY ordinal_position");
  ASSERT_TRUE(columns.ok()) << columns.status().message();
  TableShape shape;
  shape.schema = Schema();
  shape.table = "every_type";
  shape.version = 1;
  std::vector<std::string> names;
  for (size_t row = 0; row < columns->size(); ++row) {
    const auto& fields = columns->rows[row];
    names.push_back(*fields[0]);
    shape.columns.push_back(Column(*fields[0], *fields[1], *fields[2] == "YES"));
  }
  shape.primary_key = {0};
  std::string point_wkb(
      "\x00\x00\x00\x00\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\xf0\x3f"
      "\x00\x00\x00\x00\x00\x00\x00\x40",
      25);
  std::vector<Value> row = {
      Value::UInt(2),
      Value::Int(-128),
      Value::UInt(255),
      Value::Int(7),
      Value::Int(-32768),
      Value::UInt(65535),
      Value::Int(-8388608),
      Value::UInt(4294967295U),
      Value::Int(std::numeric_limits<int64_t>::min()),
      Value::UInt(std::numeric_limits<uint64_t>::max()),
      Value::Decimal("-12345678901234567890123456789012345.123456789012345678901234567890"),
      Value::Float(3.4028234e38F),
      Value::Double(-1.7976931348623157e308),
      Value::Bit(1, 1),
      Value::Bit(0b1000000101, 10),
      Value::Year(2155),
      Value::String("ab"),
      Value::String("tab\there\\nl"),
      Value::String("emoji 😀 ok"),
      Value::Json(R"({"k": [1, 2.50, "x"], "n": null})"),
      Value::Bytes(std::string("\x00\xff\x00", 3)),
      Value::Bytes(std::string("\x00\x01\x02", 3)),
      Value::Bytes(std::string(1, '\0')),
      Value::MakeDate({0, 0, 0}),
      Value::MakeDate({0, 0, 0}),
      Value::MakeDateTime({2024, 2, 29, 23, 59, 59, 999999}),
      Value::MakeDateTime({0, 0, 0, 0, 0, 0, 0}),
      Value::Timestamp(2147483647LL * 1000000 + 123000),
      Value::Time(-(838LL * 3600 + 59 * 60 + 59) * 1000000),
      Value::Time((123LL * 3600 + 45 * 60 + 6) * 1000000 + 780000),
      Value::Enum("it's big"),
      Value::Set("a,c"),
      Value::Bytes(point_wkb),
      Value::MakeDate({9, 12, 4})};
  ASSERT_EQ(row.size(), shape.columns.size());
  // After the copy's coordinates, whatever binlog file they name.
  next_ = {999999, 4};
  Append({Insert(Schema(), "every_type", row)}, {shape});
  Close();
  auto replayer = MakeReplayer();
  BatchOutcome inserted = ReplayOne(*replayer);
  EXPECT_EQ(inserted.replayed, 1);
  auto compare = [&](int replayed_id) {
    for (const auto& name : names) {
      if (name == "id") continue;
      EXPECT_EQ(
          Q("SELECT (a.\"" + name + "\" IS NOT DISTINCT FROM b.\"" + name +
            "\") || ' ' || "
            "coalesce(a.\"" +
            name + "\"::text, 'NULL') || ' | ' || coalesce(b.\"" + name +
            "\"::text, 'NULL') FROM " + Qualified("every_type") + " a, " + Qualified("every_type") +
            " b WHERE a.id = 1 AND b.id = " + std::to_string(replayed_id))
              .substr(0, 4),
          "true")
          << "column " << name << " of row " << replayed_id;
    }
  };
  compare(2);
  // Through the pipelined UPDATE path: the same values in place, then a key change.
  std::vector<Value> moved = row;
  moved[0] = Value::UInt(3);
  Append({Update(Schema(), "every_type", row, row), Update(Schema(), "every_type", row, moved)});
  Close();
  BatchOutcome updated = ReplayOne(*replayer);
  EXPECT_EQ(updated.replayed, 2);
  EXPECT_EQ(updated.unmatched, 0);
  compare(3);
  EXPECT_EQ(Q("SELECT string_agg(id::text, ',' ORDER BY id) FROM " + Qualified("every_type")),
            "1,3");
}

}  // namespace
}  // namespace chameleon::replayer_test
