// Random schema mutations for the convergence tests: from a table's current definition, one
// ALTER TABLE that makes it differ (columns, types, NULL, defaults, comments, indexes, primary
// key, checks, foreign keys, table options, partitioning). Deterministic for a given seed.
#pragma once

#include <random>
#include <string>

#include "plugins/schema/model.h"

namespace shadowproxy::schema::testing {

struct Mutation {
  std::string kind;  // e.g. "drop_column"
  std::string sql;   // ALTER TABLE `db`.`table` ...
};

// A mutation of `table` (parsed from its SHOW CREATE TABLE), or an empty sql when the drawn kind
// does not apply to it (the caller draws again).
Mutation RandomMutation(std::mt19937& rng, const std::string& db, const Table& table, int serial);

}  // namespace shadowproxy::schema::testing
