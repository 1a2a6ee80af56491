// The SHADOW SYNC parser: a hand-written recursive-descent parser over lexer.h's tokens, for the
// whole query text (leading comments and the SHADOW SYNC keywords included). docs/statements.md
// has the exact rules ("Lexical rules") and the error format.
#pragma once

#include <string>
#include <string_view>

#include "base/sql_lexer.h"
#include "base/status.h"
#include "plugins/shadow_sync/ast.h"

namespace shadowproxy::shadow_sync {

// ERR 1064 (42000) "SHADOW SYNC syntax error near '<token>' at position <n>", ERR 7010 for a bad
// PREFIX/SUFFIX, ERR 7011 for an unparseable EXECUTE AT time.
// `dialect`: how the session's server reads SQL (version comments, NO_BACKSLASH_ESCAPES), so the
// statement is read as the relay read it when it intercepted it.
Result<Statement> ParseStatement(std::string_view query, const sql::Dialect& dialect = {});

}  // namespace shadowproxy::shadow_sync
