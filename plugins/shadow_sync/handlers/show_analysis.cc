// SHADOW SYNC SHOW ANALYSIS id [TABLE t]: the rows again, or the view of one table.
#include "plugins/shadow_sync/handlers.h"
#include "plugins/shadow_sync/handlers/result_sets.h"

namespace shadowproxy::shadow_sync {

Answer HandleShowAnalysis(const Request& r, const ShowAnalysisStmt& stmt) {
  auto a = r.service.GetAnalysis(r.actor, static_cast<int64_t>(stmt.analysis_id), "VIEW");
  if (!a.ok()) return a.status();
  if (!stmt.table) return AnalysisRows(*a);
  plugins::ResultSetAnswer rs;
  rs.columns = {"source_table", "shadow_table", "result", "source_ddl", "shadow_ddl", "change_sql"};
  for (const auto& t : a->tables)
    if (t.source == *stmt.table) {
      rs.rows.push_back({t.source, t.shadow, std::string(ToString(t.result)), t.source_ddl,
                         TextCell(t.shadow_ddl), t.change_sql});
      return rs;
    }
  return Status(errc::kNotFound, "table '" + *stmt.table + "' is not in analysis " +
                                     std::to_string(stmt.analysis_id));
}
}  // namespace shadowproxy::shadow_sync
