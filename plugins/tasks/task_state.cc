#include "plugins/tasks/task_state.h"

#include <algorithm>

#include "plugins/approval/approval.h"

namespace shadowproxy::tasks {
namespace {

constexpr char kExecution[] = "EXECUTION";
constexpr char kCompleted[] = "COMPLETED";

ProcessStep& AddStep(Task& task, std::string node, std::string status, std::string op,
                     std::optional<TimePoint> at, std::string comment = "") {
  ProcessStep step;
  step.seq = static_cast<int>(task.steps.size()) + 1;
  step.node = std::move(node);
  step.status = std::move(status);
  step.op = std::move(op);
  step.at = at;
  step.comment = std::move(comment);
  task.steps.push_back(std::move(step));
  return task.steps.back();
}

// The last row of a node (rows are appended, so the last one is the live one).
ProcessStep* FindStep(Task& task, std::string_view node_prefix) {
  for (auto it = task.steps.rbegin(); it != task.steps.rend(); ++it)
    if (it->node.rfind(node_prefix, 0) == 0) return &*it;
  return nullptr;
}

std::string NodeName(const Task& task, int index) {
  return "APPROVAL " + std::to_string(index + 1) + "/" + std::to_string(task.process_nodes.size()) +
         " (needs " + approval::DescribeNode(task.process_nodes[static_cast<size_t>(index)]) + ")";
}

std::string DescribeMode(const Task& task) {
  switch (task.execution_mode) {
    case ExecutionMode::kImmediate:
      return "EXECUTE IMMEDIATELY";
    case ExecutionMode::kAt:
      return "EXECUTE AT '" + (task.execute_at ? FormatTime(*task.execute_at) : "?") + "'";
    case ExecutionMode::kManual:
      return "EXECUTE MANUALLY";
  }
  return "?";
}

void EnterWaitForExecution(Task& task, TimePoint now) {
  task.status = TaskStatus::kWaitForExecution;
  task.approved_at = now;
  AddStep(task, kExecution, "WAITING", "", now, DescribeMode(task));
  AddLog(task, LogLevel::kInfo, "approved; waiting for execution (" + DescribeMode(task) + ")",
         now);
}

// Marks the task final: status, finished_at, the EXECUTION row (if any) and the COMPLETED row.
void Complete(Task& task, TaskStatus final_status, const char* execution_row_status,
              const std::string& op, TimePoint now, const std::string& comment = "") {
  task.status = final_status;
  task.finished_at = now;
  if (execution_row_status != nullptr) {
    if (ProcessStep* exec = FindStep(task, kExecution)) {
      exec->status = execution_row_status;
      exec->at = now;
      if (!op.empty()) exec->op = op;
      if (!comment.empty()) exec->comment = comment;
    }
  }
  AddStep(task, kCompleted, ToString(final_status), op, now, comment);
}

}  // namespace

void AddLog(Task& task, LogLevel level, std::string message, TimePoint now) {
  TaskLog line;
  line.at = now;
  line.level = level;
  line.message = std::move(message);
  task.logs.push_back(std::move(line));
}

Status BadStatus(const Task& task, const std::string& action, const std::string& detail) {
  return Status(errc::kBadStatus, "task " + std::to_string(task.id) + " is " +
                                      ToString(task.status) + "; " + action + " is not allowed" +
                                      (detail.empty() ? "" : " (" + detail + ")"));
}

Result<Task> NewTask(const Analysis& analysis, const ProcessConfig& process,
                     const ExecutionOptions& options, const std::string& creator, TimePoint now) {
  if (analysis.submitted)
    return Status(errc::kAlreadySubmitted,
                  "analysis " + std::to_string(analysis.id) + " is already submitted");
  if (options.mode == ExecutionMode::kAt) {
    if (!options.execute_at) return Status(errc::kBadSchedule, "EXECUTE AT needs a time");
    if (*options.execute_at < now)
      return Status(errc::kBadSchedule,
                    "EXECUTE AT '" + FormatTime(*options.execute_at) + "' is in the past");
  }
  Task task;
  task.cluster = analysis.cluster;
  task.database = analysis.database;
  task.creator = creator;
  task.created_at = now;
  task.execution_mode = options.mode;
  task.execute_at = options.mode == ExecutionMode::kAt ? options.execute_at : std::nullopt;
  task.error_strategy = options.error_strategy;
  task.remarks = options.remarks;
  task.process = process.name;
  task.process_nodes = process.nodes;
  task.allow_self_approval = process.allow_self_approval;
  task.naming = analysis.naming;
  task.analysis_id = analysis.id;
  for (const auto& t : analysis.tables)
    task.tables.push_back(TaskTable{t.source, t.shadow, t.result, t.skipped});
  for (auto& [table, sql] : analysis.Script()) {
    TaskStatement st;
    st.seq = static_cast<int>(task.statements.size()) + 1;
    st.table = table;
    st.sql = sql;
    task.statements.push_back(std::move(st));
  }
  AddStep(task, "INITIATED", "DONE", creator, now, options.remarks);
  AddLog(task, LogLevel::kInfo,
         "task created by " + creator + " from analysis " + std::to_string(analysis.id) + ": " +
             std::to_string(task.statements.size()) + " statements, process '" + process.name + "'",
         now);
  if (task.process_nodes.empty()) {
    AddStep(task, "APPROVAL (automatic)", "APPROVED", "", now,
            "process '" + process.name + "' has no approval nodes");
    EnterWaitForExecution(task, now);
  } else {
    task.status = TaskStatus::kWaitForApproval;
    task.current_node = 0;
    AddStep(task, NodeName(task, 0), "APPROVING", "", std::nullopt);
  }
  return task;
}

const ApprovalNode* CurrentNode(const Task& task) {
  if (task.status != TaskStatus::kWaitForApproval || task.current_node < 0 ||
      static_cast<size_t>(task.current_node) >= task.process_nodes.size())
    return nullptr;
  return &task.process_nodes[static_cast<size_t>(task.current_node)];
}

Status Approve(Task& task, const std::string& user, const std::string& comment, TimePoint now) {
  if (CurrentNode(task) == nullptr) return BadStatus(task, "APPROVE");
  const int n = static_cast<int>(task.process_nodes.size());
  if (ProcessStep* row =
          FindStep(task, "APPROVAL " + std::to_string(task.current_node + 1) + "/")) {
    row->status = "APPROVED";
    row->op = user;
    row->at = now;
    row->comment = comment;
  }
  AddLog(task, LogLevel::kInfo,
         "approved by " + user + " (node " + std::to_string(task.current_node + 1) + " of " +
             std::to_string(n) + ")" + (comment.empty() ? "" : ": " + comment),
         now);
  ++task.current_node;
  if (task.current_node < n) {
    AddStep(task, NodeName(task, task.current_node), "APPROVING", "", std::nullopt);
  } else {
    EnterWaitForExecution(task, now);
  }
  return Status::Ok();
}

Status Reject(Task& task, const std::string& user, const std::string& comment, TimePoint now) {
  if (CurrentNode(task) == nullptr) return BadStatus(task, "REJECT");
  if (ProcessStep* row =
          FindStep(task, "APPROVAL " + std::to_string(task.current_node + 1) + "/")) {
    row->status = "REJECTED";
    row->op = user;
    row->at = now;
    row->comment = comment;
  }
  AddLog(task, LogLevel::kWarn, "rejected by " + user + (comment.empty() ? "" : ": " + comment),
         now);
  Complete(task, TaskStatus::kRejected, nullptr, user, now, comment);
  return Status::Ok();
}

Status Abort(Task& task, const std::string& user, TimePoint now) {
  switch (task.status) {
    case TaskStatus::kWaitForApproval:
      if (ProcessStep* row =
              FindStep(task, "APPROVAL " + std::to_string(task.current_node + 1) + "/")) {
        row->status = "CANCELLED";
        row->op = user;
        row->at = now;
      }
      AddLog(task, LogLevel::kWarn, "aborted by " + user + " while waiting for approval", now);
      Complete(task, TaskStatus::kCancelled, nullptr, user, now);
      return Status::Ok();
    case TaskStatus::kWaitForExecution:
      AddLog(task, LogLevel::kWarn, "aborted by " + user + " while waiting for execution", now);
      Complete(task, TaskStatus::kCancelled, "CANCELLED", user, now);
      return Status::Ok();
    case TaskStatus::kExecuting:
      AddLog(task, LogLevel::kWarn,
             "aborted by " + user +
                 " while executing: the running statement is killed, "
                 "nothing after it runs",
             now);
      Complete(task, TaskStatus::kCancelled, "CANCELLED", user, now);
      return Status::Ok();
    default:
      return BadStatus(task, "ABORT");
  }
}

Status RequestExecute(Task& task, const std::string& user, TimePoint now) {
  if (task.status != TaskStatus::kWaitForExecution) return BadStatus(task, "EXECUTE");
  if (task.execution_mode != ExecutionMode::kManual)
    return BadStatus(task, "EXECUTE", "the task runs with " + DescribeMode(task));
  if (task.execute_at) return BadStatus(task, "EXECUTE", "EXECUTE was already given");
  task.execute_at = now;
  if (ProcessStep* exec = FindStep(task, kExecution)) exec->op = user;
  AddLog(task, LogLevel::kInfo, "execution requested by " + user, now);
  return Status::Ok();
}

Status Start(Task& task, TimePoint now) {
  if (task.status != TaskStatus::kWaitForExecution) return BadStatus(task, "START");
  task.status = TaskStatus::kExecuting;
  task.started_at = now;
  if (ProcessStep* exec = FindStep(task, kExecution)) {
    exec->status = "RUNNING";
    exec->at = now;
  }
  AddLog(task, LogLevel::kInfo,
         "execution started: " + std::to_string(task.statements.size()) + " statements, ON ERROR " +
             ToString(task.error_strategy),
         now);
  return Status::Ok();
}

Status Finish(Task& task, TaskStatus outcome, const std::string& reason, TimePoint now) {
  if (task.status != TaskStatus::kExecuting) return BadStatus(task, "FINISH");
  const char* row = nullptr;
  LogLevel level = LogLevel::kInfo;
  switch (outcome) {
    case TaskStatus::kExecutionSucceeded:
      row = "SUCCEEDED";
      break;
    case TaskStatus::kExecutionSucceededWithErrors:
      row = "SUCCEEDED";
      level = LogLevel::kWarn;
      break;
    case TaskStatus::kExecutionFailed:
      row = "FAILED";
      level = LogLevel::kError;
      break;
    default:
      return Status(errc::kInternal, std::string("not an execution outcome: ") + ToString(outcome));
  }
  if (!reason.empty()) AddLog(task, level, reason, now);
  Complete(task, outcome, row, "", now, reason);
  return Status::Ok();
}

Status RecoverInterrupted(Task& task, TimePoint now) {
  if (task.status != TaskStatus::kExecuting) return BadStatus(task, "RECOVER");
  const std::string reason = "proxy stopped while the task was executing";
  AddLog(task, LogLevel::kError, reason, now);
  Complete(task, TaskStatus::kExecutionFailed, "FAILED", "", now, reason);
  return Status::Ok();
}

bool ApplyTimeouts(Task& task, const Timeouts& timeouts, TimePoint now) {
  if (task.status == TaskStatus::kWaitForApproval) {
    if (now < task.created_at + timeouts.approval) return false;
    if (ProcessStep* row =
            FindStep(task, "APPROVAL " + std::to_string(task.current_node + 1) + "/")) {
      row->status = "EXPIRED";
      row->at = now;
    }
    AddLog(task, LogLevel::kWarn, "not approved within approval_timeout", now);
    Complete(task, TaskStatus::kApprovalExpired, nullptr, "", now);
    return true;
  }
  if (task.status == TaskStatus::kWaitForExecution) {
    TimePoint from = task.approved_at.value_or(task.created_at);
    if (task.execution_mode == ExecutionMode::kAt && task.execute_at)
      from = std::max(from, *task.execute_at);
    if (now < from + timeouts.execution) return false;
    AddLog(task, LogLevel::kWarn, "not executed within execution_timeout", now);
    Complete(task, TaskStatus::kExecutionExpired, "EXPIRED", "", now);
    return true;
  }
  return false;
}

bool IsDue(const Task& task, TimePoint now) {
  if (task.status != TaskStatus::kWaitForExecution) return false;
  switch (task.execution_mode) {
    case ExecutionMode::kImmediate:
      return true;
    case ExecutionMode::kAt:
    case ExecutionMode::kManual:
      return task.execute_at && *task.execute_at <= now;
  }
  return false;
}

}  // namespace shadowproxy::tasks
