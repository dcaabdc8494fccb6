// The MySQL statement tokenizer shared by the DDL parser and the column-definition parser:
// words, `quoted names`, 'strings', numbers and symbols, with comments dropped.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace chameleon::translation {

enum class TokenKind { kWord, kQuoted, kString, kNumber, kSymbol };

struct SqlToken {
  TokenKind kind = TokenKind::kSymbol;
  std::string text;  // words as written, quoted names unescaped, strings unescaped
  size_t begin = 0;  // offsets into the statement, for "as written" slices
  size_t end = 0;
};

// Tokens of `text`; comments dropped, the body of /*!NNNNN ... */ kept (MySQL runs it).
// An unterminated quote sets `*error`.
std::vector<SqlToken> TokenizeSql(std::string_view text, std::string* error);

// ASCII upper case, for keyword comparisons.
std::string UpperAscii(std::string_view text);

}  // namespace chameleon::translation
