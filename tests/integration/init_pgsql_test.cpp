// init_replica of a `type: pgsql` source against the real PostgreSQL: the sandbox's source
// "pgsql" copies schema public of the sandbox database into <mysql_schema>_copy. Types,
// enums, identity and serial columns, defaults, keys and every row must arrive unchanged.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "integration/init_fixture.h"

namespace chameleon {
namespace {

using ::testing::HasSubstr;

class InitPgsql : public test_support::InitFixture {
 protected:
  void SetUp() override {
    InitFixture::SetUp();
    auto added = sandbox_.Run({"add_source", "--source", "pgsql"});
    ASSERT_EQ(added.exit_code, 0) << added.all();
  }

  std::string CopySchema() const { return sandbox_.mysql_schema() + "_copy"; }

  // The same query over the source table and its copy.
  void ExpectSame(const std::string& query_with_schema_placeholder) {
    auto on = [&](const std::string& schema) {
      std::string sql = query_with_schema_placeholder;
      for (size_t at = sql.find("{s}"); at != std::string::npos; at = sql.find("{s}"))
        sql.replace(at, 3, schema);
      return Pg(sql);
    };
    std::string source = on("public");
    EXPECT_NE(source, "<null>") << query_with_schema_placeholder;
    EXPECT_EQ(on(CopySchema()), source) << query_with_schema_placeholder;
  }
};

TEST_F(InitPgsql, CopiesTypesKeysAndRowsExactly) {
  PgExecute("CREATE TYPE public.mood AS ENUM ('sad', 'ok', 'it''s great')");
  PgExecute("CREATE DOMAIN public.positive AS integer CHECK (VALUE > 0)");
  PgExecute(R"(CREATE TABLE public.every_type (
      id serial PRIMARY KEY, big bigint NOT NULL DEFAULT 42, n numeric(12,3), r real,
      d double precision, t text, vc varchar(10) DEFAULT 'x', ch char(3), b boolean, by bytea,
      ts timestamptz DEFAULT now(), tsn timestamp(3), dt date, tm time, iv interval, j jsonb,
      js json, u uuid, arr integer[], tarr text[], m public.mood DEFAULT 'ok',
      p public.positive, ip inet, bits bit varying(8),
      twice numeric GENERATED ALWAYS AS (n * 2) STORED,
      CONSTRAINT every_type_vc_key UNIQUE (vc), CONSTRAINT big_positive CHECK (big > 0)))");
  PgExecute("CREATE INDEX every_type_lower_t ON public.every_type (lower(t)) WHERE t IS NOT NULL");
  PgExecute(R"(INSERT INTO public.every_type (big, n, r, d, t, vc, ch, b, by, ts, tsn, dt, tm, iv,
      j, js, u, arr, tarr, m, p, ip, bits) VALUES (9223372036854775807, 123456789.123, 3.4e38,
      -1.7976931348623157e308, E'tab\there\nnew line \\ back 😀', 'first', 'ab', true,
      '\x00ff00', '2024-02-29 12:00:00+05', '2024-02-29 23:59:59.999', '0009-12-04',
      '23:59:59.999999', '-3 days 04:05:06', '{"k": [1, 2.50, "x"], "n": null}', '{"a" : 1}',
      'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{1,NULL,3}', '{"a,b","c\"d",NULL}',
      'it''s great', 7, '10.0.0.1/8', B'101'))");
  PgExecute("INSERT INTO public.every_type (big, vc) VALUES (1, NULL)");
  PgExecute(
      "INSERT INTO public.every_type (big, vc, t, m) SELECT g, 'v' || g, repeat('z', g % 50), "
      "(ARRAY['sad','ok'])[g % 2 + 1]::public.mood FROM generate_series(2, 3000) g");
  PgExecute(
      "CREATE TABLE public.ident (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, v text)");
  PgExecute("INSERT INTO public.ident (v) SELECT 'row ' || g FROM generate_series(1, 10) g");
  PgExecute("CREATE TABLE public.no_key (v int)");
  PgExecute("INSERT INTO public.no_key VALUES (1), (1), (NULL)");
  PgExecute("CREATE TABLE public.\"Odd Name é\" (\"Col-1\" int PRIMARY KEY)");
  PgExecute("INSERT INTO public.\"Odd Name é\" VALUES (5)");

  auto init = Init("pgsql");
  ASSERT_EQ(init.exit_code, 0) << init.all();
  EXPECT_THAT(init.out, HasSubstr("4 tables, 3015 rows copied from one snapshot"));
  EXPECT_THAT(init.all(), HasSubstr("no_key has no primary key"));

  // Every row, every value (the text of the whole row, generated column included).
  ExpectSame("SELECT md5(string_agg(t::text, '|' ORDER BY id)) FROM \"{s}\".every_type t");
  ExpectSame("SELECT string_agg(t::text, '|' ORDER BY id) FROM \"{s}\".ident t");
  ExpectSame("SELECT string_agg(coalesce(v::text, 'null'), ',' ORDER BY v) FROM \"{s}\".no_key");
  ExpectSame("SELECT \"Col-1\" FROM \"{s}\".\"Odd Name é\"");
  // The types: the same names, but the enum is the copy's own type, the domain its base.
  ExpectSame(
      "SELECT string_agg(c.relname || '.' || a.attname || ' ' || CASE WHEN a.attname IN "
      "('m','p') THEN '' ELSE format_type(a.atttypid, a.atttypmod) END || ' ' || a.attnotnull || "
      "' ' || a.attidentity::text || a.attgenerated::text, ', ' ORDER BY c.relname, a.attnum) "
      "FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid WHERE c.relnamespace = "
      "'\"{s}\"'::regnamespace AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped");
  EXPECT_EQ(
      Pg("SELECT format_type(atttypid, NULL) FROM pg_attribute WHERE attrelid = '\"" +
         CopySchema() + "\".every_type'::regclass AND attname IN ('m', 'p') ORDER BY attname"),
      CopySchema() + ".enum_every_type_m");
  EXPECT_EQ(Pg("SELECT string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder) FROM pg_enum e JOIN "
               "pg_type t ON t.oid = e.enumtypid WHERE t.typname = 'enum_every_type_m' AND "
               "t.typnamespace = '\"" +
               CopySchema() + "\"'::regnamespace"),
            "sad,ok,it's great");
  // Keys and indexes, by name and definition; the copy names nothing of the source schema.
  ExpectSame(
      "SELECT string_agg(indexname || ': ' || regexp_replace(indexdef, ' ON .+ USING', ' ON T "
      "USING'), ' | ' ORDER BY indexname) FROM pg_indexes WHERE schemaname = '{s}'");
  ExpectSame(
      "SELECT string_agg(conname || ' ' || pg_get_constraintdef(oid), ' | ' ORDER BY conname) "
      "FROM pg_constraint WHERE connamespace = '\"{s}\"'::regnamespace AND conrelid <> 0");
  // Serial and identity continue after the copied keys; defaults came along.
  EXPECT_EQ(Pg("INSERT INTO \"" + CopySchema() +
               "\".every_type (vc) VALUES ('new') RETURNING id || ' ' || big || ' ' || m"),
            "3002 42 ok");
  EXPECT_EQ(Pg("INSERT INTO \"" + CopySchema() + "\".ident (v) VALUES ('new') RETURNING id"), "11");
  EXPECT_EQ(PgError("INSERT INTO \"" + CopySchema() + "\".every_type (big) VALUES (-1)"), "23514");
  // The catalogue: status, no coordinates, consistent, tables counted by show_status.
  EXPECT_EQ(Pg("SELECT enm_status || ' ' || (t_binlog_name IS NULL) || ' ' || b_consistent FROM "
               "sch_chameleon.t_sources WHERE t_source = 'pgsql'"),
            "initialised true true");
  EXPECT_EQ(Pg("SELECT string_agg(v_table_name || ':' || array_to_string(v_table_pkey, ',') || "
               "':' || b_replica_enabled, ' ' ORDER BY v_table_name) FROM "
               "sch_chameleon.t_replica_tables t JOIN sch_chameleon.t_sources s USING "
               "(i_id_source) WHERE s.t_source = 'pgsql'"),
            "Odd Name é:Col-1:true every_type:id:true ident:id:true no_key::false");
  auto status = sandbox_.Run({"show_status", "--source", "pgsql"});
  EXPECT_EQ(status.exit_code, 0) << status.all();
  EXPECT_THAT(status.out, HasSubstr("no primary key"));
  EXPECT_EQ(Pg("SELECT count(*) FROM pg_namespace WHERE nspname LIKE '\\_chameleon\\_loading%'"),
            "0");

  // A second run replaces the copy (a periodic refresh, pg_chameleon's typical use).
  PgExecute("INSERT INTO public.ident (v) VALUES ('later')");
  auto again = Init("pgsql");
  ASSERT_EQ(again.exit_code, 0) << again.all();
  ExpectSame("SELECT string_agg(t::text, '|' ORDER BY id) FROM \"{s}\".ident t");
}

TEST_F(InitPgsql, ATableWithATypeOfTheSourceSchemaFailsAloneAndOtherCommandsRefuse) {
  PgExecute("CREATE TYPE public.pair AS (a int, b int)");
  PgExecute("CREATE TABLE public.with_pair (id int PRIMARY KEY, p public.pair)");
  PgExecute("CREATE TABLE public.fine (id int PRIMARY KEY)");
  PgExecute("INSERT INTO public.fine VALUES (1)");
  auto init = Init("pgsql");
  EXPECT_EQ(init.exit_code, 1) << init.all();
  EXPECT_THAT(init.err, HasSubstr("with_pair"));
  EXPECT_THAT(init.err, HasSubstr("is defined in the source schema"));
  EXPECT_EQ(Pg("SELECT count(*) FROM \"" + CopySchema() + "\".fine"), "1");
  auto sync = sandbox_.Run({"sync_tables", "--source", "pgsql", "--tables", "public.fine"});
  EXPECT_EQ(sync.exit_code, 1);
  EXPECT_THAT(sync.err, HasSubstr("supports init_replica only"));
}

}  // namespace
}  // namespace chameleon
