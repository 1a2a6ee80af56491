// The parsed form of every SHADOW SYNC statement (SPEC.md §4): one plain struct per statement,
// gathered in the `Statement` variant. The parser (parser.h) produces it; the statement handlers
// (handlers.h) consume it. Everything here is already validated as far as it can be without the
// task store or the backend (syntax, PREFIX/SUFFIX exclusivity and charset, EXECUTE AT format).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "base/sql_quote.h"

namespace shadowproxy::shadow_sync {

using Id = uint64_t;  // analysis and task ids
// Millisecond precision, not system_clock's nanoseconds: those overflow after the year 2262,
// and EXECUTE AT / created_at accept any year up to 9999.
using TimePoint = std::chrono::time_point<std::chrono::system_clock, std::chrono::milliseconds>;

// [DATABASE db] {ALL TABLES | TABLES t1 [, t2 ...]}
struct TableSelection {
  std::optional<std::string> database;  // nullopt: the session's current database
  bool all_tables = false;
  std::vector<std::string> tables;  // as written, in order (empty when all_tables)
  bool operator==(const TableSelection&) const = default;
};

// [PREFIX 'p' | SUFFIX 's']: at most one is set; neither: the config's defaults apply.
// A given affix is already checked: 1 to 32 characters of [A-Za-z0-9_].
struct Naming {
  std::optional<std::string> prefix;
  std::optional<std::string> suffix;
  bool operator==(const Naming&) const = default;
};

enum class ExecutionMode { kImmediate, kAt, kManual };
enum class ErrorStrategy { kAbort, kContinue };

// [EXECUTE IMMEDIATELY | EXECUTE AT '...' | EXECUTE MANUALLY] [ON ERROR ABORT | CONTINUE]
// [COMMENT '...'], in any order, each at most once.
struct ExecutionOptions {
  ExecutionMode mode = ExecutionMode::kImmediate;  // default when not given
  // mode == kAt only: the time as written ('YYYY-MM-DD HH:MM:SS', proxy's local time zone) and
  // the same parsed (ParseLocalTime). Whether it is in the past is for the handler to check.
  std::string execute_at;
  TimePoint execute_at_time{};
  ErrorStrategy error_strategy = ErrorStrategy::kAbort;  // default when not given
  std::optional<std::string> comment;
  bool operator==(const ExecutionOptions&) const = default;
};

struct AnalyzeStmt {  // ANALYZE [DATABASE db] {ALL TABLES | TABLES ...} [PREFIX 'p' | SUFFIX 's']
  TableSelection target;
  Naming naming;
  bool operator==(const AnalyzeStmt&) const = default;
};

struct ShowAnalysisStmt {  // SHOW ANALYSIS id [TABLE t]
  Id analysis_id = 0;
  std::optional<std::string> table;  // set: the "View" of one table
  bool operator==(const ShowAnalysisStmt&) const = default;
};

struct SkipStmt {  // SKIP id TABLES t1 [, ...]
  Id analysis_id = 0;
  std::vector<std::string> tables;  // never empty
  bool operator==(const SkipStmt&) const = default;
};

struct UnskipStmt {  // UNSKIP id TABLES t1 [, ...]
  Id analysis_id = 0;
  std::vector<std::string> tables;  // never empty
  bool operator==(const UnskipStmt&) const = default;
};

struct PreviewStmt {  // PREVIEW id
  Id analysis_id = 0;
  bool operator==(const PreviewStmt&) const = default;
};

struct SubmitStmt {  // SUBMIT id [execution options]
  Id analysis_id = 0;
  ExecutionOptions options;
  bool operator==(const SubmitStmt&) const = default;
};

// CREATE TASK [DATABASE db] {ALL TABLES | TABLES ...} then, in any order and each at most once:
// [PREFIX 'p' | SUFFIX 's'] [SKIP TABLES t [, ...]] [execution options].
struct CreateTaskStmt {
  TableSelection target;
  Naming naming;
  std::vector<std::string> skip_tables;  // empty: none skipped
  ExecutionOptions options;
  bool operator==(const CreateTaskStmt&) const = default;
};

// The columns of the task list (SPEC.md §4.3), usable in WHERE (some) and ORDER BY (all).
enum class TaskColumn { kTaskId, kTaskType, kConnection, kDatabase, kCreator, kCreatedAt, kStatus };

enum class CompareOp { kEq, kNe, kLike, kIn, kLt, kLe, kGt, kGe };

// One WHERE condition. connection/database/creator/status take =, !=, LIKE, IN;
// created_at takes <, <=, >, >=. values has one element except for IN (one or more).
// For created_at the value is normalised to 'YYYY-MM-DD HH:MM:SS' (a bare date gets 00:00:00)
// and value_time holds it parsed as local time.
struct TaskFilter {
  TaskColumn column = TaskColumn::kStatus;
  CompareOp op = CompareOp::kEq;
  std::vector<std::string> values;
  TimePoint value_time{};
  bool operator==(const TaskFilter&) const = default;
};

struct TaskOrder {
  TaskColumn column = TaskColumn::kCreatedAt;
  bool descending = false;  // ASC unless DESC is given
  bool operator==(const TaskOrder&) const = default;
};

// SHOW [ALL] TASKS [WHERE c [AND c ...]] [ORDER BY col [ASC|DESC] [, ...]]
//                  [LIMIT n [OFFSET m] | LIMIT m, n]
struct ShowTasksStmt {
  bool all = false;                 // ALL: no task_list_window
  std::vector<TaskFilter> filters;  // ANDed
  std::vector<TaskOrder> order;     // empty: created_at DESC, task_id DESC
  std::optional<uint64_t> limit;
  std::optional<uint64_t> offset;
  bool operator==(const ShowTasksStmt&) const = default;
};

enum class TaskView { kInfo, kTables, kSql, kProcess, kLogs };

// SHOW TASK id [TABLES | SQL | PROCESS | LOGS [ALERT] [LIKE 'pattern']]
struct ShowTaskStmt {
  Id task_id = 0;
  TaskView view = TaskView::kInfo;
  bool alert_only = false;          // LOGS ALERT: WARN and ERROR lines only
  std::optional<std::string> like;  // LOGS LIKE: SQL LIKE pattern over the message
  bool operator==(const ShowTaskStmt&) const = default;
};

struct ApproveStmt {  // APPROVE id [COMMENT '...']
  Id task_id = 0;
  std::optional<std::string> comment;
  bool operator==(const ApproveStmt&) const = default;
};

struct RejectStmt {  // REJECT id [COMMENT '...']
  Id task_id = 0;
  std::optional<std::string> comment;
  bool operator==(const RejectStmt&) const = default;
};

struct AbortStmt {  // ABORT id
  Id task_id = 0;
  bool operator==(const AbortStmt&) const = default;
};

struct ExecuteStmt {  // EXECUTE id
  Id task_id = 0;
  bool operator==(const ExecuteStmt&) const = default;
};

struct RetryStmt {  // RETRY id
  Id task_id = 0;
  bool operator==(const RetryStmt&) const = default;
};

struct HelpStmt {  // HELP
  bool operator==(const HelpStmt&) const = default;
};

using Statement = std::variant<AnalyzeStmt, ShowAnalysisStmt, SkipStmt, UnskipStmt, PreviewStmt,
                               SubmitStmt, CreateTaskStmt, ShowTasksStmt, ShowTaskStmt, ApproveStmt,
                               RejectStmt, AbortStmt, ExecuteStmt, RetryStmt, HelpStmt>;

// The metrics label of a statement: analyze, show_analysis, skip, unskip, preview, submit,
// create_task, show_tasks, show_task, approve, reject, abort, execute, retry, help.
std::string_view StatementName(const Statement& statement);
// Every label above, in that order (to pre-create metric series).
const std::vector<std::string_view>& AllStatementNames();
// The label used for a query that did not parse.
inline constexpr std::string_view kInvalidStatementName = "invalid";

// The statement as users write it, e.g. "SHOW ANALYSIS", "CREATE TASK" (for messages).
std::string_view StatementKeyword(const Statement& statement);

// The statement as canonical SQL: "SHADOW SYNC ...", upper-case keywords, every identifier
// back-quoted, every string single-quoted and escaped, every option spelled out. Parsing it
// gives the same Statement back (for logs, RETRY, and test output).
std::string ToSql(const Statement& statement);
using sql::QuoteIdentifier;  // `a``b`
using sql::QuoteString;      // 'it\'s'

// Column names as in the task list: "task_id", "created_at", ...
std::string_view TaskColumnName(TaskColumn column);
std::string_view CompareOpText(CompareOp op);  // "=", "!=", "LIKE", "IN", "<", ...

}  // namespace shadowproxy::shadow_sync
