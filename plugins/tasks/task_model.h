// The task center's data model (SPEC.md §4): analyses and their per-table results, tasks with
// their tables, statements, process steps and logs. Plain structs; the state machine
// (task_state.h) changes them, the store (task_store.h) persists them.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/config.h"
#include "base/naming.h"
#include "base/time_point.h"
#include "plugins/schema/script_phase.h"

namespace shadowproxy::tasks {

enum class TaskStatus {
  kWaitForApproval,
  kWaitForExecution,
  kExecuting,
  kExecutionSucceeded,
  kExecutionSucceededWithErrors,
  kExecutionFailed,
  kRejected,
  kApprovalExpired,
  kExecutionExpired,
  kCancelled,
};
const char* ToString(TaskStatus s);
std::optional<TaskStatus> ParseTaskStatus(std::string_view text);
bool IsFinal(TaskStatus s);
inline constexpr TaskStatus kAllStatuses[] = {
    TaskStatus::kWaitForApproval,
    TaskStatus::kWaitForExecution,
    TaskStatus::kExecuting,
    TaskStatus::kExecutionSucceeded,
    TaskStatus::kExecutionSucceededWithErrors,
    TaskStatus::kExecutionFailed,
    TaskStatus::kRejected,
    TaskStatus::kApprovalExpired,
    TaskStatus::kExecutionExpired,
    TaskStatus::kCancelled,
};

enum class ExecutionMode { kImmediate, kAt, kManual };
const char* ToString(ExecutionMode m);  // IMMEDIATE, AT, MANUAL
std::optional<ExecutionMode> ParseExecutionMode(std::string_view text);

enum class ErrorStrategy { kAbort, kContinue };
const char* ToString(ErrorStrategy e);  // ABORT, CONTINUE
std::optional<ErrorStrategy> ParseErrorStrategy(std::string_view text);

enum class StatementState { kPending, kSucceeded, kFailed, kSkipped };
const char* ToString(StatementState s);
std::optional<StatementState> ParseStatementState(std::string_view text);

// kDrop: the source is gone and its shadow is dropped (follow_ddl with drop_shadows: true).
enum class TableResult { kCreate, kUpdate, kNoAction, kDrop };
const char* ToString(TableResult r);  // CREATE, UPDATE, NO_ACTION, DROP
std::optional<TableResult> ParseTableResult(std::string_view text);

enum class LogLevel { kInfo, kWarn, kError };
const char* ToString(LogLevel l);  // INFO, WARN, ERROR
std::optional<LogLevel> ParseLogLevel(std::string_view text);

inline constexpr char kTaskType[] = "SHADOW_TABLE_SYNC";

// How a task runs once approved: [EXECUTE IMMEDIATELY | AT '...' | MANUALLY]
// [ON ERROR ABORT | CONTINUE] [COMMENT '...'] (SPEC.md §4.2).
struct ExecutionOptions {
  ExecutionMode mode = ExecutionMode::kImmediate;
  std::optional<TimePoint> execute_at;  // kAt only; whether it is in the past is NewTask's check
  ErrorStrategy error_strategy = ErrorStrategy::kAbort;
  std::string remarks;  // COMMENT; "" = none
  bool operator==(const ExecutionOptions&) const = default;
};

struct AnalysisTable {
  std::string source;
  std::string shadow;
  TableResult result = TableResult::kNoAction;
  bool skipped = false;
  std::string source_ddl;
  std::string shadow_ddl;  // empty when the shadow does not exist
  std::string change_sql;  // what the preview shows for this table
  std::vector<std::string> statements;
  std::vector<schema::ScriptPhase> phases = {};  // phases[i]: where statements[i] runs
};

struct Analysis {
  int64_t id = 0;
  std::string cluster;
  std::string database;
  Naming naming;
  std::string creator;
  TimePoint created_at{};
  bool submitted = false;
  std::vector<AnalysisTable> tables;  // in execution order (parents before children)

  // The statements a task made from this analysis runs: those of the non-skipped CREATE/UPDATE
  // tables, phase by phase (schema::ScriptOrder).
  std::vector<std::pair<std::string, std::string>> Script() const;  // (source table, sql)
};

struct TaskTable {
  std::string source;
  std::string shadow;
  TableResult result = TableResult::kNoAction;
  bool skipped = false;
};

struct TaskStatement {
  int seq = 0;        // 1-based, execution order
  std::string table;  // source table
  std::string sql;
  StatementState state = StatementState::kPending;
  std::string error;
};

struct ProcessStep {
  int seq = 0;
  std::string node;    // INITIATED, "APPROVAL 1 (role dba)", EXECUTION, COMPLETED
  std::string status;  // see task_state.h
  std::string op;      // operator
  std::optional<TimePoint> at;
  std::string comment;
};

struct TaskLog {
  int64_t id = 0;  // 0 = not yet stored
  TimePoint at{};
  LogLevel level = LogLevel::kInfo;
  std::string message;

  // An alert is what the ALERT view of the logs shows: WARN and ERROR lines.
  bool IsAlert() const { return level != LogLevel::kInfo; }
};

struct Task {
  int64_t id = 0;
  std::string cluster;
  std::string database;
  std::string creator;
  TimePoint created_at{};
  TaskStatus status = TaskStatus::kWaitForApproval;
  ExecutionMode execution_mode = ExecutionMode::kImmediate;
  std::optional<TimePoint> execute_at;  // AT: the set time; MANUAL: when EXECUTE was given
  ErrorStrategy error_strategy = ErrorStrategy::kAbort;
  std::string remarks;
  std::string process;                      // process name
  std::vector<ApprovalNode> process_nodes;  // snapshot at submit time
  bool allow_self_approval = false;
  int current_node = 0;  // index into process_nodes while WAIT_FOR_APPROVAL
  Naming naming;
  int64_t analysis_id = 0;
  std::vector<TaskTable> tables;
  std::vector<TaskStatement> statements;
  std::vector<ProcessStep> steps;
  std::vector<TaskLog> logs;
  std::string owner;  // the proxy executing it ("" = none)
  std::optional<TimePoint> lease_until;
  std::optional<TimePoint> approved_at;
  std::optional<TimePoint> started_at;
  std::optional<TimePoint> finished_at;
  int64_t version = 0;  // bumped by every stored state change (optimistic concurrency)

  int CountStatements(StatementState s) const;
  // The task's tables as its information shows them: synced (those it changes) and unsynced
  // (those the user skipped); tables with nothing to do are in neither.
  std::vector<std::string> SyncedTables() const;
  std::vector<std::string> UnsyncedTables() const;
};

// One row of SHOW TASKS.
struct TaskSummary {
  int64_t id = 0;
  std::string cluster;
  std::string database;
  std::string creator;
  TimePoint created_at{};
  TaskStatus status = TaskStatus::kWaitForApproval;
  std::string process;  // for the rights check of SHOW TASKS
  std::vector<ApprovalNode> process_nodes;
};

// Encodes a list of strings into one text value and back (length-prefixed: safe for any bytes).
std::string EncodeList(const std::vector<std::string>& items);
std::optional<std::vector<std::string>> DecodeList(std::string_view text);
// The process nodes snapshot as text and back.
std::string EncodeNodes(const std::vector<ApprovalNode>& nodes);
std::optional<std::vector<ApprovalNode>> DecodeNodes(std::string_view text);

}  // namespace shadowproxy::tasks
