// SHADOW SYNC EXECUTE id: an approved EXECUTE MANUALLY task runs now.
#include "plugins/shadow_sync/handlers.h"
#include "plugins/shadow_sync/handlers/result_sets.h"

namespace shadowproxy::shadow_sync {

Answer HandleExecute(const Request& r, const ExecuteStmt& stmt) {
  auto t = r.service.Execute(r.actor, static_cast<int64_t>(stmt.task_id));
  if (!t.ok()) return t.status();
  return TaskIdStatus(*t, false);
}
}  // namespace shadowproxy::shadow_sync
