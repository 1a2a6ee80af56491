// SHADOW SYNC SUBMIT id [options]: task_id, status, process of the new task.
#include "plugins/shadow_sync/handlers.h"
#include "plugins/shadow_sync/handlers/result_sets.h"

namespace shadowproxy::shadow_sync {

Answer HandleSubmit(const Request& r, const SubmitStmt& stmt) {
  auto t = r.service.Submit(r.actor, static_cast<int64_t>(stmt.analysis_id), stmt.options);
  if (!t.ok()) return t.status();
  return TaskIdStatus(*t, true);
}
}  // namespace shadowproxy::shadow_sync
