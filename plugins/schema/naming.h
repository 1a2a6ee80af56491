// Shadow naming rules (SPEC.md §4.1): which affix a statement uses, whether it is valid, which
// tables are shadows under it, and whether the shadow names it gives are acceptable (ERR 7010).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/config.h"
#include "base/status.h"
#include "plugins/schema/model.h"

namespace shadowproxy::schema {

inline constexpr size_t kMaxTableNameLength = 64;  // characters, as the server counts them

// The naming of a statement: its PREFIX or SUFFIX if it gave one (at most one of them), else the
// config's default_prefix / default_suffix. Exactly one of prefix/suffix ends up non-empty, made
// of 1 to 32 characters of [A-Za-z0-9_]; anything else is ERR 7010.
Result<Naming> ResolveNaming(const std::optional<std::string>& prefix,
                             const std::optional<std::string>& suffix,
                             const ShadowSyncConfig& defaults);

// ERR 7010 unless exactly one of prefix/suffix is set and it is a valid affix.
Status ValidateNaming(const Naming& naming);

// True if `table` has the shape of a shadow under `naming` (the affix plus at least one
// character). With ALL TABLES such tables are shadows, not sources.
bool IsShadowName(std::string_view table, const Naming& naming);

// The shadow names of `sources` must each be at most 64 characters, differ from their source and
// from every source table: ERR 7010 naming the first table that breaks a rule.
Status CheckShadowNames(const std::vector<std::string>& sources, const Naming& naming);

// Length in characters of UTF-8 text (what the server's 64-character limit counts).
size_t Utf8Length(std::string_view text);

}  // namespace shadowproxy::schema
