// The property fuzz_ddl_guard checks, for the fuzzer and for the unit tests that replay what it
// found (tests/plugins/schema/fuzz_findings_test.cc): whenever the ERR 7020 guard
// (schema::CheckTouchesOnlyShadows) passes a statement, every reading a server can make of it
// (sql::AllReadings) is tokenized here with the shared lexer directly and scanned, without the
// guard's parser, for the tables it would create, alter, drop, rename, truncate or point to; each
// must be one of the allowed shadows and not db-qualified, and the statement must be table DDL.
#pragma once

#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "base/sql_lexer.h"
#include "plugins/schema/differ.h"

namespace shadowproxy::fuzz {

namespace guard_check {

struct Tok {
  sql::TokenKind kind;
  std::string text;
};

inline bool Is(const Tok& t, std::string_view upper) {
  return t.kind == sql::TokenKind::kWord && sql::EqualsKeyword(t.text, upper);
}
inline bool IsSym(const Tok& t, char c) {
  return t.kind == sql::TokenKind::kSymbol && t.text[0] == c;
}
inline bool IsName(const Tok& t) {
  return t.kind == sql::TokenKind::kWord || t.kind == sql::TokenKind::kQuotedIdent;
}

// One statement of one reading; `problem` is the first disagreement found.
class Statement {
 public:
  Statement(const std::vector<Tok>& st, const std::set<std::string>& allowed)
      : st_(st), allowed_(allowed) {}

  std::string Check() {
    if (st_.empty()) return "";
    if (Word("DROP") || Word("RENAME")) {
      // DROP [TEMPORARY] TABLE [IF EXISTS] a, b  /  RENAME TABLE a TO b, c TO d: all names.
      Word("TEMPORARY");
      if (!Word("TABLE")) return "DROP/RENAME of something else";
      for (; k_ < st_.size(); ++k_) {
        if (IsSym(st_[k_], ',') || Is(st_[k_], "TO") || Is(st_[k_], "IF") ||
            Is(st_[k_], "EXISTS")) {
          continue;
        }
        if (std::string p = Shadow(k_); !p.empty()) return p;
      }
      return "";
    }
    if (Word("TRUNCATE")) {
      Word("TABLE");
      if (std::string p = Shadow(k_); !p.empty()) return p;
      size_t rest = k_ + 1;  // [WAIT n | NOWAIT]
      if (rest < st_.size() && Is(st_[rest], "NOWAIT")) {
        ++rest;
      } else if (rest < st_.size() && Is(st_[rest], "WAIT")) {
        rest += 2;
      }
      return rest < st_.size() ? "text after TRUNCATE" : "";
    }
    if (Word("CREATE")) {
      if (Word("OR") && !Word("REPLACE")) return "CREATE OR without REPLACE";
      Word("TEMPORARY");
    } else if (Word("ALTER")) {
      Word("ONLINE");
      Word("IGNORE");
    } else {
      return "not table DDL: " + st_[0].text;
    }
    if (!Word("TABLE")) return "CREATE/ALTER of something else";
    if (Word("IF")) Word("NOT") && Word("EXISTS");
    if (std::string p = Shadow(k_); !p.empty()) return p;
    // Every other table the statement could touch, wherever it is.
    for (size_t i = k_ + 1; i < st_.size(); ++i) {
      std::string p;
      if (Is(st_[i], "REFERENCES")) {
        if (i + 2 < st_.size() && IsSym(st_[i + 2], '.')) {
          // `otherdb`.`t`: a parent in another database, only read; whatever word follows the
          // dot is that table's name.
          if (i + 3 >= st_.size() || !IsName(st_[i + 3])) return "no table name";
          i += 3;
          continue;
        }
        p = Shadow(i + 1);
      } else if (Is(st_[i], "RENAME")) {
        size_t j = i + 1;
        if (j < st_.size() && (Is(st_[j], "COLUMN") || Is(st_[j], "INDEX") || Is(st_[j], "KEY"))) {
          continue;
        }
        if (j < st_.size() && (Is(st_[j], "TO") || Is(st_[j], "AS"))) ++j;
        p = Shadow(j);
      } else if (Is(st_[i], "TABLE")) {
        p = Shadow(i + 1);
      } else if (Is(st_[i], "UNION")) {
        size_t j = i + 1;
        if (j < st_.size() && IsSym(st_[j], '=')) ++j;
        if (j >= st_.size() || !IsSym(st_[j], '(')) continue;
        for (++j; j < st_.size() && !IsSym(st_[j], ')') && p.empty(); ++j) {
          if (!IsSym(st_[j], ',')) p = Shadow(j);
        }
      }
      if (!p.empty()) return p;
    }
    return "";
  }

 private:
  bool Word(std::string_view w) {
    if (k_ < st_.size() && Is(st_[k_], w)) {
      ++k_;
      return true;
    }
    return false;
  }

  // The table at st_[k] must be an allowed shadow, not db-qualified.
  std::string Shadow(size_t k) const {
    if (k >= st_.size() || !IsName(st_[k])) return "no table name";
    if (k + 1 < st_.size() && IsSym(st_[k + 1], '.')) return "qualified table " + st_[k].text;
    const std::string name = st_[k].kind == sql::TokenKind::kQuotedIdent
                                 ? sql::UnquoteIdentifier(st_[k].text)
                                 : st_[k].text;
    return allowed_.count(name) ? "" : "not a shadow: " + st_[k].text;
  }

  const std::vector<Tok>& st_;
  const std::set<std::string>& allowed_;
  size_t k_ = 0;
};

// One reading: "" when a server reading the text this way touches only allowed tables (or
// rejects the text: an unterminated token, or a NUL byte that does not end it).
inline std::string CheckReading(std::string_view text, const sql::Dialect& d,
                                const std::set<std::string>& allowed) {
  sql::Lexer lexer(text, d);
  std::vector<std::vector<Tok>> statements(1);
  for (sql::Token t = lexer.Next(); t.kind != sql::TokenKind::kEnd; t = lexer.Next()) {
    if (t.kind == sql::TokenKind::kError) return "";
    if (t.kind == sql::TokenKind::kSymbol && text[t.begin] == '\0') return "";
    Tok tok{t.kind, std::string(lexer.Text(t))};
    if (IsSym(tok, ';')) {
      statements.emplace_back();
      continue;
    }
    statements.back().push_back(std::move(tok));
  }
  for (const auto& st : statements) {
    if (std::string p = Statement(st, allowed).Check(); !p.empty()) return p;
  }
  return "";
}

}  // namespace guard_check

// "" when the guard refuses `text` with ERR 7020, or passes it and every server reading agrees;
// otherwise what disagrees.
inline std::string GuardDisagreement(std::string_view text, const std::set<std::string>& allowed) {
  const Status s = schema::CheckTouchesOnlyShadows({std::string(text)}, allowed);
  if (!s.ok()) return s.code() == 7020 ? "" : "guard failed with " + s.ToString();
  for (const sql::Dialect& d : sql::AllReadings(text)) {
    std::string p = guard_check::CheckReading(text, d, allowed);
    if (!p.empty()) return "guard passed, a server reading disagrees: " + p;
  }
  return "";
}

}  // namespace shadowproxy::fuzz
