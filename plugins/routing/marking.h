// Per-statement shadow marks (SPEC.md §9): a sqlcommenter comment carrying shadow='1' anywhere
// in the statement (/*shadow='1',traceparent='00-...'*/, what Django, Rails and Spring emit,
// usually at the end), or a leading /* shadow */ hint. Read with the one SQL lexer, so a mark
// inside a string or a version comment is no mark.
#pragma once

#include <string_view>

#include "base/sql_lexer.h"

namespace shadowproxy::routing {

// `key`: the sqlcommenter key that marks ("shadow"); its value must be '1' or 'true'
// (URL-encoded values as sqlcommenter writes them; any case).
bool HasStatementMark(std::string_view text, const sql::Dialect& dialect,
                      std::string_view key = "shadow");

// A connect attribute or flag value that marks: "1" or "true" (any case).
bool IsTrueValue(std::string_view value);

}  // namespace shadowproxy::routing
