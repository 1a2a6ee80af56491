// Quoting of identifiers and string literals for generated DDL, and the reverse (unquoting what
// SHOW CREATE TABLE printed). Every identifier we emit goes through QuoteIdent.
#pragma once

#include <string>
#include <string_view>

#include "base/sql_quote.h"

namespace shadowproxy::schema {

// `name` with every backtick doubled (base/sql_quote.h).
inline std::string QuoteIdent(std::string_view name) { return sql::QuoteIdentifier(name); }

// 'text' with \0, \n, \r, \Z (0x1a), \\ and \' escaped as MySQL/MariaDB print them.
using sql::QuoteString;

// The name inside a back-quoted identifier (`a``b` -> a`b); a bare word is returned as is.
std::string UnquoteIdent(std::string_view quoted);

// The value of a '...' or "..." literal: backslash escapes and doubled quotes resolved, as the
// server does (base/sql_lexer.h).
std::string UnquoteString(std::string_view quoted);

}  // namespace shadowproxy::schema
