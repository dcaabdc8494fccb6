// The text form of decoded binlog events that golden fixtures are compared with: one line per
// event (and one per row), stable across runs, readable in a diff.
#pragma once

#include <fmt/format.h>

#include <string>
#include <vector>

#include "event/value.h"
#include "reader/binlog_event.h"
#include "reader/event_stream.h"
#include "reader/row_decoder.h"

namespace chameleon::reader {

inline std::string DescribeImage(const std::vector<Value>& values) {
  std::string text = "(";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) text += ", ";
    text += DescribeValue(values[i]);
  }
  return text + ")";
}

// Appends the lines of `event` to `*out`; a rows event whose values fail to decode reads
// "error: ...". Query text and schema names are shown with `schema` replaced by "<schema>"
// so recordings of differently named test schemas compare equal.
inline void DescribeDecoded(const BinlogEvent& event, const std::string& schema, std::string* out) {
  auto anonymous = [&schema](std::string text) {
    for (size_t at = text.find(schema); !schema.empty() && at != std::string::npos;
         at = text.find(schema, at)) {
      text.replace(at, schema.size(), "<schema>");
    }
    return text;
  };
  switch (event.kind) {
    case EventKind::kFormatDescription:
      *out += fmt::format("format_description v{} crc32={}\n", event.format.binlog_version,
                          event.format.checksum_crc32);
      return;
    case EventKind::kGtid:
      *out += fmt::format("gtid standalone={}\n", event.gtid.standalone);
      return;
    case EventKind::kQuery:
      *out += fmt::format("query [{}] {}\n", anonymous(event.query.schema),
                          anonymous(event.query.query));
      return;
    case EventKind::kXid:
      *out += "xid\n";
      return;
    case EventKind::kTableMap: {
      const TableMap& map = *event.table_map;
      std::string columns;
      for (const ColumnInfo& column : map.columns) {
        if (!columns.empty()) columns += ' ';
        columns += fmt::format("{}:{}/{}{}{}", column.name, column.real_type, column.metadata,
                               column.is_unsigned ? "u" : "", column.nullable ? "?" : "");
        if (column.collation != 0) columns += fmt::format("@{}", column.collation);
        for (const std::string& label : column.labels)
          columns += "|" + label;
      }
      *out += fmt::format("table_map {}.{} pk={} {}\n", anonymous(map.schema), map.table,
                          map.primary_key.size(), columns);
      return;
    }
    case EventKind::kRows: {
      std::vector<RowChange> changes;
      Status status = DecodeRowChanges(event.rows, &changes);
      if (!status.ok()) {
        *out += "rows error: " + status.message() + "\n";
        return;
      }
      const char* action = event.rows.action == RowsAction::kWrite    ? "insert"
                           : event.rows.action == RowsAction::kUpdate ? "update"
                                                                      : "delete";
      for (const RowChange& change : changes) {
        *out += fmt::format("{} {}", action, event.rows.table->table);
        if (!change.before.empty()) *out += " before=" + DescribeImage(change.before);
        if (!change.after.empty()) *out += " after=" + DescribeImage(change.after);
        *out += "\n";
      }
      return;
    }
    case EventKind::kRowsQuery:
      *out += "rows_query " + anonymous(event.text) + "\n";
      return;
    default:
      *out += std::string(EventKindName(event.kind)) + "\n";
      return;
  }
}

}  // namespace chameleon::reader
