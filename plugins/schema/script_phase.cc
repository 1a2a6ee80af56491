#include "plugins/schema/script_phase.h"

namespace shadowproxy::schema {

char PhaseCode(ScriptPhase phase) { return static_cast<char>('0' + static_cast<int>(phase)); }

std::optional<ScriptPhase> PhaseFromCode(char code) {
  if (code < '0' || code > '3') return std::nullopt;
  return static_cast<ScriptPhase>(code - '0');
}

std::string EncodePhases(const std::vector<ScriptPhase>& phases) {
  std::string out;
  out.reserve(phases.size());
  for (ScriptPhase p : phases) out += PhaseCode(p);
  return out;
}

std::optional<std::vector<ScriptPhase>> DecodePhases(const std::string& text, size_t statements) {
  if (text.size() != statements) return std::nullopt;
  std::vector<ScriptPhase> out;
  out.reserve(text.size());
  for (char c : text) {
    std::optional<ScriptPhase> p = PhaseFromCode(c);
    if (!p) return std::nullopt;
    out.push_back(*p);
  }
  return out;
}

std::vector<std::pair<size_t, size_t>> ScriptOrder(
    const std::vector<std::vector<ScriptPhase>>& phases) {
  std::vector<std::pair<size_t, size_t>> out;
  auto take = [&](size_t t, ScriptPhase phase) {
    for (size_t i = 0; i < phases[t].size(); ++i)
      if (phases[t][i] == phase) out.emplace_back(t, i);
  };
  for (size_t t = 0; t < phases.size(); ++t) take(t, ScriptPhase::kDropForeignKeys);
  // A child's shadow is dropped before its parent's: the parent's DROP TABLE then meets no
  // foreign key.
  for (size_t t = phases.size(); t-- > 0;) take(t, ScriptPhase::kDropTables);
  for (size_t t = 0; t < phases.size(); ++t) take(t, ScriptPhase::kMain);
  for (size_t t = 0; t < phases.size(); ++t) take(t, ScriptPhase::kAddForeignKeys);
  return out;
}

}  // namespace shadowproxy::schema
