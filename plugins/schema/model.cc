// Lookups on the schema model (names compare case-insensitively, as MySQL does for columns
// and indexes).
#include "plugins/schema/model.h"

#include <strings.h>

namespace shadowproxy::schema {

namespace {
bool SameName(std::string_view a, std::string_view b) {
  return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}
}  // namespace

const Column* Table::FindColumn(std::string_view name) const {
  for (const Column& c : columns) {
    if (SameName(c.name, name)) return &c;
  }
  return nullptr;
}

const Index* Table::FindIndex(std::string_view name) const {
  for (const Index& i : indexes) {
    if (SameName(i.name, name)) return &i;
  }
  return nullptr;
}

const TableOption* Table::FindOption(std::string_view key) const {
  for (const TableOption& o : options) {
    if (SameName(o.key, key)) return &o;
  }
  return nullptr;
}

const char* IndexKindName(IndexKind kind) {
  switch (kind) {
    case IndexKind::kPrimary:
      return "PRIMARY";
    case IndexKind::kUnique:
      return "UNIQUE";
    case IndexKind::kKey:
      return "KEY";
    case IndexKind::kFulltext:
      return "FULLTEXT";
    case IndexKind::kSpatial:
      return "SPATIAL";
  }
  return "KEY";
}

}  // namespace shadowproxy::schema
