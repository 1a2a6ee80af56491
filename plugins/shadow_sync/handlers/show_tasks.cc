// SHADOW SYNC SHOW [ALL] TASKS [WHERE ...] [ORDER BY ...] [LIMIT ...]: the tasks the user may
// view, newest first unless ordered otherwise.
#include "plugins/shadow_sync/handlers.h"
#include "plugins/shadow_sync/handlers/result_sets.h"

namespace shadowproxy::shadow_sync {
namespace {

tasks::TaskQuery ToQuery(const ShowTasksStmt& stmt) {
  tasks::TaskQuery q;
  q.where = stmt.filters;
  q.order = stmt.order;
  q.limit = stmt.limit;
  q.offset = stmt.offset.value_or(0);
  return q;
}

}  // namespace

Answer HandleShowTasks(const Request& r, const ShowTasksStmt& stmt) {
  auto list = r.service.ListTasks(r.actor, ToQuery(stmt), stmt.all);
  if (!list.ok()) return list.status();
  plugins::ResultSetAnswer rs;
  rs.columns = {"task_id", "task_type",  "connection", "database",
                "creator", "created_at", "status"};
  rs.rows.reserve(list->size());
  for (const auto& t : *list)
    rs.rows.push_back({std::to_string(t.id), std::string(tasks::kTaskType), t.cluster, t.database,
                       t.creator, FormatTime(t.created_at), std::string(ToString(t.status))});
  return rs;
}

}  // namespace shadowproxy::shadow_sync
