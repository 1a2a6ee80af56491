// SHADOW SYNC APPROVE id [COMMENT ...]: task_id and the status after the decision.
#include "plugins/shadow_sync/handlers.h"
#include "plugins/shadow_sync/handlers/result_sets.h"

namespace shadowproxy::shadow_sync {

Answer HandleApprove(const Request& r, const ApproveStmt& stmt) {
  auto t =
      r.service.Approve(r.actor, static_cast<int64_t>(stmt.task_id), stmt.comment.value_or(""));
  if (!t.ok()) return t.status();
  return TaskIdStatus(*t, false);
}
}  // namespace shadowproxy::shadow_sync
