// The seam between the SHADOW SYNC grammar and the task center: one virtual per statement, each
// receiving the session and its parsed statement (ast.h) and returning the answer the proxy sends.
// Implementations are called concurrently from the worker pool and must be thread-safe.
#pragma once

#include <string_view>

#include "base/status.h"
#include "plugins/plugin.h"
#include "plugins/shadow_sync/ast.h"

namespace shadowproxy::shadow_sync {

using plugins::Answer;
using plugins::SessionContext;

class StatementHandlers {
 public:
  virtual ~StatementHandlers() = default;

  virtual Answer Analyze(const SessionContext& session, const AnalyzeStmt& stmt) = 0;
  virtual Answer ShowAnalysis(const SessionContext& session, const ShowAnalysisStmt& stmt) = 0;
  virtual Answer Skip(const SessionContext& session, const SkipStmt& stmt) = 0;
  virtual Answer Unskip(const SessionContext& session, const UnskipStmt& stmt) = 0;
  virtual Answer Preview(const SessionContext& session, const PreviewStmt& stmt) = 0;
  virtual Answer Submit(const SessionContext& session, const SubmitStmt& stmt) = 0;
  virtual Answer CreateTask(const SessionContext& session, const CreateTaskStmt& stmt) = 0;
  virtual Answer ShowTasks(const SessionContext& session, const ShowTasksStmt& stmt) = 0;
  virtual Answer ShowTask(const SessionContext& session, const ShowTaskStmt& stmt) = 0;
  virtual Answer Approve(const SessionContext& session, const ApproveStmt& stmt) = 0;
  virtual Answer Reject(const SessionContext& session, const RejectStmt& stmt) = 0;
  virtual Answer Abort(const SessionContext& session, const AbortStmt& stmt) = 0;
  virtual Answer Execute(const SessionContext& session, const ExecuteStmt& stmt) = 0;
  virtual Answer Retry(const SessionContext& session, const RetryStmt& stmt) = 0;
  virtual Answer Help(const SessionContext& session, const HelpStmt& stmt) = 0;
};

// Answers HELP; every other statement is ERR 1105 "SHADOW SYNC <STATEMENT> is not available yet".
// Stateless, so thread-safe. The task center subclasses it and overrides what it implements.
class DefaultStatementHandlers : public StatementHandlers {
 public:
  Answer Analyze(const SessionContext& session, const AnalyzeStmt& stmt) override;
  Answer ShowAnalysis(const SessionContext& session, const ShowAnalysisStmt& stmt) override;
  Answer Skip(const SessionContext& session, const SkipStmt& stmt) override;
  Answer Unskip(const SessionContext& session, const UnskipStmt& stmt) override;
  Answer Preview(const SessionContext& session, const PreviewStmt& stmt) override;
  Answer Submit(const SessionContext& session, const SubmitStmt& stmt) override;
  Answer CreateTask(const SessionContext& session, const CreateTaskStmt& stmt) override;
  Answer ShowTasks(const SessionContext& session, const ShowTasksStmt& stmt) override;
  Answer ShowTask(const SessionContext& session, const ShowTaskStmt& stmt) override;
  Answer Approve(const SessionContext& session, const ApproveStmt& stmt) override;
  Answer Reject(const SessionContext& session, const RejectStmt& stmt) override;
  Answer Abort(const SessionContext& session, const AbortStmt& stmt) override;
  Answer Execute(const SessionContext& session, const ExecuteStmt& stmt) override;
  Answer Retry(const SessionContext& session, const RetryStmt& stmt) override;
  Answer Help(const SessionContext& session, const HelpStmt& stmt) override;
};

// Calls the handler of the statement's kind.
Answer Dispatch(StatementHandlers& handlers, const SessionContext& session,
                const Statement& statement);

// The HELP result set: columns `statement`, `description`, one row per statement form of §4.
plugins::ResultSetAnswer HelpResultSet();

// ERR 1105 "SHADOW SYNC <keyword> is not available yet".
Status NotAvailable(std::string_view keyword);

}  // namespace shadowproxy::shadow_sync
