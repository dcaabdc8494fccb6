// Splitting a big table into primary-key ranges, so that several copy workers read it at
// once (copy_split_rows). Single-column integer primary keys only; others copy whole.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "mysql/connection.h"
#include "translation/table_ddl.h"

namespace chameleon::init {

// Rows whose key is >= `from` (when set) and < `to` (when set). The first range of a table
// has no `from` and the last no `to`, so the ranges cover every key whatever the bounds.
struct KeyRange {
  std::optional<std::string> from;  // decimal text
  std::optional<std::string> to;
};

// The index of the column a table can be split on: its primary key when that is one
// integer column; nullopt otherwise (composite or non-integer keys are copied whole).
std::optional<size_t> SplitColumn(const translation::TableDefinition& table);

// How many ranges a table of `estimated_rows` is copied in: one per `split_rows` started
// (1 when `split_rows` is 0, the table has no split column, or fits in one range).
int PlannedRanges(const translation::TableDefinition& table, int64_t estimated_rows,
                  uint64_t split_rows);

// `parts` ranges of equal key width over [min, max] (decimal text; `is_unsigned` for
// BIGINT UNSIGNED keys above 2^63), fewer when the keys are fewer. Pure arithmetic.
std::vector<KeyRange> SplitKeys(const std::string& min, const std::string& max, bool is_unsigned,
                                int parts);

// The table's ranges: its key's MIN and MAX read over `connection` (inside the copy's
// snapshot), split into `parts`. One unbounded range for an empty table or parts <= 1.
Result<std::vector<KeyRange>> ReadKeyRanges(mysql::Connection& connection,
                                            const translation::TableDefinition& table, int parts);

// " WHERE `key` >= from AND `key` < to" for `range` (empty for an unbounded one).
std::string RangeCondition(const translation::TableDefinition& table, const KeyRange& range);

}  // namespace chameleon::init
