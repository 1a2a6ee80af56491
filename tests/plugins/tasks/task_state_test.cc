#include "plugins/tasks/task_state.h"

#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <set>

namespace shadowproxy::tasks {
namespace {

using std::chrono::hours;
using std::chrono::seconds;

const TimePoint kT0 = *ParseTime("2026-01-10 12:00:00");

Analysis MakeAnalysis() {
  Analysis a;
  a.id = 5;
  a.cluster = "local";
  a.database = "shop";
  a.naming.suffix = "_shadow";
  a.creator = "dev";
  a.tables = {
      {"users",
       "users_shadow",
       TableResult::kCreate,
       false,
       "CREATE TABLE users",
       "",
       "",
       {"CREATE 1"}},
      {"orders", "orders_shadow", TableResult::kUpdate, false, "", "", "", {"ALTER 1", "ALTER 2"}},
      {"items", "items_shadow", TableResult::kUpdate, true, "", "", "", {"ALTER skipped"}},
      {"logs", "logs_shadow", TableResult::kNoAction, false, "", "", "", {}},
  };
  return a;
}

ProcessConfig TwoNodes() {
  ProcessConfig p;
  p.name = "production";
  p.nodes = {{{"dba"}, {}}, {{}, {"alice"}}};
  return p;
}

ProcessConfig NoNodes() {
  ProcessConfig p;
  p.name = "sandbox";
  return p;
}

Task NewOrDie(const ProcessConfig& p, ExecutionOptions opts = {}) {
  auto r = NewTask(MakeAnalysis(), p, opts, "dev", kT0);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  Task t = std::move(r).value();
  t.id = 12;
  return t;
}

std::vector<std::string> StepStrings(const Task& t) {
  std::vector<std::string> out;
  for (const auto& s : t.steps) out.push_back(s.node + "|" + s.status + "|" + s.op);
  return out;
}

TEST(NewTaskTest, BuildsScriptFromNonSkippedChanges) {
  Task t = NewOrDie(TwoNodes());
  EXPECT_EQ(t.status, TaskStatus::kWaitForApproval);
  ASSERT_EQ(t.statements.size(), 3u);
  EXPECT_EQ(t.statements[0].sql, "CREATE 1");
  EXPECT_EQ(t.statements[0].table, "users");
  EXPECT_EQ(t.statements[2].sql, "ALTER 2");
  EXPECT_EQ(t.statements[2].seq, 3);
  for (const auto& s : t.statements) EXPECT_EQ(s.state, StatementState::kPending);
  ASSERT_EQ(t.tables.size(), 4u);
  EXPECT_TRUE(t.tables[2].skipped);
  EXPECT_EQ(t.process, "production");
  EXPECT_EQ(t.process_nodes.size(), 2u);
  EXPECT_EQ(StepStrings(t), (std::vector<std::string>{"INITIATED|DONE|dev",
                                                      "APPROVAL 1/2 (needs role dba)|APPROVING|"}));
  ASSERT_EQ(CurrentNode(t), &t.process_nodes[0]);
}

TEST(NewTaskTest, NoNodesIsApprovedAutomatically) {
  Task t = NewOrDie(NoNodes());
  EXPECT_EQ(t.status, TaskStatus::kWaitForExecution);
  EXPECT_EQ(CurrentNode(t), nullptr);
  EXPECT_EQ(StepStrings(t),
            (std::vector<std::string>{"INITIATED|DONE|dev", "APPROVAL (automatic)|APPROVED|",
                                      "EXECUTION|WAITING|"}));
  EXPECT_TRUE(IsDue(t, kT0));
}

TEST(NewTaskTest, Refusals) {
  Analysis a = MakeAnalysis();
  ExecutionOptions past{ExecutionMode::kAt, kT0 - seconds(1), ErrorStrategy::kAbort, ""};
  auto r = NewTask(a, TwoNodes(), past, "dev", kT0);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), errc::kBadSchedule);
  EXPECT_EQ(r.status().message(), "EXECUTE AT '2026-01-10 11:59:59' is in the past");
  ExecutionOptions missing{ExecutionMode::kAt, std::nullopt, ErrorStrategy::kAbort, ""};
  EXPECT_EQ(NewTask(a, TwoNodes(), missing, "dev", kT0).status().code(), errc::kBadSchedule);
  a.submitted = true;
  r = NewTask(a, TwoNodes(), {}, "dev", kT0);
  EXPECT_EQ(r.status().code(), errc::kAlreadySubmitted);
  EXPECT_EQ(r.status().message(), "analysis 5 is already submitted");
}

TEST(ApproveTest, TwoNodesThenWaitForExecution) {
  Task t = NewOrDie(TwoNodes());
  ASSERT_TRUE(Approve(t, "dba1", "looks fine", kT0 + seconds(1)).ok());
  EXPECT_EQ(t.status, TaskStatus::kWaitForApproval);
  EXPECT_EQ(t.current_node, 1);
  EXPECT_EQ(CurrentNode(t)->users, std::vector<std::string>{"alice"});
  ASSERT_TRUE(Approve(t, "alice", "", kT0 + seconds(2)).ok());
  EXPECT_EQ(t.status, TaskStatus::kWaitForExecution);
  EXPECT_EQ(t.approved_at, kT0 + seconds(2));
  EXPECT_EQ(StepStrings(t),
            (std::vector<std::string>{
                "INITIATED|DONE|dev", "APPROVAL 1/2 (needs role dba)|APPROVED|dba1",
                "APPROVAL 2/2 (needs user alice)|APPROVED|alice", "EXECUTION|WAITING|"}));
  EXPECT_EQ(t.steps[1].comment, "looks fine");
  EXPECT_TRUE(IsDue(t, kT0 + seconds(2)));
}

TEST(RejectTest, RejectEndsTheTask) {
  Task t = NewOrDie(TwoNodes());
  ASSERT_TRUE(Approve(t, "dba1", "", kT0).ok());
  ASSERT_TRUE(Reject(t, "alice", "not now", kT0 + seconds(3)).ok());
  EXPECT_EQ(t.status, TaskStatus::kRejected);
  EXPECT_EQ(t.finished_at, kT0 + seconds(3));
  EXPECT_EQ(StepStrings(t).back(), "COMPLETED|REJECTED|alice");
  EXPECT_EQ(t.steps[2].status, "REJECTED");
  EXPECT_EQ(t.logs.back().level, LogLevel::kWarn);
  EXPECT_NE(t.logs.back().message.find("not now"), std::string::npos);
}

TEST(ExecutionTest, StartAndFinishOutcomes) {
  struct Case {
    TaskStatus outcome;
    const char* exec_row;
    LogLevel level;
  } cases[] = {
      {TaskStatus::kExecutionSucceeded, "SUCCEEDED", LogLevel::kInfo},
      {TaskStatus::kExecutionSucceededWithErrors, "SUCCEEDED", LogLevel::kWarn},
      {TaskStatus::kExecutionFailed, "FAILED", LogLevel::kError},
  };
  for (const auto& c : cases) {
    Task t = NewOrDie(NoNodes());
    ASSERT_TRUE(Start(t, kT0 + seconds(1)).ok());
    EXPECT_EQ(t.status, TaskStatus::kExecuting);
    EXPECT_EQ(t.started_at, kT0 + seconds(1));
    EXPECT_EQ(t.steps[2].status, "RUNNING");
    EXPECT_FALSE(IsDue(t, kT0 + hours(1)));
    ASSERT_TRUE(Finish(t, c.outcome, "summary", kT0 + seconds(5)).ok());
    EXPECT_EQ(t.status, c.outcome);
    EXPECT_EQ(t.finished_at, kT0 + seconds(5));
    EXPECT_EQ(t.steps[2].status, c.exec_row);
    EXPECT_EQ(StepStrings(t).back(), std::string("COMPLETED|") + ToString(c.outcome) + "|");
    EXPECT_EQ(t.logs.back().level, c.level);
    EXPECT_EQ(t.logs.back().message, "summary");
  }
  Task t = NewOrDie(NoNodes());
  ASSERT_TRUE(Start(t, kT0).ok());
  EXPECT_EQ(Finish(t, TaskStatus::kCancelled, "", kT0).code(), errc::kInternal);
}

TEST(AbortTest, FromEachLiveStatus) {
  // WAIT_FOR_APPROVAL
  Task a = NewOrDie(TwoNodes());
  ASSERT_TRUE(Abort(a, "dev", kT0).ok());
  EXPECT_EQ(a.status, TaskStatus::kCancelled);
  EXPECT_EQ(StepStrings(a), (std::vector<std::string>{"INITIATED|DONE|dev",
                                                      "APPROVAL 1/2 (needs role dba)|CANCELLED|dev",
                                                      "COMPLETED|CANCELLED|dev"}));
  // WAIT_FOR_EXECUTION
  Task b = NewOrDie(NoNodes());
  ASSERT_TRUE(Abort(b, "root", kT0).ok());
  EXPECT_EQ(b.status, TaskStatus::kCancelled);
  EXPECT_EQ(StepStrings(b)[2], "EXECUTION|CANCELLED|root");
  // EXECUTING
  Task c = NewOrDie(NoNodes());
  ASSERT_TRUE(Start(c, kT0).ok());
  ASSERT_TRUE(Abort(c, "dev", kT0 + seconds(1)).ok());
  EXPECT_EQ(c.status, TaskStatus::kCancelled);
  EXPECT_EQ(c.finished_at, kT0 + seconds(1));
  EXPECT_EQ(StepStrings(c).back(), "COMPLETED|CANCELLED|dev");
  EXPECT_EQ(c.steps[2].status, "CANCELLED");
}

TEST(ExecuteRequestTest, ManualWaitsForExecute) {
  ExecutionOptions manual{ExecutionMode::kManual, std::nullopt, ErrorStrategy::kContinue, ""};
  Task t = NewOrDie(NoNodes(), manual);
  EXPECT_FALSE(IsDue(t, kT0 + hours(10)));
  ASSERT_TRUE(RequestExecute(t, "dev", kT0 + seconds(5)).ok());
  EXPECT_FALSE(IsDue(t, kT0 + seconds(4)));
  EXPECT_TRUE(IsDue(t, kT0 + seconds(5)));
  Status again = RequestExecute(t, "dev", kT0 + seconds(6));
  EXPECT_EQ(again.code(), errc::kBadStatus);
  EXPECT_EQ(again.message(),
            "task 12 is WAIT_FOR_EXECUTION; EXECUTE is not allowed (EXECUTE was already given)");
}

TEST(ExecuteRequestTest, NotManualIsRefused) {
  Task t = NewOrDie(NoNodes());
  Status s = RequestExecute(t, "dev", kT0);
  EXPECT_EQ(s.code(), errc::kBadStatus);
  EXPECT_EQ(s.message(),
            "task 12 is WAIT_FOR_EXECUTION; EXECUTE is not allowed (the task runs with EXECUTE "
            "IMMEDIATELY)");
}

TEST(AtTest, DueAtItsTime) {
  ExecutionOptions at{ExecutionMode::kAt, kT0 + seconds(30), ErrorStrategy::kAbort, ""};
  Task t = NewOrDie(NoNodes(), at);
  EXPECT_FALSE(IsDue(t, kT0 + seconds(29)));
  EXPECT_TRUE(IsDue(t, kT0 + seconds(30)));
}

TEST(TimeoutTest, ApprovalExpires) {
  Timeouts to{hours(24), hours(48)};
  Task t = NewOrDie(TwoNodes());
  ASSERT_TRUE(Approve(t, "dba1", "", kT0 + hours(1)).ok());
  EXPECT_FALSE(ApplyTimeouts(t, to, kT0 + hours(24) - seconds(1)));
  EXPECT_EQ(t.status, TaskStatus::kWaitForApproval);
  EXPECT_TRUE(ApplyTimeouts(t, to, kT0 + hours(24)));
  EXPECT_EQ(t.status, TaskStatus::kApprovalExpired);
  EXPECT_EQ(StepStrings(t)[2], "APPROVAL 2/2 (needs user alice)|EXPIRED|");
  EXPECT_EQ(StepStrings(t).back(), "COMPLETED|APPROVAL_EXPIRED|");
  EXPECT_FALSE(ApplyTimeouts(t, to, kT0 + hours(100)));  // final: nothing more
}

TEST(TimeoutTest, ExecutionExpiresFromApprovalOrExecuteAt) {
  Timeouts to{hours(24), hours(48)};
  Task t = NewOrDie(TwoNodes(), {ExecutionMode::kManual, std::nullopt, ErrorStrategy::kAbort, ""});
  ASSERT_TRUE(Approve(t, "dba1", "", kT0 + hours(2)).ok());
  ASSERT_TRUE(Approve(t, "alice", "", kT0 + hours(3)).ok());
  EXPECT_FALSE(ApplyTimeouts(t, to, kT0 + hours(50)));
  EXPECT_TRUE(ApplyTimeouts(t, to, kT0 + hours(51)));
  EXPECT_EQ(t.status, TaskStatus::kExecutionExpired);
  EXPECT_EQ(StepStrings(t)[3], "EXECUTION|EXPIRED|");

  // EXECUTE AT three days ahead is not expired before its time + execution_timeout.
  Task at = NewOrDie(NoNodes(), {ExecutionMode::kAt, kT0 + hours(72), ErrorStrategy::kAbort, ""});
  EXPECT_FALSE(ApplyTimeouts(at, to, kT0 + hours(72 + 47)));
  EXPECT_TRUE(ApplyTimeouts(at, to, kT0 + hours(72 + 48)));
  EXPECT_EQ(at.status, TaskStatus::kExecutionExpired);
}

TEST(TimeoutTest, ExecutingNeverTimesOut) {
  Task t = NewOrDie(NoNodes());
  ASSERT_TRUE(Start(t, kT0).ok());
  EXPECT_FALSE(ApplyTimeouts(t, Timeouts{seconds(1), seconds(1)}, kT0 + hours(1000)));
  EXPECT_EQ(t.status, TaskStatus::kExecuting);
}

TEST(RecoverTest, ExecutingBecomesFailedWithErrorLog) {
  Task t = NewOrDie(NoNodes());
  ASSERT_TRUE(Start(t, kT0).ok());
  t.statements[0].state = StatementState::kSucceeded;
  ASSERT_TRUE(RecoverInterrupted(t, kT0 + seconds(9)).ok());
  EXPECT_EQ(t.status, TaskStatus::kExecutionFailed);
  EXPECT_EQ(t.statements[0].state, StatementState::kSucceeded);  // stays recorded
  EXPECT_EQ(t.logs.back().level, LogLevel::kError);
  EXPECT_EQ(t.logs.back().message, "proxy stopped while the task was executing");
  EXPECT_EQ(StepStrings(t).back(), "COMPLETED|EXECUTION_FAILED|");
}

// Every action in every status: which are allowed, and the exact refusal otherwise.
TEST(RefusalTest, EveryActionInEveryStatus) {
  using Action = std::function<Status(Task&)>;
  const std::map<std::string, Action> actions = {
      {"APPROVE", [](Task& t) { return Approve(t, "dba1", "", kT0); }},
      {"REJECT", [](Task& t) { return Reject(t, "dba1", "", kT0); }},
      {"ABORT", [](Task& t) { return Abort(t, "dev", kT0); }},
      {"EXECUTE", [](Task& t) { return RequestExecute(t, "dev", kT0); }},
      {"START", [](Task& t) { return Start(t, kT0); }},
      {"FINISH", [](Task& t) { return Finish(t, TaskStatus::kExecutionSucceeded, "", kT0); }},
      {"RECOVER", [](Task& t) { return RecoverInterrupted(t, kT0); }},
  };
  // Allowed (status -> actions); a manual task so EXECUTE is valid in WAIT_FOR_EXECUTION.
  const std::map<TaskStatus, std::set<std::string>> allowed = {
      {TaskStatus::kWaitForApproval, {"APPROVE", "REJECT", "ABORT"}},
      {TaskStatus::kWaitForExecution, {"ABORT", "EXECUTE", "START"}},
      {TaskStatus::kExecuting, {"ABORT", "FINISH", "RECOVER"}},
  };
  for (TaskStatus status : kAllStatuses) {
    for (const auto& [name, action] : actions) {
      Task t =
          NewOrDie(TwoNodes(), {ExecutionMode::kManual, std::nullopt, ErrorStrategy::kAbort, ""});
      t.status = status;  // as loaded from the store
      const size_t steps_before = t.steps.size();
      Status s = action(t);
      bool want_ok = allowed.count(status) && allowed.at(status).count(name);
      EXPECT_EQ(s.ok(), want_ok) << ToString(status) << " " << name << ": " << s.ToString();
      if (!want_ok) {
        EXPECT_EQ(s.code(), errc::kBadStatus);
        EXPECT_EQ(s.message(),
                  "task 12 is " + std::string(ToString(status)) + "; " + name + " is not allowed");
        EXPECT_EQ(t.status, status) << "a refusal changes nothing";
        EXPECT_EQ(t.steps.size(), steps_before);
      }
    }
  }
}

TEST(ModelTest, EnumsRoundTrip) {
  for (TaskStatus s : kAllStatuses) EXPECT_EQ(ParseTaskStatus(ToString(s)), s);
  EXPECT_EQ(ParseTaskStatus("waiting"), std::nullopt);
  for (auto m : {ExecutionMode::kImmediate, ExecutionMode::kAt, ExecutionMode::kManual})
    EXPECT_EQ(ParseExecutionMode(ToString(m)), m);
  for (auto r : {TableResult::kCreate, TableResult::kUpdate, TableResult::kNoAction})
    EXPECT_EQ(ParseTableResult(ToString(r)), r);
  EXPECT_TRUE(IsFinal(TaskStatus::kCancelled));
  EXPECT_FALSE(IsFinal(TaskStatus::kExecuting));
}

TEST(ModelTest, ListAndNodeEncodingRoundTrip) {
  std::vector<std::string> items{"", "a:b", "12:x", std::string("nul\0byte", 8), "`;'\""};
  auto back = DecodeList(EncodeList(items));
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, items);
  EXPECT_FALSE(DecodeList("3:ab"));
  EXPECT_FALSE(DecodeList("x:ab"));
  std::vector<ApprovalNode> nodes{{{"dba", "o:ps"}, {}}, {{}, {"alice", "bob"}}};
  auto nb = DecodeNodes(EncodeNodes(nodes));
  ASSERT_TRUE(nb);
  ASSERT_EQ(nb->size(), 2u);
  EXPECT_EQ((*nb)[0].roles, nodes[0].roles);
  EXPECT_EQ((*nb)[1].users, nodes[1].users);
}

}  // namespace
}  // namespace shadowproxy::tasks
