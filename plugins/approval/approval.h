// Approval processes (SPEC.md §2 `processes`, §4.5): which process governs a task, and who may
// view, approve/reject, abort or execute it. Pure functions over the config model; the task
// center calls them before every action and turns a refusal into ERR 7003.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/config.h"
#include "base/status.h"

namespace shadowproxy::approval {

// The facts about a task that rights depend on (the task model lives in plugins/tasks, which
// stands on this library, so it passes these in).
struct TaskFacts {
  int64_t id = 0;
  std::string creator;
};

// Shell-style glob: '*' any run, '?' one character, everything else literal (case-sensitive).
bool GlobMatch(std::string_view pattern, std::string_view text);
// Whether any of the patterns matches text (a rule's match list).
bool AnyGlob(const std::vector<std::string>& patterns, std::string_view text);

// The process with the lowest priority number whose match covers cluster and database (ties:
// the first in config order). An empty process list means DefaultProcess() (base/config.h).
// Returns nullptr only if processes exist and none matches.
const ProcessConfig* MatchProcess(const Config& config, std::string_view cluster,
                                  std::string_view database);

// True if user (with roles) is named by node, by user name or by one of its roles.
bool NodeAccepts(const ApprovalNode& node, std::string_view user,
                 const std::vector<std::string>& roles);
// "role dba or user alice" (what a node needs, for messages and the PROCESS rows).
std::string DescribeNode(const ApprovalNode& node);

// SHOW TASKS / SHOW TASK: the creator, any approver of the task's process, role admin.
// `nodes` is the task's process nodes (a snapshot taken when it was submitted).
Status CanView(const TaskFacts& task, std::string_view user, const std::vector<std::string>& roles,
               std::string_view process_name, const std::vector<ApprovalNode>& nodes);
// APPROVE / REJECT: a user named by the current node; not the creator unless allow_self.
// `right` is "APPROVE" or "REJECT" (for the message).
Status CanApprove(const TaskFacts& task, const ApprovalNode& node, std::string_view user,
                  const std::vector<std::string>& roles, bool allow_self,
                  std::string_view right = "APPROVE");
// ABORT / EXECUTE: the creator and role admin. `right` is "ABORT" or "EXECUTE".
Status CanAbortOrExecute(const TaskFacts& task, std::string_view user,
                         const std::vector<std::string>& roles, std::string_view right);

bool HasRole(const std::vector<std::string>& roles, std::string_view role);

}  // namespace shadowproxy::approval
