// What the CDC scenarios ask of the servers besides the change stream: where the source's binlog
// ends, when chameleon's catalogue says it has replayed up to there, and the big transaction
// (one INSERT ... SELECT of N rows into bench_big) with its completeness check.
#pragma once

#include <cstdint>
#include <string>

#include "clients.h"
#include "common/status.h"

namespace chameleon::bench {

// A binlog coordinate: the file's number (mysql-bin.000042 -> 42) and a byte offset.
struct BinlogPoint {
  uint64_t file_number = 0;
  uint64_t position = 0;
  bool operator>=(const BinlogPoint& other) const {
    return file_number != other.file_number ? file_number > other.file_number
                                            : position >= other.position;
  }
};

// SHOW MASTER STATUS: where the next transaction will start.
Result<BinlogPoint> MasterPosition(const MariadbSession& session);

// Caught up: the newest batch the replayer committed for `source` (sch_chameleon.t_replica_batch,
// written in the same PostgreSQL transaction as the batch's rows) ends with an event at or past
// `target`. Since batches are applied in binlog order, every transaction that committed before
// `target` is then visible. Polls every 10 ms; Unavailable after timeout_ms.
Status WaitReplayed(PgSession& session, const std::string& source, const BinlogPoint& target,
                    int64_t timeout_ms);

// Sums that show whether bench_big arrived complete: rows, sum(id) and the sum of the first 60
// bits of md5(payload), computed inside each server.
struct BigDigest {
  uint64_t rows = 0;
  std::string id_sum;
  std::string payload_sum;
  bool operator==(const BigDigest& other) const {
    return rows == other.rows && id_sum == other.id_sum && payload_sum == other.payload_sum;
  }
};

// One source transaction inserting ids [first_id, first_id + rows) into bench_big (with the
// Sequence engine: the server generates the rows, so the client is not the limit).
Status InsertBigTransaction(const MariadbSession& session, const std::string& database,
                            uint64_t first_id, uint64_t rows);
Result<BigDigest> MariadbBigDigest(const MariadbSession& session, const std::string& database);
Result<BigDigest> PostgresBigDigest(const PgSession& session, const std::string& schema);

}  // namespace chameleon::bench
