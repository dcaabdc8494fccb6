// gtid_enable on the test MariaDB: the binlog streamed from a GTID position
// (@slave_connect_state, as MariaDB replicas ask) holds the same events, byte for byte and at
// the same positions, as the binlog streamed from the file and offset that GTID ends at.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <vector>

#include "mysql/binlog_stream.h"
#include "reader/binlog_source.h"
#include "reader/event_stream.h"
#include "reader/gtid_state.h"
#include "reader/position.h"
#include "support/test_servers.h"

namespace chameleon::reader {
namespace {

using test_support::MysqlAdmin;

struct RealEvent {
  BinlogPosition end;
  std::string bytes;
  bool operator==(const RealEvent&) const = default;
};

// The real (not server-made) events of the stream `request` asks for, up to `until`.
std::vector<RealEvent> Stream(mysql::BinlogDumpRequest request, const BinlogPosition& until) {
  mysql::ConnectOptions options = test_support::MysqlReplicaOptions();
  options.net_read_timeout_seconds = 10;
  request.server_id = 25000 + static_cast<uint32_t>(getpid() % 20000);
  request.heartbeat_period_ms = 0;
  request.non_blocking = true;
  std::vector<RealEvent> events;
  Result<mysql::BinlogStream> opened = mysql::BinlogStream::Open(options, request);
  EXPECT_TRUE(opened.ok()) << opened.status().message();
  if (!opened.ok()) return events;
  ServerBinlogSource source(std::move(opened).value());
  EventStream stream(&source, request.file_name, BinlogPosition{0, 4});
  BinlogEvent event;
  while (true) {
    Result<bool> next = stream.Next(&event);
    EXPECT_TRUE(next.ok()) << next.status().message();
    if (!next.ok() || !*next) break;
    const EventHeader& header = event.header;
    if (IsArtificialEvent(header.type, header.flags, header.log_pos)) continue;
    events.push_back({stream.next_position(), std::string(stream.raw_event())});
    if (stream.next_position() >= until) break;
  }
  return events;
}

TEST(ReaderGtidTest, StreamFromGtidEqualsStreamFromFileAndPosition) {
  mysql::Connection admin = MysqlAdmin();
  std::string schema = fmt::format("chameleon_reader_gtid_{}", getpid());
  ASSERT_TRUE(admin.Execute("DROP DATABASE IF EXISTS " + schema).ok());
  ASSERT_TRUE(admin.Execute("CREATE DATABASE " + schema).ok());
  ASSERT_TRUE(
      admin.Execute(fmt::format("CREATE TABLE {}.t (id INT PRIMARY KEY, v TEXT)", schema)).ok());
  auto master_position = [&] {
    Result<mysql::Rows> rows = admin.Query("SHOW MASTER STATUS");
    EXPECT_TRUE(rows.ok() && !rows->empty());
    return std::make_pair(*rows->rows[0][0], std::stoull(*rows->rows[0][1]));
  };
  auto [file, start] = master_position();
  Result<std::optional<std::string>> gtid =
      admin.QueryValue(fmt::format("SELECT BINLOG_GTID_POS('{}', {})", file, start));
  ASSERT_TRUE(gtid.ok() && gtid->has_value()) << gtid.status().message();
  Result<MariadbGtidState> state = MariadbGtidState::Parse(**gtid);
  ASSERT_TRUE(state.ok() && !state->empty()) << **gtid;

  for (int i = 1; i <= 20; ++i) {
    ASSERT_TRUE(admin.Execute("BEGIN").ok());
    ASSERT_TRUE(
        admin.Execute(fmt::format("INSERT INTO {}.t VALUES ({}, REPEAT('x', {}))", schema, i, i))
            .ok());
    ASSERT_TRUE(admin.Execute("COMMIT").ok());
  }
  ASSERT_TRUE(admin.Execute(fmt::format("ALTER TABLE {}.t ADD COLUMN w INT", schema)).ok());
  auto [end_file, end] = master_position();
  BinlogPosition until{ParseBinlogFileNumber(end_file).value(), end};

  mysql::BinlogDumpRequest by_position;
  by_position.file_name = file;
  by_position.position = start;
  std::vector<RealEvent> from_position = Stream(by_position, until);

  mysql::BinlogDumpRequest by_gtid;
  by_gtid.file_name = file;
  by_gtid.mariadb_gtid_start = state->ToString();
  std::vector<RealEvent> from_gtid = Stream(by_gtid, until);
  // The GTID stream opens its file at the start: what precedes `start` is not the question.
  BinlogPosition first{ParseBinlogFileNumber(file).value(), start};
  std::erase_if(from_gtid, [&](const RealEvent& event) { return event.end <= first; });

  ASSERT_GE(from_position.size(), 20U * 4 + 2);  // GTID, TABLE_MAP, WRITE_ROWS, XID each
  EXPECT_EQ(from_gtid.size(), from_position.size());
  EXPECT_TRUE(from_gtid == from_position);
  (void)admin.Execute("DROP DATABASE IF EXISTS " + schema);
}

TEST(ReaderGtidTest, UnknownGtidIsAClearError) {
  mysql::BinlogDumpRequest request;
  request.file_name = "binlog.000001";
  request.mariadb_gtid_start = "0-1-4000000000";  // beyond what the server ever wrote
  request.non_blocking = true;
  Result<mysql::BinlogStream> opened =
      mysql::BinlogStream::Open(test_support::MysqlReplicaOptions(), request);
  Status status = opened.ok() ? opened->Next().status() : opened.status();
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.message().find("GTID 0-1-4000000000"), std::string::npos) << status.message();
}

}  // namespace
}  // namespace chameleon::reader
