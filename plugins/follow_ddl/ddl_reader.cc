// DDL recognition on the shared lexer (see ddl_reader.h and docs/follow_ddl.md).
#include "plugins/follow_ddl/ddl_reader.h"

#include <algorithm>
#include <cstring>
#include <initializer_list>

namespace shadowproxy::follow_ddl {
namespace {

using sql::EqualsKeyword;
using sql::Token;
using sql::TokenKind;

bool IsWordToken(const Token& t) { return t.kind == TokenKind::kWord; }

// One statement's tokens, read on demand from the lexer (only statements that start with a DDL
// keyword are collected).
class Statement {
 public:
  Statement(const sql::Lexer& lexer, std::vector<Token> tokens)
      : lexer_(lexer), t_(std::move(tokens)) {}

  size_t size() const { return t_.size(); }
  bool Word(size_t i, std::string_view upper) const {
    return i < t_.size() && IsWordToken(t_[i]) && EqualsKeyword(lexer_.Text(t_[i]), upper);
  }
  bool AnyWord(size_t i, std::initializer_list<std::string_view> words) const {
    for (auto w : words)
      if (Word(i, w)) return true;
    return false;
  }
  bool Symbol(size_t i, char c) const {
    return i < t_.size() && t_[i].kind == TokenKind::kSymbol && lexer_.Text(t_[i]).size() == 1 &&
           lexer_.Text(t_[i])[0] == c;
  }
  bool Ident(size_t i) const {
    return i < t_.size() &&
           (t_[i].kind == TokenKind::kWord || t_[i].kind == TokenKind::kQuotedIdent);
  }
  std::string IdentValue(size_t i) const {
    return t_[i].kind == TokenKind::kQuotedIdent ? sql::UnquoteIdentifier(lexer_.Text(t_[i]))
                                                 : std::string(lexer_.Text(t_[i]));
  }
  // ident [. ident] at *i: the table; advances *i past it.
  bool Name(size_t* i, TableRef* out) const {
    if (!Ident(*i)) return false;
    std::string first = IdentValue(*i);
    if (Symbol(*i + 1, '.') && Ident(*i + 2)) {
      out->database = std::move(first);
      out->table = IdentValue(*i + 2);
      *i += 3;
    } else {
      out->database.clear();
      out->table = std::move(first);
      *i += 1;
    }
    return !out->table.empty();
  }
  // Skips `IF [NOT] EXISTS` at *i.
  void SkipIfExists(size_t* i, bool not_word) const {
    if (!Word(*i, "IF")) return;
    size_t j = *i + 1;
    if (not_word) {
      if (!Word(j, "NOT")) return;
      ++j;
    }
    if (Word(j, "EXISTS")) *i = j + 1;
  }
  void SkipWait(size_t* i) const {
    if (Word(*i, "NOWAIT")) {
      ++*i;
    } else if (Word(*i, "WAIT") && *i + 1 < t_.size() && t_[*i + 1].kind == TokenKind::kNumber) {
      *i += 2;
    }
  }

 private:
  const sql::Lexer& lexer_;
  std::vector<Token> t_;
};

std::string Display(const TableRef& t) {
  std::string out = t.database;
  if (!out.empty()) out += '.';
  out += t.table;
  return out;
}

enum class Verdict { kNone, kDdl, kUnreadable };

struct Parsed {
  Verdict verdict = Verdict::kNone;
  DdlStatement ddl;
  std::string why;  // kUnreadable
};

Parsed Unreadable(std::string why) {
  Parsed p;
  p.verdict = Verdict::kUnreadable;
  p.why = std::move(why);
  return p;
}

Parsed Ddl(DdlKind kind, std::vector<TableRef> tables, std::vector<TableRef> dropped) {
  Parsed p;
  p.verdict = Verdict::kDdl;
  p.ddl.kind = kind;
  p.ddl.summary = std::string(KindName(kind));
  const TableRef& first = !tables.empty() ? tables.front() : dropped.front();
  p.ddl.summary += ' ';
  p.ddl.summary += Display(first);
  p.ddl.summary += " ...";
  p.ddl.tables = std::move(tables);
  p.ddl.dropped = std::move(dropped);
  return p;
}

Parsed ParseCreate(const Statement& s) {
  size_t i = 1;
  if (s.Word(i, "OR") && s.Word(i + 1, "REPLACE")) i += 2;
  if (s.AnyWord(i,
                {"DEFINER", "PROCEDURE", "FUNCTION", "TRIGGER", "EVENT", "PACKAGE", "AGGREGATE"}))
    return Unreadable("a CREATE of a stored program (its body may hold ';')");
  if (s.Word(i, "TEMPORARY")) return {};  // session-local: nothing to shadow
  if (s.AnyWord(i, {"UNIQUE", "FULLTEXT", "SPATIAL"})) ++i;
  if (s.AnyWord(i, {"ONLINE", "OFFLINE"})) ++i;
  TableRef t;
  if (s.Word(i, "TABLE")) {
    ++i;
    s.SkipIfExists(&i, true);
    if (!s.Name(&i, &t)) return Unreadable("CREATE TABLE without a table name it can read");
    return Ddl(DdlKind::kCreateTable, {t}, {});
  }
  if (s.Word(i, "INDEX")) {
    ++i;
    s.SkipIfExists(&i, true);
    if (!s.Ident(i)) return Unreadable("CREATE INDEX without an index name it can read");
    ++i;
    if (s.Word(i, "USING") && s.Ident(i + 1)) i += 2;
    if (!s.Word(i, "ON")) return Unreadable("CREATE INDEX without ON");
    ++i;
    if (!s.Name(&i, &t)) return Unreadable("CREATE INDEX ... ON without a table name");
    return Ddl(DdlKind::kCreateIndex, {t}, {});
  }
  return {};  // VIEW, DATABASE, USER, SEQUENCE, ...
}

Parsed ParseAlter(const Statement& s) {
  size_t i = 1;
  if (s.AnyWord(i, {"DEFINER", "EVENT"}))
    return Unreadable("an ALTER EVENT (its body may hold ';')");
  if (s.Word(i, "ONLINE")) ++i;
  if (s.Word(i, "IGNORE")) ++i;
  if (!s.Word(i, "TABLE")) return {};
  ++i;
  s.SkipIfExists(&i, false);
  TableRef t;
  if (!s.Name(&i, &t)) return Unreadable("ALTER TABLE without a table name it can read");
  s.SkipWait(&i);
  // RENAME [TO | AS] name as one of the alter specifications (each starts after the name or a
  // ',' outside parentheses): the table ends under its new name.
  int depth = 0;
  bool spec_start = true;
  for (; i < s.size(); ++i) {
    if (s.Symbol(i, '(')) {
      ++depth;
    } else if (s.Symbol(i, ')')) {
      --depth;
    } else if (depth == 0 && s.Symbol(i, ',')) {
      spec_start = true;
      continue;
    } else if (spec_start && depth == 0 && s.Word(i, "RENAME") &&
               !s.AnyWord(i + 1, {"COLUMN", "INDEX", "KEY", "CONSTRAINT"})) {
      size_t j = i + 1;
      if (s.AnyWord(j, {"TO", "AS"})) ++j;
      TableRef to;
      if (!s.Name(&j, &to)) return Unreadable("ALTER TABLE ... RENAME without a new name");
      return Ddl(DdlKind::kAlterTable, {to}, {t});
    }
    spec_start = false;
  }
  return Ddl(DdlKind::kAlterTable, {t}, {});
}

Parsed ParseRename(const Statement& s) {
  size_t i = 1;
  if (!s.AnyWord(i, {"TABLE", "TABLES"})) return {};  // RENAME USER
  ++i;
  s.SkipIfExists(&i, false);
  std::vector<TableRef> now, gone;
  for (;;) {
    TableRef from, to;
    if (!s.Name(&i, &from)) return Unreadable("RENAME TABLE without a table name it can read");
    s.SkipWait(&i);
    if (!s.Word(i, "TO")) return Unreadable("RENAME TABLE without TO");
    ++i;
    if (!s.Name(&i, &to)) return Unreadable("RENAME TABLE ... TO without a new name");
    // a TO b, b TO c: b was only on the way.
    auto at = std::find(now.begin(), now.end(), from);
    if (at != now.end())
      now.erase(at);
    else
      gone.push_back(from);
    gone.erase(std::remove(gone.begin(), gone.end(), to), gone.end());
    now.push_back(to);
    if (!s.Symbol(i, ',')) break;
    ++i;
  }
  if (i != s.size()) return Unreadable("RENAME TABLE with something after its names");
  if (now.empty()) return {};
  return Ddl(DdlKind::kRenameTable, std::move(now), std::move(gone));
}

Parsed ParseDrop(const Statement& s) {
  size_t i = 1;
  if (s.Word(i, "TEMPORARY")) return {};
  TableRef t;
  if (s.AnyWord(i, {"TABLE", "TABLES"})) {
    ++i;
    s.SkipIfExists(&i, false);
    std::vector<TableRef> dropped;
    for (;;) {
      if (!s.Name(&i, &t)) return Unreadable("DROP TABLE without a table name it can read");
      dropped.push_back(t);
      if (!s.Symbol(i, ',')) break;
      ++i;
    }
    return Ddl(DdlKind::kDropTable, {}, std::move(dropped));
  }
  if (s.Word(i, "INDEX")) {
    ++i;
    if (s.AnyWord(i, {"ONLINE", "OFFLINE"})) ++i;
    s.SkipIfExists(&i, false);
    if (!s.Ident(i)) return Unreadable("DROP INDEX without an index name it can read");
    ++i;
    if (!s.Word(i, "ON")) return Unreadable("DROP INDEX without ON");
    ++i;
    if (!s.Name(&i, &t)) return Unreadable("DROP INDEX ... ON without a table name");
    return Ddl(DdlKind::kDropIndex, {t}, {});
  }
  return {};
}

}  // namespace

std::string_view KindName(DdlKind kind) {
  switch (kind) {
    case DdlKind::kCreateTable:
      return "CREATE TABLE";
    case DdlKind::kAlterTable:
      return "ALTER TABLE";
    case DdlKind::kRenameTable:
      return "RENAME TABLE";
    case DdlKind::kCreateIndex:
      return "CREATE INDEX";
    case DdlKind::kDropIndex:
      return "DROP INDEX";
    case DdlKind::kDropTable:
      return "DROP TABLE";
  }
  return "DDL";
}

ReadResult ReadDdl(std::string_view text, const sql::Dialect& dialect) {
  ReadResult out;
  sql::Lexer lexer(text, dialect);
  uint32_t index = 0;
  bool index_known = true;
  std::string use_db;  // a USE earlier in the query
  for (;; ++index) {
    Token first = lexer.Next();
    while (first.kind == TokenKind::kSymbol && lexer.Text(first) == ";") first = lexer.Next();
    if (first.kind == TokenKind::kEnd) return out;
    if (first.kind == TokenKind::kError) {
      out.unreadable = "unterminated string, identifier or comment";
      return out;
    }
    const std::string_view w = IsWordToken(first) ? lexer.Text(first) : std::string_view();
    const bool ddl_word = EqualsKeyword(w, "CREATE") || EqualsKeyword(w, "ALTER") ||
                          EqualsKeyword(w, "RENAME") || EqualsKeyword(w, "DROP");
    std::vector<Token> tokens;
    if (ddl_word || EqualsKeyword(w, "USE")) tokens.push_back(first);
    if (!ddl_word && tokens.empty()) {
      // Not DDL. Is there a statement after it at all?
      const size_t rest = first.end;
      if (std::memchr(text.data() + rest, ';', text.size() - rest) == nullptr) return out;
      if (EqualsKeyword(w, "CALL") || EqualsKeyword(w, "EXECUTE")) index_known = false;
      const bool compound = EqualsKeyword(w, "IF") || EqualsKeyword(w, "WHILE") ||
                            EqualsKeyword(w, "LOOP") || EqualsKeyword(w, "REPEAT") ||
                            EqualsKeyword(w, "CASE") || EqualsKeyword(w, "DECLARE") ||
                            EqualsKeyword(w, "FOR");
      Token second = lexer.Next();
      if (compound ||
          (EqualsKeyword(w, "BEGIN") && IsWordToken(second) &&
           EqualsKeyword(lexer.Text(second), "NOT")) ||
          (!w.empty() && second.kind == TokenKind::kSymbol && lexer.Text(second) == ":")) {
        out.unreadable = "a compound statement (its body may hold ';')";
        return out;
      }
      for (Token t = second;; t = lexer.Next()) {
        if (t.kind == TokenKind::kEnd) return out;
        if (t.kind == TokenKind::kError) {
          out.unreadable = "unterminated string, identifier or comment";
          return out;
        }
        if (t.kind == TokenKind::kSymbol && lexer.Text(t) == ";") break;
      }
      continue;
    }
    bool ended = false;
    for (;;) {
      Token t = lexer.Next();
      if (t.kind == TokenKind::kEnd) {
        ended = true;
        break;
      }
      if (t.kind == TokenKind::kError) {
        out.unreadable = "unterminated string, identifier or comment";
        return out;
      }
      if (t.kind == TokenKind::kSymbol && lexer.Text(t) == ";") break;
      tokens.push_back(t);
    }
    Statement s(lexer, std::move(tokens));
    Parsed p;
    if (EqualsKeyword(w, "USE")) {
      if (s.size() == 2 && s.Ident(1)) use_db = s.IdentValue(1);
    } else if (EqualsKeyword(w, "CREATE")) {
      p = ParseCreate(s);
    } else if (EqualsKeyword(w, "ALTER")) {
      p = ParseAlter(s);
    } else if (EqualsKeyword(w, "RENAME")) {
      p = ParseRename(s);
    } else {
      p = ParseDrop(s);
    }
    if (p.verdict == Verdict::kUnreadable) {
      out.unreadable = std::move(p.why);
      return out;
    }
    if (p.verdict == Verdict::kDdl) {
      p.ddl.index = index;
      p.ddl.index_known = index_known;
      for (auto* list : {&p.ddl.tables, &p.ddl.dropped})
        for (TableRef& t : *list)
          if (t.database.empty()) t.database = use_db;
      out.ddl.push_back(std::move(p.ddl));
    }
    if (ended) return out;
  }
}

}  // namespace shadowproxy::follow_ddl
