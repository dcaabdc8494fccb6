// MySQL 8 events the test MariaDB cannot produce, built byte by byte from the MySQL binlog
// reference (see mysql8_fixture.h): TABLE_MAP with optional metadata, rows v2 with extra
// data, GTID and PREVIOUS_GTIDS, ROWS_QUERY, PARTIAL_UPDATE_ROWS (partial JSON) and
// TRANSACTION_PAYLOAD (zstd), and damaged variants that must fail with a clear Status.
#include <gtest/gtest.h>
#include <zstd.h>

#include "reader/binlog_source.h"
#include "reader/bytes_opener.h"
#include "reader/event_stream.h"
#include "reader/mysql8_fixture.h"
#include "reader/reader.h"
#include "reader/row_decoder.h"
#include "reader/value_printer.h"
#include "spool/spool.h"
#include "support/scratch_dir.h"

namespace chameleon::reader {
namespace {

using namespace mysql8;  // NOLINT(google-build-using-namespace): fixture builders

constexpr uint64_t kTableId = 0x4d;

// TABLE_MAP of shop.items (id INT UNSIGNED PRIMARY KEY, name VARCHAR(20) utf8mb4,
// color ENUM('red','green'), doc JSON, doc2 JSON) with binlog_row_metadata=FULL.
std::string TableMapEvent() {
  std::string body = Le(kTableId, 6) + Le(1, 2);  // post-header: table id, flags
  body += Le(4, 1) + "shop" + Le(0, 1);           // schema, NUL
  body += Le(5, 1) + "items" + Le(0, 1);          // table, NUL
  body += Lenenc(5);                              // column count
  body += Bytes({format::kTypeLong, format::kTypeVarchar, format::kTypeString, format::kTypeJson,
                 format::kTypeJson});
  std::string meta = Le(80, 2)           // VARCHAR: 80 bytes (20 utf8mb4 characters)
                     + Bytes({0xf7, 1})  // STRING metadata: real type ENUM, 1 pack byte
                     + Le(4, 1)          // JSON: 4-byte length prefix
                     + Le(4, 1);         // JSON
  body += LenencString(meta);
  body += Bytes({0x1e});  // nullable: all but id
  // Optional metadata: type, length, value.
  body += Le(format::kMetaSignedness, 1) + LenencString(Bytes({0x80}));    // id unsigned
  body += Le(format::kMetaDefaultCharset, 1) + LenencString(Lenenc(255));  // utf8mb4_0900
  body += Le(format::kMetaColumnName, 1) +
          LenencString(LenencString("id") + LenencString("name") + LenencString("color") +
                       LenencString("doc") + LenencString("doc2"));
  body += Le(format::kMetaEnumStrValue, 1) +
          LenencString(Lenenc(2) + LenencString("red") + LenencString("green"));
  body += Le(format::kMetaSimplePrimaryKey, 1) + LenencString(Lenenc(0));
  return Event(format::kTableMap, body);
}

// Post-header of a rows v2 event, with `extra` bytes of extra data (MySQL 8 writes partition
// or NDB info there); then the column count and the present-columns bitmap(s).
std::string RowsHead(bool update, const std::string& extra = "") {
  std::string out = Le(kTableId, 6) + Le(format::kRowsStatementEnd, 2) + Le(2 + extra.size(), 2);
  out += extra + Lenenc(5) + Bytes({0x1f});
  if (update) out += Bytes({0x1f});
  return out;
}

std::string JsonColumn(const JsonValue& value) {
  std::string doc = value.Document();
  return Le(doc.size(), 4) + doc;
}

// A whole row: NULL bitmap, then id, name, color, doc, doc2.
std::string Row(uint32_t id, const std::string& name, uint8_t color, const JsonValue& doc,
                const JsonValue& doc2) {
  return Bytes({0x00}) + Le(id, 4) + Le(name.size(), 1) + name + Le(color, 1) + JsonColumn(doc) +
         JsonColumn(doc2);
}

JsonValue BeforeDoc() {
  // {"k": "v", "a": {"b": [1, 2, 3]}, "key with space": 7}
  return JObject({{"a", JObject({{"b", JArray({JInt(1), JInt(2), JInt(3)})}})},
                  {"k", JString("v")},
                  {"key with space", JInt(7)}});
}

// One diff: operation, path, and for REPLACE/INSERT the binary value.
std::string Diff(int operation, const std::string& path, const JsonValue* value = nullptr) {
  std::string out = Le(static_cast<uint64_t>(operation), 1) + LenencString(path);
  if (value != nullptr) out += LenencString(value->Document());
  return out;
}
std::string DiffVector(const std::string& diffs) {
  return Le(diffs.size(), 4) + diffs;
}

struct Decoded {
  Status status;
  std::vector<BinlogEvent> events;  // pointers into the decoder are cleared: use `maps`
  std::vector<TableMap> maps;
  std::vector<std::vector<RowChange>> rows;
  std::vector<BinlogPosition> starts, nexts;
};

// `event` with its log_pos set for a file offset of `at`.
std::string PlaceAt(std::string event, size_t at) {
  std::string log_pos = Le(at + event.size(), 4);
  event.replace(13, 4, log_pos);
  return event;
}

// Decodes the stream FORMAT_DESCRIPTION + `events`, decoding every rows event's values.
Decoded DecodeStream(const std::vector<std::string>& events) {
  std::string bytes = std::string(format::kBinlogMagic, format::kBinlogMagicSize) +
                      PlaceAt(FormatDescriptionEvent(), format::kBinlogMagicSize);
  for (const std::string& event : events)
    bytes += PlaceAt(event, bytes.size());
  BytesBinlogSource source(bytes);
  EventStream stream(&source, "binlog.000001", BinlogPosition{1, 4});
  Decoded out;
  BinlogEvent event;
  while (true) {
    Result<bool> more = stream.Next(&event);
    if (!more.ok()) {
      out.status = more.status();
      return out;
    }
    if (!*more) return out;
    if (event.kind == EventKind::kFormatDescription) continue;
    std::vector<RowChange> changes;
    if (event.kind == EventKind::kRows) {
      Status status = DecodeRowChanges(event.rows, &changes);
      if (!status.ok()) {
        out.status = status;
        return out;
      }
    }
    if (event.kind == EventKind::kTableMap) out.maps.push_back(*event.table_map);
    event.table_map = nullptr;
    event.rows.table = nullptr;
    out.events.push_back(event);
    out.rows.push_back(std::move(changes));
    out.starts.push_back(stream.event_start());
    out.nexts.push_back(stream.next_position());
  }
}

TEST(Mysql8EventsTest, TableMapWithFullOptionalMetadata) {
  Decoded d = DecodeStream({TableMapEvent()});
  ASSERT_TRUE(d.status.ok()) << d.status.message();
  ASSERT_EQ(d.events.size(), 1U);
  ASSERT_EQ(d.events[0].kind, EventKind::kTableMap);
  ASSERT_EQ(d.maps.size(), 1U);
  const TableMap& map = d.maps[0];
  EXPECT_EQ(map.schema, "shop");
  EXPECT_EQ(map.table, "items");
  ASSERT_EQ(map.columns.size(), 5U);
  EXPECT_EQ(map.columns[0].name, "id");
  EXPECT_TRUE(map.columns[0].is_unsigned);
  EXPECT_FALSE(map.columns[0].nullable);
  EXPECT_EQ(map.columns[1].collation, 255U);
  EXPECT_EQ(map.columns[2].real_type, format::kTypeEnum);
  EXPECT_EQ(map.columns[2].labels, (std::vector<std::string>{"red", "green"}));
  EXPECT_EQ(map.columns[4].name, "doc2");
  EXPECT_EQ(map.primary_key, (std::vector<uint32_t>{0}));
}

TEST(Mysql8EventsTest, RowsV2WithExtraDataWriteUpdateDelete) {
  JsonValue doc = JObject({{"a", JInt(1)}});
  JsonValue doc2 = JArray({JString("x")});
  std::string extra = Bytes({0x01, 0x02, 0x00});  // partition info: tag, partition id
  std::string write = RowsHead(false, extra) + Row(4000000000U, "ab", 2, doc, doc2);
  std::string update = RowsHead(true) + Row(1, "ab", 2, doc, doc2) + Row(1, "cd", 1, doc, doc2);
  std::string remove = RowsHead(false) + Row(1, "cd", 1, doc, doc2);
  Decoded d = DecodeStream({TableMapEvent(), Event(format::kWriteRowsV2, write), TableMapEvent(),
                            Event(format::kUpdateRowsV2, update), TableMapEvent(),
                            Event(format::kDeleteRowsV2, remove)});
  ASSERT_TRUE(d.status.ok()) << d.status.message();
  ASSERT_EQ(d.events.size(), 6U);
  ASSERT_EQ(d.rows[1].size(), 1U);
  const RowChange& written = d.rows[1][0];
  EXPECT_EQ(written.after[0], Value::UInt(4000000000U));
  EXPECT_EQ(written.after[1], Value::String("ab"));
  EXPECT_EQ(written.after[2], Value::Enum("green"));
  EXPECT_EQ(written.after[3], Value::Json("{\"a\": 1}"));
  EXPECT_EQ(written.after[4], Value::Json("[\"x\"]"));
  ASSERT_EQ(d.rows[3].size(), 1U);
  EXPECT_EQ(d.events[3].rows.action, RowsAction::kUpdate);
  EXPECT_EQ(d.rows[3][0].before[1], Value::String("ab"));
  EXPECT_EQ(d.rows[3][0].after[1], Value::String("cd"));
  EXPECT_EQ(d.rows[3][0].after[2], Value::Enum("red"));
  ASSERT_EQ(d.rows[5].size(), 1U);
  EXPECT_EQ(d.events[5].rows.action, RowsAction::kDelete);
  EXPECT_EQ(d.rows[5][0].before[1], Value::String("cd"));
}

TEST(Mysql8EventsTest, GtidPreviousGtidsAndRowsQuery) {
  std::string sid = Bytes({0x3e, 0x11, 0xfa, 0x47, 0x71, 0xca, 0x11, 0xe1, 0x9e, 0x33, 0xc8, 0x0a,
                           0xa9, 0x42, 0x95, 0x62});
  std::string gtid = Le(1, 1) + sid + Le(23, 8)        // flags (may commit), sid, gno
                     + Le(2, 1) + Le(7, 8) + Le(8, 8)  // logical clock: last committed, seq
                     + Le(0, 7) + Le(0, 7);            // commit timestamps (8.0.1+)
  std::string previous = Le(1, 8) + sid + Le(2, 8)     // one sid, two intervals
                         + Le(1, 8) + Le(6, 8)         // 1-5 (end exclusive)
                         + Le(10, 8) + Le(11, 8);      // 10
  std::string query = "UPDATE items SET doc = JSON_SET(doc, '$.a', 2)";
  Decoded d =
      DecodeStream({Event(format::kPreviousGtids, previous), Event(format::kMysqlGtid, gtid),
                    Event(format::kRowsQuery, Le(query.size(), 1) + query)});
  ASSERT_TRUE(d.status.ok()) << d.status.message();
  ASSERT_EQ(d.events.size(), 3U);
  EXPECT_EQ(d.events[0].kind, EventKind::kGtidList);
  EXPECT_EQ(d.events[0].text, "3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5:10");
  EXPECT_EQ(d.events[1].kind, EventKind::kGtid);
  EXPECT_EQ(d.events[1].gtid.gtid, "3e11fa47-71ca-11e1-9e33-c80aa9429562:23");
  EXPECT_FALSE(d.events[1].gtid.mariadb);
  EXPECT_EQ(d.events[2].kind, EventKind::kRowsQuery);
  EXPECT_EQ(d.events[2].text, query);
}

// PARTIAL_UPDATE_ROWS: before image, shared image (value_options, partial bits), after image.
std::string PartialRow(const std::string& doc_after, bool doc_partial,
                       const std::string& doc2_after, bool doc2_null = false) {
  std::string out = Row(1, "ab", 1, BeforeDoc(), JObject({{"x", JInt(1)}}));
  uint8_t partial_bits = doc_partial ? 0x01 : 0x00;  // bit 0: doc, bit 1: doc2
  out += Lenenc(1) + Bytes({partial_bits});          // value_options = PARTIAL_JSON_UPDATES
  out += Bytes({doc2_null ? 0x10 : 0x00}) + Le(1, 4) + Le(2, 1) + "ab" + Le(1, 1) + doc_after;
  if (!doc2_null) out += doc2_after;
  return out;
}

Result<std::string> PartialDoc(const std::string& diffs) {
  std::string body = RowsHead(true) + PartialRow(DiffVector(diffs), true, JsonColumn(JInt(5)));
  Decoded d = DecodeStream({TableMapEvent(), Event(format::kPartialUpdateRows, body)});
  if (!d.status.ok()) return d.status;
  if (d.rows.size() != 2 || d.rows[1].size() != 1) return Status::Internal("no row");
  const Value& after = d.rows[1][0].after[3];
  return after.text();
}

TEST(Mysql8EventsTest, PartialJsonReplaceInsertRemoveOnNestedPaths) {
  JsonValue twenty = JInt(20);
  JsonValue text = JString("new");
  JsonValue zero = JInt(0);
  JsonValue eight = JInt(8);
  Result<std::string> doc = PartialDoc(Diff(0, "$.a.b[1]", &twenty) +  // REPLACE
                                       Diff(1, "$.a.c", &text) +       // INSERT member
                                       Diff(1, "$.a.b[0]", &zero) +    // INSERT into array
                                       Diff(2, "$.k") +                // REMOVE
                                       Diff(0, "$.\"key with space\"", &eight));
  ASSERT_TRUE(doc.ok()) << doc.status().message();
  EXPECT_EQ(*doc, "{\"a\": {\"b\": [0, 1, 20, 3], \"c\": \"new\"}, \"key with space\": 8}");
}

TEST(Mysql8EventsTest, PartialUpdateWithFullAndNullColumns) {
  JsonValue two = JInt(2);
  std::string diffs = DiffVector(Diff(0, "$.a.b[last]", &two));
  // doc partial, doc2 a whole new document (its partial bit clear).
  std::string row1 = PartialRow(diffs, true, JsonColumn(JArray({JInt(5)})));
  // doc not partial (whole document), doc2 set to NULL.
  std::string row2 = PartialRow(JsonColumn(JInt(9)), false, "", /*doc2_null=*/true);
  std::string body = RowsHead(true) + row1 + row2;
  Decoded d = DecodeStream({TableMapEvent(), Event(format::kPartialUpdateRows, body)});
  ASSERT_TRUE(d.status.ok()) << d.status.message();
  ASSERT_EQ(d.rows[1].size(), 2U);
  EXPECT_EQ(d.events[1].rows.action, RowsAction::kUpdate);
  const RowChange& first = d.rows[1][0];
  EXPECT_EQ(first.before[3],
            Value::Json("{\"a\": {\"b\": [1, 2, 3]}, \"k\": \"v\", \"key with space\": 7}"));
  EXPECT_EQ(first.after[3],
            Value::Json("{\"a\": {\"b\": [1, 2, 2]}, \"k\": \"v\", \"key with space\": 7}"));
  EXPECT_EQ(first.after[4], Value::Json("[5]"));
  const RowChange& second = d.rows[1][1];
  EXPECT_EQ(second.after[3], Value::Json("9"));
  EXPECT_TRUE(second.after[4].is_null());
  EXPECT_EQ(second.after[1], Value::String("ab"));
}

TEST(Mysql8EventsTest, DamagedPartialUpdatesFailClearly) {
  JsonValue one = JInt(1);
  // The diff list says 40 bytes, has fewer.
  std::string truncated = Le(40, 4) + Diff(0, "$.k", &one);
  std::string body = RowsHead(true) + PartialRow(truncated, true, "");
  Decoded d = DecodeStream({TableMapEvent(), Event(format::kPartialUpdateRows, body)});
  EXPECT_EQ(d.status.code(), StatusCode::kCorruption) << d.status.message();

  Result<std::string> bad_path = PartialDoc(Diff(0, "a.b", &one));
  ASSERT_FALSE(bad_path.ok());
  EXPECT_NE(bad_path.status().message().find("bad path 'a.b'"), std::string::npos)
      << bad_path.status().message();
  Result<std::string> missing = PartialDoc(Diff(0, "$.nope.x", &one));
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("does not apply at $.nope.x"), std::string::npos)
      << missing.status().message();
  Result<std::string> bad_op = PartialDoc(Diff(9, "$.k", &one));
  EXPECT_FALSE(bad_op.ok());
  Result<std::string> cut_value = PartialDoc(Diff(0, "$.k") + Bytes({0x09, 0x05}));
  EXPECT_FALSE(cut_value.ok());
  // Every prefix of a good row fails cleanly (run under ASan for the bounds).
  std::string good =
      RowsHead(true) + PartialRow(DiffVector(Diff(0, "$.a.b[1]", &one)), true, JsonColumn(JInt(5)));
  for (size_t cut = RowsHead(true).size() + 1; cut < good.size(); ++cut) {
    Decoded part =
        DecodeStream({TableMapEvent(), Event(format::kPartialUpdateRows, good.substr(0, cut))});
    EXPECT_FALSE(part.status.ok()) << "cut at " << cut;
  }
}

std::string InnerEvents() {
  JsonValue doc = JObject({{"a", JInt(1)}});
  std::string write = RowsHead(false) + Row(7, "zz", 1, doc, JInt(3));
  return TableMapEvent() + Event(format::kWriteRowsV2, write) + Event(format::kXid, Le(99, 8));
}

// The payload event body: (type, length, value) header fields, end mark, payload.
std::string PayloadBody(const std::string& payload, uint64_t compression, uint64_t uncompressed) {
  std::string out;
  out += Lenenc(1) + LenencString(Lenenc(payload.size()));  // payload size
  out += Lenenc(2) + LenencString(Lenenc(compression));     // 0 = zstd
  out += Lenenc(3) + LenencString(Lenenc(uncompressed));    // uncompressed size
  out += Lenenc(0);                                         // end of header
  return out + payload;
}

std::string Zstd(const std::string& bytes) {
  std::string out(ZSTD_compressBound(bytes.size()), '\0');
  size_t size = ZSTD_compress(out.data(), out.size(), bytes.data(), bytes.size(), 3);
  out.resize(ZSTD_isError(size) != 0U ? 0 : size);
  return out;
}

TEST(Mysql8EventsTest, TransactionPayloadFeedsItsEventsThroughTheDecoder) {
  std::string inner = InnerEvents();
  std::string payload =
      Event(format::kTransactionPayload, PayloadBody(Zstd(inner), 0, inner.size()), 4 + 0);
  std::string after = Event(format::kRowsQuery, Le(1, 1) + "x");
  Decoded d = DecodeStream({payload, after});
  ASSERT_TRUE(d.status.ok()) << d.status.message();
  ASSERT_EQ(d.events.size(), 4U);
  EXPECT_EQ(d.events[0].kind, EventKind::kTableMap);
  EXPECT_EQ(d.events[1].kind, EventKind::kRows);
  EXPECT_EQ(d.events[2].kind, EventKind::kXid);
  EXPECT_EQ(d.events[2].xid, 99U);
  EXPECT_EQ(d.events[3].kind, EventKind::kRowsQuery);
  ASSERT_EQ(d.rows[1].size(), 1U);
  EXPECT_EQ(d.rows[1][0].after[0], Value::UInt(7));
  EXPECT_EQ(d.rows[1][0].after[3], Value::Json("{\"a\": 1}"));
  // Every inner event sits at the payload: the XID commits at the payload's end.
  uint64_t fde_end = 4 + FormatDescriptionEvent().size();
  EXPECT_EQ(d.starts[2].position, fde_end);
  EXPECT_EQ(d.nexts[2].position, fde_end + payload.size());
  EXPECT_EQ(d.starts[3].position, fde_end + payload.size());
}

// A compressed transaction of two statements: both rows events sit at the payload's position,
// and the reader must still give every row its own ascending spool key (it used to number
// each event's rows from 0, which the spool refused: the replica stopped for good).
TEST(Mysql8EventsTest, ACompressedTransactionOfSeveralStatementsReachesTheSpool) {
  JsonValue doc = JObject({{"a", JInt(1)}});
  std::string first =
      RowsHead(false) + Row(7, "zz", 1, doc, JInt(3)) + Row(8, "yy", 0, doc, JInt(4));
  std::string second = RowsHead(false) + Row(9, "xx", 1, doc, JInt(5));
  std::string inner = TableMapEvent() + Event(format::kWriteRowsV2, first) +
                      Event(format::kWriteRowsV2, second) + Event(format::kXid, Le(99, 8));
  std::string bytes = std::string(format::kBinlogMagic, format::kBinlogMagicSize) +
                      PlaceAt(FormatDescriptionEvent(), format::kBinlogMagicSize);
  bytes += PlaceAt(Event(format::kTransactionPayload, PayloadBody(Zstd(inner), 0, inner.size())),
                   bytes.size());

  test_support::ScratchDir dir;
  auto spool = spool::Spool::Open({dir.path() / "spool", 1, 10000});
  ASSERT_TRUE(spool.ok()) << spool.status().message();
  ReaderOptions options;
  options.source.name = "mysql8";
  options.source.schema_mappings = {{"shop", "shop"}};
  options.start = BinlogPosition{1, 4};
  Reader reader(options, &spool.value(), BytesOpener(bytes));
  Status read = reader.Run();
  ASSERT_TRUE(read.ok()) << read.message();
  auto cursor = spool->ReadFrom(spool::EventKey{1, {}, 0});
  ASSERT_TRUE(cursor.ok());
  ChangeEvent event;
  std::vector<std::pair<uint32_t, Value>> rows;
  while (cursor->Next(&event).value())
    rows.emplace_back(event.sequence, event.after.at(0));
  std::vector<std::pair<uint32_t, Value>> expected = {
      {0, Value::UInt(7)}, {1, Value::UInt(8)}, {2, Value::UInt(9)}};
  EXPECT_EQ(rows, expected);
}

TEST(Mysql8EventsTest, UncompressedPayloadAndManyEvents) {
  std::string inner;
  for (int i = 0; i < 200; ++i)
    inner += Event(format::kXid, Le(static_cast<uint64_t>(i), 8));
  Decoded plain = DecodeStream({Event(format::kTransactionPayload, PayloadBody(inner, 255, 0))});
  ASSERT_TRUE(plain.status.ok()) << plain.status.message();
  EXPECT_EQ(plain.events.size(), 200U);
  // More than one 64 KiB chunk of output.
  std::string big;
  for (int i = 0; i < 4000; ++i)
    big += Event(format::kRowsQuery, Le(40, 1) + std::string(40, static_cast<char>('a' + i % 26)));
  Decoded d =
      DecodeStream({Event(format::kTransactionPayload, PayloadBody(Zstd(big), 0, big.size()))});
  ASSERT_TRUE(d.status.ok()) << d.status.message();
  ASSERT_EQ(d.events.size(), 4000U);
  EXPECT_EQ(d.events[3999].text, std::string(40, static_cast<char>('a' + 3999 % 26)));
}

TEST(Mysql8EventsTest, DamagedPayloadsFailClearly) {
  std::string inner = InnerEvents();
  std::string compressed = Zstd(inner);
  std::string corrupt = compressed;
  for (size_t i = compressed.size() / 3; i < compressed.size(); i += 5)
    corrupt[i] = static_cast<char>(corrupt[i] ^ 0x5a);
  Decoded d =
      DecodeStream({Event(format::kTransactionPayload, PayloadBody(corrupt, 0, inner.size()))});
  EXPECT_FALSE(d.status.ok());
  EXPECT_NE(d.status.message().find("TRANSACTION_PAYLOAD"), std::string::npos)
      << d.status.message();

  Decoded cut = DecodeStream(
      {Event(format::kTransactionPayload,
             PayloadBody(compressed.substr(0, compressed.size() / 2), 0, inner.size()))});
  EXPECT_EQ(cut.status.code(), StatusCode::kCorruption) << cut.status.message();

  Decoded huge = DecodeStream(
      {Event(format::kTransactionPayload, PayloadBody(compressed, 0, uint64_t{8} << 30))});
  EXPECT_EQ(huge.status.code(), StatusCode::kCorruption);
  EXPECT_NE(huge.status.message().find("over the"), std::string::npos) << huge.status.message();

  Decoded lz4 = DecodeStream({Event(format::kTransactionPayload, PayloadBody(compressed, 1, 0))});
  EXPECT_EQ(lz4.status.code(), StatusCode::kNotSupported);

  // Inflating past the declared size is damage too.
  Decoded liar = DecodeStream({Event(format::kTransactionPayload, PayloadBody(compressed, 0, 10))});
  EXPECT_EQ(liar.status.code(), StatusCode::kCorruption) << liar.status.message();

  // An inner event cut short at the end of the payload.
  std::string short_inner = inner.substr(0, inner.size() - 3);
  Decoded partial = DecodeStream(
      {Event(format::kTransactionPayload, PayloadBody(Zstd(short_inner), 0, short_inner.size()))});
  EXPECT_EQ(partial.status.code(), StatusCode::kCorruption) << partial.status.message();

  // Every prefix of the outer body: an error or fewer events, never a crash.
  std::string body = PayloadBody(compressed, 0, inner.size());
  for (size_t size = 0; size < body.size(); ++size)
    (void)DecodeStream({Event(format::kTransactionPayload, body.substr(0, size))});
}

}  // namespace
}  // namespace chameleon::reader
