// The task state machine of SPEC.md §4.6, pure: each function checks that the action is valid
// in the task's status (ERR 7004 naming the status otherwise), changes the task in memory and
// appends its PROCESS rows (§4.4) and log lines. Rights are checked before (plugins/approval);
// persisting is the caller's job (TaskStore::SaveTask, compare-and-set on version).
//
// PROCESS rows, appended as the flow reaches them:
//   INITIATED                 status DONE, operator = creator
//   APPROVAL i/n (needs ...)  APPROVING -> APPROVED | REJECTED | EXPIRED | CANCELLED
//   APPROVAL (automatic)      APPROVED (a process without nodes)
//   EXECUTION                 WAITING -> RUNNING -> SUCCEEDED | FAILED | CANCELLED; WAITING ->
//   EXPIRED COMPLETED                 the final task status
#pragma once

#include <string>

#include "base/config.h"
#include "base/status.h"
#include "plugins/tasks/task_model.h"

namespace shadowproxy::tasks {

struct Timeouts {
  Duration approval = std::chrono::hours(24);
  Duration execution = std::chrono::hours(48);
};

// A new task (id 0, not stored) from an analysis, governed by `process`: WAIT_FOR_APPROVAL, or
// WAIT_FOR_EXECUTION at once when the process has no nodes. ERR 7011 for EXECUTE AT in the past,
// 7012 if the analysis was already submitted.
Result<Task> NewTask(const Analysis& analysis, const ProcessConfig& process,
                     const ExecutionOptions& options, const std::string& creator, TimePoint now);

// The node waiting for approval, or nullptr if the task is not WAIT_FOR_APPROVAL.
const ApprovalNode* CurrentNode(const Task& task);

Status Approve(Task& task, const std::string& user, const std::string& comment, TimePoint now);
Status Reject(Task& task, const std::string& user, const std::string& comment, TimePoint now);
// WAIT_FOR_APPROVAL / WAIT_FOR_EXECUTION / EXECUTING -> CANCELLED. For EXECUTING the executor
// must then kill the running statement and run nothing more.
Status Abort(Task& task, const std::string& user, TimePoint now);
// SHADOW SYNC EXECUTE: an approved EXECUTE MANUALLY task becomes due now.
Status RequestExecute(Task& task, const std::string& user, TimePoint now);
// WAIT_FOR_EXECUTION -> EXECUTING (the executor, after claiming it).
Status Start(Task& task, TimePoint now);
// EXECUTING -> outcome (EXECUTION_SUCCEEDED, _WITH_ERRORS or EXECUTION_FAILED). `reason` is
// logged (ERROR for a failure, WARN for with-errors, INFO otherwise) when not empty.
Status Finish(Task& task, TaskStatus outcome, const std::string& reason, TimePoint now);
// EXECUTING whose executor died -> EXECUTION_FAILED with the ERROR line
// "proxy stopped while the task was executing".
Status RecoverInterrupted(Task& task, TimePoint now);

// Approval timeout (from created_at) -> APPROVAL_EXPIRED; execution timeout (from the later of
// approval and execute_at) -> EXECUTION_EXPIRED. Returns true if the task changed.
bool ApplyTimeouts(Task& task, const Timeouts& timeouts, TimePoint now);

// WAIT_FOR_EXECUTION and its time has come: IMMEDIATE, AT with execute_at <= now, MANUAL after
// EXECUTE.
bool IsDue(const Task& task, TimePoint now);

// "task 12 is EXECUTION_SUCCEEDED; ABORT is not allowed" (ERR 7004).
Status BadStatus(const Task& task, const std::string& action, const std::string& detail = "");

// Appends a log line to the task (stored with the next SaveTask, or TaskStore::AppendLog).
void AddLog(Task& task, LogLevel level, std::string message, TimePoint now);

}  // namespace shadowproxy::tasks
