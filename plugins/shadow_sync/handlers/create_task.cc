// SHADOW SYNC CREATE TASK ...: analyse, skip, submit; the new task and what it will do.
#include "plugins/shadow_sync/handlers.h"
#include "plugins/shadow_sync/handlers/result_sets.h"

namespace shadowproxy::shadow_sync {

Answer HandleCreateTask(const Request& r, const CreateTaskStmt& stmt) {
  auto created = r.service.CreateTask(r.actor, ToSpec(r.session, stmt.target, stmt.naming),
                                      stmt.skip_tables, stmt.options);
  if (!created.ok()) return created.status();
  int create = 0, update = 0, none = 0, skipped = 0;
  for (const auto& t : created->analysis.tables) {
    if (t.skipped) {
      ++skipped;
      continue;
    }
    create += t.result == tasks::TableResult::kCreate;
    update += t.result == tasks::TableResult::kUpdate;
    none += t.result == tasks::TableResult::kNoAction;
  }
  plugins::ResultSetAnswer rs = TaskIdStatus(created->task, true);
  for (auto [name, n] : {std::pair{"create_count", create}, std::pair{"update_count", update},
                         std::pair{"no_action_count", none}, std::pair{"skipped_count", skipped}}) {
    rs.columns.push_back(name);
    rs.rows[0].push_back(std::to_string(n));
  }
  return rs;
}
}  // namespace shadowproxy::shadow_sync
