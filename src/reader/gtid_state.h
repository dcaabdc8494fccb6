// GTID positions as small types: MariaDB's replication state (the last GTID of each domain,
// "0-1-100,1-2-7") that @slave_connect_state takes, and MySQL's GTID set in the binary form
// COM_BINLOG_DUMP_GTID carries.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace chameleon::reader {

struct MariadbGtid {
  uint32_t domain_id = 0;
  uint32_t server_id = 0;
  uint64_t sequence = 0;
};

// "domain-server-sequence", each a decimal number in range.
Result<MariadbGtid> ParseMariadbGtid(std::string_view text);

// The last transaction read in each domain: where a MariaDB replica resumes, on this server or
// on any other of the same domains (a failover).
class MariadbGtidState {
 public:
  // "" or a comma-separated list of GTIDs, at most one per domain (BINLOG_GTID_POS's answer).
  static Result<MariadbGtidState> Parse(std::string_view text);

  // Records `gtid` as the last of its domain; false (nothing changes) when it is not a
  // MariaDB GTID, e.g. a MySQL "uuid:n".
  bool Update(std::string_view gtid);
  bool empty() const { return last_.empty(); }
  // Domains ascending: "0-1-100,1-2-7"; Parse reads it back.
  std::string ToString() const;

 private:
  std::map<uint32_t, MariadbGtid> last_;  // domain -> its last GTID
};

// One interval of a MySQL GTID set: transactions [start, end) of a server uuid.
struct MysqlGtidInterval {
  int64_t start = 1;
  int64_t end = 2;
};

// "uuid:1-5:7,uuid2:3" (gtid_executed's text) -> the set; uuids with or without dashes.
struct MysqlGtidSet {
  std::map<std::string, std::vector<MysqlGtidInterval>> intervals;  // 16 raw uuid bytes -> ...
};
Result<MysqlGtidSet> ParseMysqlGtidSet(std::string_view text);

// The set as COM_BINLOG_DUMP_GTID's data: n_sids (8 bytes LE), then per uuid its 16 bytes,
// n_intervals (8 bytes LE) and each interval's start and end (exclusive), 8 bytes LE each.
std::string EncodeMysqlGtidSet(const MysqlGtidSet& set);

// COM_BINLOG_DUMP_GTID's payload after the command byte (0x1e): flags (2 bytes LE,
// BINLOG_THROUGH_GTID), server_id (4), binlog name size (4) = 0, no name, position (8) = 4,
// the set's size (4) and the set: the server starts after the transactions in `set`.
std::string EncodeMysqlBinlogDumpGtid(uint32_t server_id, const MysqlGtidSet& set);

}  // namespace chameleon::reader
