// Identifier and literal quoting (see quoting.h): the shared SQL lexer's unquoting.
#include "plugins/schema/quoting.h"

#include "base/sql_lexer.h"

namespace shadowproxy::schema {

std::string UnquoteIdent(std::string_view quoted) { return sql::UnquoteIdentifier(quoted); }

std::string UnquoteString(std::string_view quoted) { return sql::UnquoteString(quoted); }

}  // namespace shadowproxy::schema
