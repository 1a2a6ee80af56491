// SHADOW SYNC SHOW TASK id [TABLES | SQL | PROCESS | LOGS [ALERT] [LIKE 'p']]: one view of a
// task the user may view.
#include "plugins/shadow_sync/handlers.h"
#include "plugins/shadow_sync/handlers/result_sets.h"

namespace shadowproxy::shadow_sync {
namespace {

using tasks::Task;

std::string Join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : ", ") + i;
  return out;
}

plugins::ResultSetAnswer Info(const Task& t) {
  plugins::ResultSetAnswer rs;
  rs.columns = {"field", "value"};
  const int ok = t.CountStatements(tasks::StatementState::kSucceeded);
  const int failed = t.CountStatements(tasks::StatementState::kFailed);
  auto add = [&](const char* f, Cell v) { rs.rows.push_back({std::string(f), std::move(v)}); };
  add("status", ToString(t.status));
  add("task_id", std::to_string(t.id));
  add("task_type", tasks::kTaskType);
  add("connection", t.cluster);
  add("database", t.database);
  add("execution_mode", ToString(t.execution_mode));
  add("execute_at", TimeCell(t.execute_at));
  add("error_strategy", ToString(t.error_strategy));
  add("remarks", t.remarks);
  add("creator", t.creator);
  add("created_at", FormatTime(t.created_at));
  add("process", t.process);
  add("synced_tables", Join(t.SyncedTables()));
  add("unsynced_tables", Join(t.UnsyncedTables()));
  add("statements", std::to_string(t.statements.size()));
  add("executed_statements", std::to_string(ok + failed));
  add("failed_statements", std::to_string(failed));
  add("started_at", TimeCell(t.started_at));
  add("finished_at", TimeCell(t.finished_at));
  return rs;
}

}  // namespace

Answer HandleShowTask(const Request& r, const ShowTaskStmt& stmt) {
  using S = tasks::TaskStore;
  static constexpr unsigned kPartsOf[] = {S::kTables | S::kStatements, S::kTables, S::kStatements,
                                          S::kSteps, S::kLogs};  // by TaskView
  auto loaded = r.service.GetTask(r.actor, static_cast<int64_t>(stmt.task_id),
                                  kPartsOf[static_cast<size_t>(stmt.view)]);
  if (!loaded.ok()) return loaded.status();
  const Task& t = *loaded;
  plugins::ResultSetAnswer rs;
  switch (stmt.view) {
    case TaskView::kInfo:
      return Info(t);
    case TaskView::kTables:
      rs.columns = {"source_table", "shadow_table", "result", "skipped"};
      for (const auto& tt : t.tables)
        rs.rows.push_back({tt.source, tt.shadow, std::string(ToString(tt.result)),
                           std::string(tt.skipped ? "1" : "0")});
      return rs;
    case TaskView::kSql:
      rs.columns = {"seq", "sql", "state", "error"};
      for (const auto& st : t.statements)
        rs.rows.push_back(
            {std::to_string(st.seq), st.sql, std::string(ToString(st.state)), TextCell(st.error)});
      return rs;
    case TaskView::kProcess:
      rs.columns = {"seq", "node", "status", "operator", "at", "comment"};
      for (const auto& st : t.steps)
        rs.rows.push_back({std::to_string(st.seq), st.node, st.status, TextCell(st.op),
                           TimeCell(st.at), TextCell(st.comment)});
      return rs;
    case TaskView::kLogs:
      rs.columns = {"at", "level", "message"};
      for (const auto& l : t.logs) {
        if (stmt.alert_only && !l.IsAlert()) continue;
        if (stmt.like && !tasks::SqlLike(*stmt.like, l.message)) continue;
        rs.rows.push_back({FormatTime(l.at, true), std::string(ToString(l.level)), l.message});
      }
      return rs;
  }
  return Status(errc::kInternal, "unknown view");
}

}  // namespace shadowproxy::shadow_sync
