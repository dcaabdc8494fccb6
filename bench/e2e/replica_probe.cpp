// Binlog positions, chameleon's replayed position and the big transaction; see replica_probe.h.
#include "replica_probe.h"

#include <fmt/format.h>

#include <chrono>
#include <thread>

namespace chameleon::bench {
namespace {

constexpr int64_t kPollIntervalMs = 10;

// "mysql-bin.000042" -> 42.
Result<uint64_t> FileNumber(const std::string& name) {
  size_t dot = name.rfind('.');
  if (dot == std::string::npos || dot + 1 == name.size()) {
    return Status::InvalidArgument("not a binlog file name: " + name);
  }
  uint64_t number = 0;
  for (size_t i = dot + 1; i < name.size(); ++i) {
    if (name[i] < '0' || name[i] > '9') {
      return Status::InvalidArgument("not a binlog file name: " + name);
    }
    number = number * 10 + static_cast<uint64_t>(name[i] - '0');
  }
  return number;
}

Result<uint64_t> Unsigned(const std::optional<std::string>& text, std::string_view what) {
  if (!text || text->empty()) return Status::Corruption(fmt::format("{}: no value", what));
  uint64_t value = 0;
  for (char c : *text) {
    if (c < '0' || c > '9') return Status::Corruption(fmt::format("{}: not a number", what));
    value = value * 10 + static_cast<uint64_t>(c - '0');
  }
  return value;
}

}  // namespace

Result<BinlogPoint> MasterPosition(const MariadbSession& session) {
  ASSIGN_OR_RETURN(TextRows rows, session.Query("SHOW MASTER STATUS"));
  if (rows.empty() || rows[0].size() < 2 || !rows[0][0]) {
    return Status::FailedPrecondition("SHOW MASTER STATUS is empty: is the binlog on?");
  }
  BinlogPoint point;
  ASSIGN_OR_RETURN(point.file_number, FileNumber(*rows[0][0]));
  ASSIGN_OR_RETURN(point.position, Unsigned(rows[0][1], "SHOW MASTER STATUS position"));
  return point;
}

Status WaitReplayed(PgSession& session, const std::string& source, const BinlogPoint& target,
                    int64_t timeout_ms) {
  const std::string sql =
      "SELECT b.t_last_binlog_name, b.i_last_binlog_position FROM sch_chameleon.t_replica_batch b "
      "JOIN sch_chameleon.t_sources s USING (i_id_source) WHERE s.t_source = $1 AND "
      "b.i_spool_batch IS NOT NULL ORDER BY b.i_spool_batch DESC LIMIT 1";
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  BinlogPoint seen;
  while (true) {
    ASSIGN_OR_RETURN(TextRows rows, session.Query(sql, {source}));
    if (!rows.empty() && rows[0][0] && rows[0][1]) {
      ASSIGN_OR_RETURN(seen.file_number, FileNumber(*rows[0][0]));
      ASSIGN_OR_RETURN(seen.position, Unsigned(rows[0][1], "i_last_binlog_position"));
      if (seen >= target) return Status::Ok();
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      return Status::Unavailable(fmt::format(
          "source {}: the replayed position {}:{} did not reach {}:{} within {} ms", source,
          seen.file_number, seen.position, target.file_number, target.position, timeout_ms));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(kPollIntervalMs));
  }
}

Status InsertBigTransaction(const MariadbSession& session, const std::string& database,
                            uint64_t first_id, uint64_t rows) {
  if (rows == 0) return Status::InvalidArgument("--rows must be above 0");
  // ~120 bytes a row: an id, a 100-character payload that varies with it, a small integer.
  return session.Execute(fmt::format(
      "START TRANSACTION; INSERT INTO {}.bench_big (id, payload, n) SELECT seq, "
      "RPAD(MD5(seq), 100, SHA1(seq)), seq MOD 1000 FROM {}.seq_{}_to_{}; COMMIT",
      MariadbIdentifier(database), MariadbIdentifier(database), first_id, first_id + rows - 1));
}

Result<BigDigest> MariadbBigDigest(const MariadbSession& session, const std::string& database) {
  ASSIGN_OR_RETURN(
      TextRows rows,
      session.Query(fmt::format("SELECT COUNT(*), COALESCE(SUM(id), 0), COALESCE(SUM(CAST(CONV("
                                "SUBSTR(MD5(CONCAT(payload, '|', n)), 1, 15), 16, 10) AS "
                                "UNSIGNED)), 0) FROM {}.bench_big",
                                MariadbIdentifier(database))));
  BigDigest digest;
  ASSIGN_OR_RETURN(digest.rows, Unsigned(rows.at(0)[0], "count"));
  digest.id_sum = rows.at(0)[1].value_or("");
  digest.payload_sum = rows.at(0)[2].value_or("");
  return digest;
}

Result<BigDigest> PostgresBigDigest(const PgSession& session, const std::string& schema) {
  ASSIGN_OR_RETURN(
      TextRows rows,
      session.Query(fmt::format("SELECT count(*), coalesce(sum(id), 0), coalesce(sum(('x' || "
                                "substr(md5(payload || '|' || n::text), 1, 15))::bit(60)::bigint), "
                                "0) FROM {}.bench_big",
                                PgIdentifier(schema))));
  BigDigest digest;
  ASSIGN_OR_RETURN(digest.rows, Unsigned(rows.at(0)[0], "count"));
  digest.id_sum = rows.at(0)[1].value_or("");
  digest.payload_sum = rows.at(0)[2].value_or("");
  return digest;
}

}  // namespace chameleon::bench
