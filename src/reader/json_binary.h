// MySQL 5.7+ binary JSON (the JSON column's binlog and storage format) -> JSON text as MySQL
// prints it ({"a": 1, "b": [true, null]}). MariaDB's JSON is text and never comes here.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace chameleon::reader {

// Depth is limited (MySQL allows 100 levels), so damaged bytes cannot exhaust the stack.
Result<std::string> JsonBinaryToText(std::string_view bytes);

}  // namespace chameleon::reader
