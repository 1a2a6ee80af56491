// The one SQL lexer: what is white space, a comment, a string, an identifier or a version comment
// in SQL text, decided as the server that reads the text decides it. The interception test
// (protocol/command.h), the SHADOW SYNC grammar, the SHOW CREATE TABLE parser and the ERR 7020
// guard all tokenize through it, so they cannot disagree with each other or with the server.
//
// Rules (MariaDB 10.11 sql_lex.cc / MySQL 8 sql_lex.cc, checked against mariadbd 10.11):
//  * White space: space, \t, \n, \v, \f, \r (the server's utf8mb4 reading; see docs/design.md
//    for latin1). A NUL byte followed by nothing but white space ends the text; any other NUL is
//    a symbol (the server rejects it).
//  * `# ...` and `-- ...` run to the end of the line (or a NUL byte); `--` is a comment only when
//    a white-space or control character (or the end) follows, so `1--1` is arithmetic.
//  * `/* ... */` ends at the first `*/` (no nesting).
//  * `/*! ... */` and, on MariaDB, `/*M! ... */` are version comments. An optional version of
//    exactly 5 digits follows the marker (MariaDB: a 6th digit is taken too; MySQL >= 8.1: a 6th
//    digit followed by white space). Without a version, or when the server runs that version,
//    the markers vanish and the content is SQL; otherwise the whole comment is skipped, and a
//    skipped one may hold one level of nested `/* */`. MariaDB also skips MySQL-only versions
//    50700..99999 unless the marker is `/*M!`. On MySQL `/*M!` is an ordinary comment. Inside a
//    running version comment the first `*/` outside a string ends it.
//  * Strings: '...' and "..." with doubled quotes, and backslash escapes unless
//    NO_BACKSLASH_ESCAPES. Back-quoted identifiers: `...` with doubled backticks, no escapes.
//    ANSI_QUOTES ("..." as an identifier) is not modelled: "..." is always a string.
//  * Words: [A-Za-z0-9_$] and every byte >= 0x80 (a multi-byte UTF-8 character), not starting
//    like a number. Numbers: digits [. digits] [e [+-] digits], or .digits (a '.' right after a
//    token is a symbol: `t.5`); digits run into a word character are a word (`1abc`, `0x1F`),
//    while `1.5abc` and `1e5x` are a number then a word. Everything else is a one-byte symbol.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace shadowproxy::sql {

// Who reads the text: decides the version comments and the escapes.
struct Dialect {
  enum class Server : uint8_t { kMariaDb, kMySql };
  Server server = Server::kMariaDb;
  // MYSQL_VERSION_ID form: major * 10000 + minor * 100 + patch (10.11.6 -> 101106).
  uint32_t version = 101100;
  bool backslash_escapes = true;  // false under sql_mode NO_BACKSLASH_ESCAPES
  // Every /*! */ and /*M! */ is SQL, whatever its version: text a server printed (SHOW CREATE
  // TABLE) holds only what that server runs, and its readers want to see all of it.
  bool all_version_comments = false;

  // From a greeting's server version: "5.5.5-10.11.6-MariaDB-log", "10.11.6-MariaDB",
  // "8.0.36", "5.7.25-OceanBase-v4.2.1" (OceanBase is read as the MySQL it reports). Anything
  // unparseable gives the default (MariaDB 10.11).
  static Dialect FromServerVersion(std::string_view server_version);
  // The reading of SHOW CREATE TABLE output (all_version_comments).
  static Dialect ServerOutput();

  // Whether this server runs the content of a version comment: `mariadb_marker` for /*M!,
  // `version` 0 when the marker has none.
  bool RunsVersionComment(bool mariadb_marker, uint32_t version) const;
};

enum class TokenKind : uint8_t {
  kEnd,          // the end of the text (returned again and again)
  kWord,         // bare identifier or keyword
  kQuotedIdent,  // `...`
  kString,       // '...' or "..."
  kNumber,       // 12, 1.5, .5, 1e-3
  kSymbol,       // any other single byte
  kError,        // unterminated string, identifier or comment: [begin, end of text); then kEnd
  // Trivia, returned only by a Lexer made with `trivia`:
  kComment,       // -- , #, /* */, or a version comment this server skips (marker to */)
  kVersionOpen,   // /*!NNNNN or /*M!NNNNN of a version comment this server runs
  kVersionClose,  // the */ that ends it
};

enum class LexError : uint8_t {
  kNone,
  kUnterminatedString,
  kUnterminatedIdent,
  kUnterminatedComment,         // also a skipped version comment
  kUnterminatedVersionComment,  // a running one; begin is its marker
};

struct Token {
  TokenKind kind = TokenKind::kEnd;
  LexError error = LexError::kNone;
  bool in_version = false;  // a content token inside a running version comment
  size_t begin = 0;         // byte offsets in the text
  size_t end = 0;
};

// A cursor over the tokens of `text`. Cheap to make (no allocation); lexes only as far as it is
// asked, so the interception test reads two words of a query and stops.
class Lexer {
 public:
  Lexer(std::string_view text, const Dialect& dialect, bool trivia = false)
      : s_(text), d_(dialect), trivia_(trivia) {}

  Token Next();
  std::string_view Text(const Token& t) const { return s_.substr(t.begin, t.end - t.begin); }
  std::string_view text() const { return s_; }

 private:
  Token Make(TokenKind kind, size_t begin, size_t end);
  Token Fail(LexError error, size_t begin);
  // The comment starting at i_ with "/*": a plain or version comment; fills *out and returns
  // true when a token is to be returned (trivia, error), false to go on lexing.
  bool BlockComment(Token* out);
  Token Content();

  std::string_view s_;
  Dialect d_;
  bool trivia_;
  bool done_ = false;
  bool in_version_ = false;
  size_t i_ = 0;
  size_t version_open_ = 0;                    // the marker of the running version comment
  size_t last_end_ = static_cast<size_t>(-1);  // end of the last content token
};

// Keyword test: `word` equals `upper` (upper-case ASCII) ignoring ASCII case.
bool EqualsKeyword(std::string_view word, std::string_view upper);

// The name inside a back-quoted identifier (`a``b` -> a`b); anything else is returned as is.
std::string UnquoteIdentifier(std::string_view quoted);
// The value of a '...' or "..." literal (anything before the first quote, e.g. an introducer
// such as _utf8mb4 or N, is ignored): doubled quotes, and unless !backslash_escapes the server's
// escapes \0 \b \n \r \t \Z; \% and \_ keep their backslash; any other \x is x.
std::string UnquoteString(std::string_view quoted, bool backslash_escapes = true);

// Every distinct way a MariaDB or MySQL server of any version, with or without
// NO_BACKSLASH_ESCAPES, can read `text`: one Dialect per reading (version comments decide by
// the server kind and version, escapes by the mode). A guard that must hold whatever server
// runs the text checks each of them. Empty when the text has more than kMaxVersionsInReadings
// distinct version numbers (no such text is generated; refuse it).
inline constexpr size_t kMaxVersionsInReadings = 16;
std::vector<Dialect> AllReadings(std::string_view text);

}  // namespace shadowproxy::sql
