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

std::string XaId(std::string_view statement) {
  std::vector<std::string> words = LeadingWords(statement, 2);
  if (words.size() < 2 || words[0] != "XA") return "";
  // The xid follows the second keyword; the server logs it in one canonical form.
  size_t xa = statement.find_first_not_of(" \t\n");
  if (xa == std::string_view::npos) return "";
  size_t verb = statement.find_first_not_of(" \t\n", xa + 2);
  if (verb == std::string_view::npos) return "";
  std::string_view rest = statement.substr(verb + words[1].size());
  auto trim = [](std::string_view text) {
    size_t first = text.find_first_not_of(" \t\n;");
    if (first == std::string_view::npos) return std::string_view();
    size_t last = text.find_last_not_of(" \t\n;");
    return text.substr(first, last - first + 1);
  };
  rest = trim(rest);
  constexpr std::string_view kOnePhase = "ONE PHASE";
  if (rest.size() >= kOnePhase.size()) {
    std::string tail(rest.substr(rest.size() - kOnePhase.size()));
    for (char& c : tail)
      c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (tail == kOnePhase) rest = trim(rest.substr(0, rest.size() - kOnePhase.size()));
  }
  std::string id(rest);
  for (char& c : id)  // hex digits in either case name the same xid
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return id;
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
