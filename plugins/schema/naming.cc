#include "plugins/schema/naming.h"

#include <unordered_set>

namespace shadowproxy::schema {
namespace {

Status BadNaming(const std::string& message) { return Status(errc::kBadNaming, message); }

}  // namespace

size_t Utf8Length(std::string_view text) {
  size_t n = 0;
  for (unsigned char c : text)
    if ((c & 0xC0) != 0x80) ++n;
  return n;
}

Status ValidateNaming(const Naming& naming) {
  if (!naming.prefix.empty() && !naming.suffix.empty())
    return BadNaming("bad shadow naming: give a prefix or a suffix, not both");
  if (naming.prefix.empty() && naming.suffix.empty())
    return BadNaming("bad shadow naming: a prefix or a suffix is required");
  const bool is_prefix = !naming.prefix.empty();
  const std::string& affix = is_prefix ? naming.prefix : naming.suffix;
  if (!ValidAffix(affix))
    return BadNaming(std::string("bad shadow ") + (is_prefix ? "prefix" : "suffix") + " '" + affix +
                     "': 1 to 32 characters of [A-Za-z0-9_]");
  return Status::Ok();
}

Result<Naming> ResolveNaming(const std::optional<std::string>& prefix,
                             const std::optional<std::string>& suffix,
                             const ShadowSyncConfig& defaults) {
  if (prefix && suffix) return BadNaming("bad shadow naming: give PREFIX or SUFFIX, not both");
  Naming naming;
  if (prefix) {
    if (!ValidAffix(*prefix))
      return BadNaming("bad shadow prefix '" + *prefix + "': 1 to 32 characters of [A-Za-z0-9_]");
    naming.prefix = *prefix;
  } else if (suffix) {
    if (!ValidAffix(*suffix))
      return BadNaming("bad shadow suffix '" + *suffix + "': 1 to 32 characters of [A-Za-z0-9_]");
    naming.suffix = *suffix;
  } else {
    naming.prefix = defaults.default_prefix;
    naming.suffix = defaults.default_suffix;
  }
  Status s = ValidateNaming(naming);
  if (!s.ok()) return s;
  return naming;
}

bool IsShadowName(std::string_view table, const Naming& naming) {
  const std::string& p = naming.prefix;
  const std::string& s = naming.suffix;
  if (table.size() <= p.size() + s.size()) return false;
  return table.substr(0, p.size()) == p && table.substr(table.size() - s.size()) == s;
}

Status CheckShadowNames(const std::vector<std::string>& sources, const Naming& naming) {
  std::unordered_set<std::string> source_set(sources.begin(), sources.end());
  for (const std::string& source : sources) {
    std::string shadow = naming.ShadowName(source);
    if (Utf8Length(shadow) > kMaxTableNameLength)
      return BadNaming("shadow name of table '" + source +
                       "' would be longer than 64 characters: '" + shadow + "'");
    if (shadow == source)
      return BadNaming("shadow name of table '" + source + "' equals its source");
    if (source_set.count(shadow) != 0)
      return BadNaming("shadow name of table '" + source + "' is '" + shadow +
                       "', which is another source table");
  }
  return Status::Ok();
}

}  // namespace shadowproxy::schema
