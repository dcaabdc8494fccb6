// Statement classification; see statement.h.
#include "reader/statement.h"

#include <cctype>
#include <vector>

namespace chameleon::reader {
namespace {

// Up to `count` leading words, upper-cased, skipping whitespace and comments. The body of a
// /*!NNNNN ... */ comment is read as statement text (MySQL executes it).
std::vector<std::string> LeadingWords(std::string_view text, size_t count) {
  std::vector<std::string> words;
  size_t i = 0;
  while (i < text.size() && words.size() < count) {
    char c = text[i];
    if (std::isspace(static_cast<unsigned char>(c)) != 0 || c == ';' || c == '(') {
      ++i;
    } else if (text.substr(i, 3) == "/*!") {
      i += 3;
      while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])) != 0)
        ++i;
    } else if (text.substr(i, 2) == "*/") {
      i += 2;
    } else if (text.substr(i, 2) == "/*") {
      size_t end = text.find("*/", i + 2);
      i = end == std::string_view::npos ? text.size() : end + 2;
    } else if (c == '#' || (text.substr(i, 2) == "--" &&
                            (i + 2 >= text.size() ||
                             std::isspace(static_cast<unsigned char>(text[i + 2])) != 0))) {
      size_t end = text.find('\n', i);
      i = end == std::string_view::npos ? text.size() : end + 1;
    } else {
      std::string word;
      while (i < text.size() &&
             (std::isalnum(static_cast<unsigned char>(text[i])) != 0 || text[i] == '_')) {
        word += static_cast<char>(std::toupper(static_cast<unsigned char>(text[i])));
        ++i;
      }
      if (word.empty()) {
        ++i;
        continue;
      }
      words.push_back(word);
    }
  }
  return words;
}

}  // namespace

std::string FirstKeyword(std::string_view statement) {
  std::vector<std::string> words = LeadingWords(statement, 1);
  return words.empty() ? std::string() : words[0];
}

StatementKind ClassifyStatement(std::string_view statement) {
  std::vector<std::string> words = LeadingWords(statement, 3);
  if (words.empty()) return StatementKind::kIgnored;
  const std::string& first = words[0];
  std::string second = words.size() > 1 ? words[1] : "";
  if (first == "BEGIN") return StatementKind::kBegin;
  if (first == "START" && second == "TRANSACTION") return StatementKind::kBegin;
  if (first == "COMMIT") return StatementKind::kCommit;
  if (first == "ROLLBACK") {
    bool to_savepoint =
        second == "TO" || (second == "WORK" && words.size() > 2 && words[2] == "TO");
    return to_savepoint ? StatementKind::kIgnored : StatementKind::kRollback;
  }
  if (first == "SAVEPOINT" || first == "RELEASE") return StatementKind::kIgnored;
  if (first == "XA") {
    if (second == "START" || second == "BEGIN") return StatementKind::kBegin;
    if (second == "COMMIT") return StatementKind::kCommit;
    if (second == "ROLLBACK") return StatementKind::kRollback;
    return StatementKind::kIgnored;
  }
  return StatementKind::kOther;
}

}  // namespace chameleon::reader
