// The ERR 7020 guard over generated DDL and the parents-first ordering of tables (see differ.h).
// The guard re-lexes each statement, so a quoting bug in the generator shows up here as a
// second statement or a foreign table name, and is refused. It reads each statement in every
// way a server can (sql::AllReadings: version comments run or skipped by MariaDB and MySQL of
// any version, with and without NO_BACKSLASH_ESCAPES) and passes it only if every reading
// passes, so what it checked is what the backend runs, whichever backend that is.
#include <algorithm>

#include "plugins/schema/differ.h"
#include "plugins/schema/quoting.h"
#include "plugins/schema/sql_lexer.h"

namespace shadowproxy::schema {

namespace {

Status Refuse(const std::string& what) {
  return Status(errc::kTouchesNonShadow, "generated DDL would touch a non-shadow table: " + what);
}

class GuardScan {
 public:
  GuardScan(const TokenStream& ts, size_t b, size_t e, const std::set<std::string>& allowed)
      : ts_(ts), pos_(b), end_(e), allowed_(allowed) {}

  Status Run() {
    if (pos_ >= end_) return Status::Ok();
    if (Word("CREATE")) {
      if (Word("OR") && !Word("REPLACE")) return Refuse("not a CREATE TABLE statement");
      Word("TEMPORARY");
      if (!Word("TABLE")) return Refuse("not a CREATE TABLE statement");
      if (Word("IF")) Word("NOT") && Word("EXISTS");
      return TableName(true);
    }
    if (Word("ALTER")) {
      Word("ONLINE");
      Word("IGNORE");
      if (!Word("TABLE")) return Refuse("not an ALTER TABLE statement");
      return TableName(true);
    }
    if (Word("DROP")) {
      Word("TEMPORARY");
      if (!Word("TABLE")) return Refuse("not a DROP TABLE statement");
      if (Word("IF")) Word("EXISTS");
      return NameList();
    }
    if (Word("RENAME")) {
      if (!Word("TABLE")) return Refuse("not a RENAME TABLE statement");
      return NameList();
    }
    if (Word("TRUNCATE")) {
      Word("TABLE");
      if (Status s = TableName(false); !s.ok()) return s;
      // [WAIT n | NOWAIT] (MariaDB), nothing else.
      if (Word("WAIT")) {
        if (pos_ < end_ && ts_.tokens[pos_].kind == TokenKind::kNumber) ++pos_;
      } else {
        Word("NOWAIT");
      }
      if (pos_ < end_) return Refuse("unexpected text after TRUNCATE");
      return Status::Ok();
    }
    return Refuse("statement is not table DDL: " + std::string(ts_.tokens[pos_].text));
  }

 private:
  bool Word(std::string_view w) {
    if (pos_ < end_ && IsWord(ts_.tokens[pos_], w)) {
      ++pos_;
      return true;
    }
    return false;
  }

  Status Check(const std::string& name) const {
    if (allowed_.count(name)) return Status::Ok();
    return Refuse(QuoteIdent(name));
  }

  // One table name at pos_ (must not be db-qualified); with `scan_rest`, the remaining tokens
  // are searched for further table references (REFERENCES, RENAME TO, EXCHANGE ... TABLE).
  Status TableName(bool scan_rest) {
    if (pos_ >= end_) return Refuse("missing table name");
    const Token& t = ts_.tokens[pos_++];
    if (t.kind != TokenKind::kQuotedIdent && t.kind != TokenKind::kWord) {
      return Refuse("bad table name " + std::string(t.text));
    }
    if (pos_ < end_ && IsSymbol(ts_.tokens[pos_], '.')) {
      return Refuse("db-qualified target " + std::string(t.text) + ".");
    }
    Status s = Check(IdentValue(t));
    if (!s.ok() || !scan_rest) return s;
    return ScanReferences();
  }

  Status NameList() {
    while (pos_ < end_) {
      Status s = TableName(false);
      if (!s.ok()) return s;
      if (Word("TO")) continue;  // RENAME a TO b
      if (pos_ < end_ && IsSymbol(ts_.tokens[pos_], ',')) {
        ++pos_;
        continue;
      }
      break;
    }
    if (pos_ < end_) return Refuse("unexpected text after the table list");
    return Status::Ok();
  }

  // After the target of CREATE / ALTER: every other table the statement names. REFERENCES t
  // (a parent), RENAME [TO | AS] t, TABLE t (EXCHANGE PARTITION p WITH TABLE t, CONVERT
  // PARTITION p TO TABLE t, CONVERT TABLE t TO PARTITION p) and UNION = (t, ...) (MERGE).
  Status ScanReferences() {
    for (; pos_ < end_; ++pos_) {
      const Token& t = ts_.tokens[pos_];
      const bool references = IsWord(t, "REFERENCES");
      // RENAME COLUMN / INDEX / KEY rename no table; a RENAME at the end names none.
      const bool rename =
          IsWord(t, "RENAME") && !(pos_ + 1 < end_ && (IsWord(ts_.tokens[pos_ + 1], "COLUMN") ||
                                                       IsWord(ts_.tokens[pos_ + 1], "INDEX") ||
                                                       IsWord(ts_.tokens[pos_ + 1], "KEY")));
      const bool table = IsWord(t, "TABLE");
      if (IsWord(t, "UNION")) {
        Status s = UnionList();
        if (!s.ok()) return s;
        continue;
      }
      if (!references && !rename && !table) continue;
      ++pos_;
      if (rename && pos_ < end_ &&
          (IsWord(ts_.tokens[pos_], "TO") || IsWord(ts_.tokens[pos_], "AS"))) {
        ++pos_;
      }
      if (pos_ >= end_) return Refuse("missing table name");
      if (references && pos_ + 1 < end_ && IsSymbol(ts_.tokens[pos_ + 1], '.')) {
        // REFERENCES `otherdb`.`t`: a parent in another database, read only; skipped whole.
        pos_ += 2;
        if (pos_ >= end_ || (ts_.tokens[pos_].kind != TokenKind::kQuotedIdent &&
                             ts_.tokens[pos_].kind != TokenKind::kWord)) {
          return Refuse("missing table name after REFERENCES");
        }
        continue;
      }
      const Token& name = ts_.tokens[pos_];
      if (name.kind != TokenKind::kQuotedIdent && name.kind != TokenKind::kWord) {
        return Refuse("bad table name " + std::string(name.text));
      }
      if (!references && pos_ + 1 < end_ && IsSymbol(ts_.tokens[pos_ + 1], '.')) {
        return Refuse("db-qualified target " + std::string(name.text) + ".");
      }
      Status s = Check(IdentValue(name));
      if (!s.ok()) return s;
    }
    return Status::Ok();
  }

  // UNION [=] (t1, t2, ...) at pos_ (the UNION word): each one must be allowed.
  Status UnionList() {
    size_t k = pos_ + 1;
    if (k < end_ && IsSymbol(ts_.tokens[k], '=')) ++k;
    if (k >= end_ || !IsSymbol(ts_.tokens[k], '(')) return Status::Ok();
    for (++k; k < end_ && !IsSymbol(ts_.tokens[k], ')'); ++k) {
      const Token& name = ts_.tokens[k];
      if (IsSymbol(name, ',')) continue;
      if ((name.kind != TokenKind::kQuotedIdent && name.kind != TokenKind::kWord) ||
          (k + 1 < end_ && IsSymbol(ts_.tokens[k + 1], '.'))) {
        return Refuse("bad UNION table " + std::string(name.text));
      }
      Status s = Check(IdentValue(name));
      if (!s.ok()) return s;
    }
    pos_ = k;
    return Status::Ok();
  }

  const TokenStream& ts_;
  size_t pos_;
  size_t end_;
  const std::set<std::string>& allowed_;
};

// One reading of one statement: every ';'-separated piece is checked on its own (a broken
// quote would surface here as a second piece).
Status CheckReading(const TokenStream& ts, const std::set<std::string>& allowed_tables) {
  size_t b = 0;
  const size_t n = ts.tokens.size();
  for (size_t k = 0; k <= n; ++k) {
    if (k < n && !IsSymbol(ts.tokens[k], ';')) continue;
    Status s = GuardScan(ts, b, k, allowed_tables).Run();
    if (!s.ok()) return s;
    b = k + 1;
  }
  return Status::Ok();
}

}  // namespace

Status CheckTouchesOnlyShadows(const std::vector<std::string>& statements,
                               const std::set<std::string>& allowed_tables) {
  for (const std::string& stmt : statements) {
    const std::vector<sql::Dialect> readings = sql::AllReadings(stmt);
    if (readings.empty()) return Refuse("too many distinct version comments");
    // A reading that does not lex is a server that rejects the statement with a syntax error
    // and runs nothing of it (the executor sends one statement at a time, without
    // multi-statements); at least one reading must lex.
    bool lexed = false;
    for (const sql::Dialect& d : readings) {
      Result<TokenStream> ts = Lex(stmt, d);
      if (!ts.ok()) continue;
      lexed = true;
      if (Status s = CheckReading(*ts, allowed_tables); !s.ok()) return s;
    }
    if (!lexed) {
      return Refuse("statement does not lex: " + Lex(stmt, readings.front()).status().message());
    }
  }
  return Status::Ok();
}

std::vector<size_t> OrderByForeignKeys(const std::vector<const Table*>& tables,
                                       const std::string& database, std::string* note) {
  const size_t n = tables.size();
  std::vector<std::vector<size_t>> children(n);
  std::vector<size_t> indegree(n, 0);
  for (size_t i = 0; i < n; ++i) {
    std::set<size_t> parents;
    for (const ForeignKey& fk : tables[i]->foreign_keys) {
      if (!fk.ref_db.empty() && fk.ref_db != database) continue;
      for (size_t j = 0; j < n; ++j) {
        if (j != i && tables[j]->name == fk.ref_table) parents.insert(j);
      }
    }
    for (size_t j : parents) {
      children[j].push_back(i);
      ++indegree[i];
    }
  }
  std::vector<size_t> order;
  std::vector<bool> done(n, false);
  while (order.size() < n) {
    size_t pick = n;
    for (size_t i = 0; i < n && pick == n; ++i) {
      if (!done[i] && indegree[i] == 0) pick = i;
    }
    if (pick == n) break;  // a cycle remains
    done[pick] = true;
    order.push_back(pick);
    for (size_t c : children[pick]) --indegree[c];
  }
  if (order.size() < n) {
    std::string names;
    for (size_t i = 0; i < n; ++i) {
      if (done[i]) continue;
      names += (names.empty() ? "" : ", ") + QuoteIdent(tables[i]->name);
      order.push_back(i);
    }
    if (note != nullptr) {
      *note = "foreign keys form a cycle between " + names + "; kept in the requested order";
    }
  }
  return order;
}

}  // namespace shadowproxy::schema
