// SHADOW SYNC ABORT id: task_id and CANCELLED (a running statement is killed).
#include "plugins/shadow_sync/handlers.h"
#include "plugins/shadow_sync/handlers/result_sets.h"

namespace shadowproxy::shadow_sync {

Answer HandleAbort(const Request& r, const AbortStmt& stmt) {
  auto t = r.service.Abort(r.actor, static_cast<int64_t>(stmt.task_id));
  if (!t.ok()) return t.status();
  return TaskIdStatus(*t, false);
}
}  // namespace shadowproxy::shadow_sync
