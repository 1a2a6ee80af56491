// SHADOW SYNC PREVIEW id: the statements a task from the analysis would run, in order.
#include "plugins/shadow_sync/handlers.h"
#include "plugins/shadow_sync/handlers/result_sets.h"

namespace shadowproxy::shadow_sync {

Answer HandlePreview(const Request& r, const PreviewStmt& stmt) {
  auto a = r.service.GetAnalysis(r.actor, static_cast<int64_t>(stmt.analysis_id), "PREVIEW");
  if (!a.ok()) return a.status();
  plugins::ResultSetAnswer rs;
  rs.columns = {"sql"};
  for (auto& [table, sql] : a->Script()) rs.rows.push_back({sql});
  return rs;
}
}  // namespace shadowproxy::shadow_sync
