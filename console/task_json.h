// The task service's types as the console's JSON (docs/console.md lists every shape): the same
// fields and words as the SHADOW SYNC result sets, with numbers as numbers, flags as booleans
// and absent values as null. Also the JSON error body and the HTTP status of a Status. Returns
// serialized text so that callers need not include a JSON library; bytes that are not UTF-8
// (a table comment can hold anything) become U+FFFD.
#pragma once

#include <string>
#include <vector>

#include "base/status.h"
#include "plugins/tasks/task_service.h"

namespace shadowproxy::console {

struct LogsRequest;

// What the actor may do with the task now (the buttons the page shows). Only a hint for the
// page: the service checks every action again when it is asked.
struct AllowedActions {
  bool approve = false;
  bool reject = false;
  bool abort = false;
  bool execute = false;
  bool retry = false;
};
AllowedActions ActionsFor(const tasks::Task& task, const tasks::Actor& actor);

// {"tasks": [...], "limit", "offset", "has_more"}; `rows` may hold one row past the page.
std::string TaskListJson(const std::vector<tasks::TaskSummary>& rows, uint64_t limit,
                         uint64_t offset);
// The SHOW TASK fields plus "actions".
std::string TaskInfoJson(const tasks::Task& task, const AllowedActions& actions);
std::string TaskTablesJson(const tasks::Task& task);
std::string TaskSqlJson(const tasks::Task& task);
std::string TaskProcessJson(const tasks::Task& task);
std::string TaskLogsJson(const tasks::Task& task, const LogsRequest& filter);
// The download: one line per log entry, "at level message".
std::string TaskLogsText(const tasks::Task& task, const LogsRequest& filter);
// {"task_id", "status"[, "process"]}.
std::string TaskIdStatusJson(const tasks::Task& task, bool with_process);
std::string CreatedTaskJson(const tasks::CreatedTask& created);

std::string AnalysisJson(const tasks::Analysis& analysis);
// One table's view (source, shadow and change SQL); 7005 if the table is not in the analysis.
Result<std::string> AnalysisTableJson(const tasks::Analysis& analysis, const std::string& table);
std::string PreviewJson(const tasks::Analysis& analysis);
// {"changed": n} (skip / unskip).
std::string ChangedJson(int changed);

// {"code", "sqlstate", "message"}.
std::string ErrorJson(const Status& status);
// 401 for 1045, 403 for 7003, 404 for 7002 and 7005, 409 for 7004 and 7012, 400 for bad input
// (1064, 7010, 7011, 7020), 413 for 1153, 503 for 7030, else 500.
int HttpStatusOf(const Status& status);

// {"user", "roles", "cluster", "csrf_token"}.
std::string SessionJson(const std::string& user, const std::vector<std::string>& roles,
                        const std::string& cluster, const std::string& csrf);

}  // namespace shadowproxy::console
