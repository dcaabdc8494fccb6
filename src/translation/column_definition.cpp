// Column and key definitions of MySQL DDL; see column_definition.h.
#include "translation/column_definition.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <map>

#include "common/strings.h"
#include "pg/connection.h"
#include "translation/sql_tokens.h"

namespace chameleon::translation {
namespace {

// Walks the tokens of one definition.
class Cursor {
 public:
  explicit Cursor(std::vector<SqlToken> tokens) : tokens_(std::move(tokens)) {}

  bool AtEnd() const { return at_ >= tokens_.size(); }
  const SqlToken* Current() const { return AtEnd() ? nullptr : &tokens_[at_]; }
  bool PeekWord(std::string_view word, size_t ahead = 0) const {
    size_t index = at_ + ahead;
    return index < tokens_.size() && tokens_[index].kind == TokenKind::kWord &&
           UpperAscii(tokens_[index].text) == word;
  }
  bool PeekSymbol(char symbol) const {
    return !AtEnd() && tokens_[at_].kind == TokenKind::kSymbol && tokens_[at_].text[0] == symbol;
  }
  bool Accept(std::string_view word) {
    if (!PeekWord(word)) return false;
    ++at_;
    return true;
  }
  bool AcceptSymbol(char symbol) {
    if (!PeekSymbol(symbol)) return false;
    ++at_;
    return true;
  }
  void Skip() { ++at_; }
  // A name: a word or a `quoted` one.
  bool Identifier(std::string* out) {
    const SqlToken* token = Current();
    if (token == nullptr || (token->kind != TokenKind::kWord && token->kind != TokenKind::kQuoted &&
                             token->kind != TokenKind::kNumber)) {
      return false;
    }
    *out = token->text;
    ++at_;
    return true;
  }
  // The tokens of a parenthesised group (the cursor on its '('), without the outer parens.
  std::vector<SqlToken> Group() {
    std::vector<SqlToken> inner;
    if (!AcceptSymbol('(')) return inner;
    int depth = 0;
    while (!AtEnd()) {
      if (PeekSymbol('(')) ++depth;
      if (PeekSymbol(')') && depth-- == 0) {
        ++at_;
        break;
      }
      inner.push_back(tokens_[at_++]);
    }
    return inner;
  }
  // Skips an expression: a group, or one token and the group of a function call after it.
  void SkipExpression() {
    if (PeekSymbol('(')) {
      Group();
      return;
    }
    ++at_;
    if (PeekSymbol('(')) Group();
  }

 private:
  std::vector<SqlToken> tokens_;
  size_t at_ = 0;
};

// MySQL's type synonyms, to the name information_schema reports.
const std::map<std::string, std::string>& TypeSynonyms() {
  static const std::map<std::string, std::string> synonyms = {
      {"integer", "int"},         {"int4", "int"},        {"int1", "tinyint"},
      {"int2", "smallint"},       {"int3", "mediumint"},  {"int8", "bigint"},
      {"middleint", "mediumint"}, {"dec", "decimal"},     {"numeric", "decimal"},
      {"fixed", "decimal"},       {"real", "double"},     {"float4", "float"},
      {"float8", "double"},       {"character", "char"},  {"nchar", "char"},
      {"nvarchar", "varchar"},    {"long", "mediumtext"}, {"bool", "tinyint"},
      {"boolean", "tinyint"},     {"serial", "bigint"},
  };
  return synonyms;
}

// MariaDB's display width of an integer type written without one.
int DefaultWidth(const std::string& type, bool is_unsigned) {
  if (type == "tinyint") return is_unsigned ? 3 : 4;
  if (type == "smallint") return is_unsigned ? 5 : 6;
  if (type == "mediumint") return is_unsigned ? 8 : 9;
  if (type == "int") return is_unsigned ? 10 : 11;
  return 20;  // bigint
}

bool IsIntegerName(const std::string& type) {
  return type == "tinyint" || type == "smallint" || type == "mediumint" || type == "int" ||
         type == "bigint";
}

// A string default as MariaDB's COLUMN_DEFAULT shows it: quoted, quotes and backslashes
// escaped (DefaultClause undoes exactly this).
std::string QuoteDefault(const std::string& text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'' || c == '\\') out += c == '\'' ? '\'' : '\\';
    out += c;
  }
  return out + "'";
}

// The type: name, arguments and attributes -> data_type and the candidate COLUMN_TYPEs.
struct TypeText {
  std::string data_type;
  std::vector<std::string> arguments;  // numbers, or labels for enum/set
  bool is_unsigned = false;
  bool zerofill = false;
  bool serial = false;
};

Status ReadType(Cursor& cursor, const std::string& column, TypeText* type) {
  std::string word;
  const SqlToken* first = cursor.Current();
  if (first == nullptr || first->kind != TokenKind::kWord) {
    return Status::InvalidArgument(fmt::format("column {}: no type", column));
  }
  word = ToLower(first->text);
  cursor.Skip();
  if (word == "national") {
    const SqlToken* next = cursor.Current();
    if (next != nullptr) {
      word = ToLower(next->text);
      cursor.Skip();
    }
  }
  if (word == "double") cursor.Accept("PRECISION");
  if ((word == "character" || word == "char") && cursor.Accept("VARYING")) word = "varchar";
  if (word == "long") {
    if (cursor.Accept("VARBINARY")) {
      word = "mediumblob";
    } else {
      cursor.Accept("VARCHAR");
    }
  }
  auto synonym = TypeSynonyms().find(word);
  type->serial = word == "serial";
  bool boolean = word == "bool" || word == "boolean";
  if (synonym != TypeSynonyms().end()) word = synonym->second;
  if (word == "character") word = "char";
  type->data_type = word;
  if (cursor.PeekSymbol('(')) {
    for (const SqlToken& token : cursor.Group()) {
      if (token.kind == TokenKind::kString || token.kind == TokenKind::kNumber) {
        type->arguments.push_back(token.text);
      }
    }
  }
  if (boolean) type->arguments = {"1"};
  if (type->serial) type->is_unsigned = true;
  // FLOAT(p): MySQL makes p in 25..53 a DOUBLE column (information_schema says double).
  if (word == "float" && type->arguments.size() == 1) {
    int precision = std::atoi(type->arguments[0].c_str());
    if (precision > 24) type->data_type = "double";
    type->arguments.clear();
  }
  return Status::Ok();
}

std::string Arguments(const TypeText& type) {
  if (type.arguments.empty()) return "";
  if (type.data_type == "enum" || type.data_type == "set") {
    std::vector<std::string> labels;
    for (const auto& label : type.arguments)
      labels.push_back(QuoteEnumLabel(label));
    return "(" + Join(labels, ",") + ")";
  }
  return "(" + Join(type.arguments, ",") + ")";
}

// COLUMN_TYPE with MariaDB's display widths, then as MySQL 8 writes it.
std::vector<std::string> ColumnTypes(const TypeText& type) {
  std::string suffix =
      std::string(type.is_unsigned ? " unsigned" : "") + (type.zerofill ? " zerofill" : "");
  std::string written = type.data_type + Arguments(type);
  std::string mariadb = written;
  if (IsIntegerName(type.data_type) && type.arguments.empty()) {
    mariadb = fmt::format("{}({})", type.data_type, DefaultWidth(type.data_type, type.is_unsigned));
  } else if (type.data_type == "decimal" && type.arguments.size() < 2) {
    mariadb = fmt::format("decimal({},0)", type.arguments.empty() ? "10" : type.arguments[0]);
  } else if ((type.data_type == "char" || type.data_type == "binary" || type.data_type == "bit") &&
             type.arguments.empty()) {
    mariadb = type.data_type + "(1)";
  } else if (type.data_type == "year" && type.arguments.empty()) {
    mariadb = "year(4)";
  }
  return {mariadb + suffix, written + suffix};
}

// DEFAULT's value as MariaDB's COLUMN_DEFAULT shows it.
std::string ReadDefault(Cursor& cursor) {
  const SqlToken* token = cursor.Current();
  if (token == nullptr) return "";
  if (token->kind == TokenKind::kString) {
    cursor.Skip();
    return QuoteDefault(token->text);
  }
  std::string sign;
  if (token->kind == TokenKind::kSymbol && (token->text == "-" || token->text == "+")) {
    sign = token->text == "-" ? "-" : "";
    cursor.Skip();
    token = cursor.Current();
    if (token == nullptr || token->kind != TokenKind::kNumber) return "(expression)";
  }
  if (token->kind == TokenKind::kNumber) {
    std::string number = sign + token->text;
    cursor.Skip();
    if (cursor.PeekSymbol('.')) {  // the tokenizer reads 1.5 as 1 . 5
      cursor.Skip();
      const SqlToken* fraction = cursor.Current();
      number += ".";
      if (fraction != nullptr && fraction->kind == TokenKind::kNumber) {
        number += fraction->text;
        cursor.Skip();
      }
    }
    return number;
  }
  if (token->kind == TokenKind::kSymbol && token->text == "(") {
    cursor.SkipExpression();
    return "(expression)";
  }
  std::string word = ToLower(token->text);
  cursor.Skip();
  if (word == "null") return "NULL";
  if (word == "true") return "1";
  if (word == "false") return "0";
  if ((word == "b" || word == "x") && cursor.Current() != nullptr &&
      cursor.Current()->kind == TokenKind::kString) {
    std::string bits = cursor.Current()->text;
    cursor.Skip();
    return word == "b" ? "b'" + bits + "'" : "x'" + bits + "'";
  }
  if (!word.empty() && word[0] == '_' && cursor.Current() != nullptr &&
      cursor.Current()->kind == TokenKind::kString) {
    std::string text = cursor.Current()->text;  // _utf8mb4'text': a charset introducer
    cursor.Skip();
    return QuoteDefault(text);
  }
  if (word == "current_timestamp" || word == "now" || word == "localtime" ||
      word == "localtimestamp") {
    if (cursor.PeekSymbol('(')) cursor.Group();
    return "current_timestamp()";
  }
  if (cursor.PeekSymbol('(')) cursor.Group();
  return word + "(...)";  // an expression PostgreSQL would need its own form of
}

}  // namespace

std::string ReadDefaultValue(std::string_view text) {
  std::string error;
  Cursor cursor(TokenizeSql(text, &error));
  if (!error.empty()) return "(expression)";
  return ReadDefault(cursor);
}

std::string ImplicitDefault(const ColumnType& type) {
  switch (type.kind) {
    case ValueKind::kText:
      return pg::QuoteLiteral(type.enum_labels.empty() ? "" : type.enum_labels.front());
    case ValueKind::kBytes:
    case ValueKind::kSpatial:
      return "''::bytea";
    case ValueKind::kBit:
      return "B'" + std::string(static_cast<size_t>(std::max(type.bit_width, 1)), '0') + "'";
    case ValueKind::kBoolean:
      return "false";
    case ValueKind::kDate:
    case ValueKind::kDateTime:
    case ValueKind::kTimestamp:
      return pg::QuoteLiteral(type.zero_date_value);
    case ValueKind::kTime:
      return "'00:00:00'";
    case ValueKind::kSet:
      return "'{}'";
    case ValueKind::kJson:
      return "'null'";
    case ValueKind::kVerbatim:
      break;
  }
  if (type.pg_type == "uuid") return "'00000000-0000-0000-0000-000000000000'";
  if (type.pg_type == "inet") return "'::'";
  return "0";
}

void FillFromColumnType(SourceColumn* column) {
  std::string lowered = ToLower(Trim(column->column_type));
  column->data_type = lowered.substr(0, lowered.find_first_of("( "));
  // The numbers inside the first "(...)": "decimal(10,2)" -> {10, 2}.
  std::vector<int64_t> arguments;
  size_t open = lowered.find('(');
  size_t close = lowered.find(')', open == std::string::npos ? 0 : open);
  if (open != std::string::npos && close != std::string::npos) {
    for (const std::string& part : Split(lowered.substr(open + 1, close - open - 1), ',')) {
      std::string trimmed = Trim(part);
      int64_t number = 0;
      auto [end, failed] = std::from_chars(trimmed.data(), trimmed.data() + trimmed.size(), number);
      if (failed != std::errc() || end != trimmed.data() + trimmed.size()) {
        arguments.clear();
        break;
      }
      arguments.push_back(number);
    }
  }
  const std::string& type = column->data_type;
  if (type == "char" || type == "varchar" || type == "binary" || type == "varbinary") {
    if (!arguments.empty()) column->character_maximum_length = arguments[0];
  } else if (type == "decimal" || type == "numeric" || type == "dec" || type == "fixed") {
    if (!arguments.empty()) column->numeric_precision = arguments[0];
    if (arguments.size() > 1) column->numeric_scale = arguments[1];
  } else if (type == "bit") {
    column->numeric_precision = arguments.empty() ? 1 : arguments[0];
  } else if (type == "datetime" || type == "timestamp" || type == "time") {
    if (!arguments.empty()) column->datetime_precision = arguments[0];
  }
}

Result<ParsedColumn> ParseColumnDefinition(const std::string& name, std::string_view definition,
                                           const std::vector<config::TypeOverride>& overrides) {
  std::string error;
  Cursor cursor(TokenizeSql(definition, &error));
  if (!error.empty()) {
    return Status::InvalidArgument(fmt::format("column {}: {}", name, error));
  }
  ParsedColumn parsed;
  SourceColumn& column = parsed.column;
  column.name = name;
  TypeText type;
  RETURN_IF_ERROR(ReadType(cursor, name, &type));
  std::vector<std::string> extras;
  while (!cursor.AtEnd()) {
    if (cursor.Accept("UNSIGNED")) {
      type.is_unsigned = true;
    } else if (cursor.Accept("ZEROFILL")) {
      type.zerofill = true;
      type.is_unsigned = true;
    } else if (cursor.Accept("SIGNED") || cursor.Accept("BINARY") || cursor.Accept("ASCII") ||
               cursor.Accept("UNICODE") || cursor.Accept("BYTE") || cursor.Accept("INVISIBLE") ||
               cursor.Accept("VIRTUAL") || cursor.Accept("PERSISTENT") || cursor.Accept("STORED")) {
    } else if (cursor.Accept("NOT")) {
      if (cursor.Accept("NULL")) column.nullable = false;
    } else if (cursor.Accept("NULL")) {
      column.nullable = true;
    } else if (cursor.Accept("CHARACTER") || cursor.Accept("CHARSET")) {
      cursor.Accept("SET");
      // CHARACTER SET binary makes a character type its binary twin (bytes, not text).
      if (cursor.Accept("BINARY")) {
        static const std::map<std::string, std::string> kBinaryTwin = {
            {"char", "binary"}, {"varchar", "varbinary"},     {"tinytext", "tinyblob"},
            {"text", "blob"},   {"mediumtext", "mediumblob"}, {"longtext", "longblob"}};
        auto twin = kBinaryTwin.find(type.data_type);
        if (twin != kBinaryTwin.end()) type.data_type = twin->second;
      } else {
        cursor.Skip();  // the charset name
      }
    } else if (cursor.Accept("COLLATE") || cursor.Accept("COLUMN_FORMAT") ||
               cursor.Accept("STORAGE")) {
      cursor.Skip();  // the collation or format name
    } else if (cursor.Accept("DEFAULT")) {
      column.default_value = ReadDefault(cursor);
    } else if (cursor.PeekWord("ON") && cursor.PeekWord("UPDATE", 1)) {
      cursor.Skip();
      cursor.Skip();
      cursor.SkipExpression();
    } else if (cursor.Accept("AUTO_INCREMENT")) {
      extras.emplace_back("auto_increment");
    } else if (cursor.Accept("UNIQUE")) {
      cursor.Accept("KEY");
      parsed.unique = true;
    } else if (cursor.Accept("PRIMARY") || cursor.Accept("KEY")) {
      cursor.Accept("KEY");
      parsed.primary_key = true;
      column.nullable = false;
    } else if (cursor.Accept("COMMENT")) {
      const SqlToken* comment = cursor.Current();
      if (comment != nullptr && comment->kind == TokenKind::kString) {
        column.comment = comment->text;
        cursor.Skip();
      }
    } else if (cursor.Accept("REFERENCES")) {
      std::string ignored;
      cursor.Identifier(&ignored);
      if (cursor.AcceptSymbol('.')) cursor.Identifier(&ignored);
      if (cursor.PeekSymbol('(')) cursor.Group();
      // MATCH/ON DELETE/ON UPDATE words follow; the loop skips them as unknown words.
    } else if (cursor.Accept("CONSTRAINT")) {
      if (!cursor.PeekWord("CHECK")) cursor.Skip();
    } else if (cursor.Accept("GENERATED") || cursor.Accept("AS")) {
      cursor.Accept("ALWAYS");
      cursor.Accept("AS");
      cursor.SkipExpression();
      parsed.generated = true;
    } else if (cursor.Accept("WITH") || cursor.Accept("WITHOUT")) {
      cursor.Accept("SYSTEM");
      cursor.Accept("VERSIONING");
    } else {
      cursor.SkipExpression();  // CHECK (...), MATCH FULL, ON DELETE CASCADE, SRID 4326, ...
    }
  }
  if (type.serial) {
    column.nullable = false;
    parsed.unique = true;
    extras.emplace_back("auto_increment");
  }
  std::vector<std::string> candidates = ColumnTypes(type);
  column.column_type = candidates.front();
  for (const std::string& candidate : candidates) {
    bool matched = std::any_of(overrides.begin(), overrides.end(), [&](const auto& entry) {
      return ToLower(Trim(entry.mysql_column_type)) == candidate;
    });
    if (matched) {
      column.column_type = candidate;
      break;
    }
  }
  FillFromColumnType(&column);
  column.data_type = type.data_type;
  column.extra = Join(extras, " ");
  return parsed;
}

Result<std::vector<std::string>> ParseKeyParts(std::string_view parts, bool* has_prefix_part) {
  std::string error;
  Cursor cursor(TokenizeSql(parts, &error));
  if (!error.empty()) return Status::InvalidArgument("key parts: " + error);
  std::vector<std::string> columns;
  *has_prefix_part = false;
  if (!cursor.AcceptSymbol('(')) return Status::InvalidArgument("key parts: no '('");
  while (true) {
    std::string column;
    if (!cursor.Identifier(&column)) {
      return Status::InvalidArgument(
          "key parts: an expression key part cannot be replayed (only column names)");
    }
    columns.push_back(column);
    if (cursor.PeekSymbol('(')) {
      cursor.Group();
      *has_prefix_part = true;
    }
    cursor.Accept("ASC") || cursor.Accept("DESC");
    if (cursor.AcceptSymbol(',')) continue;
    if (cursor.AcceptSymbol(')')) break;
    return Status::InvalidArgument("key parts: expected ',' or ')'");
  }
  return columns;
}

Result<std::optional<SourceIndex>> ParseKeyDefinition(std::string_view definition) {
  std::string error;
  std::vector<SqlToken> tokens = TokenizeSql(definition, &error);
  if (!error.empty()) return Status::InvalidArgument("key definition: " + error);
  Cursor cursor(tokens);
  SourceIndex index;
  index.index_type = "BTREE";
  std::string constraint_name;
  if (cursor.Accept("CONSTRAINT")) {
    if (!cursor.PeekWord("PRIMARY") && !cursor.PeekWord("UNIQUE") && !cursor.PeekWord("FOREIGN") &&
        !cursor.PeekWord("CHECK")) {
      cursor.Identifier(&constraint_name);
    }
  }
  if (cursor.Accept("PRIMARY")) {
    cursor.Accept("KEY");
    index.name = "PRIMARY";
    index.unique = true;
  } else if (cursor.Accept("UNIQUE")) {
    index.unique = true;
    cursor.Accept("KEY") || cursor.Accept("INDEX");
  } else if (cursor.Accept("FULLTEXT") || cursor.Accept("SPATIAL")) {
    index.index_type = UpperAscii(tokens.front().text) == "FULLTEXT" ? "FULLTEXT" : "SPATIAL";
    cursor.Accept("KEY") || cursor.Accept("INDEX");
  } else if (cursor.Accept("KEY") || cursor.Accept("INDEX")) {
  } else {
    return std::optional<SourceIndex>();  // FOREIGN KEY, CHECK, PERIOD FOR ...: not an index
  }
  cursor.Accept("IF") && cursor.Accept("NOT") && cursor.Accept("EXISTS");
  if (index.name != "PRIMARY" && !cursor.PeekSymbol('(') && !cursor.PeekWord("USING")) {
    cursor.Identifier(&index.name);
  }
  if (index.name.empty()) index.name = constraint_name;
  if (cursor.Accept("USING")) {
    const SqlToken* kind = cursor.Current();
    if (kind != nullptr) index.index_type = UpperAscii(kind->text);
    cursor.Skip();
  }
  // The key parts: from '(' to the end of its group.
  const SqlToken* open = cursor.Current();
  if (open == nullptr || open->kind != TokenKind::kSymbol || open->text != "(") {
    return Status::InvalidArgument(
        fmt::format("key definition '{}': no column list", std::string(definition)));
  }
  size_t begin = open->begin;
  cursor.Group();
  const SqlToken* after = cursor.Current();
  size_t end = after != nullptr ? after->begin : definition.size();
  if (cursor.Accept("USING") && cursor.Current() != nullptr) {
    index.index_type = UpperAscii(cursor.Current()->text);
  }
  ASSIGN_OR_RETURN(index.columns,
                   ParseKeyParts(definition.substr(begin, end - begin), &index.has_prefix_part));
  if (index.name.empty()) index.name = index.columns.front();
  return std::optional<SourceIndex>(std::move(index));
}

}  // namespace chameleon::translation
