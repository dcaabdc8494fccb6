// DDL tokenizer and parser; see ddl_parser.h. Definitions are kept as the source wrote them
// (the translation to PostgreSQL is src/translation's job); names are unquoted exactly.
#include "translation/ddl_parser.h"

#include <cctype>

#include "translation/sql_tokens.h"

namespace chameleon::translation {
namespace {

using Token = SqlToken;

class Parser {
 public:
  Parser(std::string_view statement, std::vector<Token> tokens)
      : statement_(statement), tokens_(std::move(tokens)) {}

  bool AtEnd() const { return at_ >= tokens_.size() || IsSymbolAt(at_, ';'); }
  bool IsWordAt(size_t index, std::string_view word) const {
    return index < tokens_.size() && tokens_[index].kind == TokenKind::kWord &&
           UpperAscii(tokens_[index].text) == word;
  }
  bool IsSymbolAt(size_t index, char symbol) const {
    return index < tokens_.size() && tokens_[index].kind == TokenKind::kSymbol &&
           tokens_[index].text[0] == symbol;
  }
  bool Peek(std::string_view word, size_t ahead = 0) const { return IsWordAt(at_ + ahead, word); }
  bool PeekSymbol(char symbol) const { return IsSymbolAt(at_, symbol); }
  bool Accept(std::string_view word) {
    if (!Peek(word)) return false;
    ++at_;
    return true;
  }
  bool AcceptSymbol(char symbol) {
    if (!PeekSymbol(symbol)) return false;
    ++at_;
    return true;
  }
  bool AcceptSequence(std::initializer_list<std::string_view> words) {
    size_t index = at_;
    for (std::string_view word : words) {
      if (!IsWordAt(index, word)) return false;
      ++index;
    }
    at_ = index;
    return true;
  }

  // An identifier: a word or a backquoted name (a string where MySQL allows one, too).
  bool Identifier(std::string* out) {
    if (at_ >= tokens_.size()) return false;
    const Token& token = tokens_[at_];
    if (token.kind != TokenKind::kWord && token.kind != TokenKind::kQuoted &&
        token.kind != TokenKind::kNumber) {
      return false;
    }
    *out = token.text;
    ++at_;
    return true;
  }

  // [schema.]table
  bool Name(TableName* out) {
    std::string first;
    if (!Identifier(&first)) return false;
    if (AcceptSymbol('.')) {
      out->schema = first;
      return Identifier(&out->table);
    }
    out->schema.clear();
    out->table = first;
    return true;
  }

  // Skips to the end of the current item: a top-level ',' or ')' (not consumed) or the end.
  // Returns the text as written.
  std::string Item() {
    size_t first = at_;
    int depth = 0;
    while (!AtEnd()) {
      if (PeekSymbol('(')) {
        ++depth;
      } else if (PeekSymbol(')')) {
        if (depth == 0) break;
        --depth;
      } else if (PeekSymbol(',') && depth == 0) {
        break;
      }
      ++at_;
    }
    return Slice(first, at_);
  }

  std::string Slice(size_t first, size_t last) const {
    if (first >= last || first >= tokens_.size()) return "";
    size_t end = tokens_[last - 1].end;
    return std::string(statement_.substr(tokens_[first].begin, end - tokens_[first].begin));
  }
  std::string Rest() {
    size_t first = at_;
    while (!AtEnd())
      ++at_;
    return Slice(first, at_);
  }
  size_t at() const { return at_; }
  void set_at(size_t at) { at_ = at; }
  const Token* Current() const { return at_ < tokens_.size() ? &tokens_[at_] : nullptr; }

 private:
  std::string_view statement_;
  std::vector<Token> tokens_;
  size_t at_ = 0;
};

ParsedDdl Unsupported(std::string reason) {
  ParsedDdl ddl;
  ddl.kind = DdlKind::kUnsupported;
  ddl.reason = std::move(reason);
  return ddl;
}

bool IsKeyStart(Parser& p) {
  return p.Peek("PRIMARY") || p.Peek("KEY") || p.Peek("INDEX") || p.Peek("UNIQUE") ||
         p.Peek("CONSTRAINT") || p.Peek("FOREIGN") || p.Peek("FULLTEXT") || p.Peek("SPATIAL") ||
         p.Peek("CHECK") || p.Peek("PERIOD");
}

// "type options [FIRST | AFTER col]" -> definition and position.
void SplitPosition(std::string definition, AlterClause* clause) {
  std::string upper = UpperAscii(definition);
  size_t after = upper.rfind(" AFTER ");
  if (upper.size() >= 5 && upper.ends_with("FIRST") &&
      (upper.size() == 5 ||
       std::isspace(static_cast<unsigned char>(upper[upper.size() - 6])) != 0)) {
    clause->position = "FIRST";
    definition.resize(definition.size() - 5);
  } else if (after != std::string::npos &&
             upper.find_first_of(" (", after + 7) == std::string::npos) {
    std::string column = definition.substr(after + 7);
    if (column.size() >= 2 && column.front() == '`' && column.back() == '`') {
      column = column.substr(1, column.size() - 2);
    }
    clause->position = "AFTER " + column;
    definition.resize(after);
  }
  while (!definition.empty() && std::isspace(static_cast<unsigned char>(definition.back())) != 0) {
    definition.pop_back();
  }
  clause->definition = definition;
}

bool ParseColumnClause(Parser& p, AlterKind kind, AlterClause* clause) {
  clause->kind = kind;
  p.AcceptSequence({"IF", "EXISTS"}) || p.AcceptSequence({"IF", "NOT", "EXISTS"});
  if (!p.Identifier(&clause->name)) return false;
  if (kind == AlterKind::kChangeColumn && !p.Identifier(&clause->new_name)) return false;
  SplitPosition(p.Item(), clause);
  return true;
}

bool ParseAlterClause(Parser& p, std::vector<AlterClause>* clauses) {
  AlterClause clause;
  size_t start = p.at();
  if (p.Accept("ADD")) {
    bool has_column = p.Accept("COLUMN");
    if (!has_column && p.Accept("CONSTRAINT")) {
      if (!p.Peek("PRIMARY") && !p.Peek("UNIQUE") && !p.Peek("FOREIGN") && !p.Peek("CHECK")) {
        p.Identifier(&clause.name);
      }
    }
    if (!has_column && (p.Peek("PRIMARY"))) {
      clause.kind = AlterKind::kAddPrimaryKey;
      clause.definition = p.Item();
    } else if (!has_column && p.Peek("FOREIGN")) {
      clause.kind = AlterKind::kAddForeignKey;
      clause.definition = p.Item();
    } else if (!has_column && (p.Peek("INDEX") || p.Peek("KEY") || p.Peek("UNIQUE") ||
                               p.Peek("FULLTEXT") || p.Peek("SPATIAL"))) {
      clause.kind = AlterKind::kAddIndex;
      size_t at = p.at();
      p.Accept("UNIQUE") || p.Accept("FULLTEXT") || p.Accept("SPATIAL");
      p.Accept("INDEX") || p.Accept("KEY");
      p.AcceptSequence({"IF", "NOT", "EXISTS"});
      if (!p.PeekSymbol('(') && !p.Peek("USING") && clause.name.empty()) p.Identifier(&clause.name);
      p.set_at(at);
      clause.definition = p.Item();
    } else if (!has_column && (p.Peek("CHECK") || p.Peek("PARTITION") || p.Peek("PERIOD"))) {
      clause.kind = AlterKind::kOther;
      p.set_at(start);
      clause.definition = p.Item();
    } else if (p.AcceptSymbol('(')) {
      // ADD [COLUMN] (a INT, b INT)
      while (true) {
        AlterClause column;
        if (!ParseColumnClause(p, AlterKind::kAddColumn, &column)) return false;
        clauses->push_back(std::move(column));
        if (p.AcceptSymbol(',')) continue;
        if (!p.AcceptSymbol(')')) return false;
        break;
      }
      return true;
    } else {
      if (!ParseColumnClause(p, AlterKind::kAddColumn, &clause)) return false;
    }
  } else if (p.Accept("DROP")) {
    if (p.AcceptSequence({"PRIMARY", "KEY"})) {
      clause.kind = AlterKind::kDropPrimaryKey;
    } else if (p.AcceptSequence({"FOREIGN", "KEY"})) {
      clause.kind = AlterKind::kDropForeignKey;
      p.AcceptSequence({"IF", "EXISTS"});
      if (!p.Identifier(&clause.name)) return false;
    } else if (p.Accept("INDEX") || p.Accept("KEY")) {
      clause.kind = AlterKind::kDropIndex;
      p.AcceptSequence({"IF", "EXISTS"});
      if (!p.Identifier(&clause.name)) return false;
    } else if (p.Peek("CONSTRAINT") || p.Peek("CHECK") || p.Peek("PARTITION")) {
      p.set_at(start);
      clause.kind = AlterKind::kOther;
      clause.definition = p.Item();
    } else {
      p.Accept("COLUMN");
      clause.kind = AlterKind::kDropColumn;
      p.AcceptSequence({"IF", "EXISTS"});
      if (!p.Identifier(&clause.name)) return false;
      p.Accept("RESTRICT") || p.Accept("CASCADE");
    }
  } else if (p.Accept("MODIFY")) {
    p.Accept("COLUMN");
    if (!ParseColumnClause(p, AlterKind::kModifyColumn, &clause)) return false;
  } else if (p.Accept("CHANGE")) {
    p.Accept("COLUMN");
    if (!ParseColumnClause(p, AlterKind::kChangeColumn, &clause)) return false;
  } else if (p.Accept("RENAME")) {
    if (p.Accept("COLUMN")) {
      clause.kind = AlterKind::kRenameColumn;
      if (!p.Identifier(&clause.name) || !p.Accept("TO") || !p.Identifier(&clause.new_name)) {
        return false;
      }
    } else if (p.Accept("INDEX") || p.Accept("KEY")) {
      clause.kind = AlterKind::kRenameIndex;
      if (!p.Identifier(&clause.name) || !p.Accept("TO") || !p.Identifier(&clause.new_name)) {
        return false;
      }
    } else {
      p.Accept("TO") || p.Accept("AS");
      clause.kind = AlterKind::kRenameTable;
      if (!p.Name(&clause.rename_to)) return false;
    }
  } else if (p.Accept("ALTER")) {
    p.Accept("COLUMN");
    clause.kind = AlterKind::kAlterColumn;
    if (!p.Identifier(&clause.name)) return false;
    clause.definition = p.Item();
  } else {
    clause.kind = AlterKind::kOther;
    clause.definition = p.Item();
    if (clause.definition.empty()) return false;
  }
  if (!p.AtEnd() && !p.PeekSymbol(',')) return false;
  clauses->push_back(std::move(clause));
  return true;
}

ParsedDdl ParseCreateTable(Parser& p, bool temporary) {
  ParsedDdl ddl;
  ddl.temporary = temporary;
  ddl.if_not_exists = p.AcceptSequence({"IF", "NOT", "EXISTS"});
  TableName name;
  if (!p.Name(&name)) return Unsupported("CREATE TABLE without a table name");
  ddl.tables.push_back(name);
  bool parenthesised = p.PeekSymbol('(') && p.Peek("LIKE", 1);
  if (parenthesised) p.AcceptSymbol('(');
  if (p.Accept("LIKE")) {
    ddl.kind = DdlKind::kCreateTableLike;
    if (!p.Name(&ddl.like)) return Unsupported("CREATE TABLE ... LIKE without a table name");
    if (parenthesised && !p.AcceptSymbol(')')) return Unsupported("CREATE TABLE (LIKE: no ')'");
    return ddl;
  }
  ddl.kind = DdlKind::kCreateTable;
  if (p.AcceptSymbol('(')) {
    if (p.Peek("SELECT")) {
      ddl.kind = DdlKind::kCreateTableSelect;
      return ddl;
    }
    while (true) {
      if (IsKeyStart(p)) {
        ddl.keys.push_back(p.Item());
      } else {
        ColumnDefinition column;
        if (!p.Identifier(&column.name)) return Unsupported("CREATE TABLE: bad column definition");
        column.definition = p.Item();
        ddl.columns.push_back(std::move(column));
      }
      if (p.AcceptSymbol(',')) continue;
      if (p.AcceptSymbol(')')) break;
      return Unsupported("CREATE TABLE: unbalanced column list");
    }
  }
  // Table options, then maybe AS SELECT / SELECT.
  while (!p.AtEnd()) {
    if (p.Peek("SELECT") || p.Peek("AS")) {
      ddl.kind = DdlKind::kCreateTableSelect;
      break;
    }
    p.Item();
    if (!p.AcceptSymbol(',') && !p.AtEnd()) p.AcceptSymbol(')');
  }
  return ddl;
}

ParsedDdl Parse(Parser& p) {
  if (p.Accept("CREATE")) {
    p.AcceptSequence({"OR", "REPLACE"});
    bool temporary = p.Accept("TEMPORARY");
    if (p.Accept("TABLE")) return ParseCreateTable(p, temporary);
    ParsedDdl ddl;
    size_t at = p.at();
    p.Accept("ONLINE") || p.Accept("OFFLINE");
    ddl.unique = p.Accept("UNIQUE");
    p.Accept("FULLTEXT") || p.Accept("SPATIAL");
    if (p.Accept("INDEX")) {
      ddl.kind = DdlKind::kCreateIndex;
      ddl.if_not_exists = p.AcceptSequence({"IF", "NOT", "EXISTS"});
      if (!p.Identifier(&ddl.index_name)) return Unsupported("CREATE INDEX without a name");
      while (!p.AtEnd() && !p.Peek("ON"))
        p.Item();
      TableName table;
      if (!p.Accept("ON") || !p.Name(&table)) return Unsupported("CREATE INDEX without ON table");
      ddl.tables.push_back(table);
      ddl.index_definition = p.Rest();
      return ddl;
    }
    p.set_at(at);
    const Token* what = p.Current();
    return Unsupported("CREATE " + (what != nullptr ? UpperAscii(what->text) : std::string()) +
                       " is not replicated");
  }
  if (p.Accept("ALTER")) {
    p.Accept("ONLINE") || p.Accept("OFFLINE");
    p.Accept("IGNORE");
    if (!p.Accept("TABLE")) {
      const Token* what = p.Current();
      return Unsupported("ALTER " + (what != nullptr ? UpperAscii(what->text) : std::string()) +
                         " is not replicated");
    }
    ParsedDdl ddl;
    ddl.kind = DdlKind::kAlterTable;
    ddl.if_exists = p.AcceptSequence({"IF", "EXISTS"});
    TableName name;
    if (!p.Name(&name)) return Unsupported("ALTER TABLE without a table name");
    ddl.tables.push_back(name);
    while (!p.AtEnd()) {
      if (!ParseAlterClause(p, &ddl.clauses))
        return Unsupported("ALTER TABLE: clause not understood");
      if (!p.AcceptSymbol(',') && !p.AtEnd())
        return Unsupported("ALTER TABLE: clause not understood");
    }
    return ddl;
  }
  if (p.Accept("RENAME")) {
    if (!p.Accept("TABLE") && !p.Accept("TABLES"))
      return Unsupported("RENAME USER is not replicated");
    ParsedDdl ddl;
    ddl.kind = DdlKind::kRenameTable;
    do {
      TableName from, to;
      if (!p.Name(&from) || !p.Accept("TO") || !p.Name(&to)) {
        return Unsupported("RENAME TABLE: expected a TO b");
      }
      ddl.tables.push_back(from);
      ddl.rename_to.push_back(to);
    } while (p.AcceptSymbol(','));
    if (!p.AtEnd()) return Unsupported("RENAME TABLE: trailing text");
    return ddl;
  }
  if (p.Accept("DROP")) {
    ParsedDdl ddl;
    ddl.temporary = p.Accept("TEMPORARY");
    if (p.Accept("TABLE") || p.Accept("TABLES")) {
      ddl.kind = DdlKind::kDropTable;
      ddl.if_exists = p.AcceptSequence({"IF", "EXISTS"});
      do {
        TableName name;
        if (!p.Name(&name)) return Unsupported("DROP TABLE without a table name");
        ddl.tables.push_back(name);
      } while (p.AcceptSymbol(','));
      p.Accept("RESTRICT") || p.Accept("CASCADE");
      return ddl;
    }
    p.Accept("ONLINE") || p.Accept("OFFLINE");
    if (p.Accept("INDEX")) {
      ddl.kind = DdlKind::kDropIndex;
      ddl.if_exists = p.AcceptSequence({"IF", "EXISTS"});
      TableName table;
      if (!p.Identifier(&ddl.index_name) || !p.Accept("ON") || !p.Name(&table)) {
        return Unsupported("DROP INDEX: expected name ON table");
      }
      ddl.tables.push_back(table);
      return ddl;
    }
    const Token* what = p.Current();
    return Unsupported("DROP " + (what != nullptr ? UpperAscii(what->text) : std::string()) +
                       " is not replicated");
  }
  if (p.Accept("TRUNCATE")) {
    p.Accept("TABLE");
    ParsedDdl ddl;
    ddl.kind = DdlKind::kTruncateTable;
    TableName name;
    if (!p.Name(&name)) return Unsupported("TRUNCATE without a table name");
    ddl.tables.push_back(name);
    return ddl;
  }
  const Token* what = p.Current();
  return Unsupported(
      (what != nullptr ? UpperAscii(what->text) : std::string("an empty statement")) +
      " is not a DDL statement the replica follows");
}

std::string Quote(const std::string& name) {
  std::string out = "`";
  for (char c : name) {
    if (c == '`') out += '`';
    out += c;
  }
  return out + "`";
}

std::string QuoteName(const TableName& name) {
  return name.schema.empty() ? Quote(name.table) : Quote(name.schema) + "." + Quote(name.table);
}

}  // namespace

ParsedDdl ParseDdl(std::string_view statement) {
  std::string error;
  std::vector<Token> tokens = TokenizeSql(statement, &error);
  if (!error.empty()) return Unsupported(error);
  Parser parser(statement, std::move(tokens));
  ParsedDdl ddl = Parse(parser);
  if (ddl.kind != DdlKind::kUnsupported && ddl.kind != DdlKind::kCreateTable &&
      ddl.kind != DdlKind::kCreateTableSelect && ddl.kind != DdlKind::kCreateIndex &&
      !parser.AtEnd()) {
    return Unsupported("trailing text after the statement");
  }
  return ddl;
}

const char* DdlKindName(DdlKind kind) {
  switch (kind) {
    case DdlKind::kCreateTable:
      return "create_table";
    case DdlKind::kCreateTableLike:
      return "create_table_like";
    case DdlKind::kCreateTableSelect:
      return "create_table_select";
    case DdlKind::kAlterTable:
      return "alter_table";
    case DdlKind::kRenameTable:
      return "rename_table";
    case DdlKind::kDropTable:
      return "drop_table";
    case DdlKind::kTruncateTable:
      return "truncate_table";
    case DdlKind::kCreateIndex:
      return "create_index";
    case DdlKind::kDropIndex:
      return "drop_index";
    case DdlKind::kUnsupported:
      return "unsupported";
  }
  return "unsupported";
}

const char* AlterKindName(AlterKind kind) {
  switch (kind) {
    case AlterKind::kAddColumn:
      return "add_column";
    case AlterKind::kDropColumn:
      return "drop_column";
    case AlterKind::kModifyColumn:
      return "modify_column";
    case AlterKind::kChangeColumn:
      return "change_column";
    case AlterKind::kRenameColumn:
      return "rename_column";
    case AlterKind::kAlterColumn:
      return "alter_column";
    case AlterKind::kAddIndex:
      return "add_index";
    case AlterKind::kDropIndex:
      return "drop_index";
    case AlterKind::kAddPrimaryKey:
      return "add_primary_key";
    case AlterKind::kDropPrimaryKey:
      return "drop_primary_key";
    case AlterKind::kAddForeignKey:
      return "add_foreign_key";
    case AlterKind::kDropForeignKey:
      return "drop_foreign_key";
    case AlterKind::kRenameTable:
      return "rename_table";
    case AlterKind::kRenameIndex:
      return "rename_index";
    case AlterKind::kOther:
      return "other";
  }
  return "other";
}

std::string DescribeDdl(const ParsedDdl& ddl) {
  std::string text = DdlKindName(ddl.kind);
  if (ddl.kind == DdlKind::kUnsupported) return text + ": " + ddl.reason;
  if (ddl.temporary) text += " temporary";
  if (ddl.if_exists) text += " if_exists";
  if (ddl.if_not_exists) text += " if_not_exists";
  for (size_t i = 0; i < ddl.tables.size(); ++i) {
    text += (i == 0 ? " " : ", ") + QuoteName(ddl.tables[i]);
    if (i < ddl.rename_to.size()) text += " to " + QuoteName(ddl.rename_to[i]);
  }
  if (ddl.kind == DdlKind::kCreateTableLike) text += " like " + QuoteName(ddl.like);
  if (!ddl.index_name.empty())
    text += std::string(ddl.unique ? " unique" : "") + " index " + Quote(ddl.index_name);
  if (!ddl.index_definition.empty()) text += " " + ddl.index_definition;
  for (const ColumnDefinition& column : ddl.columns)
    text += " column(" + Quote(column.name) + " " + column.definition + ")";
  for (const std::string& key : ddl.keys)
    text += " key(" + key + ")";
  for (const AlterClause& clause : ddl.clauses) {
    text += std::string(" ") + AlterKindName(clause.kind) + "(";
    std::string inner;
    if (!clause.name.empty()) inner += Quote(clause.name);
    if (!clause.new_name.empty()) inner += " to " + Quote(clause.new_name);
    if (clause.kind == AlterKind::kRenameTable) inner += QuoteName(clause.rename_to);
    if (!clause.definition.empty()) inner += (inner.empty() ? "" : " ") + clause.definition;
    if (!clause.position.empty()) inner += " " + clause.position;
    text += inner + ")";
  }
  return text;
}

}  // namespace chameleon::translation
