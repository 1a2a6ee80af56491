// The DDL token stream over the shared SQL lexer (see sql_lexer.h).
#include "plugins/schema/sql_lexer.h"

#include <algorithm>
#include <cctype>
#include <cstring>

#include "plugins/schema/quoting.h"

namespace shadowproxy::schema {

namespace {

inline bool IsDigit(unsigned char c) { return c >= '0' && c <= '9'; }
inline char ToUpper(char c) { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 32) : c; }

Status LexError(std::string_view what, size_t pos) {
  return Status(errc::kSyntax, std::string(what) + " at position " + std::to_string(pos), "42000");
}

std::string_view ErrorText(sql::LexError e) {
  switch (e) {
    case sql::LexError::kUnterminatedComment:
      return "unterminated comment";
    case sql::LexError::kUnterminatedVersionComment:
      return "unterminated version comment";
    default:
      return "unterminated quote";
  }
}

// b'..', x'..', n'..', _charset'..': one string token with its introducer.
bool IsIntroducer(std::string_view w) {
  if (w.size() == 1) return std::strchr("bBxXnN", w[0]) != nullptr;
  return w.size() > 1 && w[0] == '_';
}

}  // namespace

Result<TokenStream> Lex(std::string_view text) { return Lex(text, sql::Dialect::ServerOutput()); }

Result<TokenStream> Lex(std::string_view text, const sql::Dialect& dialect) {
  TokenStream ts;
  ts.text = text;
  ts.tokens.reserve(text.size() / 4 + 8);
  int open_vc = -1;
  sql::Lexer lexer(text, dialect, /*trivia=*/true);
  for (sql::Token t = lexer.Next();; t = lexer.Next()) {
    TokenKind kind = TokenKind::kSymbol;
    switch (t.kind) {
      case sql::TokenKind::kEnd:
        return ts;
      case sql::TokenKind::kError:
        return LexError(ErrorText(t.error), t.begin);
      case sql::TokenKind::kComment:
        ts.comments.emplace_back(t.begin, t.end);
        continue;
      case sql::TokenKind::kVersionOpen:
        if (open_vc >= 0) {  // a marker inside a running one: its */ closes both
          ts.comments.emplace_back(t.begin, t.end);
          continue;
        }
        ts.vcs.push_back(VersionComment{t.begin, t.end, 0, 0, -1, -1});
        open_vc = static_cast<int>(ts.vcs.size()) - 1;
        continue;
      case sql::TokenKind::kVersionClose:
        ts.vcs[open_vc].close_begin = t.begin;
        ts.vcs[open_vc].close_end = t.end;
        open_vc = -1;
        continue;
      case sql::TokenKind::kWord:
        kind = TokenKind::kWord;
        break;
      case sql::TokenKind::kQuotedIdent:
        kind = TokenKind::kQuotedIdent;
        break;
      case sql::TokenKind::kString:
        kind = TokenKind::kString;
        if (!ts.tokens.empty() && ts.tokens.back().kind == TokenKind::kWord &&
            ts.tokens.back().end == t.begin && IsIntroducer(ts.tokens.back().text)) {
          Token& intro = ts.tokens.back();
          intro.kind = TokenKind::kString;
          intro.end = t.end;
          intro.text = text.substr(intro.begin, intro.end - intro.begin);
          continue;
        }
        break;
      case sql::TokenKind::kNumber:
        kind = TokenKind::kNumber;
        break;
      default:
        // A NUL byte that does not end the text: the server rejects the statement (checked on
        // MariaDB 10.11), so no DDL holds one.
        if (text[t.begin] == '\0') return LexError("NUL byte", t.begin);
        break;
    }
    Token tok;
    tok.kind = kind;
    tok.begin = t.begin;
    tok.end = t.end;
    tok.vc = open_vc;
    tok.text = lexer.Text(t);
    if (open_vc >= 0) {
      VersionComment& vc = ts.vcs[open_vc];
      if (vc.first_token < 0) vc.first_token = static_cast<int>(ts.tokens.size());
      vc.last_token = static_cast<int>(ts.tokens.size());
    }
    ts.tokens.push_back(tok);
  }
}

bool IsWord(const Token& t, std::string_view upper_word) {
  return t.kind == TokenKind::kWord && sql::EqualsKeyword(t.text, upper_word);
}

bool IsSymbol(const Token& t, char c) {
  return t.kind == TokenKind::kSymbol && t.text.size() == 1 && t.text[0] == c;
}

std::optional<uint32_t> Uint32Value(const Token& t) {
  if (t.kind != TokenKind::kNumber || t.text.empty() || t.text.size() > 10) return std::nullopt;
  uint64_t v = 0;
  for (char c : t.text) {
    if (!IsDigit(static_cast<unsigned char>(c))) return std::nullopt;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  if (v > UINT32_MAX) return std::nullopt;
  return static_cast<uint32_t>(v);
}

std::string IdentValue(const Token& t) {
  if (t.kind == TokenKind::kQuotedIdent) return UnquoteIdent(t.text);
  if (t.kind == TokenKind::kString) return UnquoteString(t.text);
  return std::string(t.text);
}

namespace {

// Markers and comments between two offsets, in order: kind 0 = comment, 1 = vc open, 2 = close.
struct GapEvent {
  size_t begin, end;
  int kind;
  int vc;
};

std::vector<GapEvent> GapEvents(const TokenStream& ts, size_t b, size_t e) {
  std::vector<GapEvent> out;
  for (const auto& [cb, ce] : ts.comments) {
    if (cb >= b && ce <= e) out.push_back({cb, ce, 0, -1});
  }
  for (size_t v = 0; v < ts.vcs.size(); ++v) {
    const VersionComment& vc = ts.vcs[v];
    if (vc.open_begin >= b && vc.open_end <= e)
      out.push_back({vc.open_begin, vc.open_end, 1, int(v)});
    if (vc.close_begin >= b && vc.close_end <= e && vc.close_end > vc.close_begin) {
      out.push_back({vc.close_begin, vc.close_end, 2, int(v)});
    }
  }
  std::sort(out.begin(), out.end(),
            [](const GapEvent& x, const GapEvent& y) { return x.begin < y.begin; });
  return out;
}

bool VcInside(const TokenStream& ts, int vc, size_t first, size_t last) {
  const VersionComment& v = ts.vcs[vc];
  return v.first_token >= static_cast<int>(first) && v.last_token <= static_cast<int>(last) &&
         v.first_token >= 0;
}

// Appends the gap [b, e) to out: verbatim, except that comments and version-comment markers
// whose comment is not wholly inside tokens [first, last] become one space. A leading gap
// starts at its first kept marker, a trailing one ends after its last kept marker.
void AppendGap(const TokenStream& ts, size_t b, size_t e, size_t first, size_t last, bool leading,
               bool trailing, std::string* out) {
  std::vector<GapEvent> events = GapEvents(ts, b, e);
  auto kept = [&](const GapEvent& ev) { return ev.kind != 0 && VcInside(ts, ev.vc, first, last); };
  size_t cursor = b, stop = e;
  if (leading || trailing) {
    const GapEvent* pick = nullptr;
    for (const GapEvent& ev : events) {
      if (kept(ev) && (leading ? pick == nullptr : true)) pick = &ev;
    }
    if (pick == nullptr) return;
    if (leading) cursor = pick->begin;
    if (trailing) stop = pick->end;
  }
  // Between kept markers the text is verbatim, unless it held a comment or a dropped marker:
  // then it is one space (so printing the result and reading it again gives the same text), or
  // "/**/" after a '-' (a space there could start a "-- " comment).
  size_t segment = cursor;
  bool dropped = false;
  auto flush = [&](size_t upto) {
    if (!dropped) {
      out->append(ts.text.substr(segment, upto - segment));
    } else if (!out->empty() && out->back() == '-') {
      out->append("/**/");
    } else if (out->empty() || out->back() != ' ') {
      out->push_back(' ');
    }
  };
  for (const GapEvent& ev : events) {
    if (ev.begin < cursor || ev.end > stop) continue;
    if (!kept(ev)) {
      dropped = true;
      continue;
    }
    flush(ev.begin);
    out->append(ts.text.substr(ev.begin, ev.end - ev.begin));
    segment = ev.end;
    dropped = false;
  }
  flush(stop);
}

bool IsNumeric(std::string_view s) {
  if (s.empty()) return false;
  size_t i = (s[0] == '-' || s[0] == '+') ? 1 : 0;
  bool digits = false, dot = false;
  for (; i < s.size(); ++i) {
    if (IsDigit(static_cast<unsigned char>(s[i]))) {
      digits = true;
    } else if (s[i] == '.' && !dot) {
      dot = true;
    } else {
      return false;
    }
  }
  return digits;
}

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = ToUpper(c);
  return out;
}

std::string CanonWord(std::string_view w) {
  std::string u = Upper(w);
  if (u == "UTF8MB3") return "UTF8";
  if (u.rfind("UTF8MB3_", 0) == 0) return "UTF8_" + u.substr(8);
  if (u == "NOW" || u == "LOCALTIME" || u == "LOCALTIMESTAMP" || u == "CURRENT_TIMESTAMP") {
    return "CURRENT_TIMESTAMP";
  }
  return u;
}

}  // namespace

std::string RawText(const TokenStream& ts, size_t first, size_t last) {
  std::string out;
  if (first > last || last >= ts.tokens.size()) return out;
  const size_t lead_b = first == 0 ? 0 : ts.tokens[first - 1].end;
  AppendGap(ts, lead_b, ts.tokens[first].begin, first, last, true, false, &out);
  for (size_t k = first; k <= last; ++k) {
    if (k > first) {
      AppendGap(ts, ts.tokens[k - 1].end, ts.tokens[k].begin, first, last, false, false, &out);
    }
    out.append(ts.tokens[k].text);
  }
  const size_t trail_e = last + 1 < ts.tokens.size() ? ts.tokens[last + 1].begin : ts.text.size();
  AppendGap(ts, ts.tokens[last].end, trail_e, first, last, false, true, &out);
  // Whatever is printed after it (white space, a newline) must not make a "-- " comment of
  // the dashes it ends with.
  if (!out.empty() && out.back() == '-') out += "/**/";
  return out;
}

std::string CanonicalTokens(const TokenStream& ts, size_t first, size_t last) {
  std::string out;
  for (size_t k = first; k <= last && k < ts.tokens.size(); ++k) {
    const Token& t = ts.tokens[k];
    std::string piece;
    switch (t.kind) {
      case TokenKind::kWord:
        piece = CanonWord(t.text);
        if (piece == "CURRENT_TIMESTAMP" && k + 2 <= last && IsSymbol(ts.tokens[k + 1], '(') &&
            IsSymbol(ts.tokens[k + 2], ')')) {
          k += 2;  // current_timestamp() == CURRENT_TIMESTAMP
        }
        break;
      case TokenKind::kQuotedIdent:
        piece = QuoteIdent(UnquoteIdent(t.text));
        break;
      case TokenKind::kString: {
        size_t q = t.text.find_first_of("'\"");
        std::string value = UnquoteString(t.text.substr(q));
        if (q == 0 && k > first && IsWord(ts.tokens[k - 1], "DEFAULT") && IsNumeric(value)) {
          piece = value;  // DEFAULT '0' == DEFAULT 0
        } else {
          piece = Upper(t.text.substr(0, q)) + QuoteString(value);
        }
        break;
      }
      default:
        piece = std::string(t.text);
    }
    if (!out.empty()) out.push_back(' ');
    out += piece;
  }
  return out;
}

std::string CanonicalSql(std::string_view sql) {
  Result<TokenStream> ts = Lex(sql);
  if (!ts.ok() || ts->tokens.empty()) {
    std::string out;
    for (char c : sql) {
      if (std::isspace(static_cast<unsigned char>(c))) {
        if (!out.empty() && out.back() != ' ') out.push_back(' ');
      } else {
        out.push_back(c);
      }
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    return out;
  }
  return CanonicalTokens(*ts, 0, ts->tokens.size() - 1);
}

}  // namespace shadowproxy::schema
