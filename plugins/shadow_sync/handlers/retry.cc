// SHADOW SYNC RETRY id: a new task with the same settings and a fresh analysis.
#include "plugins/shadow_sync/handlers.h"
#include "plugins/shadow_sync/handlers/result_sets.h"

namespace shadowproxy::shadow_sync {

Answer HandleRetry(const Request& r, const RetryStmt& stmt) {
  auto t = r.service.Retry(r.actor, static_cast<int64_t>(stmt.task_id));
  if (!t.ok()) return t.status();
  return TaskIdStatus(*t, false);
}
}  // namespace shadowproxy::shadow_sync
