// The benchmark workload: three tables whose every row is a pure function of (seed, table, id,
// update stamp), so the loader, the change stream and both baselines agree without shared state.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace chameleon::bench {

// SplitMix64: tiny, fast, and the same sequence on every platform for a given seed.
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t Next();
  uint64_t Below(uint64_t bound) { return Next() % bound; }  // bias irrelevant for a workload
  int64_t Between(int64_t low, int64_t high);                // inclusive
  bool Percent(uint64_t percent) { return Below(100) < percent; }

 private:
  uint64_t state_;
};

enum class TableId : uint8_t { kOrders = 0, kCustomers = 1, kEvents = 2 };
inline constexpr size_t kTableCount = 3;

// How a value is spelled in SQL text and in libpq text parameters.
enum class ValueKind : uint8_t {
  kNumber,  // bare: integers and decimals
  kText,    // quoted: strings, enums, sets, dates, JSON
  kBytes,   // raw bytes: X'..' in MySQL, \x.. in PostgreSQL
};

struct ColumnSpec {
  std::string_view name;
  ValueKind kind;
  bool updated;  // changed by the change stream's UPDATE statements
};

struct TableSpec {
  TableId id;
  std::string_view name;
  std::vector<ColumnSpec> columns;  // column 0 is the primary key
  uint64_t first_id;                // ids of the initial rows are first_id .. first_id+rows-1
  uint64_t rows_at_scale_1;
};

const std::array<TableSpec, kTableCount>& Tables();
const TableSpec& Table(TableId table);

using Value = std::optional<std::string>;  // nullopt is NULL
using Row = std::vector<Value>;            // one Value per column of the TableSpec

class Workload {
 public:
  Workload(uint64_t seed, double scale);

  uint64_t seed() const { return seed_; }
  // Rows of `table` loaded before any change (at least 1).
  uint64_t InitialRows(TableId table) const { return initial_rows_[static_cast<size_t>(table)]; }

  // The row with primary key `id` as first inserted, then with the values of update `stamp`
  // (0: never updated). Every row an UPDATE touches gets the same values, so a multi-row
  // UPDATE on MariaDB and per-row UPDATEs on PostgreSQL end in the same state.
  Row MakeRow(TableId table, uint64_t id, uint32_t stamp) const;
  // The values of the updated columns for `stamp`, in column order (nullopt where not updated).
  Row UpdatedValues(TableId table, uint32_t stamp) const;

 private:
  uint64_t seed_;
  std::array<uint64_t, kTableCount> initial_rows_{};
};

// 'text' for MySQL with \ and ' escaped; X'..' for bytes; NULL; numbers bare.
void AppendMysqlLiteral(std::string& out, ValueKind kind, const Value& value);
// libpq text parameter: bytes become bytea hex input (\x..), everything else as is.
std::string PgParameter(ValueKind kind, const std::string& value);

}  // namespace chameleon::bench
