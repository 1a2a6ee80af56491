// SHADOW SYNC REJECT id [COMMENT ...]: task_id and REJECTED.
#include "plugins/shadow_sync/handlers.h"
#include "plugins/shadow_sync/handlers/result_sets.h"

namespace shadowproxy::shadow_sync {

Answer HandleReject(const Request& r, const RejectStmt& stmt) {
  auto t = r.service.Reject(r.actor, static_cast<int64_t>(stmt.task_id), stmt.comment.value_or(""));
  if (!t.ok()) return t.status();
  return TaskIdStatus(*t, false);
}
}  // namespace shadowproxy::shadow_sync
