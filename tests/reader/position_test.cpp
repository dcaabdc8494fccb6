// Table tests of the binlog position arithmetic, including the 32-bit log_pos wrap at 4 GiB.
// (ClickHouse's positionEndLogPosOverflow is the same scenario.)
#include "reader/position.h"

#include <gtest/gtest.h>

namespace chameleon::reader {
namespace {

struct PositionCase {
  const char* name;
  uint64_t event_start;
  uint32_t event_size;
  uint32_t log_pos;
  uint64_t expected_next;
};

constexpr uint64_t k4GiB = uint64_t{1} << 32;

TEST(NextEventPositionTest, Table) {
  const PositionCase cases[] = {
      {"first event", 4, 256, 260, 260},
      {"ordinary", 1000, 31, 1031, 1031},
      {"just below 4 GiB", k4GiB - 100, 50, static_cast<uint32_t>(k4GiB - 50), k4GiB - 50},
      {"ends exactly at 4 GiB: log_pos wraps to 0", k4GiB - 100, 100, 0, k4GiB},
      {"crosses 4 GiB", k4GiB - 10, 30, 20, k4GiB + 20},
      {"beyond 4 GiB", k4GiB + 20, 1000, 1020, k4GiB + 1020},
      {"beyond 8 GiB", 2 * k4GiB + 5, 100, 105, 2 * k4GiB + 105},
      {"log_pos disagrees with size: trust log_pos low bits", 1000, 31, 2000, 2000},
      {"log_pos disagrees past 4 GiB", k4GiB + 1000, 31, 2000, k4GiB + 2000},
      {"log_pos behind start: carried into the next 4 GiB", k4GiB - 10, 30, 5, k4GiB + 5},
      {"largest event", 4, 0xffffffffU, 3, k4GiB + 3},
  };
  for (const PositionCase& c : cases) {
    EXPECT_EQ(NextEventPosition(c.event_start, c.event_size, c.log_pos), c.expected_next) << c.name;
  }
}

TEST(NextEventPositionTest, StreamAcrossTheWrapIsMonotonic) {
  uint64_t position = k4GiB - 1000;
  for (int i = 0; i < 100; ++i) {
    uint32_t size = 37;
    auto log_pos = static_cast<uint32_t>(position + size);
    uint64_t next = NextEventPosition(position, size, log_pos);
    ASSERT_EQ(next, position + size);
    position = next;
  }
  EXPECT_GT(position, k4GiB);
}

struct ArtificialCase {
  const char* name;
  uint8_t type;
  uint16_t flags;
  uint32_t log_pos;
  bool expected;
};

TEST(IsArtificialEventTest, Table) {
  const ArtificialCase cases[] = {
      {"fake rotate", 4, 0x20, 0, true},
      {"fake rotate without the flag (old servers)", 4, 0, 0, true},
      {"real rotate", 4, 0, 1234, false},
      {"format description sent mid-file", 15, 0, 0, true},
      {"format description at the file start", 15, 0, 256, false},
      {"heartbeat", 27, 0, 5000, true},
      {"rows event ending exactly at 4 GiB", 23, 0, 0, false},
      {"query event ending exactly at 4 GiB", 2, 0, 0, false},
      {"MariaDB GTID list on connect", 163, 0, 0, true},
  };
  for (const ArtificialCase& c : cases) {
    EXPECT_EQ(IsArtificialEvent(c.type, c.flags, c.log_pos), c.expected) << c.name;
  }
}

}  // namespace
}  // namespace chameleon::reader
