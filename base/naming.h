// Shadow naming (SPEC.md §4.1): shadow = prefix + source + suffix, and the one rule for an
// affix (1 to 32 characters of [A-Za-z0-9_]) that the grammar, the config loader and the schema
// engine all apply.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace shadowproxy {

inline constexpr size_t kMaxAffixLength = 32;

struct Naming {
  std::string prefix;
  std::string suffix;
  std::string ShadowName(std::string_view source) const {
    return prefix + std::string(source) + suffix;
  }
  bool operator==(const Naming&) const = default;
};

// 1 to kMaxAffixLength characters of [A-Za-z0-9_].
inline bool ValidAffix(std::string_view affix) {
  if (affix.empty() || affix.size() > kMaxAffixLength) return false;
  for (char c : affix) {
    const bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    if (!ok) return false;
  }
  return true;
}

}  // namespace shadowproxy
