// The task center behind the SHADOW SYNC statements (SPEC.md §4): implements the grammar's
// StatementHandlers over the store, the state machine, the approval rights and an analysis
// callback (the schema engine, wired by schema_bridge.h), and kicks the scheduler / cancels
// executions when a statement changes what should run. Thread-safe (all state is in the store).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "base/config.h"
#include "plugins/shadow_sync/handlers.h"
#include "plugins/tasks/executor.h"
#include "plugins/tasks/task_store.h"

namespace shadowproxy::tasks {

struct AnalyzeRequest {
  std::string cluster;
  std::string database;
  bool all_tables = false;
  std::vector<std::string> tables;
  Naming naming;
};
// Fills cluster, database, naming and tables (execution order) of a new analysis; errors are
// the engine's (7005, 7010, 7020, 7030).
using AnalyzeFn = std::function<Result<Analysis>(const AnalyzeRequest&)>;

struct TaskCenterDeps {
  std::function<ConfigPtr()> config;  // the current config (SIGHUP replaces it)
  TaskStore* store = nullptr;
  AnalyzeFn analyze;
  std::function<void()> kick;           // scheduler: something may be due now
  std::function<bool(int64_t)> cancel;  // executor: kill task id's running statement
  std::function<TimePoint()> clock = Now;
};

// The re-analysis the executor does before the first statement: the same tables and naming,
// the task's skips applied; returns the statements that would run now.
ReanalyzeFn MakeReanalyze(AnalyzeFn analyze);

class TaskCenter : public shadow_sync::DefaultStatementHandlers {
 public:
  explicit TaskCenter(TaskCenterDeps deps) : deps_(std::move(deps)) {}

  using Answer = plugins::Answer;
  using Session = plugins::SessionContext;
  Answer Analyze(const Session& s, const shadow_sync::AnalyzeStmt& stmt) override;
  Answer ShowAnalysis(const Session& s, const shadow_sync::ShowAnalysisStmt& stmt) override;
  Answer Skip(const Session& s, const shadow_sync::SkipStmt& stmt) override;
  Answer Unskip(const Session& s, const shadow_sync::UnskipStmt& stmt) override;
  Answer Preview(const Session& s, const shadow_sync::PreviewStmt& stmt) override;
  Answer Submit(const Session& s, const shadow_sync::SubmitStmt& stmt) override;
  Answer CreateTask(const Session& s, const shadow_sync::CreateTaskStmt& stmt) override;
  Answer ShowTasks(const Session& s, const shadow_sync::ShowTasksStmt& stmt) override;
  Answer ShowTask(const Session& s, const shadow_sync::ShowTaskStmt& stmt) override;
  Answer Approve(const Session& s, const shadow_sync::ApproveStmt& stmt) override;
  Answer Reject(const Session& s, const shadow_sync::RejectStmt& stmt) override;
  Answer Abort(const Session& s, const shadow_sync::AbortStmt& stmt) override;
  Answer Execute(const Session& s, const shadow_sync::ExecuteStmt& stmt) override;
  Answer Retry(const Session& s, const shadow_sync::RetryStmt& stmt) override;

 private:
  Result<Analysis> RunAnalysis(const Session& s, const shadow_sync::TableSelection& target,
                               const shadow_sync::Naming& naming);
  Result<Analysis> LoadAnalysis(const Session& s, uint64_t id, const char* right);
  Result<Task> SubmitAnalysis(const Session& s, const Analysis& analysis,
                              const shadow_sync::ExecutionOptions& options);
  Result<Task> LoadVisibleTask(const Session& s, uint64_t id);
  Answer Decide(const Session& s, uint64_t id, const std::optional<std::string>& comment,
                bool approve);

  TaskCenterDeps deps_;
};

}  // namespace shadowproxy::tasks
