// The correctness check: row count and an order-independent checksum of every row, computed
// inside each server on a canonical text rendering both can produce byte for byte.
#pragma once

#include <string>

#include "clients.h"

namespace chameleon::bench {

struct TableDigest {
  std::string rows;
  std::string sum_high;  // sum over rows of md5(row)[0..15) read as a 60-bit number
  std::string sum_low;   // the same for md5(row)[15..30)
  bool operator==(const TableDigest&) const = default;
};

// The digest of MariaDB table `database`.`table`.
Result<TableDigest> MariadbDigest(MariadbSession& source, const std::string& database,
                                  const std::string& table);

// The digest of PostgreSQL table `schema`.`table` over the same columns as the MariaDB table,
// each rendered according to its PostgreSQL type (boolean, numeric, timestamptz, bytea, arrays,
// json(b) ...), so any faithful type mapping checks equal and a lossy one does not.
Result<TableDigest> PostgresDigest(MariadbSession& source, const std::string& database,
                                   PgSession& target, const std::string& schema,
                                   const std::string& table);

}  // namespace chameleon::bench
