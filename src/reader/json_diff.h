// MySQL 8 partial JSON updates (binlog_row_value_options=PARTIAL_JSON): the after image of a
// PARTIAL_UPDATE_ROWS_EVENT stores a JSON column as a list of diffs against the before image.
// Layout (MySQL's json_diff.cc, Json_diff_vector::write_binary): a 4-byte little-endian length
// of the diffs, then per diff one operation byte (0 REPLACE, 1 INSERT, 2 REMOVE), the path as
// a length-encoded string ("$.a.b[2]", "$.\"key with space\""), and, unless REMOVE, the new
// value as a length-encoded binary JSON document.
#pragma once

#include <string>

#include "common/status.h"
#include "reader/byte_reader.h"

namespace chameleon::reader {

// Reads one diff vector from `in` and applies it to `*document` (JSON text, as
// JsonBinaryToText prints it), which receives the result in the same style. A damaged
// vector, an unparsable path or a path the document does not have is a Corruption status.
Status ApplyJsonDiffs(ByteReader& in, std::string* document);

}  // namespace chameleon::reader
