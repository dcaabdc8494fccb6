// Value rendering: one MySQL value, as the text protocol sends it, into the text
// PostgreSQL reads for the mapped type (COPY text format, or a plain query parameter).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"
#include "translation/type_map.h"

namespace chameleon::translation {

// Appends the COPY text-format field for a non-NULL `raw` value to `*out` ("\N" when the
// value becomes NULL, e.g. a zero date in a nullable column). A value PostgreSQL cannot
// hold (a NUL byte in text) is an InvalidArgument naming the column; the caller adds the table.
Status AppendCopyValue(const ColumnType& type, const std::string& column_name, std::string_view raw,
                       std::string* out);

// "\N": a NULL field in COPY text format.
void AppendCopyNull(std::string* out);

// The same value as plain PostgreSQL input text (a query parameter); nullopt for NULL.
Result<std::optional<std::string>> ToPgText(const ColumnType& type, const std::string& column_name,
                                            std::string_view raw);

}  // namespace chameleon::translation
