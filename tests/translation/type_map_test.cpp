// The type map and value rendering, one row per MySQL type: the PostgreSQL type chosen and
// the COPY text a server value becomes.
#include "translation/type_map.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "translation/table_ddl.h"
#include "translation/value_text.h"

namespace chameleon::translation {
namespace {

struct TypeCase {
  std::string data_type;
  std::string column_type;
  std::string pg_type;
  std::string raw;   // the value as MySQL's text protocol sends it
  std::string copy;  // the COPY text field it becomes
  bool nullable = true;
};

SourceColumn Column(const TypeCase& c) {
  SourceColumn column;
  column.name = "c";
  column.data_type = c.data_type;
  column.column_type = c.column_type;
  column.nullable = c.nullable;
  size_t open = c.column_type.find('(');
  if (open != std::string::npos) {
    std::string inside = c.column_type.substr(open + 1);
    int first = std::atoi(inside.c_str());
    size_t comma = inside.find(',');
    if (c.data_type == "varchar" || c.data_type == "char") column.character_maximum_length = first;
    if (c.data_type == "decimal" || c.data_type == "bit") {
      column.numeric_precision = first;
      if (comma != std::string::npos) column.numeric_scale = std::atoi(inside.c_str() + comma + 1);
    }
    if (c.data_type == "datetime" || c.data_type == "timestamp") column.datetime_precision = first;
  }
  return column;
}

SourceColumn Col(std::string name, std::string data_type, std::string column_type,
                 bool nullable = true) {
  SourceColumn column;
  column.name = std::move(name);
  column.data_type = std::move(data_type);
  column.column_type = std::move(column_type);
  column.nullable = nullable;
  return column;
}

const std::vector<TypeCase> kCases = {
    {"tinyint", "tinyint(4)", "smallint", "-128", "-128"},
    {"tinyint", "tinyint(3) unsigned", "smallint", "255", "255"},
    {"tinyint", "tinyint(1)", "smallint", "7", "7"},
    {"smallint", "smallint(6)", "smallint", "-32768", "-32768"},
    {"smallint", "smallint(5) unsigned", "integer", "65535", "65535"},
    {"mediumint", "mediumint(8) unsigned", "integer", "16777215", "16777215"},
    {"int", "int(11)", "integer", "-2147483648", "-2147483648"},
    {"int", "int(10) unsigned", "bigint", "4294967295", "4294967295"},
    {"bigint", "bigint(20)", "bigint", "-9223372036854775808", "-9223372036854775808"},
    {"bigint", "bigint(20) unsigned", "numeric(20)", "18446744073709551615",
     "18446744073709551615"},
    {"decimal", "decimal(65,30)", "numeric(65,30)", "-12.5", "-12.5"},
    {"float", "float", "real", "3.40282e38", "3.40282e38"},
    {"double", "double", "double precision", "-1.7976931348623157e308", "-1.7976931348623157e308"},
    {"bit", "bit(1)", "bit(1)", std::string("\x01", 1), "1"},
    {"bit", "bit(10)", "bit(10)", std::string("\x02\x05", 2), "1000000101"},
    {"year", "year(4)", "smallint", "2155", "2155"},
    {"char", "char(3)", "character(3)", "a\tb", "a\\tb"},
    {"varchar", "varchar(10)", "character varying(10)", "x\\y\nz", "x\\\\y\\nz"},
    {"longtext", "longtext", "text", "\xF0\x9F\x98\x80", "\xF0\x9F\x98\x80"},
    {"json", "json", "jsonb", R"({"a": [1, "\\n"]})", R"({"a": [1, "\\\\n"]})"},
    {"varbinary", "varbinary(8)", "bytea", std::string("\x00\xff\n", 3), "\\\\x00ff0a"},
    {"blob", "blob", "bytea", "", "\\\\x"},
    {"date", "date", "date", "0009-12-04", "0009-12-04"},
    {"date", "date", "date", "0000-00-00", "\\N"},
    {"date", "date", "date", "0000-00-00", "1970-01-01", false},
    {"datetime", "datetime(6)", "timestamp(6) without time zone", "2024-02-29 23:59:59.999999",
     "2024-02-29 23:59:59.999999"},
    {"datetime", "datetime", "timestamp without time zone", "0000-00-00 00:00:00",
     "1970-01-01 00:00:00", false},
    {"timestamp", "timestamp", "timestamp with time zone", "2038-01-19 03:14:07",
     "2038-01-19 03:14:07+00"},
    {"time", "time", "interval", "-838:59:59", "-838:59:59"},
    {"time", "time(3)", "interval", "100:00:00.500", "100:00:00.500"},
    {"set", "set('a','b','c')", "text[]", "a,c", "{\"a\",\"c\"}"},
    {"set", "set('a','b')", "text[]", "", "{}"},
    {"geometry", "geometry", "bytea", std::string("\0\0\0\0\x01", 5), "\\\\x01"},
    {"uuid", "uuid", "uuid", "123e4567-e89b-12d3-a456-426614174000",
     "123e4567-e89b-12d3-a456-426614174000"},
};

TEST(TypeMap, EveryTypeMapsAndRenders) {
  TypeMapOptions options;
  for (const auto& c : kCases) {
    SCOPED_TRACE(c.column_type + " <- " + c.raw);
    auto type = MapColumn(Column(c), "s", "t", options);
    ASSERT_TRUE(type.ok()) << type.status().message();
    EXPECT_EQ(type->pg_type, c.pg_type);
    std::string out;
    ASSERT_TRUE(AppendCopyValue(*type, "c", c.raw, &out).ok());
    EXPECT_EQ(out, c.copy);
  }
}

TEST(TypeMap, EnumGetsALabelledTypeNamedAfterTableAndColumn) {
  SourceColumn column = Col("mood", "enum", "enum('a','it''s')");
  auto table = MapTable("s", "people", {column}, {}, "", {});
  ASSERT_TRUE(table.ok());
  EXPECT_EQ(table->types[0].pg_type, "enum_people_mood");
  EXPECT_EQ(table->types[0].enum_labels, (std::vector<std::string>{"a", "it's"}));
  auto statements = CreateTableStatements(*table, "dst", 0);
  EXPECT_EQ(statements[0], "CREATE TYPE \"dst\".\"enum_people_mood\" AS ENUM ('a', 'it''s')");
}

TEST(TypeMap, LongNamesAreCutWithAStableHash) {
  std::string long_table(60, 't');
  std::string a = EnumTypeName(long_table, "column_one");
  std::string b = EnumTypeName(long_table, "column_two");
  EXPECT_LE(a.size(), 63U);
  EXPECT_NE(a, b);
  EXPECT_EQ(a, EnumTypeName(long_table, "column_one"));
  // A cut never splits a UTF-8 character.
  std::string accented;
  for (int i = 0; i < 40; ++i)
    accented += "\xC3\xA9";
  std::string cut = PgName(accented);
  EXPECT_LE(cut.size(), 63U);
  EXPECT_EQ(cut.size() % 2, 1U);  // 27 two-byte characters + "_" + 8 hex digits
}

TEST(TypeMap, EnumTypeNamesThatCollideInASchemaGetAStableHash) {
  // enum_a_b_c twice: table a_b column c, and table a column b_c.
  std::vector<EnumColumn> columns = {{"a_b", "c"}, {"a", "b_c"}, {"x", "y"}};
  EnumTypeNames names = UniqueEnumTypeNames(columns);
  ASSERT_EQ(names.size(), 3U);
  const std::string first = names.at(EnumColumn("a_b", "c"));
  const std::string second = names.at(EnumColumn("a", "b_c"));
  EXPECT_NE(first, second);
  EXPECT_EQ(first.rfind("enum_a_b_c_", 0), 0U) << first;
  EXPECT_EQ(second.rfind("enum_a_b_c_", 0), 0U) << second;
  EXPECT_EQ(first.size(), std::string("enum_a_b_c_").size() + 8);
  EXPECT_EQ(names.at(EnumColumn("x", "y")), "enum_x_y");  // no collision: pg_chameleon's name
  // The same set in another order gives the same names.
  EXPECT_EQ(UniqueEnumTypeNames({columns.rbegin(), columns.rend()}), names);
  // A long colliding name still fits PostgreSQL's 63 bytes and keeps the two apart.
  std::string long_table(70, 't');
  EnumTypeNames long_names = UniqueEnumTypeNames({{long_table + "_u", "v"}, {long_table, "u_v"}});
  const std::string long_first = long_names.at(EnumColumn(long_table + "_u", "v"));
  const std::string long_second = long_names.at(EnumColumn(long_table, "u_v"));
  EXPECT_NE(long_first, long_second);
  EXPECT_LE(long_first.size(), 63U);
  // The names land in the table definition and its CREATE TYPE.
  SourceColumn column = Col("c", "enum", "enum('p','q')");
  auto table = MapTable("s", "a_b", {column}, {}, "", {});
  ASSERT_TRUE(table.ok());
  ApplyEnumTypeNames(names, &*table);
  EXPECT_EQ(table->types[0].pg_type, first);
  EXPECT_EQ(CreateTableStatements(*table, "d", 0)[0],
            "CREATE TYPE \"d\".\"" + first + "\" AS ENUM ('p', 'q')");
}

TEST(TypeMap, OverrideToBooleanTakesAnyNonZeroAsTrue) {
  config::TypeOverride entry{"tinyint(1)", "boolean", {"other.table", "*"}};
  TypeMapOptions options;
  options.overrides = {entry};
  SourceColumn column = Col("flag", "tinyint", "tinyint(1)");
  auto type = MapColumn(column, "s", "t", options);
  ASSERT_TRUE(type.ok());
  EXPECT_EQ(type->pg_type, "boolean");
  for (auto [raw, copy] : std::vector<std::pair<std::string, std::string>>{
           {"0", "f"}, {"1", "t"}, {"2", "t"}, {"-1", "t"}}) {
    std::string out;
    ASSERT_TRUE(AppendCopyValue(*type, "flag", raw, &out).ok());
    EXPECT_EQ(out, copy) << raw;
  }
  SourceColumn bit = Col("b", "bit", "bit(1)");
  options.overrides = {{"bit(1)", "boolean", {"s.t"}}};
  auto bit_type = MapColumn(bit, "s", "t", options);
  ASSERT_TRUE(bit_type.ok());
  std::string out;
  ASSERT_TRUE(AppendCopyValue(*bit_type, "b", std::string("\0", 1), &out).ok());
  EXPECT_EQ(out, "f");
  // Another table is not overridden.
  auto elsewhere = MapColumn(bit, "s", "u", options);
  ASSERT_TRUE(elsewhere.ok());
  EXPECT_EQ(elsewhere->pg_type, "bit(1)");
}

TEST(TypeMap, NulInTextIsAnErrorNamingTheColumn) {
  SourceColumn column = Col("note", "varchar", "varchar(5)");
  auto type = MapColumn(column, "s", "t", {});
  ASSERT_TRUE(type.ok());
  std::string out = "x";
  Status status = AppendCopyValue(*type, "note", std::string("a\0b", 3), &out);
  EXPECT_FALSE(status.ok());
  EXPECT_NE(status.message().find("column note"), std::string::npos);
  EXPECT_EQ(out, "x");  // nothing half-written
}

TEST(TypeMap, UnknownTypeSaysHowToOverride) {
  SourceColumn column = Col("v", "vector", "vector(3)");
  auto type = MapColumn(column, "s", "t", {});
  ASSERT_FALSE(type.ok());
  EXPECT_NE(type.status().message().find("type_override"), std::string::npos);
  EXPECT_NE(type.status().message().find("s.t column v"), std::string::npos);
}

TEST(TypeMap, ZeroDateSentinelIsChecked) {
  EXPECT_TRUE(ValidateZeroDateSentinel("1970-01-01").ok());
  EXPECT_FALSE(ValidateZeroDateSentinel("0000-00-00").ok());
  EXPECT_FALSE(ValidateZeroDateSentinel("1970-13-01").ok());
  EXPECT_FALSE(ValidateZeroDateSentinel("yesterday").ok());
}

TEST(TypeMap, DefaultsTranslateLiteralsAndCurrentTimestamp) {
  TypeMapOptions options;
  SourceColumn text = Col("a", "varchar", "varchar(5)");
  text.default_value = "'it''s'";
  auto text_type = MapColumn(text, "s", "t", options);
  ASSERT_TRUE(text_type.ok());
  EXPECT_EQ(DefaultClause(text, *text_type), " DEFAULT 'it''s'");
  SourceColumn stamp = Col("b", "timestamp", "timestamp");
  stamp.default_value = "current_timestamp()";
  auto stamp_type = MapColumn(stamp, "s", "t", options);
  ASSERT_TRUE(stamp_type.ok());
  EXPECT_EQ(DefaultClause(stamp, *stamp_type), " DEFAULT CURRENT_TIMESTAMP");
  SourceColumn number = Col("c", "int", "int(11)");
  number.default_value = "NULL";
  auto number_type = MapColumn(number, "s", "t", options);
  ASSERT_TRUE(number_type.ok());
  EXPECT_EQ(DefaultClause(number, *number_type), "");
}

TEST(TypeMap, IndexesGetSchemaUniqueNamesAndSkipWhatPostgresCannotBuild) {
  SourceColumn id = Col("id", "int", "int(11)", false);
  SourceColumn name = Col("name", "varchar", "varchar(9)");
  std::vector<SourceIndex> indexes = {
      {"PRIMARY", true, {"id"}, false, "BTREE"},
      {"by name", true, {"name", "id"}, false, "BTREE"},
      {"prefix", false, {"name"}, true, "BTREE"},
      {"words", false, {"name"}, false, "FULLTEXT"},
  };
  auto table = MapTable("s", "T-1", {id, name}, indexes, "", {});
  ASSERT_TRUE(table.ok());
  std::vector<std::string> skipped;
  auto statements = IndexStatements(*table, "d", &skipped);
  ASSERT_EQ(statements.size(), 2U);
  EXPECT_EQ(statements[0],
            "ALTER TABLE \"d\".\"T-1\" ADD CONSTRAINT \"T-1_pkey\" PRIMARY KEY (\"id\")");
  EXPECT_EQ(statements[1],
            "CREATE UNIQUE INDEX \"T-1_by name_key\" ON \"d\".\"T-1\" (\"name\", \"id\")");
  EXPECT_EQ(skipped.size(), 2U);
}

// Labels as the server's COLUMN_TYPE escapes them (init reads information_schema), and the
// same labels quoted by us (the reader's table maps, replayed DDL) read back unchanged.
TEST(TypeMap, EnumLabelsReadAndQuoteLikeTheServer) {
  EXPECT_EQ(ParseLabels("enum('a\\nb','c\\\\d','e''f','tab\there')"),
            (std::vector<std::string>{"a\nb", "c\\d", "e'f", "tab\there"}));
  std::vector<std::string> labels = {"x", "it's", "back\\slash", "new\nline",
                                     std::string("nul\0", 4)};
  std::string column_type = "enum(";
  for (size_t i = 0; i < labels.size(); ++i)
    column_type += (i == 0 ? "" : ",") + QuoteEnumLabel(labels[i]);
  EXPECT_EQ(ParseLabels(column_type + ")"), labels);
}

}  // namespace
}  // namespace chameleon::translation
