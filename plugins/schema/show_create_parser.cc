// SHOW CREATE TABLE parser (see show_create_parser.h). Each body element is cut at its
// depth-0 comma first, then parsed on its own token range, so an error is local and the
// element's verbatim text is exact.
#include "plugins/schema/show_create_parser.h"

#include <algorithm>
#include <cctype>
#include <string>

#include "plugins/schema/partition_parser.h"
#include "plugins/schema/quoting.h"
#include "plugins/schema/sql_lexer.h"

namespace shadowproxy::schema {

namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

class Parser {
 public:
  explicit Parser(const TokenStream& ts) : ts_(ts) {}

  Result<Table> Parse();

 private:
  // --- cursor over [pos_, end_) ---
  bool AtEnd() const { return pos_ >= end_; }
  const Token& Cur() const { return ts_.tokens[pos_]; }
  bool At(char c) const { return !AtEnd() && IsSymbol(Cur(), c); }
  bool AtWord(std::string_view w) const { return !AtEnd() && IsWord(Cur(), w); }
  bool AtWord2(std::string_view a, std::string_view b) const {
    return AtWord(a) && pos_ + 1 < end_ && IsWord(ts_.tokens[pos_ + 1], b);
  }
  bool Word(std::string_view w) {
    if (!AtWord(w)) return false;
    ++pos_;
    return true;
  }
  bool IsIdent() const {
    return !AtEnd() && (Cur().kind == TokenKind::kQuotedIdent || Cur().kind == TokenKind::kWord);
  }
  Status Error(std::string_view what) const {
    std::string near = AtEnd() ? "end" : std::string(Cur().text.substr(0, 40));
    size_t at = AtEnd() ? (end_ > 0 ? ts_.tokens[end_ - 1].end : 0) : Cur().begin;
    return Status(errc::kSyntax,
                  "cannot parse CREATE TABLE " + QuoteIdent(name_.empty() ? "?" : name_) + ": " +
                      std::string(what) + " near '" + near + "' at position " + std::to_string(at),
                  "42000");
  }
  // Index of the ')' matching the '(' at `open` (within end_), or end_.
  size_t GroupEnd(size_t open) const {
    int depth = 0;
    for (size_t k = open; k < end_; ++k) {
      if (IsSymbol(ts_.tokens[k], '(')) ++depth;
      if (IsSymbol(ts_.tokens[k], ')') && --depth == 0) return k;
    }
    return end_;
  }
  // Consumes a "( ... )" group; returns the verbatim inside text.
  Result<std::string> Group() {
    if (!At('(')) return Error("expected (");
    size_t close = GroupEnd(pos_);
    if (close >= end_) return Error("unbalanced parentheses");
    std::string inside = close > pos_ + 1 ? RawText(ts_, pos_ + 1, close - 1) : "";
    pos_ = close + 1;
    return inside;
  }
  std::string Raw(size_t first, size_t last) const { return RawText(ts_, first, last); }

  Status Header(Table* t);
  Status Body(Table* t);
  Status Element(Table* t, size_t first, size_t last, size_t position);
  Status ColumnDef(Column* c);
  Status TypeDef(Column* c);
  Result<std::string> Expr(DefaultKind* kind);
  Status IndexDef(Index* idx, const std::string& constraint_name);
  Status IndexParts(Index* idx);
  Status ForeignKeyDef(ForeignKey* fk, size_t first);
  Status CheckDef(Check* ck);
  Status Options(Table* t);

  const TokenStream& ts_;
  size_t pos_ = 0;
  size_t end_ = 0;
  std::string name_;
};

Result<Table> Parser::Parse() {
  Table t;
  t.raw = std::string(ts_.text);
  end_ = ts_.tokens.size();
  while (end_ > 0 && IsSymbol(ts_.tokens[end_ - 1], ';')) --end_;
  Status s = Header(&t);
  if (!s.ok()) return s;
  if (At('(')) {
    s = Body(&t);
    if (!s.ok()) return s;
  } else if (t.kind == ObjectKind::kTable) {
    return Error("expected ( after the table name");
  }
  s = Options(&t);
  if (!s.ok()) return s;
  if (AtWord("PARTITION")) {
    Result<Partitioning> p = ParsePartitionClause(ts_, &pos_, end_);
    if (!p.ok()) return Error(p.status().message());
    t.partitioning = std::move(*p);
  }
  if (!AtEnd()) {
    if (t.kind == ObjectKind::kTable && !AtWord("WITH")) return Error("unexpected text");
    // A '.' glued to the token before it qualifies that token: no tail starts there.
    if (IsSymbol(Cur(), '.')) return Error("unexpected text");
    t.tail = Raw(pos_, end_ - 1);
  }
  return t;
}

Status Parser::Header(Table* t) {
  if (!Word("CREATE")) return Error("expected CREATE");
  if (Word("OR")) {
    if (!Word("REPLACE")) return Error("expected REPLACE");
  }
  Word("TEMPORARY");
  if (Word("MATERIALIZED")) {
    if (!Word("VIEW")) return Error("expected VIEW");
    t->kind = ObjectKind::kMaterializedView;
  } else if (!Word("TABLE")) {
    return Error("expected TABLE");
  }
  if (AtWord("IF")) {
    ++pos_;
    if (!Word("NOT") || !Word("EXISTS")) return Error("expected IF NOT EXISTS");
  }
  if (!IsIdent()) return Error("expected a table name");
  name_ = IdentValue(Cur());
  ++pos_;
  if (At('.')) {
    ++pos_;
    if (!IsIdent()) return Error("expected a table name after .");
    t->schema = name_;
    name_ = IdentValue(Cur());
    ++pos_;
  }
  t->name = name_;
  if (AtWord("LIKE")) return Error("CREATE TABLE ... LIKE is not a table definition");
  return Status::Ok();
}

Status Parser::Body(Table* t) {
  size_t close = GroupEnd(pos_);
  if (close >= end_) return Error("unbalanced parentheses in the table body");
  const size_t b_open = pos_;
  size_t b = pos_ + 1;
  size_t position = 0;
  int depth = 0;
  for (size_t k = b; k <= close; ++k) {
    const Token& tok = ts_.tokens[k];
    if (IsSymbol(tok, '(')) ++depth;
    if (IsSymbol(tok, ')')) --depth;
    if ((depth == 0 && IsSymbol(tok, ',')) || k == close) {
      // A version comment may hold whole elements with their commas (hand-written DDL:
      // "/*M!100500 ip6 inet6, */"), but not the body's parentheses: the body could not be
      // printed back element by element.
      if (k == close && (tok.vc >= 0 || ts_.tokens[b_open].vc >= 0)) {
        pos_ = k;
        return Error("version comment across the table body");
      }
      if (k == b) {
        pos_ = k;
        return Error("empty table element");
      }
      Status s = Element(t, b, k - 1, position++);
      if (!s.ok()) return s;
      b = k + 1;
    }
  }
  pos_ = close + 1;
  end_ = ts_.tokens.size();
  while (end_ > 0 && IsSymbol(ts_.tokens[end_ - 1], ';')) --end_;
  return Status::Ok();
}

Status Parser::Element(Table* t, size_t first, size_t last, size_t position) {
  const size_t saved_end = end_;
  pos_ = first;
  end_ = last + 1;
  std::string constraint;
  bool has_constraint = false;
  if (Word("CONSTRAINT")) {
    has_constraint = true;
    if (IsIdent() && !AtWord("PRIMARY") && !AtWord("UNIQUE") && !AtWord("FOREIGN") &&
        !AtWord("CHECK")) {
      constraint = IdentValue(Cur());
      ++pos_;
    }
  }
  Status s;
  if (AtWord("FOREIGN")) {
    ForeignKey fk;
    fk.name = constraint;
    fk.position = position;
    s = ForeignKeyDef(&fk, first);
    if (s.ok()) t->foreign_keys.push_back(std::move(fk));
  } else if (AtWord("CHECK")) {
    Check ck;
    ck.name = constraint;
    ck.position = position;
    s = CheckDef(&ck);
    ck.definition = Raw(first, last);
    if (s.ok()) t->checks.push_back(std::move(ck));
  } else if (has_constraint || AtWord("PRIMARY") || AtWord("UNIQUE") || AtWord("KEY") ||
             AtWord("INDEX") || AtWord("FULLTEXT") || AtWord("SPATIAL")) {
    Index idx;
    idx.position = position;
    s = IndexDef(&idx, constraint);
    idx.definition = Raw(first, last);
    if (s.ok()) t->indexes.push_back(std::move(idx));
  } else {
    Column c;
    c.position = position;
    if (!IsIdent()) return Error("expected a column name");
    c.name = IdentValue(Cur());
    ++pos_;
    if (AtEnd()) return Error("expected a column type");
    c.definition = Raw(pos_, last);
    s = ColumnDef(&c);
    if (s.ok()) t->columns.push_back(std::move(c));
  }
  if (s.ok() && !AtEnd()) s = Error("unexpected text in a table element");
  end_ = saved_end;
  return s;
}

Status Parser::TypeDef(Column* c) {
  if (AtEnd() || Cur().kind != TokenKind::kWord) return Error("expected a column type");
  c->base_type = Lower(Cur().text);
  ++pos_;
  if (c->base_type == "double" && AtWord("PRECISION")) {
    ++pos_;
    c->base_type += " precision";
  }
  c->type = c->base_type;
  if (At('(')) {
    Result<std::string> g = Group();
    if (!g.ok()) return g.status();
    c->type_args = *g;
    c->type += "(" + c->type_args + ")";
  }
  while (true) {
    if (Word("UNSIGNED")) {
      c->is_unsigned = true;
    } else if (Word("SIGNED")) {
    } else if (Word("ZEROFILL")) {
      c->zerofill = true;
    } else {
      break;
    }
  }
  if (c->is_unsigned) c->type += " unsigned";
  if (c->zerofill) c->type += " zerofill";
  return Status::Ok();
}

// An expression after DEFAULT / ON UPDATE: a literal, NULL, a (possibly signed) number, a
// word or function call, or a parenthesized expression.
Result<std::string> Parser::Expr(DefaultKind* kind) {
  if (AtEnd()) return Error("expected a value");
  size_t b = pos_;
  if (At('-') || At('+')) ++pos_;
  if (AtEnd()) return Error("expected a value");
  const Token& t = Cur();
  if (At('(')) {
    Result<std::string> g = Group();
    if (!g.ok()) return g.status();
    *kind = DefaultKind::kExpression;
  } else if (t.kind == TokenKind::kString) {
    ++pos_;
    *kind = DefaultKind::kString;
  } else if (t.kind == TokenKind::kNumber) {
    ++pos_;
    *kind = DefaultKind::kNumber;
  } else if (IsWord(t, "NULL") && pos_ == b) {
    ++pos_;
    *kind = DefaultKind::kNull;
  } else if (t.kind == TokenKind::kWord || t.kind == TokenKind::kQuotedIdent) {
    const bool hex =
        t.text.size() > 2 && t.text[0] == '0' && (t.text[1] == 'x' || t.text[1] == 'X');
    ++pos_;
    *kind = hex ? DefaultKind::kNumber : DefaultKind::kExpression;
    if (At('(')) {
      Result<std::string> g = Group();
      if (!g.ok()) return g.status();
    }
  } else {
    return Error("unexpected value");
  }
  return Raw(b, pos_ - 1);
}

Status Parser::ColumnDef(Column* c) {
  Status s = TypeDef(c);
  if (!s.ok()) return s;
  while (!AtEnd()) {
    const size_t b = pos_;
    if (Word("CHARACTER")) {
      if (!Word("SET") || !IsIdent()) return Error("expected CHARACTER SET name");
      c->charset = IdentValue(Cur());
      ++pos_;
    } else if (Word("CHARSET")) {
      if (!IsIdent()) return Error("expected a charset");
      c->charset = IdentValue(Cur());
      ++pos_;
    } else if (Word("COLLATE")) {
      if (!IsIdent()) return Error("expected a collation");
      c->collation = IdentValue(Cur());
      ++pos_;
    } else if (AtWord2("NOT", "NULL")) {
      pos_ += 2;
      c->nullable = false;
    } else if (Word("NULL")) {
      c->nullable = true;
    } else if (Word("DEFAULT")) {
      Result<std::string> e = Expr(&c->default_value.kind);
      if (!e.ok()) return e.status();
      c->default_value.text = *e;
    } else if (AtWord2("ON", "UPDATE")) {
      pos_ += 2;
      DefaultKind k;
      Result<std::string> e = Expr(&k);
      if (!e.ok()) return e.status();
      c->on_update = *e;
    } else if (Word("AUTO_INCREMENT")) {
      c->auto_increment = true;
    } else if (Word("COMMENT")) {
      if (AtEnd() || Cur().kind != TokenKind::kString) return Error("expected a comment string");
      c->comment = UnquoteString(Cur().text);
      ++pos_;
    } else if (AtWord("GENERATED") || AtWord("AS")) {
      if (Word("GENERATED") && (!Word("ALWAYS"))) return Error("expected ALWAYS");
      if (!Word("AS")) return Error("expected AS");
      Result<std::string> g = Group();
      if (!g.ok()) return g.status();
      c->generation_expression = *g;
      c->generated = GeneratedKind::kVirtual;
      if (AtWord("VIRTUAL") || AtWord("STORED") || AtWord("PERSISTENT")) {
        c->generated_keyword = Upper(Cur().text);
        if (!AtWord("VIRTUAL")) c->generated = GeneratedKind::kStored;
        ++pos_;
      }
    } else if (Word("INVISIBLE")) {
      c->invisible = true;
    } else if (Word("VISIBLE")) {
      c->invisible = false;
    } else if (Word("SRID") || Word("REF_SYSTEM_ID")) {
      if (At('=')) ++pos_;
      if (AtEnd() || !Uint32Value(Cur())) return Error("expected an SRID");
      c->srid = Uint32Value(Cur());
      ++pos_;
    } else {
      // Anything else is kept verbatim: CHECK (...), COLUMN_FORMAT x, COMPRESSED[=x],
      // inline keys and references of hand-written DDL, vendor attributes.
      if (Word("CONSTRAINT") && IsIdent() && !AtWord("CHECK")) ++pos_;
      if (Word("REFERENCES")) {
        pos_ = end_;
      } else if (Word("PRIMARY") || Word("UNIQUE")) {
        Word("KEY");
      } else if (Word("COLUMN_FORMAT") || Word("STORAGE")) {
        if (!AtEnd()) ++pos_;
      } else if (AtWord2("SERIAL", "DEFAULT") || AtWord2("WITH", "SYSTEM") ||
                 AtWord2("WITHOUT", "SYSTEM")) {
        pos_ = std::min(pos_ + 3, end_);
      } else if (!AtEnd()) {  // a dangling CONSTRAINT name is all the option there is
        ++pos_;
        if (At('=')) pos_ = std::min(pos_ + 2, end_);
      }
      if (At('(')) {
        Result<std::string> g = Group();
        if (!g.ok()) return g.status();
      }
      c->extra_options.push_back(Raw(b, pos_ - 1));
    }
  }
  return Status::Ok();
}

Status Parser::IndexParts(Index* idx) {
  if (!At('(')) return Error("expected ( before the index columns");
  size_t close = GroupEnd(pos_);
  if (close >= end_) return Error("unbalanced index column list");
  ++pos_;
  while (pos_ < close) {
    IndexPart part;
    if (At('(')) {
      Result<std::string> g = Group();
      if (!g.ok()) return g.status();
      part.expression = *g;
    } else if (IsIdent()) {
      part.column = IdentValue(Cur());
      ++pos_;
      if (At('(')) {
        ++pos_;
        if (AtEnd() || !Uint32Value(Cur())) return Error("expected a prefix length");
        part.prefix_length = Uint32Value(Cur());
        ++pos_;
        if (!At(')')) return Error("expected ) after the prefix length");
        ++pos_;
      }
    } else {
      return Error("expected an index column");
    }
    if (Word("DESC")) {
      part.descending = true;
    } else {
      Word("ASC");
    }
    idx->parts.push_back(std::move(part));
    if (At(',')) {
      ++pos_;
    } else if (pos_ != close) {
      return Error("expected , or ) in the index column list");
    }
  }
  pos_ = close + 1;
  return Status::Ok();
}

Status Parser::IndexDef(Index* idx, const std::string& constraint_name) {
  if (Word("PRIMARY")) {
    if (!Word("KEY")) return Error("expected KEY after PRIMARY");
    idx->kind = IndexKind::kPrimary;
    idx->name = "PRIMARY";
  } else {
    if (Word("UNIQUE")) {
      idx->kind = IndexKind::kUnique;
    } else if (Word("FULLTEXT")) {
      idx->kind = IndexKind::kFulltext;
    } else if (Word("SPATIAL")) {
      idx->kind = IndexKind::kSpatial;
    } else if (!AtWord("KEY") && !AtWord("INDEX")) {
      return Error("expected an index definition");
    }
    if (!Word("KEY")) Word("INDEX");
    idx->name = constraint_name;
    if (IsIdent() && !AtWord("USING")) {
      idx->name = IdentValue(Cur());
      ++pos_;
    }
  }
  if (Word("USING")) {
    if (!IsIdent()) return Error("expected an index algorithm");
    idx->using_algorithm = Upper(Cur().text);
    ++pos_;
  }
  Status s = IndexParts(idx);
  if (!s.ok()) return s;
  while (!AtEnd()) {
    const size_t b = pos_;
    if (Word("USING")) {
      if (!IsIdent()) return Error("expected an index algorithm");
      idx->using_algorithm = Upper(Cur().text);
      ++pos_;
    } else if (Word("COMMENT")) {
      if (AtEnd() || Cur().kind != TokenKind::kString) return Error("expected a comment string");
      idx->comment = UnquoteString(Cur().text);
      ++pos_;
    } else if (Word("KEY_BLOCK_SIZE")) {
      if (At('=')) ++pos_;
      if (AtEnd()) return Error("expected a KEY_BLOCK_SIZE value");
      idx->key_block_size = std::string(Cur().text);
      ++pos_;
    } else if (Word("BLOCK_SIZE")) {
      if (At('=')) ++pos_;
      if (AtEnd()) return Error("expected a BLOCK_SIZE value");
      idx->block_size = std::string(Cur().text);
      ++pos_;
    } else if (AtWord2("WITH", "PARSER")) {
      pos_ += 2;
      if (!IsIdent()) return Error("expected a parser name");
      idx->parser = IdentValue(Cur());
      ++pos_;
    } else if (Word("INVISIBLE") || Word("IGNORED")) {
      idx->visibility = Upper(ts_.tokens[b].text);
    } else if (Word("VISIBLE")) {
      idx->visibility.clear();
    } else if (AtWord2("NOT", "IGNORED")) {
      pos_ += 2;
      idx->visibility.clear();
    } else if (Word("LOCAL") || Word("GLOBAL")) {
      idx->scope = Upper(ts_.tokens[b].text);
    } else if (AtWord("PARTITION")) {
      Result<Partitioning> p = ParsePartitionClause(ts_, &pos_, end_);
      if (!p.ok()) return Error(p.status().message());
      idx->partition = p->text;
    } else {
      ++pos_;
      if (At('(')) {
        Result<std::string> g = Group();
        if (!g.ok()) return g.status();
      } else if (At('=')) {
        pos_ += 2;
      }
      idx->extra_options.push_back(Raw(b, std::min(pos_, end_) - 1));
    }
  }
  return Status::Ok();
}

Status Parser::ForeignKeyDef(ForeignKey* fk, size_t first) {
  if (!Word("FOREIGN") || !Word("KEY")) return Error("expected FOREIGN KEY");
  if (IsIdent()) ++pos_;  // index name of hand-written DDL
  auto columns = [&](std::vector<std::string>* out) -> Status {
    if (!At('(')) return Error("expected ( before the foreign key columns");
    ++pos_;
    while (!At(')')) {
      if (!IsIdent()) return Error("expected a column name");
      out->push_back(IdentValue(Cur()));
      ++pos_;
      if (At(',')) ++pos_;
    }
    ++pos_;
    return Status::Ok();
  };
  Status s = columns(&fk->columns);
  if (!s.ok()) return s;
  if (!Word("REFERENCES")) return Error("expected REFERENCES");
  if (!IsIdent()) return Error("expected the referenced table");
  size_t ref = pos_;
  fk->ref_table = IdentValue(Cur());
  ++pos_;
  if (At('.')) {
    ++pos_;
    if (!IsIdent()) return Error("expected the referenced table after .");
    fk->ref_db = fk->ref_table;
    ref = pos_;
    fk->ref_table = IdentValue(Cur());
    ++pos_;
  }
  s = columns(&fk->ref_columns);
  if (!s.ok()) return s;
  auto action = [&](std::string* out) -> Status {
    if (AtWord2("SET", "NULL") || AtWord2("SET", "DEFAULT") || AtWord2("NO", "ACTION")) {
      *out = Upper(Cur().text) + " " + Upper(ts_.tokens[pos_ + 1].text);
      pos_ += 2;
    } else if (AtWord("RESTRICT") || AtWord("CASCADE")) {
      *out = Upper(Cur().text);
      ++pos_;
    } else {
      return Error("expected a referential action");
    }
    return Status::Ok();
  };
  while (!AtEnd()) {
    if (Word("MATCH")) {
      if (!IsIdent()) return Error("expected MATCH type");
      ++pos_;
    } else if (AtWord2("ON", "DELETE")) {
      pos_ += 2;
      s = action(&fk->on_delete);
    } else if (AtWord2("ON", "UPDATE")) {
      pos_ += 2;
      s = action(&fk->on_update);
    } else {
      return Error("unexpected text in a foreign key");
    }
    if (!s.ok()) return s;
  }
  fk->definition = Raw(first, end_ - 1);
  // Spans of the name and the referenced table inside `definition` (re-lexed: exact offsets).
  Result<TokenStream> sub = Lex(fk->definition);
  if (!sub.ok()) return sub.status();
  const std::vector<Token>& tk = sub->tokens;
  for (size_t k = 0; k < tk.size(); ++k) {
    if (k == 1 && IsWord(tk[0], "CONSTRAINT") && !IsWord(tk[1], "FOREIGN")) {
      fk->name_span = Span{tk[1].begin, tk[1].end};
    }
    if (IsWord(tk[k], "REFERENCES") && k + 1 < tk.size()) {
      size_t r = k + 1;
      if (r + 2 < tk.size() && IsSymbol(tk[r + 1], '.')) r += 2;
      fk->ref_table_span = Span{tk[r].begin, tk[r].end};
      break;
    }
  }
  (void)ref;
  return Status::Ok();
}

Status Parser::CheckDef(Check* ck) {
  if (!Word("CHECK")) return Error("expected CHECK");
  Result<std::string> g = Group();
  if (!g.ok()) return g.status();
  ck->expression = *g;
  if (AtWord2("NOT", "ENFORCED")) {
    pos_ += 2;
    ck->enforced = false;
  } else {
    Word("ENFORCED");
  }
  return Status::Ok();
}

// Table options up to PARTITION / the end; an unknown construct ends the list (kept as tail).
Status Parser::Options(Table* t) {
  static const std::vector<std::vector<std::string_view>> kMultiWord = {
      {"DEFAULT", "CHARACTER", "SET"}, {"DEFAULT", "CHARSET"},
      {"DEFAULT", "COLLATE"},          {"CHARACTER", "SET"},
      {"DATA", "DIRECTORY"},           {"INDEX", "DIRECTORY"},
      {"WITH", "COLUMN", "GROUP"},     {"WITH", "SYSTEM", "VERSIONING"}};
  while (!AtEnd()) {
    if (At(',')) {
      ++pos_;
      continue;
    }
    // MariaDB prints engine-defined options back-quoted: `PAGE_COMPRESSED`=1.
    if (AtWord("PARTITION") ||
        (Cur().kind != TokenKind::kWord && Cur().kind != TokenKind::kQuotedIdent)) {
      break;
    }
    const size_t b = pos_;
    std::string key;
    for (const auto& words : kMultiWord) {
      size_t k = 0;
      while (k < words.size() && pos_ + k < end_ && IsWord(ts_.tokens[pos_ + k], words[k])) ++k;
      if (k == words.size()) {
        for (size_t w = 0; w < k; ++w) {
          if (w) key += ' ';
          key += words[w];
        }
        pos_ += k;
        break;
      }
    }
    if (key.empty()) {
      key = Upper(IdentValue(Cur()));
      // Only the first word of a multi-word key ("DEFAULT CHARACTER, SET x"): printed back
      // without the comma it would read as another option.
      for (const auto& words : kMultiWord) {
        if (key == words[0]) return Error("unexpected table option");
      }
      ++pos_;
    }
    if (key == "WITH SYSTEM VERSIONING") {
      t->options.push_back({key, "", Raw(b, pos_ - 1)});
      continue;
    }
    if (At('=')) ++pos_;
    if (AtEnd() || AtWord("PARTITION")) {
      pos_ = b;
      break;
    }
    const size_t vb = pos_;
    if (At('(')) {
      Result<std::string> g = Group();
      if (!g.ok()) return g.status();
    } else {
      ++pos_;
    }
    t->options.push_back({key, Raw(vb, pos_ - 1), Raw(b, pos_ - 1)});
  }
  return Status::Ok();
}

}  // namespace

Result<Table> ParseCreateTable(std::string_view ddl) {
  Result<TokenStream> ts = Lex(ddl);
  if (!ts.ok()) {
    return Status(errc::kSyntax, "cannot parse CREATE TABLE: " + ts.status().message(), "42000");
  }
  Parser parser(*ts);
  return parser.Parse();
}

}  // namespace shadowproxy::schema
