// SQL tokenizer for DDL text (see sql_lexer.h).
#include "plugins/schema/sql_lexer.h"

#include <algorithm>
#include <cctype>
#include <cstring>

#include "plugins/schema/quoting.h"

namespace shadowproxy::schema {

namespace {

// ASCII classification without the C locale's function calls (the lexer's hot path).
inline bool IsDigit(unsigned char c) { return c >= '0' && c <= '9'; }
inline bool IsSpace(unsigned char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }
inline bool IsWordChar(unsigned char c) {
  return IsDigit(c) || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') || c == '_' || c == '$' ||
         c >= 0x80;
}
inline char ToUpper(char c) { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 32) : c; }

Status LexError(std::string_view what, size_t pos) {
  return Status(errc::kSyntax, std::string(what) + " at position " + std::to_string(pos), "42000");
}

// Scans a quoted run starting at text[i] (the quote). Returns the index after the closing quote
// or npos if unterminated. Backslash escapes apply to strings, not to back-quoted identifiers.
size_t ScanQuoted(std::string_view text, size_t i) {
  const char q = text[i];
  const bool backslash = q != '`';
  for (size_t j = i + 1; j < text.size(); ++j) {
    if (backslash && text[j] == '\\') {
      ++j;
    } else if (text[j] == q) {
      if (j + 1 < text.size() && text[j + 1] == q) {
        ++j;
      } else {
        return j + 1;
      }
    }
  }
  return std::string_view::npos;
}

bool IsIntroducer(std::string_view w) {
  if (w.size() == 1) return std::strchr("bBxXnN", w[0]) != nullptr;
  return w.size() > 1 && w[0] == '_';
}

}  // namespace

Result<TokenStream> Lex(std::string_view text) {
  TokenStream ts;
  ts.text = text;
  ts.tokens.reserve(text.size() / 4 + 8);
  int open_vc = -1;
  size_t i = 0;
  auto push = [&](TokenKind kind, size_t b, size_t e) {
    Token t;
    t.kind = kind;
    t.begin = b;
    t.end = e;
    t.vc = open_vc;
    t.text = text.substr(b, e - b);
    if (open_vc >= 0) {
      VersionComment& vc = ts.vcs[open_vc];
      if (vc.first_token < 0) vc.first_token = static_cast<int>(ts.tokens.size());
      vc.last_token = static_cast<int>(ts.tokens.size());
    }
    ts.tokens.push_back(t);
  };
  while (i < text.size()) {
    const unsigned char c = text[i];
    if (IsSpace(c)) {
      ++i;
      continue;
    }
    if (c == '#' ||
        (c == '-' && i + 1 < text.size() && text[i + 1] == '-' &&
         (i + 2 >= text.size() || std::isspace(static_cast<unsigned char>(text[i + 2])) ||
          static_cast<unsigned char>(text[i + 2]) >= 0x80))) {
      size_t e = text.find('\n', i);
      if (e == std::string_view::npos) e = text.size();
      ts.comments.emplace_back(i, e);
      i = e;
      continue;
    }
    if (c == '*' && open_vc >= 0 && i + 1 < text.size() && text[i + 1] == '/') {
      ts.vcs[open_vc].close_begin = i;
      ts.vcs[open_vc].close_end = i + 2;
      open_vc = -1;
      i += 2;
      continue;
    }
    if (c == '/' && i + 1 < text.size() && text[i + 1] == '*') {
      const bool mysql_vc = i + 2 < text.size() && text[i + 2] == '!';
      const bool maria_vc = i + 3 < text.size() && text[i + 2] == 'M' && text[i + 3] == '!';
      if ((mysql_vc || maria_vc) && open_vc < 0) {
        size_t j = i + (mysql_vc ? 3 : 4);
        while (j < text.size() && IsDigit(static_cast<unsigned char>(text[j]))) ++j;
        VersionComment vc;
        vc.open_begin = i;
        vc.open_end = j;
        ts.vcs.push_back(vc);
        open_vc = static_cast<int>(ts.vcs.size()) - 1;
        i = j;
        continue;
      }
      size_t e = text.find("*/", i + 2);
      if (e == std::string_view::npos) return LexError("unterminated comment", i);
      ts.comments.emplace_back(i, e + 2);
      i = e + 2;
      continue;
    }
    if (c == '`' || c == '\'' || c == '"') {
      size_t e = ScanQuoted(text, i);
      if (e == std::string_view::npos) return LexError("unterminated quote", i);
      push(c == '`' ? TokenKind::kQuotedIdent : TokenKind::kString, i, e);
      i = e;
      continue;
    }
    if (IsDigit(c) ||
        (c == '.' && i + 1 < text.size() && IsDigit(static_cast<unsigned char>(text[i + 1])) &&
         (ts.tokens.empty() || ts.tokens.back().end != i))) {
      size_t j = i;
      while (j < text.size() && IsDigit(static_cast<unsigned char>(text[j]))) ++j;
      if (j < text.size() && text[j] == '.') {
        ++j;
        while (j < text.size() && IsDigit(static_cast<unsigned char>(text[j]))) ++j;
      }
      if (j + 1 < text.size() && (text[j] == 'e' || text[j] == 'E') &&
          (IsDigit(static_cast<unsigned char>(text[j + 1])) ||
           ((text[j + 1] == '+' || text[j + 1] == '-') && j + 2 < text.size() &&
            IsDigit(static_cast<unsigned char>(text[j + 2]))))) {
        j += 2;
        while (j < text.size() && IsDigit(static_cast<unsigned char>(text[j]))) ++j;
      }
      TokenKind kind = TokenKind::kNumber;
      if (j < text.size() && IsWordChar(text[j])) {
        kind = TokenKind::kWord;  // 0x00, 1abc
        while (j < text.size() && IsWordChar(text[j])) ++j;
      }
      push(kind, i, j);
      i = j;
      continue;
    }
    if (IsWordChar(c)) {
      size_t j = i;
      while (j < text.size() && IsWordChar(text[j])) ++j;
      if (j < text.size() && (text[j] == '\'' || text[j] == '"') &&
          IsIntroducer(text.substr(i, j - i))) {
        size_t e = ScanQuoted(text, j);
        if (e == std::string_view::npos) return LexError("unterminated quote", j);
        push(TokenKind::kString, i, e);
        i = e;
        continue;
      }
      push(TokenKind::kWord, i, j);
      i = j;
      continue;
    }
    push(TokenKind::kSymbol, i, i + 1);
    ++i;
  }
  if (open_vc >= 0) return LexError("unterminated version comment", ts.vcs[open_vc].open_begin);
  return ts;
}

bool IsWord(const Token& t, std::string_view upper_word) {
  if (t.kind != TokenKind::kWord || t.text.size() != upper_word.size()) return false;
  for (size_t i = 0; i < upper_word.size(); ++i) {
    if (ToUpper(t.text[i]) != upper_word[i]) return false;
  }
  return true;
}

bool IsSymbol(const Token& t, char c) {
  return t.kind == TokenKind::kSymbol && t.text.size() == 1 && t.text[0] == c;
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
  for (const GapEvent& ev : events) {
    if (ev.begin < cursor || ev.end > stop) continue;
    out->append(ts.text.substr(cursor, ev.begin - cursor));
    if (kept(ev)) {
      out->append(ts.text.substr(ev.begin, ev.end - ev.begin));
    } else if (out->empty() || out->back() != ' ') {
      out->push_back(' ');
    }
    cursor = ev.end;
  }
  out->append(ts.text.substr(cursor, stop - cursor));
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
