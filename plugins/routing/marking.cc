// Per-statement shadow marks (see marking.h).
#include "plugins/routing/marking.h"

#include <strings.h>

#include <string>

namespace shadowproxy::routing {
namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  return s;
}

bool EqualsNoCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

// A case-insensitive search, so that a statement without the key costs one pass over its bytes
// and no lexing.
bool ContainsNoCase(std::string_view hay, std::string_view needle) {
  if (needle.empty()) return true;
  for (size_t i = 0; i + needle.size() <= hay.size(); ++i)
    if (EqualsNoCase(hay.substr(i, needle.size()), needle)) return true;
  return false;
}

// sqlcommenter: key='value'[,key='value']... (keys and values URL-encoded; values quoted). A
// comment that is not all pairs is prose, not a mark.
bool SqlcommenterMarks(std::string_view body, std::string_view key) {
  body = Trim(body);
  bool found = false;
  while (!body.empty()) {
    size_t eq = body.find('=');
    if (eq == std::string_view::npos) return false;
    std::string_view k = Trim(body.substr(0, eq));
    body.remove_prefix(eq + 1);
    body = Trim(body);
    if (body.empty() || body.front() != '\'') return false;
    size_t close = body.find('\'', 1);
    if (close == std::string_view::npos) return false;
    std::string_view v = body.substr(1, close - 1);
    if (EqualsNoCase(k, key) && IsTrueValue(v)) found = true;
    body.remove_prefix(close + 1);
    body = Trim(body);
    if (body.empty()) return found;
    if (body.front() != ',') return false;
    body.remove_prefix(1);
  }
  return false;
}

}  // namespace

bool IsTrueValue(std::string_view value) {
  value = Trim(value);
  return value == "1" || EqualsNoCase(value, "true");
}

bool HasStatementMark(std::string_view text, const sql::Dialect& dialect, std::string_view key) {
  if (!ContainsNoCase(text, key)) return false;
  sql::Lexer lexer(text, dialect, /*trivia=*/true);
  bool first = true;
  for (;;) {
    sql::Token t = lexer.Next();
    if (t.kind == sql::TokenKind::kEnd || t.kind == sql::TokenKind::kError) return false;
    if (t.kind == sql::TokenKind::kComment) {
      std::string_view c = lexer.Text(t);
      if (c.size() >= 4 && c.substr(0, 2) == "/*" && c.substr(c.size() - 2) == "*/" &&
          c[2] != '!' && c[2] != 'M') {
        std::string_view body = c.substr(2, c.size() - 4);
        if (first && EqualsNoCase(Trim(body), key)) return true;
        if (SqlcommenterMarks(body, key)) return true;
      }
      continue;
    }
    first = false;
  }
}

}  // namespace shadowproxy::routing
