// The init baseline: MariaDB SELECT streamed (mysql_use_result) straight into PostgreSQL
// COPY FROM STDIN (text format), one table after another, with no type translation.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "clients.h"

namespace chameleon::bench {

struct CopyTotals {
  uint64_t rows = 0;
  uint64_t bytes = 0;  // COPY text sent to PostgreSQL: the "row text" of MB/s figures
  double seconds = 0;
};

// Copies `tables` of MariaDB database `database` into the existing, empty tables of the same
// names in PostgreSQL schema `schema`, inside one consistent snapshot. The only conversion is
// the one any copier must do: binary strings become bytea hex input.
Result<CopyTotals> RawCopy(MariadbSession& source, PgSession& target, const std::string& database,
                           const std::string& schema, const std::vector<std::string>& tables);

}  // namespace chameleon::bench
