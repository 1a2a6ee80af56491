// The SHADOW SYNC tokens: the shared SQL lexer's tokens (base/sql_lexer.h: comments, version
// comments, quoting and escapes as the session's server reads them) with their values, the
// comparison operators joined, and the byte offset in the query kept for syntax errors.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "base/sql_lexer.h"
#include "base/status.h"

namespace shadowproxy::shadow_sync {

enum class TokenKind {
  kWord,         // bare identifier or keyword: [A-Za-z0-9_$] and bytes >= 0x80, not all digits
  kQuotedIdent,  // `...` (value: unquoted, `` → `)
  kString,       // '...' or "..." (value: unescaped)
  kNumber,       // a number (value: as written; the grammar's ids and counts take all digits)
  kSymbol,       // , ( ) ; = != <> < <= > >= and any other single byte
  kError,        // unterminated string/identifier/comment (raw: the rest of the query), or ``
  kEnd,          // end of the query
};

struct Token {
  TokenKind kind = TokenKind::kEnd;
  std::string value;     // see TokenKind
  std::string_view raw;  // the token as written in the query (empty for kEnd)
  size_t pos = 0;        // byte offset in the query (query length for kEnd)
};

// Tokenizes the whole query as `dialect` reads it; the last token is kEnd. Lexing stops at the
// first kError token (then kEnd): the parser reports it only when it gets there.
std::vector<Token> Tokenize(std::string_view query, const sql::Dialect& dialect = {});

// ERR 1064 (42000) "SHADOW SYNC syntax error near '<token>' at position <n>". The token is its
// raw text, cut at 64 bytes (on a UTF-8 boundary); kEnd is 'end of statement'.
Status SyntaxError(const Token& token);
Status SyntaxErrorAt(std::string_view raw, size_t pos);

}  // namespace shadowproxy::shadow_sync
