// SHADOW SYNC SHOW [ALL] TASKS [WHERE ...] [ORDER BY ...] [LIMIT ...]: the tasks the user may
// view, newest first unless ordered otherwise.
#include "plugins/shadow_sync/handlers.h"
#include "plugins/shadow_sync/handlers/result_sets.h"

namespace shadowproxy::shadow_sync {
namespace {

tasks::TaskCondition::Op ToOp(CompareOp op) {
  using Op = tasks::TaskCondition::Op;
  switch (op) {
    case CompareOp::kEq:
      return Op::kEq;
    case CompareOp::kNe:
      return Op::kNe;
    case CompareOp::kLike:
      return Op::kLike;
    case CompareOp::kIn:
      return Op::kIn;
    case CompareOp::kLt:
      return Op::kLt;
    case CompareOp::kLe:
      return Op::kLe;
    case CompareOp::kGt:
      return Op::kGt;
    case CompareOp::kGe:
      return Op::kGe;
  }
  return Op::kEq;
}

tasks::TaskQuery ToQuery(const ShowTasksStmt& stmt) {
  tasks::TaskQuery q;
  for (const auto& f : stmt.filters)
    q.where.push_back(
        tasks::TaskCondition{std::string(TaskColumnName(f.column)), ToOp(f.op), f.values});
  for (const auto& key : stmt.order)
    q.order.push_back(tasks::TaskSortKey{std::string(TaskColumnName(key.column)), key.descending});
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
                       t.creator, tasks::FormatTime(t.created_at),
                       std::string(ToString(t.status))});
  return rs;
}

}  // namespace shadowproxy::shadow_sync
