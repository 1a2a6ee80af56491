// SHADOW SYNC UNSKIP id TABLES ...: OK with the number of tables that changed.
#include "plugins/shadow_sync/handlers.h"
#include "plugins/shadow_sync/handlers/result_sets.h"

namespace shadowproxy::shadow_sync {

Answer HandleUnskip(const Request& r, const UnskipStmt& stmt) {
  auto n =
      r.service.SetSkipped(r.actor, static_cast<int64_t>(stmt.analysis_id), stmt.tables, false);
  if (!n.ok()) return n.status();
  return plugins::OkAnswer{static_cast<uint64_t>(*n), 0, 0, ""};
}
}  // namespace shadowproxy::shadow_sync
