// DDL replay against the real PostgreSQL: spool batches of DDL and the rows that depend on
// it, written by hand as the reader writes them (a new shape version after a DDL), then the
// tables, types, indexes and catalogue rows PostgreSQL ends up with; and once end to end,
// from statements run on the live MariaDB through the reader.
#include <gtest/gtest.h>
#include <unistd.h>

#include <thread>

#include "reader/reader.h"
#include "replayer/replayer_fixture.h"

namespace chameleon::replayer_test {
namespace {

class DdlReplayTest : public ReplayerTest {
 protected:
  ChangeEvent Ddl(const std::string& statement) const {
    ChangeEvent event;
    event.operation = Operation::kDdl;
    event.schema = Schema();
    event.source_timestamp_seconds = 1700000000;
    event.ddl_statement = statement;
    return event;
  }
  TableShape Shape(const std::string& table, uint32_t version,
                   std::vector<ColumnShape> columns) const {
    TableShape shape;
    shape.schema = Schema();
    shape.table = table;
    shape.version = version;
    shape.columns = std::move(columns);
    return shape;
  }
  static ChangeEvent V(ChangeEvent event, uint32_t version) {
    event.shape_version = version;
    return event;
  }
  // "name type [not null] [default x]" per column, in PostgreSQL's order.
  std::string Columns(const std::string& table) {
    return Q(
        "SELECT string_agg(attname || ' ' || format_type(atttypid, atttypmod) || CASE WHEN "
        "attnotnull THEN ' not null' ELSE '' END || CASE WHEN attidentity <> '' THEN ' "
        "identity' ELSE '' END || coalesce(' default ' || pg_get_expr(d.adbin, d.adrelid), "
        "''), ', ' ORDER BY attnum) FROM pg_attribute a LEFT JOIN pg_attrdef d ON "
        "d.adrelid = a.attrelid AND d.adnum = a.attnum WHERE attrelid = '" +
        Qualified(table) + "'::regclass AND attnum > 0 AND NOT attisdropped");
  }
  std::string Indexes(const std::string& table) {
    return Q(
        "SELECT coalesce(string_agg(indexname, ', ' ORDER BY indexname), '') FROM pg_indexes "
        "WHERE schemaname = '" +
        Dest() + "' AND tablename = '" + table + "'");
  }
  std::string EnumTypes() {
    return Q(
        "SELECT coalesce(string_agg(t.typname || '(' || (SELECT string_agg(enumlabel, ',' "
        "ORDER BY enumsortorder) FROM pg_enum WHERE enumtypid = t.oid) || ')', ' ' ORDER BY "
        "t.typname), '') FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace WHERE "
        "n.nspname = '" +
        Dest() + "' AND t.typtype = 'e'");
  }
  std::string Catalogue(const std::string& table) {
    return Q(
        "SELECT coalesce(array_to_string(v_table_pkey, ','), '') || ' ' || "
        "b_replica_enabled || coalesce(' ' || t_disabled_reason, '') FROM "
        "sch_chameleon.t_replica_tables WHERE v_table_name = '" +
        table + "'");
  }
  std::string Errors() {
    return Q(
        "SELECT coalesce(string_agg(t_error_class || ': ' || t_sql || ' -> ' || "
        "t_error_message, E'\\n' ORDER BY i_id_log), '') FROM sch_chameleon.t_error_log");
  }
  std::string Select(const std::string& sql) { return Q(sql); }
};

TEST_F(DdlReplayTest, ACreatedTableIsTranslatedLikeInitAndGetsItsRows) {
  Append(
      {Ddl("CREATE TABLE `New Table` (id INT UNSIGNED NOT NULL AUTO_INCREMENT, `Name` "
           "VARCHAR(20) NOT NULL DEFAULT 'x''y', kind ENUM('a','b') DEFAULT 'a' COMMENT "
           "'the kind', amount DECIMAL(10,2), flag TINYINT(1) NOT NULL DEFAULT 0, "
           "made DATETIME(3) DEFAULT CURRENT_TIMESTAMP(3), odd INT DEFAULT (1 + 1), "
           "PRIMARY KEY (id), UNIQUE KEY `uq name` (`Name`), KEY k (amount), "
           "FULLTEXT KEY ft (`Name`), CONSTRAINT fk FOREIGN KEY (id) REFERENCES x (id)) "
           "ENGINE=InnoDB DEFAULT CHARSET=utf8mb4")});
  TableShape shape = Shape(
      "New Table", 1,
      {Column("id", "int(10) unsigned", false), Column("Name", "varchar(20)"),
       Column("kind", "enum('a','b')"), Column("amount", "decimal(10,2)"),
       Column("flag", "tinyint(1)"), Column("made", "datetime(3)"), Column("odd", "int(11)")});
  std::vector<Value> row = {Value::UInt(4294967295U),
                            Value::String("n1"),
                            Value::String("b"),
                            Value::Decimal("1.50"),
                            Value::Int(1),
                            Value::Null(),
                            Value::Int(2)};
  std::vector<Value> changed = row;
  changed[1] = Value::String("n2");
  Append({Insert(Schema(), "New Table", row), Update(Schema(), "New Table", row, changed)},
         {shape});
  Close();
  BatchOutcome outcome = ReplayOne(*MakeReplayer());
  EXPECT_EQ(outcome.ddl, 1);
  EXPECT_EQ(outcome.replayed, 2);
  EXPECT_EQ(Errors(), "");
  EXPECT_EQ(Columns("New Table"),
            "id bigint not null identity, Name character varying(20) not null default "
            "'x''y'::character varying, kind " +
                Dest() + ".\"enum_New Table_kind\" default 'a'::" + Dest() +
                ".\"enum_New Table_kind\", amount numeric(10,2), flag smallint not null "
                "default '0'::smallint, made timestamp(3) without time zone default "
                "CURRENT_TIMESTAMP, odd "
                "integer");
  EXPECT_EQ(Indexes("New Table"), "New Table_k_idx, New Table_pkey, New Table_uq name_key");
  EXPECT_EQ(EnumTypes(), "enum_New Table_kind(a,b)");
  EXPECT_EQ(Select("SELECT col_description('" + Qualified("New Table") + "'::regclass, 3)"),
            "the kind");
  EXPECT_EQ(Catalogue("New Table"), "id true");
  EXPECT_EQ(Select("SELECT id || ' ' || \"Name\" || ' ' || kind || ' ' || amount || ' ' || flag "
                   "FROM " +
                   Qualified("New Table")),
            "4294967295 n2 b 1.50 1");
}

TEST_F(DdlReplayTest, ColumnChangesApplyInOrderWithTheRowsThatDependOnThem) {
  TableShape v1 = KeyValueTable("t");
  Append({Insert(Schema(), "t", {Value::Int(1), Value::String("a")})}, {v1});
  // Two columns at once; the rows already there get MySQL's implicit default.
  Append(
      {Ddl("ALTER TABLE t ADD COLUMN n INT NOT NULL, ADD COLUMN `Big Col` BIGINT UNSIGNED "
           "DEFAULT 7 AFTER id")});
  TableShape v2 = Shape("t", 2,
                        {Column("id", "int(11)", false), Column("Big Col", "bigint(20) unsigned"),
                         Column("v", "text"), Column("n", "int(11)", false)});
  Append({V(Insert(Schema(), "t",
                   {Value::Int(2), Value::UInt(18446744073709551615ULL), Value::String("b"),
                    Value::Int(5)}),
            2)},
         {v2});
  Append({Ddl("ALTER TABLE t DROP COLUMN v")});
  TableShape v3 = Shape("t", 3,
                        {Column("id", "int(11)", false), Column("Big Col", "bigint(20) unsigned"),
                         Column("n", "int(11)", false)});
  std::vector<Value> before = {Value::Int(2), Value::UInt(18446744073709551615ULL), Value::Int(5)};
  std::vector<Value> after = {Value::Int(2), Value::UInt(1), Value::Int(6)};
  Append({V(Update(Schema(), "t", before, after), 3)}, {v3});
  Append(
      {Ddl("ALTER TABLE t MODIFY n VARCHAR(10) NOT NULL DEFAULT 'z', CHANGE `Big Col` "
           "big_col INT UNSIGNED NULL, ALTER COLUMN id SET DEFAULT 0")});
  TableShape v4 = Shape("t", 4,
                        {Column("id", "int(11)", false), Column("big_col", "int(10) unsigned"),
                         Column("n", "varchar(10)", false)});
  Append({V(Insert(Schema(), "t", {Value::Int(3), Value::Null(), Value::String("three")}), 4)},
         {v4});
  Append({Ddl("ALTER TABLE t RENAME COLUMN n TO `N n`, ALTER COLUMN id DROP DEFAULT")});
  TableShape v5 = Shape("t", 5,
                        {Column("id", "int(11)", false), Column("big_col", "int(10) unsigned"),
                         Column("N n", "varchar(10)", false)});
  Append({V(Update(Schema(), "t", {Value::Int(1), Value::UInt(7), Value::String("0")},
                   {Value::Int(1), Value::UInt(8), Value::String("one")}),
            5)},
         {v5});
  Close();
  BatchOutcome outcome = ReplayOne(*MakeReplayer());
  EXPECT_EQ(Errors(), "");
  EXPECT_EQ(outcome.ddl, 4);
  EXPECT_EQ(outcome.replayed, 5);
  EXPECT_EQ(outcome.unmatched, 0);
  EXPECT_EQ(outcome.attempts, 1);
  EXPECT_EQ(Columns("t"),
            "id integer not null, N n character varying(10) not null default "
            "'z'::character varying, big_col bigint");
  EXPECT_EQ(Select("SELECT string_agg(id || '=' || coalesce(big_col::text, 'NULL') || ',' || "
                   "\"N n\", ' ' ORDER BY id) FROM " +
                   Qualified("t")),
            "1=8,one 2=1,6 3=NULL,three");
}

// The usual int -> bigint migration of a primary key, then to bigint unsigned: MySQL keeps a
// key column NOT NULL whatever the MODIFY says, and numeric(20) takes a sequence instead of
// the identity, numbering on after the rows there.
TEST_F(DdlReplayTest, ModifyingThePrimaryKeyColumnKeepsItAKeyAndItsNumbering) {
  Append({Ddl("CREATE TABLE k (id INT NOT NULL AUTO_INCREMENT PRIMARY KEY, v TEXT)")});
  TableShape v1 = Shape("k", 1, {Column("id", "int(11)", false), Column("v", "text")});
  v1.primary_key = {0};
  Append({Insert(Schema(), "k", {Value::Int(1), Value::String("a")}),
          Insert(Schema(), "k", {Value::Int(41), Value::String("b")})},
         {v1});
  Append({Ddl("ALTER TABLE k MODIFY id BIGINT")});
  Append({Ddl("ALTER TABLE k MODIFY id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT")});
  TableShape v2 = Shape("k", 2, {Column("id", "bigint(20) unsigned", false), Column("v", "text")});
  v2.primary_key = {0};
  Append(
      {V(Insert(Schema(), "k", {Value::UInt(18446744073709551615ULL), Value::String("max")}), 2)},
      {v2});
  Close();
  BatchOutcome outcome = ReplayOne(*MakeReplayer());
  EXPECT_EQ(Errors(), "");
  EXPECT_EQ(outcome.ddl, 3);
  EXPECT_EQ(outcome.replayed, 3);
  EXPECT_EQ(Catalogue("k"), "id true");
  EXPECT_EQ(Indexes("k"), "k_pkey");
  EXPECT_EQ(Select("SELECT format_type(atttypid, atttypmod) || ' ' || attnotnull FROM "
                   "pg_attribute WHERE attrelid = '" +
                   Qualified("k") + "'::regclass AND attname = 'id'"),
            "numeric(20,0) true");
  // A row inserted in PostgreSQL after the switch numbers on from the rows there.
  Exec("INSERT INTO " + Qualified("k") + " (v) VALUES ('next')");
  EXPECT_EQ(Select("SELECT id FROM " + Qualified("k") + " WHERE v = 'next'"), "42");
}

// A table created by a batch whose row PostgreSQL then rejects leaves the replica like any
// other: the retried batch must not create it enabled again and fail for ever.
TEST_F(DdlReplayTest, ATableCreatedInTheBatchThatPostgresqlRejectsLeavesTheReplicaOnce) {
  TableShape other = KeyValueTable("other");
  Append({Ddl("CREATE TABLE fresh (id INT PRIMARY KEY, v VARCHAR(3))")});
  TableShape fresh = Shape("fresh", 1, {Column("id", "int(11)", false), Column("v", "varchar(3)")});
  fresh.primary_key = {0};
  Append({Insert(Schema(), "fresh", {Value::Int(1), Value::String("too long")}),
          Insert(Schema(), "other", {Value::Int(1), Value::String("kept")})},
         {fresh, other});
  Close();
  BatchOutcome outcome = ReplayOne(*MakeReplayer());
  EXPECT_LE(outcome.attempts, 3);
  EXPECT_EQ(Catalogue("fresh").substr(0, 9), "id false ");
  EXPECT_EQ(Rows("other"), "1=kept");
  EXPECT_EQ(Select("SELECT count(*) FROM " + Qualified("fresh")), "0");
}

TEST_F(DdlReplayTest, EnumColumnsGetTheirOwnTypesThroughModifyAndDrop) {
  Append({Ddl("CREATE TABLE e (id INT PRIMARY KEY, k ENUM('x','y') NOT NULL)")});
  TableShape v1 =
      Shape("e", 1, {Column("id", "int(11)", false), Column("k", "enum('x','y')", false)});
  Append({Insert(Schema(), "e", {Value::Int(1), Value::String("y")})}, {v1});
  Append(
      {Ddl("ALTER TABLE e MODIFY k ENUM('y','z','x') NOT NULL DEFAULT 'z', ADD COLUMN "
           "other ENUM('p') NOT NULL")});
  TableShape v2 = Shape("e", 2,
                        {Column("id", "int(11)", false), Column("k", "enum('y','z','x')", false),
                         Column("other", "enum('p')", false)});
  Append({V(Insert(Schema(), "e", {Value::Int(2), Value::String("z"), Value::String("p")}), 2)},
         {v2});
  Append({Ddl("ALTER TABLE e MODIFY other VARCHAR(5)")});
  Close();
  ReplayOne(*MakeReplayer());
  EXPECT_EQ(Errors(), "");
  EXPECT_EQ(EnumTypes(), "enum_e_k(y,z,x)");
  EXPECT_EQ(
      Select("SELECT string_agg(id || k::text || other, ' ' ORDER BY id) FROM " + Qualified("e")),
      "1yp 2zp");
  Append({Ddl("DROP TABLE e")});
  Close();
  ReplayOne(*MakeReplayer());
  EXPECT_EQ(EnumTypes(), "");
  EXPECT_EQ(Catalogue("e"), "<null>");
}

TEST_F(DdlReplayTest, RenamedTablesKeepReplicatingUnderTheirNewNames) {
  TableShape a = KeyValueTable("a");
  Append({Insert(Schema(), "a", {Value::Int(1), Value::String("one")})}, {a});
  Append({Ddl("CREATE TABLE e (id INT PRIMARY KEY, k ENUM('x','y'), KEY kk (k))")});
  TableShape e = Shape("e", 1, {Column("id", "int(11)", false), Column("k", "enum('x','y')")});
  Append({Insert(Schema(), "e", {Value::Int(1), Value::String("x")})}, {e});
  Append({Ddl("RENAME TABLE a TO a2, e TO `E 2`")});
  TableShape a2 = Shape("a2", 1, a.columns);
  TableShape e2 = Shape("E 2", 1, e.columns);
  Append({Update(Schema(), "a2", {Value::Int(1), Value::String("one")},
                 {Value::Int(1), Value::String("uno")}),
          Insert(Schema(), "E 2", {Value::Int(2), Value::String("y")})},
         {a2, e2});
  Append({Ddl("ALTER TABLE `" + Schema() + "`.a2 RENAME TO a3")});
  TableShape a3 = Shape("a3", 1, a.columns);
  Append({Insert(Schema(), "a3", {Value::Int(2), Value::String("dos")})}, {a3});
  Close();
  BatchOutcome outcome = ReplayOne(*MakeReplayer());
  EXPECT_EQ(Errors(), "");
  EXPECT_EQ(outcome.ddl, 4);  // CREATE, RENAME of two tables, ALTER ... RENAME
  EXPECT_EQ(
      Select("SELECT to_regclass('" + Qualified("a") + "') IS NULL AND to_regclass('" +
             Qualified("a2") + "') IS NULL AND to_regclass('" + Qualified("e") + "') IS NULL"),
      "t");
  EXPECT_EQ(Rows("a3"), "1=uno 2=dos");
  EXPECT_EQ(Select("SELECT string_agg(id || k::text, ' ' ORDER BY id) FROM " + Qualified("E 2")),
            "1x 2y");
  EXPECT_EQ(Select("SELECT string_agg(v_table_name, ',' ORDER BY v_table_name) FROM "
                   "sch_chameleon.t_replica_tables"),
            "E 2,a3");
  EXPECT_EQ(Indexes("E 2"), "E 2_kk_idx, E 2_pkey");
  EXPECT_EQ(EnumTypes(), "enum_E 2_k(x,y)");
  EXPECT_EQ(Catalogue("a3"), "id true");
}

TEST_F(DdlReplayTest, IndexAndPrimaryKeyChangesReachTheCatalogueAndTheRows) {
  TableShape t = KeyValueTable("t");
  Append({Insert(Schema(), "t", {Value::Int(1), Value::String("a")})}, {t});
  Append({Ddl("CREATE UNIQUE INDEX u ON t (v(10))")});
  Append({Ddl("CREATE UNIQUE INDEX `U 2` ON t (v) USING BTREE")});
  Append({Ddl("ALTER TABLE t ADD INDEX (v), ADD FULLTEXT KEY ft (v), RENAME INDEX `U 2` TO u3")});
  Append({Ddl("DROP INDEX v ON t")});
  Append({Ddl("ALTER TABLE t DROP INDEX u3, DROP PRIMARY KEY, ADD PRIMARY KEY (id, v)")});
  // Same columns, same shape version: the key the rows are applied by still changed.
  Append({Insert(Schema(), "t", {Value::Int(1), Value::String("b")}),
          Update(Schema(), "t", {Value::Int(1), Value::String("b")},
                 {Value::Int(1), Value::String("c")})});
  Close();
  BatchOutcome outcome = ReplayOne(*MakeReplayer());
  EXPECT_EQ(Errors(), "");
  EXPECT_EQ(outcome.replayed, 3);
  EXPECT_EQ(outcome.unmatched, 0);
  EXPECT_EQ(Indexes("t"), "t_pkey");
  EXPECT_EQ(Catalogue("t"), "id,v true");
  EXPECT_EQ(Select("SELECT string_agg(id || v, ' ' ORDER BY v) FROM " + Qualified("t")), "1a 1c");
  Append({Ddl("ALTER TABLE t DROP PRIMARY KEY")});
  Append({Insert(Schema(), "t", {Value::Int(2), Value::String("skipped")})});
  Close();
  outcome = ReplayOne(*MakeReplayer());
  EXPECT_EQ(outcome.skipped, 1);
  EXPECT_EQ(Catalogue("t"), " false no primary key");
  Append({Ddl("ALTER TABLE t ADD PRIMARY KEY (id, v)")});
  Close();
  ReplayOne(*MakeReplayer());
  EXPECT_EQ(Indexes("t"), "t_pkey");
  EXPECT_EQ(Catalogue("t").substr(0, 41), "id,v false primary key added by replayed ");
}

TEST_F(DdlReplayTest, ATableWithoutPrimaryKeyIsCreatedAndNotReplicated) {
  Append({Ddl("CREATE TABLE IF NOT EXISTS nopk (a INT, b TEXT)")});
  Append({Insert(Schema(), "nopk", {Value::Int(1), Value::String("x")})},
         {Shape("nopk", 1, {Column("a", "int(11)"), Column("b", "text")})});
  Append({Ddl("CREATE TABLE IF NOT EXISTS nopk (a INT)")});
  Close();
  BatchOutcome outcome = ReplayOne(*MakeReplayer());
  EXPECT_EQ(outcome.ddl, 1);
  EXPECT_EQ(outcome.skipped, 2);
  EXPECT_EQ(Catalogue("nopk"), " false no primary key");
  EXPECT_EQ(Select("SELECT count(*) FROM " + Qualified("nopk")), "0");
}

TEST_F(DdlReplayTest, CreateTableLikeCopiesColumnsKeysAndEnumTypes) {
  Append(
      {Ddl("CREATE TABLE src (id INT NOT NULL AUTO_INCREMENT PRIMARY KEY, k ENUM('x','y') "
           "DEFAULT 'y', n INT, UNIQUE KEY un (n))")});
  Append({Ddl("CREATE TABLE dst LIKE src")});
  Append({Insert(Schema(), "dst", {Value::Int(1), Value::String("x"), Value::Int(3)})},
         {Shape("dst", 1,
                {Column("id", "int(11)", false), Column("k", "enum('x','y')"),
                 Column("n", "int(11)")})});
  Append({Ddl("DROP TABLE src")});
  Close();
  BatchOutcome outcome = ReplayOne(*MakeReplayer());
  EXPECT_EQ(Errors(), "");
  EXPECT_EQ(outcome.ddl, 3);
  EXPECT_EQ(Indexes("dst"), "dst_pkey, dst_un_key");
  EXPECT_EQ(EnumTypes(), "enum_dst_k(x,y)");
  EXPECT_EQ(Catalogue("dst"), "id true");
  EXPECT_EQ(Columns("dst"), "id integer not null identity, k " + Dest() +
                                ".enum_dst_k default 'y'::" + Dest() + ".enum_dst_k, n integer");
  EXPECT_EQ(Select("SELECT id || k::text || n FROM " + Qualified("dst")), "1x3");
}

TEST_F(DdlReplayTest, DdlThatCannotApplyIsRecordedAndTheReplicaGoesOn) {
  TableShape t = KeyValueTable("t");
  Append({Ddl("CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW SET NEW.v = 'x'")});
  Append({Ddl("ALTER TABLE t ADD COLUMN w NOSUCHTYPE")});
  Append({Ddl("ALTER TABLE t DROP COLUMN nope")});
  Append({Ddl("ALTER TABLE t ADD CONSTRAINT fk FOREIGN KEY (v) REFERENCES x (id), ENGINE=InnoDB")});
  Append({Ddl("CREATE TABLE other_schema.z (id INT PRIMARY KEY)")});
  Append({Ddl("ALTER TABLE not_replicated ADD COLUMN c INT")});
  Append({Insert(Schema(), "t", {Value::Int(1), Value::String("a")})}, {t});
  Close();
  BatchOutcome outcome = ReplayOne(*MakeReplayer());
  EXPECT_EQ(outcome.attempts, 1);
  EXPECT_EQ(outcome.replayed, 1);
  EXPECT_EQ(outcome.ddl, 1);  // the ALTER of FOREIGN KEY and ENGINE: skipped clauses, no error
  EXPECT_EQ(Rows("t"), "1=a");
  EXPECT_EQ(Catalogue("t"), "id true");
  EXPECT_EQ(
      Errors(),
      "ddl: CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW SET NEW.v = 'x' -> DDL not "
      "replayed: CREATE TRIGGER is not replicated\n"
      "ddl: ALTER TABLE t ADD COLUMN w NOSUCHTYPE -> table " +
          Schema() +
          ".t column w: MySQL type 'nosuchtype' has no PostgreSQL mapping; add a type_override "
          "for 'nosuchtype'\n"
          "ddl: ALTER TABLE t DROP COLUMN nope -> DDL not replayed: 42703 - " +
          Select("SELECT t_error_message FROM sch_chameleon.t_error_log WHERE t_sql LIKE "
                 "'%nope'")
              .substr(std::string("DDL not replayed: 42703 - ").size()));
  EXPECT_NE(Errors().find("column \"nope\" of relation \"t\" does not exist"), std::string::npos);
}

TEST_F(DdlReplayTest, OnErrorExitStopsAtADdlPostgresqlRejects) {
  TableShape t = KeyValueTable("t");
  Append({Ddl("ALTER TABLE t DROP COLUMN nope")});
  Close();
  ReplayerOptions options;
  options.on_error = config::OnError::kExit;
  auto stopped = MakeReplayer(options)->ReplayOneBatch();
  ASSERT_FALSE(stopped.ok());
  EXPECT_EQ(stopped.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_TRUE(spool_->OldestClosedBatch().has_value());
  EXPECT_EQ(Select("SELECT t_error_class FROM sch_chameleon.t_error_log"), "replica");
}

TEST_F(DdlReplayTest, LiveMariadbDdlAndDependentRowsArriveThroughTheReader) {
  mysql::Connection admin = test_support::MysqlAdmin();
  auto run = [&](const std::string& sql) {
    Status status = admin.Execute(sql);
    ASSERT_TRUE(status.ok()) << sql << ": " << status.message();
  };
  auto master = admin.Query("SHOW MASTER STATUS");
  ASSERT_TRUE(master.ok() && !master->empty());
  BinlogPosition start{ParseBinlogFileNumber(*master->rows[0][0]).value(),
                       std::stoull(*master->rows[0][1])};
  run("USE `" + Schema() + "`");
  run("CREATE TABLE orders (id INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY, item "
      "VARCHAR(20) NOT NULL, state ENUM('new','paid') NOT NULL DEFAULT 'new')");
  run("INSERT INTO orders (item) VALUES ('a'), ('b')");
  run("ALTER TABLE orders ADD COLUMN qty INT NOT NULL DEFAULT 1 AFTER item, ADD INDEX (item)");
  run("INSERT INTO orders (item, qty, state) VALUES ('c', 3, 'paid')");
  run("UPDATE orders SET qty = 2 WHERE id = 1");
  run("RENAME TABLE orders TO `Orders 2`");
  run("UPDATE `Orders 2` SET state = 'paid' WHERE id = 2");
  run("ALTER TABLE `Orders 2` DROP COLUMN item, MODIFY state ENUM('new','paid','sent') NOT "
      "NULL");
  run("UPDATE `Orders 2` SET state = 'sent' WHERE id = 3");
  run("CREATE VIEW v AS SELECT 1 AS one");
  run("DELETE FROM `Orders 2` WHERE id = 1");
  // An unqualified name resolves in the session's default database, as on the source: here
  // the table moves out of the replicated schema (not to `Schema()`.moved).
  run("CREATE TABLE leaving (id INT PRIMARY KEY)");
  {
    mysql::Connection other = test_support::MysqlAdmin();
    ASSERT_TRUE(other.Execute("CREATE DATABASE IF NOT EXISTS `" + Schema() + "_other`").ok());
  }
  run("USE `" + Schema() + "_other`");
  run("RENAME TABLE `" + Schema() + "`.leaving TO moved");

  const auto& settings = test_support::TestServers::Get().mysql;
  reader::ReaderOptions options;
  options.source.name = "mysql";
  options.source.db_conn.host = settings.host;
  options.source.db_conn.port = settings.port;
  options.source.db_conn.user = settings.user;
  options.source.db_conn.password = Secret(settings.password);
  options.source.my_server_id = 40000 + static_cast<uint32_t>(getpid() % 20000);
  options.source.schema_mappings = {{Schema(), Dest()}};
  options.source.net_read_timeout_seconds = 30;
  options.start = start;
  auto changes = [&] {
    size_t count = 0;
    auto cursor = spool_->ReadFrom(spool::EventKey{static_cast<uint32_t>(source_id_), {}, 0});
    ChangeEvent event;
    while (cursor.ok()) {
      Result<bool> next = cursor->Next(&event);
      if (!next.ok() || !*next) break;
      if (event.operation != Operation::kCommit) ++count;
    }
    return count;
  };
  {
    reader::Reader reader(options, &*spool_);
    Status status;
    std::thread thread([&] { status = reader.Run(); });
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (changes() < 14 && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    reader.Stop();
    thread.join();
    ASSERT_TRUE(status.ok()) << status.message();
  }
  ASSERT_EQ(changes(), 14U);
  Close();
  auto replayer = MakeReplayer();
  while (true) {
    auto outcome = replayer->ReplayOneBatch();
    ASSERT_TRUE(outcome.ok()) << outcome.status().message();
    if (!outcome->has_value()) break;
  }
  EXPECT_EQ(Columns("Orders 2"),
            "id bigint not null identity, state " + Dest() +
                ".\"enum_Orders 2_state\" not null, qty integer not null default 1");
  EXPECT_EQ(Select("SELECT string_agg(id || ' ' || qty || ' ' || state, ', ' ORDER BY id) FROM " +
                   Qualified("Orders 2")),
            "2 1 paid, 3 3 sent");
  EXPECT_EQ(Indexes("Orders 2"), "Orders 2_pkey");
  EXPECT_EQ(Catalogue("Orders 2"), "id true");
  EXPECT_EQ(Select("SELECT count(*) FROM sch_chameleon.t_replica_tables WHERE v_table_name IN "
                   "('leaving', 'moved')"),
            "0")
      << "left the replica";
  EXPECT_EQ(Select("SELECT to_regclass('" + Qualified("leaving") +
                   "') IS NOT NULL AND "
                   "to_regclass('" +
                   Qualified("moved") + "') IS NULL"),
            "t")
      << "kept as it was, not renamed inside the replicated schema";
  (void)admin.Execute("DROP DATABASE IF EXISTS `" + Schema() + "_other`");
  // MariaDB logs the view with its ALGORITHM/DEFINER clauses.
  EXPECT_EQ(Select("SELECT string_agg(t_error_class || ' ' || (t_sql LIKE '%VIEW `v`%'), ',') "
                   "FROM sch_chameleon.t_error_log"),
            "ddl true");
}

}  // namespace
}  // namespace chameleon::replayer_test
