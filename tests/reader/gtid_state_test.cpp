// GTID positions: MariaDB's per-domain state (what @slave_connect_state takes) and MySQL's
// GTID set in COM_BINLOG_DUMP_GTID's binary form, byte by byte from the protocol's
// documentation (Gtid_set::encode: n_sids, then per sid its 16 bytes, n_intervals and
// [start, end) pairs, all little-endian 8-byte integers).
#include "reader/gtid_state.h"

#include <gtest/gtest.h>

#include "reader/test_bytes.h"

namespace chameleon::reader {
namespace {

TEST(MariadbGtidStateTest, ParsesAndPrintsOneGtidPerDomain) {
  Result<MariadbGtidState> state = MariadbGtidState::Parse(" 1-2-7,0-1-100 ");
  ASSERT_TRUE(state.ok()) << state.status().message();
  EXPECT_EQ(state->ToString(), "0-1-100,1-2-7");
  EXPECT_TRUE(MariadbGtidState::Parse("")->empty());
  EXPECT_EQ(MariadbGtidState::Parse("0-1-18446744073709551615")->ToString(),
            "0-1-18446744073709551615");
}

TEST(MariadbGtidStateTest, RejectsWhatIsNotAPosition) {
  for (const char* bad : {"0-1", "0-1-2-3", "a-1-2", "0-1-", "-1-2", "0-1-2,0-3-4",
                          "4294967296-1-1", "0-1-2,", "3E11FA47-71CA-11E1-9E33-C80AA9429562:1-5"}) {
    Result<MariadbGtidState> state = MariadbGtidState::Parse(bad);
    EXPECT_FALSE(state.ok()) << bad;
    if (!state.ok()) {
      EXPECT_EQ(state.status().code(), StatusCode::kInvalidArgument);
    }
  }
}

TEST(MariadbGtidStateTest, UpdateKeepsTheLastGtidOfEachDomain) {
  MariadbGtidState state;
  EXPECT_TRUE(state.Update("0-1-5"));
  EXPECT_TRUE(state.Update("2-1-9"));
  EXPECT_TRUE(state.Update("0-3-6"));  // a failover: another server of domain 0
  EXPECT_FALSE(state.Update("3E11FA47-71CA-11E1-9E33-C80AA9429562:23"));
  EXPECT_FALSE(state.Update(""));
  EXPECT_EQ(state.ToString(), "0-3-6,2-1-9");
}

TEST(MysqlGtidSetTest, EncodesAsComBinlogDumpGtidCarriesIt) {
  Result<MysqlGtidSet> set = ParseMysqlGtidSet(
      "3E11FA47-71CA-11E1-9E33-C80AA9429562:1-5:11,\n"
      "00000000000000000000000000000001:7");
  ASSERT_TRUE(set.ok()) << set.status().message();
  // Sids in byte order: 00..01 first.
  std::string expected = Bytes({2, 0, 0, 0, 0, 0, 0, 0});               // n_sids
  expected += Bytes({0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1});  // sid
  expected += Bytes({1, 0, 0, 0, 0, 0, 0, 0});                          // n_intervals
  expected += Bytes({7, 0, 0, 0, 0, 0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0});  // [7, 8)
  expected += Bytes({0x3e, 0x11, 0xfa, 0x47, 0x71, 0xca, 0x11, 0xe1, 0x9e, 0x33, 0xc8, 0x0a, 0xa9,
                     0x42, 0x95, 0x62});                                  // sid
  expected += Bytes({2, 0, 0, 0, 0, 0, 0, 0});                            // n_intervals
  expected += Bytes({1, 0, 0, 0, 0, 0, 0, 0, 6, 0, 0, 0, 0, 0, 0, 0});    // [1, 6)
  expected += Bytes({11, 0, 0, 0, 0, 0, 0, 0, 12, 0, 0, 0, 0, 0, 0, 0});  // [11, 12)
  EXPECT_EQ(EncodeMysqlGtidSet(*set), expected);
  EXPECT_EQ(EncodeMysqlGtidSet(MysqlGtidSet{}), Bytes({0, 0, 0, 0, 0, 0, 0, 0}));

  std::string packet = EncodeMysqlBinlogDumpGtid(0x01020304, *set);
  std::string header = Bytes({4, 0,                      // flags: BINLOG_THROUGH_GTID
                              4, 3, 2, 1,                // server_id
                              0, 0, 0, 0,                // binlog name size: none
                              4, 0, 0, 0, 0, 0, 0, 0});  // position 4
  header += static_cast<char>(expected.size());
  header += Bytes({0, 0, 0});
  EXPECT_EQ(packet, header + expected);
}

TEST(MysqlGtidSetTest, RejectsMalformedSets) {
  for (const char* bad :
       {"3E11FA47-71CA-11E1-9E33-C80AA9429562", "xyz:1-5", "3E11FA47-71CA-11E1-9E33-C80AA942956:1",
        "3E11FA47-71CA-11E1-9E33-C80AA9429562:0", "3E11FA47-71CA-11E1-9E33-C80AA9429562:5-3",
        "3E11FA47-71CA-11E1-9E33-C80AA9429562:1-2-3"}) {
    EXPECT_FALSE(ParseMysqlGtidSet(bad).ok()) << bad;
  }
  EXPECT_TRUE(ParseMysqlGtidSet("")->intervals.empty());
}

}  // namespace
}  // namespace chameleon::reader
