// What the console's API accepts (docs/console.md): query parameters of the task list and the
// JSON bodies of the create flow, the actions and sign-in, validated into the task service's
// own types. Bad input is ERR 1064 (42000) naming the parameter or field, which the server
// answers with 400; what only the service can judge (unknown ids, rights, a schedule in the
// past) is left to it.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "base/status.h"
#include "plugins/tasks/task_service.h"

namespace shadowproxy::console {

using Params = std::multimap<std::string, std::string>;  // as the HTTP library parses them

inline constexpr uint64_t kDefaultPageSize = 50;
inline constexpr uint64_t kMaxPageSize = 1000;

struct TaskListRequest {
  tasks::TaskQuery query;  // limit = the page size asked for (the route asks one more)
  bool all = false;        // no task_list_window
};
// all, limit, offset, sort, <column>, <column>.ne, <column>.like, created_at.{gt,ge,lt,le}.
Result<TaskListRequest> ParseTaskList(const Params& params);

struct LogsRequest {
  bool alert_only = false;  // level=alert
  std::string q;            // case-insensitive substring; "" = every line
};
Result<LogsRequest> ParseLogs(const Params& params);
// Whether a log line passes the filter.
bool LogMatches(const LogsRequest& filter, const tasks::TaskLog& line);

// POST /analyses: {database, all_tables | tables, prefix | suffix}.
Result<tasks::AnalysisSpec> ParseAnalysis(const std::string& body);
// {tables: [...]} (skip / unskip).
Result<std::vector<std::string>> ParseTables(const std::string& body);
// {mode, execute_at, on_error, remarks}, every field optional; "" = the defaults.
Result<tasks::ExecutionOptions> ParseSubmit(const std::string& body);
// {comment} optional; "" = none.
Result<std::string> ParseComment(const std::string& body);

struct CreateTaskRequest {
  tasks::AnalysisSpec spec;
  std::vector<std::string> skip;
  tasks::ExecutionOptions options;
};
// POST /tasks: the analysis fields, skip: [...], and the submit fields, in one object.
Result<CreateTaskRequest> ParseCreateTask(const std::string& body);

struct SignInRequest {
  std::string user;
  std::string password;
};
Result<SignInRequest> ParseSignIn(const std::string& body);

// A path id ("12"): 1 .. 2^63-1, digits only.
Result<int64_t> ParseId(const std::string& text);

}  // namespace shadowproxy::console
