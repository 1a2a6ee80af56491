// Parser of a PARTITION BY clause (table or OceanBase index level) over a token stream, into
// the Partitioning model: method, expression, counts, subpartitioning and each partition's
// bounds/values, plus a canonical text that compares partitioning by definition.
#pragma once

#include <cstddef>

#include "base/status.h"
#include "plugins/schema/model.h"
#include "plugins/schema/sql_lexer.h"

namespace shadowproxy::schema {

// Parses the clause starting at token `*pos` (the PARTITION word) and not beyond token `limit`
// (exclusive). On success `*pos` is the first token after the clause.
Result<Partitioning> ParsePartitionClause(const TokenStream& ts, size_t* pos, size_t limit);

// Convenience for tests: the whole text must be one clause.
Result<Partitioning> ParsePartitionText(std::string_view text);

}  // namespace shadowproxy::schema
