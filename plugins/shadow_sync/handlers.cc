#include "plugins/shadow_sync/handlers.h"

#include <string>
#include <utility>

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
};

}  // namespace

Status NotAvailable(std::string_view keyword) {
  return Status(errc::kInternal, "SHADOW SYNC " + std::string(keyword) + " is not available yet");
}

plugins::ResultSetAnswer HelpResultSet() {
  plugins::ResultSetAnswer rs;
  rs.columns = {"statement", "description"};
  for (const auto& row : kHelp) rs.rows.push_back({row.statement, row.description});
  return rs;
}

Answer DefaultStatementHandlers::Analyze(const SessionContext&, const AnalyzeStmt&) {
  return NotAvailable("ANALYZE");
}
Answer DefaultStatementHandlers::ShowAnalysis(const SessionContext&, const ShowAnalysisStmt&) {
  return NotAvailable("SHOW ANALYSIS");
}
Answer DefaultStatementHandlers::Skip(const SessionContext&, const SkipStmt&) {
  return NotAvailable("SKIP");
}
Answer DefaultStatementHandlers::Unskip(const SessionContext&, const UnskipStmt&) {
  return NotAvailable("UNSKIP");
}
Answer DefaultStatementHandlers::Preview(const SessionContext&, const PreviewStmt&) {
  return NotAvailable("PREVIEW");
}
Answer DefaultStatementHandlers::Submit(const SessionContext&, const SubmitStmt&) {
  return NotAvailable("SUBMIT");
}
Answer DefaultStatementHandlers::CreateTask(const SessionContext&, const CreateTaskStmt&) {
  return NotAvailable("CREATE TASK");
}
Answer DefaultStatementHandlers::ShowTasks(const SessionContext&, const ShowTasksStmt&) {
  return NotAvailable("SHOW TASKS");
}
Answer DefaultStatementHandlers::ShowTask(const SessionContext&, const ShowTaskStmt&) {
  return NotAvailable("SHOW TASK");
}
Answer DefaultStatementHandlers::Approve(const SessionContext&, const ApproveStmt&) {
  return NotAvailable("APPROVE");
}
Answer DefaultStatementHandlers::Reject(const SessionContext&, const RejectStmt&) {
  return NotAvailable("REJECT");
}
Answer DefaultStatementHandlers::Abort(const SessionContext&, const AbortStmt&) {
  return NotAvailable("ABORT");
}
Answer DefaultStatementHandlers::Execute(const SessionContext&, const ExecuteStmt&) {
  return NotAvailable("EXECUTE");
}
Answer DefaultStatementHandlers::Retry(const SessionContext&, const RetryStmt&) {
  return NotAvailable("RETRY");
}
Answer DefaultStatementHandlers::Help(const SessionContext&, const HelpStmt&) {
  return HelpResultSet();
}

Answer Dispatch(StatementHandlers& h, const SessionContext& s, const Statement& statement) {
  struct Visitor {
    StatementHandlers& h;
    const SessionContext& s;
    Answer operator()(const AnalyzeStmt& x) { return h.Analyze(s, x); }
    Answer operator()(const ShowAnalysisStmt& x) { return h.ShowAnalysis(s, x); }
    Answer operator()(const SkipStmt& x) { return h.Skip(s, x); }
    Answer operator()(const UnskipStmt& x) { return h.Unskip(s, x); }
    Answer operator()(const PreviewStmt& x) { return h.Preview(s, x); }
    Answer operator()(const SubmitStmt& x) { return h.Submit(s, x); }
    Answer operator()(const CreateTaskStmt& x) { return h.CreateTask(s, x); }
    Answer operator()(const ShowTasksStmt& x) { return h.ShowTasks(s, x); }
    Answer operator()(const ShowTaskStmt& x) { return h.ShowTask(s, x); }
    Answer operator()(const ApproveStmt& x) { return h.Approve(s, x); }
    Answer operator()(const RejectStmt& x) { return h.Reject(s, x); }
    Answer operator()(const AbortStmt& x) { return h.Abort(s, x); }
    Answer operator()(const ExecuteStmt& x) { return h.Execute(s, x); }
    Answer operator()(const RetryStmt& x) { return h.Retry(s, x); }
    Answer operator()(const HelpStmt& x) { return h.Help(s, x); }
  };
  return std::visit(Visitor{h, s}, statement);
}

}  // namespace shadowproxy::shadow_sync
