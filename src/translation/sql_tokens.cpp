// The MySQL statement tokenizer; see sql_tokens.h.
#include "translation/sql_tokens.h"

#include <cctype>

namespace chameleon::translation {
namespace {

// MySQL's string escapes: \n is a newline, \0 a NUL, ...; \% and \_ keep their backslash
// (they are LIKE patterns); any other escaped character stands for itself.
void AppendEscaped(char escaped, std::string* out) {
  switch (escaped) {
    case '0':
      out->push_back('\0');
      return;
    case 'b':
      out->push_back('\b');
      return;
    case 'n':
      out->push_back('\n');
      return;
    case 'r':
      out->push_back('\r');
      return;
    case 't':
      out->push_back('\t');
      return;
    case 'Z':
      out->push_back('\x1a');
      return;
    case '%':
    case '_':
      out->push_back('\\');
      out->push_back(escaped);
      return;
    default:
      out->push_back(escaped);
  }
}

bool IsWordChar(char c) {
  auto u = static_cast<unsigned char>(c);
  return std::isalnum(u) != 0 || c == '_' || c == '$' || u >= 0x80;
}

}  // namespace

std::vector<SqlToken> TokenizeSql(std::string_view text, std::string* error) {
  std::vector<SqlToken> tokens;
  size_t i = 0;
  int version_comments = 0;
  while (i < text.size()) {
    char c = text[i];
    if (std::isspace(static_cast<unsigned char>(c)) != 0) {
      ++i;
    } else if (text.substr(i, 3) == "/*!" || text.substr(i, 3) == "/*M") {
      i += 3;
      if (i < text.size() && text[i] == '!') ++i;  // MariaDB's /*M!NNNNN
      while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])) != 0)
        ++i;
      ++version_comments;
    } else if (version_comments > 0 && text.substr(i, 2) == "*/") {
      i += 2;
      --version_comments;
    } else if (text.substr(i, 2) == "/*") {
      size_t close = text.find("*/", i + 2);
      i = close == std::string_view::npos ? text.size() : close + 2;
    } else if (c == '#' || (text.substr(i, 2) == "--" &&
                            (i + 2 >= text.size() ||
                             std::isspace(static_cast<unsigned char>(text[i + 2])) != 0))) {
      size_t newline = text.find('\n', i);
      i = newline == std::string_view::npos ? text.size() : newline + 1;
    } else if (c == '`' || c == '\'' || c == '"') {
      SqlToken token;
      token.kind = c == '`' ? TokenKind::kQuoted : TokenKind::kString;
      token.begin = i;
      ++i;
      bool closed = false;
      while (i < text.size()) {
        char d = text[i];
        if (d == '\\' && c != '`' && i + 1 < text.size()) {
          AppendEscaped(text[i + 1], &token.text);
          i += 2;
        } else if (d == c) {
          if (i + 1 < text.size() && text[i + 1] == c) {
            token.text += c;
            i += 2;
          } else {
            ++i;
            closed = true;
            break;
          }
        } else {
          token.text += d;
          ++i;
        }
      }
      if (!closed) {
        *error = "unterminated quote";
        return tokens;
      }
      token.end = i;
      tokens.push_back(std::move(token));
    } else if (IsWordChar(c)) {
      SqlToken token;
      token.begin = i;
      while (i < text.size() && IsWordChar(text[i]))
        ++i;
      token.end = i;
      token.text = std::string(text.substr(token.begin, i - token.begin));
      bool digits = std::isdigit(static_cast<unsigned char>(token.text[0])) != 0;
      token.kind = digits ? TokenKind::kNumber : TokenKind::kWord;
      // 1e10, 0x1F and names starting with digits all read as one token.
      tokens.push_back(std::move(token));
    } else {
      SqlToken token;
      token.kind = TokenKind::kSymbol;
      token.begin = i;
      token.text = std::string(1, c);
      token.end = ++i;
      tokens.push_back(std::move(token));
    }
  }
  return tokens;
}

std::string UpperAscii(std::string_view text) {
  std::string out(text);
  for (char& c : out)
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace chameleon::translation
