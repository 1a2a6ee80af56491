// DDL text as a token stream for the SHOW CREATE TABLE parser, canonical comparison and the
// ERR 7020 guard: the shared SQL lexer's tokens (base/sql_lexer.h decides comments, quoting and
// version comments), charset introducers joined to their string, and where the comments and the
// version-comment markers were, so a fragment can be cut out verbatim. Lex(text) reads version
// comments (/*!50100 ... */, /*M!100500 ... */) as SHOW CREATE TABLE output is read: all
// transparent, each token remembering which one it came from; Lex(text, dialect) reads them as
// that server would (the guard).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/sql_lexer.h"
#include "base/status.h"

namespace shadowproxy::schema {

enum class TokenKind { kWord, kQuotedIdent, kString, kNumber, kSymbol };

struct Token {
  TokenKind kind = TokenKind::kSymbol;
  size_t begin = 0;  // byte offsets in the lexed text
  size_t end = 0;
  int vc = -1;            // index of the enclosing version comment, -1 if none
  std::string_view text;  // raw text
};

struct VersionComment {
  size_t open_begin = 0, open_end = 0;    // "/*!50100"
  size_t close_begin = 0, close_end = 0;  // "*/"
  int first_token = -1, last_token = -1;
};

struct TokenStream {
  std::string_view text;
  std::vector<Token> tokens;
  std::vector<VersionComment> vcs;
  // True if [gap_begin, gap_end) holds a plain comment (not a version comment marker).
  std::vector<std::pair<size_t, size_t>> comments;
};

// Lexes `text`. Fails (ERR 1064) on an unterminated quote or comment, or a NUL byte that does
// not end the text (the server rejects both), naming the offset.
Result<TokenStream> Lex(std::string_view text);
Result<TokenStream> Lex(std::string_view text, const sql::Dialect& dialect);

// Case-insensitive keyword test for a word token.
bool IsWord(const Token& t, std::string_view upper_word);
bool IsSymbol(const Token& t, char c);

// The value of a number token of decimal digits that fits 32 bits (counts, lengths, SRIDs);
// nullopt for anything else ("1.5", 99999999999).
std::optional<uint32_t> Uint32Value(const Token& t);

// The value of an identifier token (bare word or back-quoted).
std::string IdentValue(const Token& t);

// Verbatim text of tokens [first, last] (inclusive): gaps kept as printed, except that comments
// become one space (or "/**/" after a '-', so no "-- " comment appears; a text that ends with a
// '-' gets one too) and version-comment markers are kept only if the whole comment is inside.
std::string RawText(const TokenStream& ts, size_t first, size_t last);

// Canonical text of tokens [first, last] for comparison: tokens joined by one space, bare words
// upper-cased, identifiers and strings re-quoted canonically, now()/current_timestamp() ->
// CURRENT_TIMESTAMP, utf8mb3 -> utf8, DEFAULT 'number' -> DEFAULT number, version markers gone.
std::string CanonicalTokens(const TokenStream& ts, size_t first, size_t last);

// Canonical text of a whole SQL fragment (lexes it; falls back to whitespace collapsing).
std::string CanonicalSql(std::string_view sql);

}  // namespace shadowproxy::schema
