// SHADOW SYNC ANALYZE: runs and stores an analysis; one row per table.
#include "plugins/shadow_sync/handlers.h"
#include "plugins/shadow_sync/handlers/result_sets.h"

namespace shadowproxy::shadow_sync {

Answer HandleAnalyze(const Request& r, const AnalyzeStmt& stmt) {
  auto a = r.service.Analyze(r.actor, ToSpec(r.session, stmt.target, stmt.naming));
  if (!a.ok()) return a.status();
  return AnalysisRows(*a);
}
}  // namespace shadowproxy::shadow_sync
