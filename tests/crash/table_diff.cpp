// CompareTable; see table_diff.h.
#include "crash/table_diff.h"

#include <fmt/format.h>

#include <map>

namespace chameleon::crash_test {
namespace {

constexpr size_t kShown = 20;

using Rows = std::map<int64_t, std::string>;

}  // namespace

std::string TableComparison::Describe(const std::string& table) const {
  if (!error.empty()) return fmt::format("table {}: {}", table, error);
  std::string text = fmt::format("table {}: {} rows on the source, {} on the target, {} differ",
                                 table, source_rows, target_rows, differing);
  for (const auto& difference : first) {
    text += fmt::format("\n  key {}: source {} | target {}", difference.key, difference.source,
                        difference.target);
  }
  return text;
}

TableComparison CompareTable(mysql::Connection& mysql, const std::string& mysql_schema,
                             pg::Connection& pg, const std::string& pg_schema,
                             const TableSpec& table) {
  TableComparison result;
  std::string my_list;
  std::string pg_list;
  for (const auto& column : table.columns) {
    my_list += fmt::format(", IFNULL(CAST(`{}` AS CHAR), '<null>')", column);
    pg_list += fmt::format(", coalesce(\"{}\"::text, '<null>')", column);
  }
  auto source =
      mysql.Query(fmt::format("SELECT `{0}`, CONCAT_WS('|'{1}) FROM `{2}`.`{3}` ORDER BY `{0}`",
                              table.key, my_list, mysql_schema, table.name));
  if (!source.ok()) {
    result.error = "source: " + source.status().message();
    return result;
  }
  auto target = pg.Query(
      fmt::format("SELECT \"{0}\", concat_ws('|'{1}) FROM \"{2}\".\"{3}\" ORDER BY \"{0}\"",
                  table.key, pg_list, pg_schema, table.name));
  if (!target.ok()) {
    result.error = "target: " + target.status().message();
    return result;
  }
  Rows source_rows;
  for (const auto& row : source->rows) {
    source_rows[std::stoll(row[0].value_or("0"))] = row[1].value_or("");
  }
  Rows target_rows;
  for (int row = 0; row < target->size(); ++row) {
    target_rows[target->Integer(row, 0)] = std::string(target->Text(row, 1));
  }
  result.source_rows = static_cast<int64_t>(source_rows.size());
  result.target_rows = static_cast<int64_t>(target_rows.size());
  auto note = [&](int64_t key, std::string from, std::string to) {
    ++result.differing;
    if (result.first.size() < kShown) result.first.push_back({key, std::move(from), std::move(to)});
  };
  auto in_source = source_rows.begin();
  auto in_target = target_rows.begin();
  while (in_source != source_rows.end() || in_target != target_rows.end()) {
    if (in_target == target_rows.end() ||
        (in_source != source_rows.end() && in_source->first < in_target->first)) {
      note(in_source->first, in_source->second, "<missing>");
      ++in_source;
    } else if (in_source == source_rows.end() || in_target->first < in_source->first) {
      note(in_target->first, "<missing>", in_target->second);
      ++in_target;
    } else {
      if (in_source->second != in_target->second) {
        note(in_source->first, in_source->second, in_target->second);
      }
      ++in_source;
      ++in_target;
    }
  }
  return result;
}

}  // namespace chameleon::crash_test
