// SHADOW SYNC HELP: one row per statement form of SPEC.md §4.
#include "plugins/shadow_sync/handlers.h"

namespace shadowproxy::shadow_sync {
namespace {

struct HelpRow {
  const char* statement;
  const char* description;
};

// One row per statement form of SPEC.md §4.
constexpr HelpRow kHelp[] = {
    {"SHADOW SYNC ANALYZE [DATABASE db] {ALL TABLES | TABLES t1 [, t2 ...]} [PREFIX 'p' | SUFFIX "
     "'s']",
     "Analyse which shadow tables must be created or altered; returns the analysis rows"},
    {"SHADOW SYNC SHOW ANALYSIS id", "The rows of an analysis again"},
    {"SHADOW SYNC SHOW ANALYSIS id TABLE t",
     "One table of an analysis: source and shadow DDL, change SQL"},
    {"SHADOW SYNC SKIP id TABLES t1 [, t2 ...]", "Skip tables of an analysis"},
    {"SHADOW SYNC UNSKIP id TABLES t1 [, t2 ...]", "Undo a skip"},
    {"SHADOW SYNC PREVIEW id", "The SQL an analysis would run, in execution order"},
    {"SHADOW SYNC SUBMIT id [EXECUTE IMMEDIATELY | EXECUTE AT 'YYYY-MM-DD HH:MM:SS' | EXECUTE "
     "MANUALLY] [ON ERROR ABORT | ON ERROR CONTINUE] [COMMENT 'remarks']",
     "Turn an analysis into a task for approval"},
    {"SHADOW SYNC CREATE TASK [DATABASE db] {ALL TABLES | TABLES t1 [, ...]} [PREFIX 'p' | "
     "SUFFIX 's'] [SKIP TABLES t [, ...]] [EXECUTE IMMEDIATELY | EXECUTE AT '...' | EXECUTE "
     "MANUALLY] [ON ERROR ABORT | ON ERROR CONTINUE] [COMMENT '...']",
     "ANALYZE + SKIP + SUBMIT in one statement"},
    {"SHADOW SYNC SHOW [ALL] TASKS [WHERE cond [AND cond ...]] [ORDER BY col [ASC | DESC]] "
     "[LIMIT n [OFFSET m]]",
     "The task list (ALL: without the time window)"},
    {"SHADOW SYNC SHOW TASK id", "Task information"},
    {"SHADOW SYNC SHOW TASK id TABLES", "The tables of a task"},
    {"SHADOW SYNC SHOW TASK id SQL", "The script of a task with each statement's state"},
    {"SHADOW SYNC SHOW TASK id PROCESS", "The approval and execution process of a task"},
    {"SHADOW SYNC SHOW TASK id LOGS [ALERT] [LIKE 'pattern']",
     "The logs of a task (ALERT: WARN and ERROR only)"},
    {"SHADOW SYNC APPROVE id [COMMENT '...']", "Approve the current node of a task"},
    {"SHADOW SYNC REJECT id [COMMENT '...']", "Reject a task"},
    {"SHADOW SYNC ABORT id", "Stop a task that is waiting or running"},
    {"SHADOW SYNC EXECUTE id", "Run an approved EXECUTE MANUALLY task now"},
    {"SHADOW SYNC RETRY id", "A new task with the same settings and a fresh analysis"},
    {"SHADOW SYNC HELP", "This list"},
    {"SHADOW SYNC SET SESSION SHADOW = {ON | OFF}",
     "Make this session a shadow session (shadow_routing: its statements reach shadow tables "
     "only) or an ordinary one again"},
};

}  // namespace

Answer HandleHelp(const Request&, const HelpStmt&) {
  plugins::ResultSetAnswer rs;
  rs.columns = {"statement", "description"};
  for (const auto& row : kHelp) rs.rows.push_back({row.statement, row.description});
  return rs;
}

}  // namespace shadowproxy::shadow_sync
