// The Reader loop without a server: the recorded MariaDB fixture fed through the SourceOpener
// seam into a real spool, with filters, shape versions, resume positions and restarts.
#include <gtest/gtest.h>
#include <zlib.h>

#include <filesystem>
#include <fstream>
#include <list>
#include <sstream>

#include "reader/binlog_format.h"
#include "reader/bytes_opener.h"
#include "reader/reader.h"
#include "reader/value_printer.h"
#include "support/scratch_dir.h"

namespace chameleon::reader {
namespace {

std::string FixtureBytes() {
  const char* source = std::getenv("CHAMELEON_SOURCE_DIR");
  std::filesystem::path path = std::filesystem::path(source != nullptr ? source : ".") /
                               "tests/data/binlog/mariadb_10_11_types.binlog";
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// The schema the fixture was recorded in (the live test names it after its pid).
std::string FixtureSchema(const std::string& bytes) {
  BytesBinlogSource source(bytes);
  EventStream stream(&source, "binlog.000001", BinlogPosition{1, 4});
  BinlogEvent event;
  while (stream.Next(&event).value()) {
    if (event.kind == EventKind::kTableMap) return event.table_map->schema;
  }
  return "";
}

// What a server sends when asked for `from`: a fake ROTATE naming it, the FORMAT_DESCRIPTION,
// then the events that end after it (up to `until`, exclusive, to cut a stream short).
std::string StreamFrom(const std::string& fixture, const BinlogPosition& from,
                       uint64_t until = UINT64_MAX) {
  std::string name = "binlog.000001";
  std::string rotate;
  auto put = [&rotate](uint64_t value, int bytes) {
    for (int i = 0; i < bytes; ++i)
      rotate += static_cast<char>(value >> (8 * i) & 0xff);
  };
  put(0, 4);
  put(format::kRotate, 1);
  put(1, 4);
  put(format::kHeaderSize + 8 + name.size(), 4);
  put(0, 4);
  put(format::kFlagArtificial, 2);
  put(from.position, 8);
  rotate += name;
  std::string out(format::kBinlogMagic, format::kBinlogMagicSize);
  out += rotate;
  BytesBinlogSource source(fixture);
  while (true) {
    auto raw = source.Next().value();
    if (!raw) break;
    EventHeader header;
    ReadEventHeader(*raw, &header);
    bool keep = header.type == format::kFormatDescription ||
                (header.log_pos > from.position && header.log_pos < until);
    if (keep) out += *raw;
  }
  return out;
}

class ReaderLoopTest : public ::testing::Test {
 protected:
  void SetUp() override {
    bytes_ = FixtureBytes();
    ASSERT_FALSE(bytes_.empty());
    schema_ = FixtureSchema(bytes_);
    ASSERT_FALSE(schema_.empty());
    source_.name = "mysql";
    source_.schema_mappings = {{schema_, "dest"}};
  }

  Result<spool::Spool> OpenSpool(uint64_t batch_size = 10000) {
    spool::SpoolOptions options;
    options.directory = dir_.path() / "spool";
    options.source_id = 1;
    options.batch_size_events = batch_size;
    return spool::Spool::Open(options);
  }

  // Serves the fixture as a server would from each requested position; `until` cuts the
  // stream (mid-transaction, like a dropped connection).
  SourceOpener FixtureOpener(uint64_t until = UINT64_MAX) {
    return [this, until](const BinlogPosition& from) -> Result<OpenedSource> {
      streams_.push_back(StreamFrom(bytes_, from, until));
      OpenedSource opened;
      opened.file_name = "binlog.000001";
      opened.source = std::make_unique<BytesBinlogSource>(streams_.back());
      return opened;
    };
  }

  std::vector<ChangeEvent> ReadAll(spool::Spool& spool) {
    std::vector<ChangeEvent> events;
    auto cursor = spool.ReadFrom(spool::EventKey{1, {}, 0});
    EXPECT_TRUE(cursor.ok());
    ChangeEvent event;
    while (cursor->Next(&event).value())
      events.push_back(event);
    return events;
  }

  Status RunOnce(spool::Spool& spool, const config::Source& source, uint64_t until = UINT64_MAX) {
    ReaderOptions options;
    options.source = source;
    options.start = BinlogPosition{1, 4};
    Reader reader(options, &spool, FixtureOpener(until));
    return reader.Run();
  }

  test_support::ScratchDir dir_;
  std::list<std::string> streams_;
  std::string bytes_;
  std::string schema_;
  config::Source source_;
};

TEST_F(ReaderLoopTest, StoresEveryRowAndTheDdlInOrder) {
  auto spool = OpenSpool();
  ASSERT_TRUE(spool.ok()) << spool.status().message();
  Status status = RunOnce(*spool, source_);
  ASSERT_TRUE(status.ok()) << status.message();
  std::vector<ChangeEvent> events = ReadAll(*spool);
  // 4+3+3+5 statements of rows (3 ints inserts + 1 update, 3 nums, 3 temporal, 3 strings
  // inserts + update + delete), one DDL, one insert after it.
  ASSERT_EQ(events.size(), 17U);
  int inserts = 0, updates = 0, deletes = 0, ddls = 0;
  for (size_t i = 0; i < events.size(); ++i) {
    const ChangeEvent& event = events[i];
    if (i > 0) {
      EXPECT_LT(events[i - 1].position, event.position);
    }
    EXPECT_EQ(event.schema, schema_);
    EXPECT_FALSE(event.gtid.empty());
    switch (event.operation) {
      case Operation::kInsert:
        ++inserts;
        EXPECT_TRUE(event.before.empty());
        break;
      case Operation::kUpdate:
        ++updates;
        EXPECT_EQ(event.before.size(), event.after.size());
        break;
      case Operation::kDelete:
        ++deletes;
        break;
      case Operation::kDdl:
        ++ddls;
        EXPECT_EQ(event.ddl_statement, "ALTER TABLE ints ADD COLUMN extra INT");
        break;
      default:
        break;
    }
  }
  EXPECT_EQ(inserts, 13);
  EXPECT_EQ(updates, 2);
  EXPECT_EQ(deletes, 1);
  EXPECT_EQ(ddls, 1);
  // The ALTER made a second shape of ints; both are stored with names and types.
  Result<TableShape> v1 = spool->FindShape(schema_, "ints", 1);
  Result<TableShape> v2 = spool->FindShape(schema_, "ints", 2);
  ASSERT_TRUE(v1.ok() && v2.ok());
  EXPECT_EQ(v1->columns.size(), 11U);
  EXPECT_EQ(v2->columns.size(), 12U);
  EXPECT_EQ(v2->columns.back().name, "extra");
  EXPECT_EQ(events.back().shape_version, 2U);
  Result<TableShape> strings = spool->FindShape(schema_, "strings", 1);
  ASSERT_TRUE(strings.ok());
  EXPECT_EQ(strings->columns[14].column_type, "enum('small','medium','large')");
  EXPECT_EQ(strings->primary_key, std::vector<uint32_t>{0});
  // Everything is in closed batches and the resume position is past the last event.
  ASSERT_TRUE(spool->ResumePosition().has_value());
  EXPECT_GT(spool->ResumePosition()->position, events.back().position.position);
  for (const spool::BatchInfo& batch : spool->Batches()) {
    EXPECT_EQ(batch.state, spool::BatchState::kClosed);
  }
}

TEST_F(ReaderLoopTest, FiltersDropRowsBeforeTheSpool) {
  config::Source source = source_;
  source.skip_tables = {schema_ + ".strings"};
  source.skip_events.update = {schema_};
  source.skip_events.insert = {schema_ + ".nums"};
  auto spool = OpenSpool();
  ASSERT_TRUE(spool.ok());
  ASSERT_TRUE(RunOnce(*spool, source).ok());
  for (const ChangeEvent& event : ReadAll(*spool)) {
    EXPECT_NE(event.table, "strings") << DescribeEvent(event);
    EXPECT_NE(event.operation, Operation::kUpdate) << DescribeEvent(event);
    EXPECT_NE(event.table, "nums") << DescribeEvent(event);
  }
  config::Source limited = source_;
  limited.limit_tables = {schema_ + ".temporal"};
  auto other = spool::Spool::Open({dir_.path() / "limited", 1, 10000});
  ASSERT_TRUE(other.ok());
  ASSERT_TRUE(RunOnce(*other, limited).ok());
  std::vector<ChangeEvent> events = ReadAll(*other);
  size_t rows = 0;
  for (const ChangeEvent& event : events) {
    if (event.operation != Operation::kDdl) {
      EXPECT_EQ(event.table, "temporal");
      ++rows;
    }
  }
  EXPECT_EQ(rows, 3U);
  config::Source unmapped = source_;
  unmapped.schema_mappings = {{"some_other_schema", "x"}};
  auto nothing = spool::Spool::Open({dir_.path() / "unmapped", 1, 10000});
  ASSERT_TRUE(nothing.ok());
  ASSERT_TRUE(RunOnce(*nothing, unmapped).ok());
  EXPECT_TRUE(ReadAll(*nothing).empty());
  // Nothing was ours, but the position still moved on.
  EXPECT_TRUE(nothing->ResumePosition().has_value());
}

TEST_F(ReaderLoopTest, StreamsCutAnywhereResumeWithoutLossOrDuplicates) {
  std::vector<ChangeEvent> reference;
  {
    auto spool = spool::Spool::Open({dir_.path() / "reference", 1, 10000});
    ASSERT_TRUE(spool.ok());
    ASSERT_TRUE(RunOnce(*spool, source_).ok());
    reference = ReadAll(*spool);
  }
  // Cut the first stream at every event end (mid-transaction included), then resume.
  BytesBinlogSource source(bytes_);
  std::vector<uint64_t> cuts;
  while (auto raw = source.Next().value()) {
    EventHeader header;
    ReadEventHeader(*raw, &header);
    if (header.log_pos != 0) cuts.push_back(header.log_pos);
  }
  ASSERT_GT(cuts.size(), 50U);
  for (size_t i = 0; i < cuts.size(); i += 7) {
    SCOPED_TRACE(cuts[i]);
    auto spool = spool::Spool::Open({dir_.path() / ("cut" + std::to_string(i)), 1, 3});
    ASSERT_TRUE(spool.ok());
    ASSERT_TRUE(RunOnce(*spool, source_, cuts[i]).ok());
    ASSERT_TRUE(RunOnce(*spool, source_).ok());  // resumes at the spool's position
    ASSERT_TRUE(RunOnce(*spool, source_).ok());  // and again: nothing new
    EXPECT_EQ(ReadAll(*spool), reference);
    for (const spool::BatchInfo& batch : spool->Batches()) {
      EXPECT_EQ(batch.state, spool::BatchState::kClosed);
    }
  }
}

// The crash test found it: a daemon killed (or stopped) with an open batch, restarted on a quiet
// source, must still close that batch, or its changes would never be replayed.
TEST_F(ReaderLoopTest, ClosesABatchLeftOpenByThePreviousProcessWhenIdle) {
  std::vector<ChangeEvent> events;
  BinlogPosition resume;
  {
    auto reference = spool::Spool::Open({dir_.path() / "reference", 1, 10000});
    ASSERT_TRUE(reference.ok());
    ASSERT_TRUE(RunOnce(*reference, source_).ok());
    events = ReadAll(*reference);
    resume = reference->ResumePosition().value();
  }
  ASSERT_FALSE(events.empty());
  {
    // What a killed reader leaves: every transaction stored, the batch still open.
    auto spool = OpenSpool();
    ASSERT_TRUE(spool.ok());
    auto appended = spool->AppendTransaction(events, resume);
    ASSERT_TRUE(appended.ok()) << appended.status().message();
    ASSERT_FALSE(appended->batch_closed);
    ASSERT_FALSE(spool->OldestClosedBatch().has_value());
  }
  auto spool = OpenSpool();
  ASSERT_TRUE(spool.ok());
  ASSERT_TRUE(RunOnce(*spool, source_).ok());  // nothing new in the binlog past `resume`
  std::optional<spool::BatchInfo> closed = spool->OldestClosedBatch();
  ASSERT_TRUE(closed.has_value()) << "the batch left open was never closed";
  EXPECT_EQ(closed->event_count, events.size());
  EXPECT_EQ(ReadAll(*spool), events);
}

// A source that rotates its binlog (FLUSH LOGS, a restart) and stays quiet: the resume position
// moves to the new file, so purging the old one (expire_logs_days) never strands the replica.
TEST_F(ReaderLoopTest, AnIdleSourcesRotationMovesTheResumePositionToTheNewFile) {
  std::string stream = StreamFrom(bytes_, BinlogPosition{1, 4});
  std::string name = "binlog.000002";
  std::string rotate;
  auto put = [&rotate](uint64_t value, int bytes) {
    for (int i = 0; i < bytes; ++i)
      rotate += static_cast<char>(value >> (8 * i) & 0xff);
  };
  uint64_t size = format::kHeaderSize + 8 + name.size() + 4;  // with its CRC32
  put(1700000000, 4);
  put(format::kRotate, 1);
  put(1, 4);
  put(size, 4);
  put(bytes_.size() + size, 4);  // a real ROTATE: where it ends in the file
  put(0, 2);
  put(4, 8);
  rotate += name;
  put(crc32(0L, reinterpret_cast<const Bytef*>(rotate.data()), static_cast<uInt>(rotate.size())),
      4);
  stream += rotate;
  auto spool = OpenSpool();
  ASSERT_TRUE(spool.ok());
  ReaderOptions options;
  options.source = source_;
  options.start = BinlogPosition{1, 4};
  Reader reader(options, &spool.value(), BytesOpener(stream));
  Status read = reader.Run();
  ASSERT_TRUE(read.ok()) << read.message();
  EXPECT_EQ(spool->ResumePosition(), (BinlogPosition{2, 4}));
  EXPECT_EQ(ReadAll(*spool).size(), 17U) << "the file's rows are all there";
}

TEST_F(ReaderLoopTest, NoStartPositionIsAClearError) {
  auto spool = OpenSpool();
  ASSERT_TRUE(spool.ok());
  ReaderOptions options;
  options.source = source_;
  Reader reader(options, &spool.value(), FixtureOpener());
  Status status = reader.Run();
  EXPECT_EQ(status.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(status.message().find("init_replica"), std::string::npos);
}

TEST_F(ReaderLoopTest, PurgedBinlogIsReplicaFatalAndUnavailableRetries) {
  auto spool = OpenSpool();
  ASSERT_TRUE(spool.ok());
  ReaderOptions options;
  options.source = source_;
  options.start = BinlogPosition{7, 4};
  Reader purged(options, &spool.value(), [](const BinlogPosition&) -> Result<OpenedSource> {
    return Status::NotFound("Could not find first log file name in binary log index file");
  });
  Status status = purged.Run();
  EXPECT_EQ(status.code(), StatusCode::kNotFound);
  EXPECT_NE(status.message().find("7:4"), std::string::npos) << status.message();
  EXPECT_NE(status.message().find("init_replica"), std::string::npos) << status.message();

  // A refused connection, then the server is back: the reader reconnects and reads.
  int attempts = 0;
  options.max_backoff = std::chrono::milliseconds(20);
  Reader flaky(options, &spool.value(), [&](const BinlogPosition&) -> Result<OpenedSource> {
    if (++attempts < 3) return Status::Unavailable("connection refused");
    OpenedSource opened;
    opened.file_name = "binlog.000001";
    opened.source = std::make_unique<BytesBinlogSource>(bytes_);
    return opened;
  });
  EXPECT_TRUE(flaky.Run().ok());
  EXPECT_EQ(attempts, 3);
  EXPECT_EQ(flaky.stats().reconnections, 2U);
  EXPECT_EQ(ReadAll(*spool).size(), 17U);

  // on_error_read: exit gives up after the configured attempts.
  options.source.on_error_read = config::OnError::kExit;
  options.reconnect_attempts_before_exit = 2;
  int refused = 0;
  Reader down(options, &spool.value(), [&](const BinlogPosition&) -> Result<OpenedSource> {
    ++refused;
    return Status::Unavailable("connection refused");
  });
  EXPECT_EQ(down.Run().code(), StatusCode::kUnavailable);
  EXPECT_EQ(refused, 3);
}

}  // namespace
}  // namespace chameleon::reader
