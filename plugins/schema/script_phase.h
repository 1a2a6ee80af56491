// Where each shadow DDL statement runs in the whole script of an analysis. Tables come parents
// first; a table's statements are in non-decreasing phase order; the script runs phase by phase
// so that no statement meets a foreign key that is in its way (see ScriptOrder).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace shadowproxy::schema {

enum class ScriptPhase : uint8_t {
  kDropForeignKeys,  // ALTER ... DROP FOREIGN KEY (and check drops): every table, before anything
  kDropTables,       // DROP TABLE of shadows that are re-created: children before parents
  kMain,             // CREATE TABLE and the ALTERs: parents before children
  kAddForeignKeys,   // ALTER ... ADD FOREIGN KEY: last, when every key they need exists
};

// One character per phase ('0'..'3'), for storing a table's phases as a string.
char PhaseCode(ScriptPhase phase);
std::optional<ScriptPhase> PhaseFromCode(char code);
std::string EncodePhases(const std::vector<ScriptPhase>& phases);
// Unknown characters, or a length other than `statements`: nullopt (the caller treats every
// statement as kMain, which is how scripts were ordered before phases were stored).
std::optional<std::vector<ScriptPhase>> DecodePhases(const std::string& text, size_t statements);

// The execution order of the statements of `tables` (given parents first): (table index,
// statement index) pairs. `phases[t]` holds table t's statement phases.
std::vector<std::pair<size_t, size_t>> ScriptOrder(
    const std::vector<std::vector<ScriptPhase>>& phases);

}  // namespace shadowproxy::schema
