// Primary-key ranges of a big table; see key_ranges.h.
#include "init/key_ranges.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>

#include "common/strings.h"

namespace chameleon::init {
namespace {

// More ranges than this only add queries: each is already a small share of the table.
constexpr int kMaxRanges = 10000;
constexpr uint64_t kSignBit = uint64_t{1} << 63;

bool IsIntegerType(const std::string& data_type) {
  std::string type = ToLower(data_type);
  return type == "tinyint" || type == "smallint" || type == "mediumint" || type == "int" ||
         type == "integer" || type == "bigint";
}

bool IsUnsigned(const translation::SourceColumn& column) {
  return ToLower(column.column_type).find("unsigned") != std::string::npos;
}

// Keys mapped onto uint64 in their order: signed ones have their sign bit flipped.
std::optional<uint64_t> Ordinal(const std::string& text, bool is_unsigned) {
  const char* end = text.data() + text.size();
  if (is_unsigned) {
    uint64_t value = 0;
    auto parsed = std::from_chars(text.data(), end, value);
    if (parsed.ec != std::errc() || parsed.ptr != end) return std::nullopt;
    return value;
  }
  int64_t value = 0;
  auto parsed = std::from_chars(text.data(), end, value);
  if (parsed.ec != std::errc() || parsed.ptr != end) return std::nullopt;
  return static_cast<uint64_t>(value) ^ kSignBit;
}

std::string KeyText(uint64_t ordinal, bool is_unsigned) {
  if (is_unsigned) return std::to_string(ordinal);
  return std::to_string(static_cast<int64_t>(ordinal ^ kSignBit));
}

}  // namespace

std::optional<size_t> SplitColumn(const translation::TableDefinition& table) {
  std::vector<std::string> key = table.PrimaryKey();
  if (key.size() != 1) return std::nullopt;
  for (size_t index = 0; index < table.columns.size(); ++index) {
    if (table.columns[index].name != key[0]) continue;
    if (!IsIntegerType(table.columns[index].data_type)) return std::nullopt;
    return index;
  }
  return std::nullopt;
}

int PlannedRanges(const translation::TableDefinition& table, int64_t estimated_rows,
                  uint64_t split_rows) {
  if (split_rows == 0 || estimated_rows <= 0 || !SplitColumn(table)) return 1;
  auto rows = static_cast<uint64_t>(estimated_rows);
  if (rows <= split_rows) return 1;
  uint64_t ranges = (rows + split_rows - 1) / split_rows;
  return static_cast<int>(std::min<uint64_t>(ranges, kMaxRanges));
}

std::vector<KeyRange> SplitKeys(const std::string& min, const std::string& max, bool is_unsigned,
                                int parts) {
  std::optional<uint64_t> low = Ordinal(min, is_unsigned);
  std::optional<uint64_t> high = Ordinal(max, is_unsigned);
  if (parts <= 1 || !low || !high || *high <= *low) return {KeyRange{}};
  // span + 1 keys in [low, high] shared out as evenly as integers allow: the first r + 1
  // ranges get q + 1 keys, the others q (computed without span + 1, which can overflow).
  uint64_t span = *high - *low;
  auto count = static_cast<uint64_t>(parts);
  if (span < count - 1) count = span + 1;
  uint64_t q = span / count;
  uint64_t r = span % count;
  std::vector<KeyRange> ranges;
  std::optional<std::string> previous;
  for (uint64_t index = 1; index < count; ++index) {
    std::string boundary = KeyText(*low + q * index + std::min(index, r + 1), is_unsigned);
    ranges.push_back({previous, boundary});
    previous = boundary;
  }
  ranges.push_back({previous, std::nullopt});
  return ranges;
}

Result<std::vector<KeyRange>> ReadKeyRanges(mysql::Connection& connection,
                                            const translation::TableDefinition& table, int parts) {
  std::optional<size_t> column = SplitColumn(table);
  if (parts <= 1 || !column) return std::vector<KeyRange>{KeyRange{}};
  std::string key = mysql::QuoteIdentifier(table.columns[*column].name);
  ASSIGN_OR_RETURN(mysql::Rows bounds,
                   connection.Query(fmt::format("SELECT MIN({0}), MAX({0}) FROM {1}.{2}", key,
                                                mysql::QuoteIdentifier(table.origin_schema),
                                                mysql::QuoteIdentifier(table.table))));
  if (bounds.empty() || !bounds.rows[0][0] || !bounds.rows[0][1]) {
    return std::vector<KeyRange>{KeyRange{}};  // empty
  }
  return SplitKeys(*bounds.rows[0][0], *bounds.rows[0][1], IsUnsigned(table.columns[*column]),
                   parts);
}

std::string RangeCondition(const translation::TableDefinition& table, const KeyRange& range) {
  std::optional<size_t> column = SplitColumn(table);
  if (!column || (!range.from && !range.to)) return "";
  // The bounds are integers this module printed, never text from elsewhere.
  std::string key = mysql::QuoteIdentifier(table.columns[*column].name);
  std::vector<std::string> conditions;
  if (range.from) conditions.push_back(key + " >= " + *range.from);
  if (range.to) conditions.push_back(key + " < " + *range.to);
  return " WHERE " + Join(conditions, " AND ");
}

}  // namespace chameleon::init
