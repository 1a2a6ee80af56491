// Where analyses and tasks live (SPEC.md §2 `metadb`, DESIGN.md §2 "State"): an interface with
// the metadb implementation (task_store_mysql.h) and an in-memory fake for unit tests
// (task_store_memory.h). State changes are compare-and-set on Task::version, so several proxies
// (and several sessions) can share one store; a write returns only once it is committed.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "plugins/tasks/task_model.h"

namespace shadowproxy::tasks {

// The columns of the task list (SPEC.md §4.3): every one orders, all but task_id and task_type
// filter.
enum class TaskColumn { kTaskId, kTaskType, kConnection, kDatabase, kCreator, kCreatedAt, kStatus };
// Column names as in the task list: "task_id", "created_at", ...
std::string_view TaskColumnName(TaskColumn column);
// The column of a name (case-insensitive), nullopt if none.
std::optional<TaskColumn> ParseTaskColumn(std::string_view name);

enum class CompareOp { kEq, kNe, kLike, kIn, kLt, kLe, kGt, kGe };
std::string_view CompareOpText(CompareOp op);  // "=", "!=", "LIKE", "IN", "<", ...

// One condition of the task list. connection/database/creator/status take =, !=, LIKE, IN;
// created_at takes <, <=, >, >=. values has one element except for IN (one or more). For
// created_at, value_time is the time compared (values[0] its text, 'YYYY-MM-DD HH:MM:SS').
struct TaskCondition {
  TaskColumn column = TaskColumn::kStatus;
  CompareOp op = CompareOp::kEq;
  std::vector<std::string> values;
  TimePoint value_time{};
  bool operator==(const TaskCondition&) const = default;
};

// One key of the task list's order.
struct TaskSortKey {
  TaskColumn column = TaskColumn::kCreatedAt;
  bool descending = false;  // ASC unless DESC is given
  bool operator==(const TaskSortKey&) const = default;
};

struct TaskQuery {
  std::vector<TaskCondition> where;
  // Keys in order; rows equal on all of them are ordered by task_id in the last key's
  // direction. Empty = created_at DESC, task_id DESC.
  std::vector<TaskSortKey> order;
  std::optional<uint64_t> limit;
  uint64_t offset = 0;
  std::optional<TimePoint> created_since;  // the task_list_window; nullopt for SHOW ALL TASKS
  bool operator==(const TaskQuery&) const = default;
};

// Checks that each condition's operator and values suit its column (the grammar only builds
// such queries; another front may not). ERR 1064 naming the offending column otherwise.
Status ValidateQuery(const TaskQuery& query);
// The SQL LIKE of MySQL ('%', '_', backslash escape), case-insensitive as with utf8mb4_general_ci.
bool SqlLike(std::string_view pattern, std::string_view text);

class TaskStore {
 public:
  virtual ~TaskStore() = default;

  // Analyses.
  virtual Result<int64_t> CreateAnalysis(const Analysis& analysis) = 0;
  virtual Result<Analysis> GetAnalysis(int64_t id) = 0;  // 7002 if unknown
  // SKIP / UNSKIP: sets `skipped` on the named tables; returns how many changed. 7002 unknown
  // analysis, 7012 already submitted, 7005 a table that is not in the analysis.
  virtual Result<int> SetSkipped(int64_t analysis_id, const std::vector<std::string>& tables,
                                 bool skipped) = 0;

  // Tasks.
  // Stores a new task (id, version, log ids are set on `task`) and marks its analysis submitted
  // in the same transaction (7012 if it already was).
  virtual Status CreateTask(Task& task) = 0;
  // Which of a task's lists GetTask loads besides its own fields. A task loaded without all of
  // them is for reading only: never SaveTask() it (its steps would be rewritten from nothing).
  enum Parts : unsigned {
    kTables = 1,
    kStatements = 2,
    kSteps = 4,
    kLogs = 8,
    kWhole = kTables | kStatements | kSteps | kLogs,
  };
  virtual Result<Task> GetTask(int64_t id, unsigned parts = kWhole) = 0;  // 7002 if unknown
  virtual Result<TaskStatus> GetStatus(int64_t id) = 0;
  // Writes the task's row, process steps and new logs (id 0) if the stored version equals
  // task.version; then bumps it. false = someone else changed it first (reload and retry).
  // Statements are not written here (UpdateStatement), so an ABORT never rewinds them.
  virtual Result<bool> SaveTask(Task& task) = 0;
  virtual Status UpdateStatement(int64_t task_id, const TaskStatement& statement) = 0;
  virtual Result<int64_t> AppendLog(int64_t task_id, const TaskLog& line) = 0;

  virtual Result<std::vector<TaskSummary>> ListTasks(const TaskQuery& query) = 0;
  // Tasks in WAIT_FOR_APPROVAL, WAIT_FOR_EXECUTION or EXECUTING (the scheduler's work list),
  // by id: the tasks' own fields only (tables, statements, steps and logs left empty), read in
  // one query, so a poll costs the same however many tasks wait.
  virtual Result<std::vector<Task>> ListLiveTasks() = 0;
  virtual Result<std::map<TaskStatus, int64_t>> CountByStatus() = 0;

  // Execution ownership (DESIGN.md §2): claims a WAIT_FOR_EXECUTION task nobody holds (or whose
  // lease lapsed); true = this owner won it.
  virtual Result<bool> Claim(int64_t id, const std::string& owner, Duration lease) = 0;
  // Extends the lease; false if the task is no longer held by owner.
  virtual Result<bool> RenewLease(int64_t id, const std::string& owner, Duration lease) = 0;
  // Gives back a claim whose execution never started (the task is still WAIT_FOR_EXECUTION and
  // held by owner), so the next poll of any proxy can claim it again; false if it was not held.
  virtual Result<bool> ReleaseClaim(int64_t id, const std::string& owner) = 0;
  // EXECUTING tasks whose executor is gone: the lease lapsed, or the owner is an earlier
  // incarnation of this proxy (owner starts with instance + "#" and is not current_owner).
  virtual Result<std::vector<int64_t>> ListInterrupted(const std::string& instance,
                                                       const std::string& current_owner) = 0;
};

// Load, change, save with retries on concurrent changes. `change` returns a refusal (e.g. 7004)
// to stop without saving. Returns the saved task.
Result<Task> MutateTask(TaskStore& store, int64_t id, const std::function<Status(Task&)>& change);

}  // namespace shadowproxy::tasks
