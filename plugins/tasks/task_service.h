// The task center as a service in its own types (SPEC.md §4): analyses, tasks, approval
// decisions, execution requests, the task list. Every call checks the actor's rights, changes
// state through the state machine (task_state.h) and the store, and kicks the scheduler or
// cancels an execution when what should run changed. Fronts (plugins/shadow_sync, a web
// console) turn their requests into these calls and the results into their answers.
// Thread-safe: all state is in the store.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/config.h"
#include "plugins/tasks/executor.h"
#include "plugins/tasks/task_state.h"
#include "plugins/tasks/task_store.h"

namespace shadowproxy::tasks {

// Who asks: the user, their roles (rights) and the cluster their session is on (an analysis or
// task of another cluster is only for admins).
struct Actor {
  std::string user;
  std::vector<std::string> roles;
  std::string cluster;
};

// What the schema engine analyses: the naming already resolved.
struct AnalyzeRequest {
  std::string cluster;
  std::string database;
  bool all_tables = false;
  std::vector<std::string> tables;
  Naming naming;
  std::vector<std::string> drop_tables = {};  // gone sources whose shadows are dropped (DROP)
};
// Fills cluster, database, naming and tables (execution order) of a new analysis; errors are
// the engine's (7005, 7010, 7020, 7030).
using AnalyzeFn = std::function<Result<Analysis>(const AnalyzeRequest&)>;

// What a user asks to analyse, on the actor's cluster.
struct AnalysisSpec {
  std::string database;  // "" = none selected (7005)
  bool all_tables = false;
  std::vector<std::string> tables;
  std::optional<Naming> naming;  // nullopt: the config's default_prefix / default_suffix
  // Sources that are gone whose shadows the task drops (follow_ddl's drop_shadows; no statement
  // asks for it).
  std::vector<std::string> drop_tables = {};
};

struct CreatedTask {
  Task task;
  Analysis analysis;  // what it was made from, skips applied
};

struct TaskServiceDeps {
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

class TaskService {
 public:
  explicit TaskService(TaskServiceDeps deps) : deps_(std::move(deps)) {}

  // ANALYZE: runs the analysis and stores it.
  Result<Analysis> Analyze(const Actor& actor, const AnalysisSpec& spec);
  // A stored analysis, if the actor may use it for `right` (VIEW, SKIP, PREVIEW, SUBMIT...).
  Result<Analysis> GetAnalysis(const Actor& actor, int64_t id, std::string_view right);
  // SKIP / UNSKIP: how many tables changed.
  Result<int> SetSkipped(const Actor& actor, int64_t analysis_id,
                         const std::vector<std::string>& tables, bool skipped);
  // SUBMIT: a task from the analysis, under the approval process that matches it.
  Result<Task> Submit(const Actor& actor, int64_t analysis_id, const ExecutionOptions& options);
  // CREATE TASK: analyse, skip, submit in one call (a schedule in the past fails first).
  Result<CreatedTask> CreateTask(const Actor& actor, const AnalysisSpec& spec,
                                 const std::vector<std::string>& skip_tables,
                                 const ExecutionOptions& options);
  // SHOW [ALL] TASKS: the tasks the actor may view, within task_list_window unless all_time,
  // then query.offset / query.limit.
  Result<std::vector<TaskSummary>> ListTasks(const Actor& actor, const TaskQuery& query,
                                             bool all_time);
  // SHOW TASK: the task with the lists asked for (TaskStore::Parts), if the actor may view it.
  Result<Task> GetTask(const Actor& actor, int64_t id, unsigned parts = TaskStore::kWhole);
  Result<Task> Approve(const Actor& actor, int64_t id, const std::string& comment);
  Result<Task> Reject(const Actor& actor, int64_t id, const std::string& comment);
  Result<Task> Abort(const Actor& actor, int64_t id);
  Result<Task> Execute(const Actor& actor, int64_t id);
  // RETRY: a new task over the same tables, naming, skips and options, analysed afresh.
  Result<Task> Retry(const Actor& actor, int64_t id);

 private:
  Result<Analysis> RunAnalysis(const Actor& actor, const AnalysisSpec& spec);
  Result<Task> SubmitAnalysis(const Actor& actor, const Analysis& analysis,
                              const ExecutionOptions& options);
  // Skips `tables` (those still in the analysis) and reloads it.
  Result<Analysis> SkipAndReload(Analysis analysis, const std::vector<std::string>& tables);
  Result<Task> Decide(const Actor& actor, int64_t id, const std::string& comment, bool approve);

  TaskServiceDeps deps_;
};

}  // namespace shadowproxy::tasks
