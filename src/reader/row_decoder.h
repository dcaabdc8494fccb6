// Row images of a rows event -> event::Value, one exact value per column, typed as the
// column is typed (see event/value.h). Also the pieces tests pin down one by one: binary
// DECIMAL to text and one column value from its bytes.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "event/value.h"
#include "reader/binlog_event.h"
#include "reader/byte_reader.h"

namespace chameleon::reader {

struct RowChange {
  std::vector<Value> before;  // update, delete
  std::vector<Value> after;   // write, update
};

// Decodes every row of `rows` into `*changes` (resized; the vectors' storage is reused).
// Columns the image leaves out (binlog_row_image MINIMAL/NOBLOB) read as NULL.
Status DecodeRowChanges(const RowsEventInfo& rows, std::vector<RowChange>* changes);

// One non-NULL value of `column` from `in`.
Status DecodeColumnValue(const ColumnInfo& column, ByteReader& in, Value* out);

// MySQL's binary DECIMAL(precision, scale) from `in` as exact text, e.g. "-12.340".
Result<std::string> DecodeDecimal(ByteReader& in, int precision, int scale);

// Bytes of a binary DECIMAL(precision, scale).
size_t DecimalBinarySize(int precision, int scale);

}  // namespace chameleon::reader
