// The SHADOW SYNC statement handlers: one per statement, each in handlers/<statement>.cc, each
// turning its parsed statement (ast.h) into a call of the task service and the result into the
// answer the proxy sends (its own result set). Dispatch() picks the handler of a statement.
// Handlers hold no state; the service is thread-safe, so they run on any worker thread.
#pragma once

#include "plugins/plugin.h"
#include "plugins/shadow_sync/ast.h"
#include "plugins/tasks/task_service.h"

namespace shadowproxy::shadow_sync {

using plugins::Answer;
using plugins::SessionContext;

// What every handler gets: the session, the service, and the session as the service's actor.
struct Request {
  const SessionContext& session;
  tasks::TaskService& service;
  tasks::Actor actor;
};

Answer HandleAnalyze(const Request& r, const AnalyzeStmt& stmt);
Answer HandleShowAnalysis(const Request& r, const ShowAnalysisStmt& stmt);
Answer HandleSkip(const Request& r, const SkipStmt& stmt);
Answer HandleUnskip(const Request& r, const UnskipStmt& stmt);
Answer HandlePreview(const Request& r, const PreviewStmt& stmt);
Answer HandleSubmit(const Request& r, const SubmitStmt& stmt);
Answer HandleCreateTask(const Request& r, const CreateTaskStmt& stmt);
Answer HandleShowTasks(const Request& r, const ShowTasksStmt& stmt);
Answer HandleShowTask(const Request& r, const ShowTaskStmt& stmt);
Answer HandleApprove(const Request& r, const ApproveStmt& stmt);
Answer HandleReject(const Request& r, const RejectStmt& stmt);
Answer HandleAbort(const Request& r, const AbortStmt& stmt);
Answer HandleExecute(const Request& r, const ExecuteStmt& stmt);
Answer HandleRetry(const Request& r, const RetryStmt& stmt);
Answer HandleHelp(const Request& r, const HelpStmt& stmt);

// Calls the handler of the statement's kind.
Answer Dispatch(tasks::TaskService& service, const SessionContext& session,
                const Statement& statement);

}  // namespace shadowproxy::shadow_sync
