// PARTITION BY clause parser (see partition_parser.h).
#include "plugins/schema/partition_parser.h"

#include <cctype>
#include <string>

namespace shadowproxy::schema {

namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

class PartitionParser {
 public:
  PartitionParser(const TokenStream& ts, size_t pos, size_t limit)
      : ts_(ts), pos_(pos), limit_(limit) {}

  Result<Partitioning> Parse() {
    Partitioning p;
    const size_t first = pos_;
    if (!Word("PARTITION") || !Word("BY")) return Error("expected PARTITION BY");
    Status s = Method(&p.method, &p.linear, &p.algorithm, &p.expression);
    if (!s.ok()) return s;
    if (Word("PARTITIONS")) {
      if (!Count(&p.partitions)) return Error("expected a partition count");
    }
    if (Word("SUBPARTITION")) {
      if (!Word("BY")) return Error("expected SUBPARTITION BY");
      std::string algo;
      s = Method(&p.sub_method, &p.sub_linear, &algo, &p.sub_expression);
      if (!s.ok()) return s;
      if (Word("SUBPARTITIONS")) {
        if (!Count(&p.subpartitions)) return Error("expected a subpartition count");
      }
      // OceanBase: the same subpartitions under every partition, listed once.
      if (AtWord("SUBPARTITION") && pos_ + 1 < limit_ && IsWord(ts_.tokens[pos_ + 1], "TEMPLATE")) {
        pos_ += 2;
        if (!At('(')) return Error("expected ( after SUBPARTITION TEMPLATE");
        s = Definitions("SUBPARTITION", &p.subpartition_template);
        if (!s.ok()) return s;
      }
    }
    if (At('(')) {
      s = Definitions("PARTITION", &p.definitions);
      if (!s.ok()) return s;
    }
    p.text = RawText(ts_, first, pos_ - 1);
    p.canonical = CanonicalTokens(ts_, first, pos_ - 1);
    const Token& t = ts_.tokens[first];
    if (t.vc >= 0) {
      const VersionComment& vc = ts_.vcs[t.vc];
      // It must wrap the clause exactly (as /*!50100 PARTITION BY ... */ does), to be printed
      // back around it.
      if (vc.first_token != static_cast<int>(first) ||
          vc.last_token != static_cast<int>(pos_) - 1) {
        return Error("version comment across the partition clause");
      }
      p.version_comment = std::string(ts_.text.substr(vc.open_begin, vc.open_end - vc.open_begin));
      // RawText keeps the markers of a version comment it covers whole: strip them.
      if (p.text.rfind(p.version_comment, 0) == 0) {
        p.text.erase(0, p.version_comment.size());
        while (!p.text.empty() && std::isspace(static_cast<unsigned char>(p.text.front()))) {
          p.text.erase(0, 1);
        }
        if (p.text.size() >= 2 && p.text.compare(p.text.size() - 2, 2, "*/") == 0) {
          p.text.resize(p.text.size() - 2);
        }
        while (!p.text.empty() && std::isspace(static_cast<unsigned char>(p.text.back()))) {
          p.text.pop_back();
        }
      }
    }
    return p;
  }

  size_t pos() const { return pos_; }

 private:
  bool AtEnd() const { return pos_ >= limit_; }
  bool At(char c) const { return !AtEnd() && IsSymbol(ts_.tokens[pos_], c); }
  bool AtWord(std::string_view w) const { return !AtEnd() && IsWord(ts_.tokens[pos_], w); }
  bool Word(std::string_view w) {
    if (!AtWord(w)) return false;
    ++pos_;
    return true;
  }

  Status Error(std::string_view what) const {
    std::string near = AtEnd() ? "end" : std::string(ts_.tokens[pos_].text);
    size_t at = AtEnd() ? ts_.text.size() : ts_.tokens[pos_].begin;
    return Status(errc::kSyntax,
                  std::string(what) + " near '" + near + "' at position " + std::to_string(at),
                  "42000");
  }

  bool Count(std::optional<uint32_t>* out) {
    if (AtEnd() || !Uint32Value(ts_.tokens[pos_])) return false;
    *out = Uint32Value(ts_.tokens[pos_]);
    ++pos_;
    return true;
  }

  // Index of the token closing the group opened at pos_ ('('), or limit_ if unbalanced.
  size_t GroupEnd(size_t open) const {
    int depth = 0;
    for (size_t k = open; k < limit_; ++k) {
      if (IsSymbol(ts_.tokens[k], '(')) ++depth;
      if (IsSymbol(ts_.tokens[k], ')') && --depth == 0) return k;
    }
    return limit_;
  }

  // Consumes "( ... )" and returns its canonical inside text.
  Result<std::string> Group() {
    if (!At('(')) return Error("expected (");
    size_t close = GroupEnd(pos_);
    if (close >= limit_) return Error("unbalanced parentheses");
    std::string inside = close > pos_ + 1 ? CanonicalTokens(ts_, pos_ + 1, close - 1) : "";
    pos_ = close + 1;
    return inside;
  }

  Status Method(std::string* method, bool* linear, std::string* algorithm, std::string* expr) {
    *linear = Word("LINEAR");
    if (AtEnd() || ts_.tokens[pos_].kind != TokenKind::kWord) return Error("expected a method");
    std::string m = CanonicalTokens(ts_, pos_, pos_);
    ++pos_;
    if ((m == "RANGE" || m == "LIST") && Word("COLUMNS")) m += " COLUMNS";
    *method = m;
    if (m == "KEY" && Word("ALGORITHM")) {
      if (!At('=')) return Error("expected = after ALGORITHM");
      ++pos_;
      if (AtEnd()) return Error("expected an algorithm");
      *algorithm = std::string(ts_.tokens[pos_++].text);
    }
    if (m == "SYSTEM_TIME") {
      size_t b = pos_;
      while (!AtEnd() && !At('(') && !AtWord("PARTITIONS") && !AtWord("SUBPARTITION") && !At(',') &&
             !At(')')) {
        ++pos_;
      }
      if (pos_ > b) *expr = CanonicalTokens(ts_, b, pos_ - 1);
      return Status::Ok();
    }
    Result<std::string> g = Group();
    if (!g.ok()) return g.status();
    *expr = *g;
    return Status::Ok();
  }

  // "(" keyword-definition {, keyword-definition} ")" starting at the "(".
  Status Definitions(std::string_view keyword, std::vector<PartitionDef>* out) {
    ++pos_;
    while (true) {
      PartitionDef def;
      Status s = Definition(keyword, &def);
      if (!s.ok()) return s;
      out->push_back(std::move(def));
      if (At(',')) {
        ++pos_;
        continue;
      }
      if (At(')')) {
        ++pos_;
        return Status::Ok();
      }
      return Error("expected , or ) in the " + Lower(keyword) + " list");
    }
  }

  // PARTITION name [VALUES ...] [options] [(SUBPARTITION ...)]
  Status Definition(std::string_view keyword, PartitionDef* def) {
    if (!Word(keyword)) return Error("expected " + std::string(keyword));
    if (AtEnd()) return Error("expected a partition name");
    def->name = IdentValue(ts_.tokens[pos_++]);
    if (Word("VALUES")) {
      size_t b = pos_;
      if (Word("LESS")) {
        if (!Word("THAN")) return Error("expected THAN");
        if (At('(')) {
          Result<std::string> g = Group();
          if (!g.ok()) return g.status();
        } else if (!Word("MAXVALUE")) {
          return Error("expected ( or MAXVALUE");
        }
      } else if (Word("IN")) {
        Result<std::string> g = Group();
        if (!g.ok()) return g.status();
      } else {
        while (!AtEnd() && !At(',') && !At(')') && !At('(')) ++pos_;
      }
      def->values = CanonicalTokens(ts_, b, pos_ - 1);
    }
    size_t b = pos_;
    while (!AtEnd() && !At(',') && !At(')')) {
      if (At('(')) {
        if (pos_ + 1 < limit_ && IsWord(ts_.tokens[pos_ + 1], "SUBPARTITION")) break;
        Result<std::string> g = Group();  // option value in parentheses
        if (!g.ok()) return g.status();
        continue;
      }
      ++pos_;
    }
    if (pos_ > b) def->options = CanonicalTokens(ts_, b, pos_ - 1);
    if (At('(')) return Definitions("SUBPARTITION", &def->subpartitions);
    return Status::Ok();
  }

  const TokenStream& ts_;
  size_t pos_;
  size_t limit_;
};

}  // namespace

Result<Partitioning> ParsePartitionClause(const TokenStream& ts, size_t* pos, size_t limit) {
  PartitionParser parser(ts, *pos, limit);
  Result<Partitioning> r = parser.Parse();
  if (r.ok()) *pos = parser.pos();
  return r;
}

Result<Partitioning> ParsePartitionText(std::string_view text) {
  Result<TokenStream> ts = Lex(text);
  if (!ts.ok()) return ts.status();
  size_t pos = 0;
  Result<Partitioning> r = ParsePartitionClause(*ts, &pos, ts->tokens.size());
  if (!r.ok()) return r;
  if (pos != ts->tokens.size()) {
    return Status(errc::kSyntax,
                  "unexpected text after the partition clause at position " +
                      std::to_string(ts->tokens[pos].begin),
                  "42000");
  }
  return r;
}

}  // namespace shadowproxy::schema
