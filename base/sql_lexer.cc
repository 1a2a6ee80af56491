// The one SQL lexer (see sql_lexer.h for the rules and where they come from).
#include "base/sql_lexer.h"

#include <algorithm>
#include <set>

namespace shadowproxy::sql {
namespace {

inline bool IsDigit(unsigned char c) { return c >= '0' && c <= '9'; }
inline bool IsSpace(unsigned char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }
inline bool IsSpaceOrControl(unsigned char c) { return c <= ' ' || c == 0x7f; }
inline bool IsWordChar(unsigned char c) {
  return IsDigit(c) || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') || c == '_' || c == '$' ||
         c >= 0x80;
}
inline char ToUpper(char c) { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 32) : c; }

// Parses "major.minor.patch" at the start of `v`; false if there is no "major.minor".
bool ParseVersion(std::string_view v, uint32_t* out) {
  uint32_t part[3] = {0, 0, 0};
  size_t i = 0;
  for (int k = 0; k < 3; ++k) {
    const size_t start = i;
    uint32_t n = 0;
    while (i < v.size() && IsDigit(v[i]) && i - start < 4) n = n * 10 + (v[i++] - '0');
    if (i == start) {
      if (k < 2) return false;
      break;
    }
    part[k] = n;
    if (k < 2) {
      if (i >= v.size() || v[i] != '.') {
        if (k == 0) return false;
        break;
      }
      ++i;
    }
  }
  *out = part[0] * 10000 + std::min<uint32_t>(part[1], 99) * 100 + std::min<uint32_t>(part[2], 99);
  return true;
}

bool ContainsNoCase(std::string_view hay, std::string_view upper_needle) {
  if (hay.size() < upper_needle.size()) return false;
  for (size_t i = 0; i + upper_needle.size() <= hay.size(); ++i) {
    if (EqualsKeyword(hay.substr(i, upper_needle.size()), upper_needle)) return true;
  }
  return false;
}

}  // namespace

Dialect Dialect::FromServerVersion(std::string_view v) {
  Dialect d;
  const bool maria = ContainsNoCase(v, "MARIADB");
  // MariaDB greets with "5.5.5-" in front of its real version, for old replication clients.
  if (maria && v.substr(0, 6) == "5.5.5-") v.remove_prefix(6);
  uint32_t version = 0;
  if (!ParseVersion(v, &version)) return d;
  d.server = maria ? Server::kMariaDb : Server::kMySql;
  d.version = version;
  return d;
}

Dialect Dialect::ServerOutput() {
  Dialect d;
  d.all_version_comments = true;
  return d;
}

bool Dialect::RunsVersionComment(bool mariadb_marker, uint32_t v) const {
  if (all_version_comments) return true;
  if (v > version) return false;
  // MariaDB skips MySQL-only versions (5.7 to 9.x) unless the comment is MariaDB's own.
  if (server == Server::kMariaDb && !mariadb_marker && v >= 50700 && v <= 99999) return false;
  return true;
}

Token Lexer::Make(TokenKind kind, size_t begin, size_t end) {
  Token t;
  t.kind = kind;
  t.begin = begin;
  t.end = end;
  return t;
}

Token Lexer::Fail(LexError error, size_t begin) {
  Token t = Make(TokenKind::kError, begin, s_.size());
  t.error = error;
  done_ = true;
  i_ = s_.size();
  return t;
}

bool Lexer::BlockComment(Token* out) {
  const size_t n = s_.size();
  const size_t b = i_;
  const bool bang = b + 2 < n && s_[b + 2] == '!';
  const bool maria_bang = b + 3 < n && s_[b + 2] == 'M' && s_[b + 3] == '!' &&
                          (d_.server == Dialect::Server::kMariaDb || d_.all_version_comments);
  if (!bang && !maria_bang) {
    const size_t close = s_.find("*/", b + 2);
    if (close == std::string_view::npos) {
      *out = Fail(LexError::kUnterminatedComment, b);
      return true;
    }
    i_ = close + 2;
    *out = Make(TokenKind::kComment, b, i_);
    return trivia_;
  }
  size_t j = b + (bang ? 3 : 4);
  uint32_t version = 0;
  size_t digits = 0;
  while (digits < 5 && j + digits < n && IsDigit(s_[j + digits])) ++digits;
  if (digits == 5) {
    const bool sixth = j + 5 < n && IsDigit(s_[j + 5]);
    if (sixth && (d_.server == Dialect::Server::kMariaDb || d_.all_version_comments ||
                  (d_.version >= 80100 && j + 6 < n && IsSpace(s_[j + 6])))) {
      digits = 6;
    }
    for (size_t k = 0; k < digits; ++k) version = version * 10 + (s_[j + k] - '0');
  } else {
    digits = 0;  // not a version: the content starts right after the marker
  }
  j += digits;
  if (d_.RunsVersionComment(maria_bang, version)) {
    if (!in_version_) version_open_ = b;
    in_version_ = true;
    i_ = j;
    *out = Make(TokenKind::kVersionOpen, b, j);
    return trivia_;
  }
  // Skipped: up to its */, with one level of /* */ inside.
  size_t k = j;
  while (true) {
    if (k + 1 >= n) {
      *out = Fail(LexError::kUnterminatedComment, b);
      return true;
    }
    if (s_[k] == '/' && s_[k + 1] == '*') {
      const size_t close = s_.find("*/", k + 2);
      if (close == std::string_view::npos) {
        *out = Fail(LexError::kUnterminatedComment, b);
        return true;
      }
      k = close + 2;
      continue;
    }
    if (s_[k] == '*' && s_[k + 1] == '/') break;
    ++k;
  }
  i_ = k + 2;
  *out = Make(TokenKind::kComment, b, i_);
  return trivia_;
}

Token Lexer::Next() {
  const size_t n = s_.size();
  while (!done_) {
    while (i_ < n && IsSpace(s_[i_])) ++i_;
    if (i_ >= n) {
      done_ = true;
      if (in_version_) return Fail(LexError::kUnterminatedVersionComment, version_open_);
      break;
    }
    const unsigned char c = s_[i_];
    const unsigned char next = i_ + 1 < n ? s_[i_ + 1] : 0;
    if (c == '#' || (c == '-' && next == '-' && (i_ + 2 >= n || IsSpaceOrControl(s_[i_ + 2])))) {
      const size_t b = i_;
      while (i_ < n && s_[i_] != '\n' && s_[i_] != '\0') ++i_;
      if (trivia_) return Make(TokenKind::kComment, b, i_);
      continue;
    }
    if (c == '/' && next == '*') {
      Token t;
      if (BlockComment(&t)) return t;
      continue;
    }
    if (c == '*' && next == '/' && in_version_) {
      in_version_ = false;
      i_ += 2;
      if (trivia_) return Make(TokenKind::kVersionClose, i_ - 2, i_);
      continue;
    }
    if (c == '\0') {
      size_t k = i_ + 1;
      while (k < n && IsSpace(s_[k])) ++k;
      if (k >= n) {  // a trailing NUL ends the text, as the server reads it
        i_ = n;
        continue;
      }
    }
    return Content();
  }
  return Make(TokenKind::kEnd, n, n);
}

Token Lexer::Content() {
  const size_t n = s_.size();
  const size_t b = i_;
  const unsigned char c = s_[b];
  TokenKind kind = TokenKind::kSymbol;
  size_t j = b + 1;
  if (IsDigit(c) || (c == '.' && j < n && IsDigit(s_[j]) && last_end_ != b)) {
    j = b;
    bool digits_only = true;
    while (j < n && IsDigit(s_[j])) ++j;
    if (j < n && s_[j] == '.') {
      digits_only = false;
      ++j;
      while (j < n && IsDigit(s_[j])) ++j;
    }
    if (j + 1 < n && (s_[j] == 'e' || s_[j] == 'E') &&
        (IsDigit(s_[j + 1]) ||
         ((s_[j + 1] == '+' || s_[j + 1] == '-') && j + 2 < n && IsDigit(s_[j + 2])))) {
      digits_only = false;
      j += 2;
      while (j < n && IsDigit(s_[j])) ++j;
    }
    kind = TokenKind::kNumber;
    // Only a run of digits goes on into a word (1abc, 0x1F); 1.5abc and 1e5x are a number and
    // a word, as the server reads them.
    if (digits_only && j < n && IsWordChar(s_[j])) {
      kind = TokenKind::kWord;
      while (j < n && IsWordChar(s_[j])) ++j;
    }
  } else if (IsWordChar(c)) {
    while (j < n && IsWordChar(s_[j])) ++j;
    kind = TokenKind::kWord;
  } else if (c == '`' || c == '\'' || c == '"') {
    const bool escapes = c != '`' && d_.backslash_escapes;
    while (true) {
      if (j >= n) {
        return Fail(c == '`' ? LexError::kUnterminatedIdent : LexError::kUnterminatedString, b);
      }
      const char x = s_[j];
      if (escapes && x == '\\') {
        if (j + 1 >= n) return Fail(LexError::kUnterminatedString, b);
        j += 2;
      } else if (x == static_cast<char>(c)) {
        if (j + 1 < n && s_[j + 1] == x) {
          j += 2;
        } else {
          ++j;
          break;
        }
      } else {
        ++j;
      }
    }
    kind = c == '`' ? TokenKind::kQuotedIdent : TokenKind::kString;
  }
  i_ = j;
  last_end_ = j;
  Token t = Make(kind, b, j);
  t.in_version = in_version_;
  return t;
}

bool EqualsKeyword(std::string_view word, std::string_view upper) {
  if (word.size() != upper.size()) return false;
  for (size_t i = 0; i < word.size(); ++i) {
    if (ToUpper(word[i]) != upper[i]) return false;
  }
  return true;
}

std::string UnquoteIdentifier(std::string_view quoted) {
  if (quoted.size() < 2 || quoted.front() != '`' || quoted.back() != '`') {
    return std::string(quoted);
  }
  std::string out;
  out.reserve(quoted.size() - 2);
  for (size_t i = 1; i + 1 < quoted.size(); ++i) {
    out += quoted[i];
    if (quoted[i] == '`' && i + 2 < quoted.size() && quoted[i + 1] == '`') ++i;
  }
  return out;
}

std::string UnquoteString(std::string_view quoted, bool backslash_escapes) {
  const size_t open = quoted.find_first_of("'\"");
  if (open == std::string_view::npos || quoted.size() - open < 2) return std::string(quoted);
  const char q = quoted[open];
  const std::string_view body = quoted.substr(open + 1, quoted.size() - open - 2);
  std::string out;
  out.reserve(body.size());
  for (size_t i = 0; i < body.size(); ++i) {
    const char c = body[i];
    if (backslash_escapes && c == '\\' && i + 1 < body.size()) {
      const char e = body[++i];
      switch (e) {
        case '0':
          out += '\0';
          break;
        case 'b':
          out += '\b';
          break;
        case 'n':
          out += '\n';
          break;
        case 'r':
          out += '\r';
          break;
        case 't':
          out += '\t';
          break;
        case 'Z':
          out += '\x1a';
          break;
        case '%':
        case '_':
          out += '\\';  // kept, so a LIKE pattern still matches a literal % or _
          out += e;
          break;
        default:
          out += e;
      }
    } else if (c == q && i + 1 < body.size() && body[i + 1] == q) {
      out += q;
      ++i;
    } else {
      out += c;
    }
  }
  return out;
}

std::vector<Dialect> AllReadings(std::string_view text) {
  // The version numbers any marker in the text could carry (5 or 6 digits; a raw search, so
  // markers inside strings count too: that only adds readings).
  std::set<uint32_t> versions;
  for (size_t p = text.find("/*"); p != std::string_view::npos; p = text.find("/*", p + 2)) {
    size_t j = p + 2;
    if (j < text.size() && text[j] == 'M') ++j;
    if (j >= text.size() || text[j] != '!') continue;
    ++j;
    uint32_t v = 0;
    size_t k = 0;
    while (k < 6 && j + k < text.size() && IsDigit(text[j + k])) {
      v = v * 10 + (text[j + k] - '0');
      if (++k >= 5) versions.insert(v);
    }
  }
  if (versions.size() > kMaxVersionsInReadings) return {};
  // A server of version V runs exactly the comments with versions <= V, so the servers at each
  // version found (and below all of them) give every reading there is; MySQL also reads 6-digit
  // versions only from 8.1 on.
  std::vector<Dialect> out;
  const bool has_markers = !versions.empty() || text.find("/*!") != std::string_view::npos ||
                           text.find("/*M!") != std::string_view::npos;
  const bool has_backslash = text.find('\\') != std::string_view::npos;
  for (bool escapes : {true, false}) {
    if (!escapes && !has_backslash) break;
    Dialect base;
    base.backslash_escapes = escapes;
    if (!has_markers) {
      out.push_back(base);
      continue;
    }
    for (Dialect::Server server : {Dialect::Server::kMariaDb, Dialect::Server::kMySql}) {
      std::set<uint32_t> at = versions;
      at.insert(0);
      if (server == Dialect::Server::kMySql) {
        at.insert(80099);
        at.insert(80100);
      }
      for (uint32_t v : at) {
        Dialect d = base;
        d.server = server;
        d.version = v;
        out.push_back(d);
      }
    }
  }
  return out;
}

}  // namespace shadowproxy::sql
