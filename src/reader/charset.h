// Column character sets: which collation ids are which charset, and their text as UTF-8.
// The binlog carries a column's bytes in the column's charset; the spool holds UTF-8.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace chameleon::reader {

enum class Charset { kUnknown, kBinary, kUtf8, kLatin1, kAscii, kUcs2, kUtf16, kUtf16Le, kUtf32 };

// MySQL 5.5-8.4 and MariaDB 10.x-11.x collation ids (incl. MariaDB's NOPAD 1024+ and
// UCA-14.0 2048+ ranges). Ids we do not know read kUnknown; their bytes pass as they are.
Charset CharsetOfCollation(uint32_t collation);

// Appends `bytes` of `charset` to `out` as UTF-8. kUtf8/kUnknown/kBinary bytes pass unchanged
// (invalid UTF-8 included: the replayer names the value when PostgreSQL refuses it); bytes a
// fixed-width charset cannot decode become U+FFFD.
void AppendUtf8(std::string_view bytes, Charset charset, std::string* out);

}  // namespace chameleon::reader
