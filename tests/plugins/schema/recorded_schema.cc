#include "tests/plugins/schema/recorded_schema.h"

#include <algorithm>

#include "plugins/schema/show_create_parser.h"

namespace shadowproxy::schema::testing {

Result<std::map<std::string, TableKind>> RecordedSchema::List(
    const std::optional<std::vector<std::string>>& names) {
  ++round_trips_;
  std::map<std::string, TableKind> out;
  for (const auto& [name, ddl] : tables_) {
    if (!names || std::find(names->begin(), names->end(), name) != names->end()) {
      out.emplace(name, TableKind::kBaseTable);
    }
  }
  return out;
}

Result<std::vector<std::pair<std::string, std::string>>> RecordedSchema::ReferencesTo(
    const std::vector<std::string>& tables) {
  ++round_trips_;
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& [name, ddl] : tables_) {
    Result<Table> t = ParseCreateTable(ddl);
    if (!t.ok()) continue;
    for (const ForeignKey& fk : t->foreign_keys)
      if (fk.ref_db.empty() &&
          std::find(tables.begin(), tables.end(), fk.ref_table) != tables.end())
        out.emplace_back(name, fk.ref_table);
  }
  return out;
}

Status RecordedSchema::ReadCreateEach(const std::vector<std::string>& names, const OnDdl& on_ddl) {
  ++round_trips_;
  for (const std::string& name : names) {
    auto it = tables_.find(name);
    if (it != tables_.end()) on_ddl(name, it->second);
  }
  return Status::Ok();
}

}  // namespace shadowproxy::schema::testing
