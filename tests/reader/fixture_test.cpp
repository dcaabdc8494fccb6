// Golden binlog files recorded from the test MariaDB (tests/data/binlog, written by
// reader_live_test with CHAMELEON_RECORD_BINLOG_FIXTURE) decoded event by event and
// compared with the expected text recorded next to them, which that test checked
// against SELECT. Also: damaged copies of the file fail cleanly.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "reader/binlog_source.h"
#include "reader/event_stream.h"
#include "reader/fixture_text.h"

namespace chameleon::reader {
namespace {

std::filesystem::path DataDir() {
  const char* source = std::getenv("CHAMELEON_SOURCE_DIR");
  return std::filesystem::path(source != nullptr ? source : ".") / "tests/data/binlog";
}

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// Decodes every event of `source`; the text, or the first error.
Result<std::string> DescribeAll(BinlogSource* source) {
  EventStream stream(source, "binlog.000001", BinlogPosition{1, 4});
  BinlogEvent event;
  std::string text;
  std::string schema;
  while (true) {
    ASSIGN_OR_RETURN(bool more, stream.Next(&event));
    if (!more) break;
    if (event.kind == EventKind::kTableMap && schema.empty()) schema = event.table_map->schema;
    DescribeDecoded(event, schema, &text);
  }
  return text;
}

TEST(BinlogFixtureTest, MariadbTypesFileDecodesAsRecorded) {
  std::filesystem::path binlog = DataDir() / "mariadb_10_11_types.binlog";
  Result<std::unique_ptr<FileBinlogSource>> source = FileBinlogSource::Open(binlog);
  ASSERT_TRUE(source.ok()) << source.status().message();
  Result<std::string> text = DescribeAll(source->get());
  ASSERT_TRUE(text.ok()) << text.status().message();
  std::string expected = ReadFile(DataDir() / "mariadb_10_11_types.expected");
  // Line by line, so a failure names the event.
  std::istringstream actual_lines(*text), expected_lines(expected);
  std::string actual_line, expected_line;
  int line = 0;
  while (std::getline(expected_lines, expected_line)) {
    ++line;
    ASSERT_TRUE(std::getline(actual_lines, actual_line)) << "missing line " << line;
    EXPECT_EQ(actual_line.substr(0, 2000), expected_line.substr(0, 2000)) << "line " << line;
  }
  EXPECT_FALSE(std::getline(actual_lines, actual_line)) << "extra: " << actual_line;
}

TEST(BinlogFixtureTest, BytesAndFileSourcesAgree) {
  std::string bytes = ReadFile(DataDir() / "mariadb_10_11_types.binlog");
  BytesBinlogSource from_bytes(bytes);
  auto from_file = FileBinlogSource::Open(DataDir() / "mariadb_10_11_types.binlog");
  ASSERT_TRUE(from_file.ok());
  Result<std::string> a = DescribeAll(&from_bytes);
  Result<std::string> b = DescribeAll(from_file->get());
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(*a, *b);
}

TEST(BinlogFixtureTest, AFlippedByteFailsTheChecksum) {
  std::string bytes = ReadFile(DataDir() / "mariadb_10_11_types.binlog");
  ASSERT_GT(bytes.size(), 2000U);
  // Every 97th byte after the FORMAT_DESCRIPTION: a checksum or size error, never a crash
  // and never a silently different value.
  for (size_t at = 200; at < bytes.size(); at += 97) {
    std::string damaged = bytes;
    damaged[at] = static_cast<char>(damaged[at] ^ 0x10);
    BytesBinlogSource source(damaged);
    Result<std::string> text = DescribeAll(&source);
    EXPECT_FALSE(text.ok()) << "flip at " << at << " went unnoticed";
  }
}

TEST(BinlogFixtureTest, TruncatedFileIsAnErrorNotACrash) {
  std::string bytes = ReadFile(DataDir() / "mariadb_10_11_types.binlog");
  for (size_t size : {size_t{3}, size_t{10}, size_t{30}, bytes.size() / 2, bytes.size() - 1}) {
    std::string cut = bytes.substr(0, size);
    BytesBinlogSource source(cut);
    EXPECT_FALSE(DescribeAll(&source).ok()) << size;
  }
}

}  // namespace
}  // namespace chameleon::reader
