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
#include "plugins/tasks/task_store.h"

namespace shadowproxy::shadow_sync {

using Id = uint64_t;  // analysis and task ids
// The service's vocabulary, which the statements are written in.
using tasks::CompareOp;
using tasks::ErrorStrategy;
using tasks::ExecutionMode;
using tasks::ExecutionOptions;
using tasks::TaskColumn;
using tasks::TaskCondition;
using tasks::TaskSortKey;

// [DATABASE db] {ALL TABLES | TABLES t1 [, t2 ...]}
struct TableSelection {
  std::optional<std::string> database;  // nullopt: the session's current database
  bool all_tables = false;
  std::vector<std::string> tables;  // as written, in order (empty when all_tables)
  bool operator==(const TableSelection&) const = default;
};

// [PREFIX 'p' | SUFFIX 's']: the naming with that one affix (already checked: 1 to 32
// characters of [A-Za-z0-9_]); nullopt when neither is given (the config's defaults apply).
using NamingChoice = std::optional<Naming>;

struct AnalyzeStmt {  // ANALYZE [DATABASE db] {ALL TABLES | TABLES ...} [PREFIX 'p' | SUFFIX 's']
  TableSelection target;
  NamingChoice naming;
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
  NamingChoice naming;
  std::vector<std::string> skip_tables;  // empty: none skipped
  ExecutionOptions options;
  bool operator==(const CreateTaskStmt&) const = default;
};

// SHOW [ALL] TASKS [WHERE c [AND c ...]] [ORDER BY col [ASC|DESC] [, ...]]
//                  [LIMIT n [OFFSET m] | LIMIT m, n]
struct ShowTasksStmt {
  bool all = false;                    // ALL: no task_list_window
  std::vector<TaskCondition> filters;  // ANDed
  std::vector<TaskSortKey> order;      // empty: created_at DESC, task_id DESC
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

struct SetSessionShadowStmt {  // SET SESSION SHADOW = {ON | OFF} (SPEC.md §4.9, §9)
  bool on = false;
  bool operator==(const SetSessionShadowStmt&) const = default;
};

using Statement =
    std::variant<AnalyzeStmt, ShowAnalysisStmt, SkipStmt, UnskipStmt, PreviewStmt, SubmitStmt,
                 CreateTaskStmt, ShowTasksStmt, ShowTaskStmt, ApproveStmt, RejectStmt, AbortStmt,
                 ExecuteStmt, RetryStmt, HelpStmt, SetSessionShadowStmt>;

// The metrics label of a statement: analyze, show_analysis, skip, unskip, preview, submit,
// create_task, show_tasks, show_task, approve, reject, abort, execute, retry, help,
// set_session_shadow.
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

}  // namespace shadowproxy::shadow_sync
