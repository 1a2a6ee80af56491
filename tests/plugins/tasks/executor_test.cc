#include "plugins/tasks/executor.h"

#include <gtest/gtest.h>

#include <thread>

#include "fake_sql.h"
#include "plugins/tasks/scheduler.h"
#include "plugins/tasks/task_state.h"
#include "plugins/tasks/task_store_memory.h"

namespace shadowproxy::tasks {
namespace {

using std::chrono::milliseconds;
using testing::FakeSql;

// The in-memory store, with SaveTask failing (ERR 7030) while fail_saves > 0.
class FlakyStore : public MemoryTaskStore {
 public:
  Result<bool> SaveTask(Task& task) override {
    if (fail_saves > 0) {
      --fail_saves;
      return Status(errc::kUnavailable, "metadb blinked");
    }
    return MemoryTaskStore::SaveTask(task);
  }
  int fail_saves = 0;
};

class ExecutorTest : public ::testing::Test {
 protected:
  // A task (auto-approved: WAIT_FOR_EXECUTION) with the given statements, claimed by "me#1".
  int64_t MakeTask(std::vector<std::string> sqls, ErrorStrategy strategy = ErrorStrategy::kAbort,
                   ExecutionOptions opts = {}, bool claim = true) {
    Analysis a;
    a.cluster = "local";
    a.database = "shop";
    a.creator = "dev";
    a.naming.suffix = "_shadow";
    a.tables = {{"t", "t_shadow", TableResult::kUpdate, false, "", "", "", std::move(sqls)}};
    a.id = *store_.CreateAnalysis(a);
    opts.error_strategy = strategy;
    auto t = NewTask(a, ProcessConfig{}, opts, "dev", Now());
    EXPECT_TRUE(t.ok()) << t.status().ToString();
    Task task = *t;
    EXPECT_TRUE(store_.CreateTask(task).ok());
    if (claim) {
      EXPECT_TRUE(*store_.Claim(task.id, "me#1", std::chrono::seconds(30)));
    }
    return task.id;
  }

  Executor MakeExecutor(ReanalyzeFn reanalyze = nullptr, GuardFn guard = nullptr) {
    ExecutorOptions o;
    o.owner = "me#1";
    o.watch_every = milliseconds(20);
    o.renew_every = milliseconds(50);
    return Executor(store_, sql_, std::move(reanalyze), std::move(guard), o);
  }

  Task Load(int64_t id) {
    auto r = store_.GetTask(id);
    if (!r.ok()) {
      ADD_FAILURE() << r.status().ToString();
      return Task{};
    }
    return std::move(r).value();
  }

  std::vector<StatementState> States(int64_t id) {
    std::vector<StatementState> out;
    Task t = Load(id);
    for (const auto& s : t.statements) out.push_back(s.state);
    return out;
  }

  std::vector<std::string> Logs(int64_t id, LogLevel level) {
    std::vector<std::string> out;
    Task t = Load(id);
    for (const auto& l : t.logs)
      if (l.level == level) out.push_back(l.message);
    return out;
  }

  FlakyStore store_;
  FakeSql sql_;
};

using SS = StatementState;

TEST_F(ExecutorTest, AllSucceed) {
  int64_t id = MakeTask({"ALTER A", "ALTER B"});
  Executor ex = MakeExecutor();
  auto r = ex.Run(id);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(*r, TaskStatus::kExecutionSucceeded);
  EXPECT_EQ(sql_.executed(), (std::vector<std::string>{"ALTER A", "ALTER B"}));
  EXPECT_EQ(sql_.opened(), std::vector<std::string>{"local/shop"});
  EXPECT_EQ(States(id), (std::vector<SS>{SS::kSucceeded, SS::kSucceeded}));
  Task t = *store_.GetTask(id);
  EXPECT_EQ(t.status, TaskStatus::kExecutionSucceeded);
  EXPECT_TRUE(t.started_at && t.finished_at);
  auto info = Logs(id, LogLevel::kInfo);
  int statement_lines = 0;
  for (const auto& m : info)
    if (m.find("statement ") == 0 && m.find(" ms: ALTER ") != std::string::npos) ++statement_lines;
  EXPECT_EQ(statement_lines, 2);
  EXPECT_EQ(t.steps.back().node, "COMPLETED");
  EXPECT_EQ(t.steps.back().status, "EXECUTION_SUCCEEDED");
  EXPECT_FALSE(ex.IsRunning(id));
}

TEST_F(ExecutorTest, OnErrorAbortStopsAtTheFirstFailure) {
  sql_.errors["ALTER B"] = Status(1062, "Duplicate entry '1' for key 'u'", "23000");
  int64_t id = MakeTask({"ALTER A", "ALTER B", "ALTER C"});
  auto r = MakeExecutor().Run(id);
  EXPECT_EQ(*r, TaskStatus::kExecutionFailed);
  EXPECT_EQ(sql_.executed(), (std::vector<std::string>{"ALTER A", "ALTER B"}));
  EXPECT_EQ(States(id), (std::vector<SS>{SS::kSucceeded, SS::kFailed, SS::kPending}));
  Task t = *store_.GetTask(id);
  EXPECT_EQ(t.statements[1].error, "ERROR 1062 (23000): Duplicate entry '1' for key 'u'");
  auto errors = Logs(id, LogLevel::kError);
  ASSERT_GE(errors.size(), 2u);
  EXPECT_NE(errors[0].find("statement 2/3 failed after"), std::string::npos) << errors[0];
  EXPECT_NE(errors[0].find("ERROR 1062"), std::string::npos);
  EXPECT_NE(errors.back().find("1 statements not run"), std::string::npos) << errors.back();
}

TEST_F(ExecutorTest, OnErrorContinueRunsEverything) {
  sql_.errors["ALTER B"] = Status(1062, "Duplicate entry", "23000");
  int64_t id = MakeTask({"ALTER A", "ALTER B", "ALTER C"}, ErrorStrategy::kContinue);
  auto r = MakeExecutor().Run(id);
  EXPECT_EQ(*r, TaskStatus::kExecutionSucceededWithErrors);
  EXPECT_EQ(sql_.executed().size(), 3u);
  EXPECT_EQ(States(id), (std::vector<SS>{SS::kSucceeded, SS::kFailed, SS::kSucceeded}));
  auto warns = Logs(id, LogLevel::kWarn);
  ASSERT_EQ(warns.size(), 1u);
  EXPECT_EQ(warns[0].find("1 of 3 statements failed (ON ERROR CONTINUE)"), 0u) << warns[0];
  EXPECT_EQ(store_.GetTask(id)->CountStatements(SS::kFailed), 1);
}

TEST_F(ExecutorTest, SchemaDriftRunsNothing) {
  int64_t id = MakeTask({"ALTER A"});
  auto r = MakeExecutor([](const Task&) -> Result<std::vector<std::string>> {
             return std::vector<std::string>{"ALTER A2"};
           }).Run(id);
  EXPECT_EQ(*r, TaskStatus::kExecutionFailed);
  EXPECT_TRUE(sql_.executed().empty());
  auto errors = Logs(id, LogLevel::kError);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].find("schema changed since approval"), 0u);
  EXPECT_EQ(States(id), std::vector<SS>{SS::kPending});
}

TEST_F(ExecutorTest, SameSchemaRuns) {
  int64_t id = MakeTask({"ALTER A"});
  auto r = MakeExecutor([](const Task& t) -> Result<std::vector<std::string>> {
             return std::vector<std::string>{t.statements[0].sql};
           }).Run(id);
  EXPECT_EQ(*r, TaskStatus::kExecutionSucceeded);
}

TEST_F(ExecutorTest, ReanalysisErrorAndGuardAndOpenFailure) {
  int64_t a = MakeTask({"ALTER A"});
  auto r = MakeExecutor([](const Task&) -> Result<std::vector<std::string>> {
             return Status(errc::kNotFound, "table 't' not found");
           }).Run(a);
  EXPECT_EQ(*r, TaskStatus::kExecutionFailed);
  EXPECT_NE(Logs(a, LogLevel::kError)[0].find("ERROR 7005"), std::string::npos);

  int64_t b = MakeTask({"DROP TABLE t"});
  r = MakeExecutor(nullptr, [](const Task&) {
        return Status(errc::kTouchesNonShadow, "DROP TABLE t touches non-shadow table t");
      }).Run(b);
  EXPECT_EQ(*r, TaskStatus::kExecutionFailed);
  EXPECT_NE(Logs(b, LogLevel::kError)[0].find("ERROR 7020"), std::string::npos);

  int64_t c = MakeTask({"ALTER A"});
  sql_.open_error =
      Status(errc::kUnavailable, "cluster 'local' unavailable (127.0.0.1:1: refused)");
  r = MakeExecutor().Run(c);
  EXPECT_EQ(*r, TaskStatus::kExecutionFailed);
  EXPECT_NE(Logs(c, LogLevel::kError)[0].find("127.0.0.1:1"), std::string::npos);
  EXPECT_TRUE(sql_.executed().empty());
}

TEST_F(ExecutorTest, NotClaimableStatusIsRefused) {
  int64_t id = MakeTask({"ALTER A"});
  ASSERT_TRUE(MutateTask(store_, id, [](Task& t) { return Abort(t, "dev", Now()); }).ok());
  auto r = MakeExecutor().Run(id);
  EXPECT_EQ(r.status().code(), errc::kBadStatus);
  EXPECT_TRUE(sql_.executed().empty());
}

// ABORT from this proxy: status CANCELLED written, Cancel() kills the running statement.
TEST_F(ExecutorTest, AbortKillsTheRunningStatementAndRunsNothingAfter) {
  int64_t id = MakeTask({"ALTER A", "BLOCK long alter", "ALTER C"});
  Executor ex = MakeExecutor();
  Result<TaskStatus> result = Status(errc::kInternal, "not run");
  std::thread runner([&] { result = ex.Run(id); });
  ASSERT_TRUE(sql_.WaitBlocked());
  ASSERT_TRUE(MutateTask(store_, id, [](Task& t) { return Abort(t, "dev", Now()); }).ok());
  EXPECT_TRUE(ex.Cancel(id));
  runner.join();
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(*result, TaskStatus::kCancelled);
  EXPECT_GE(sql_.kills(), 1);
  EXPECT_EQ(sql_.executed(), (std::vector<std::string>{"ALTER A", "BLOCK long alter"}));
  EXPECT_EQ(States(id), (std::vector<SS>{SS::kSucceeded, SS::kFailed, SS::kPending}));
  Task t = *store_.GetTask(id);
  EXPECT_EQ(t.status, TaskStatus::kCancelled);
  EXPECT_NE(t.statements[1].error.find("1317"), std::string::npos);
  auto errors = Logs(id, LogLevel::kError);
  ASSERT_FALSE(errors.empty());
  EXPECT_NE(errors[0].find("killed by ABORT"), std::string::npos);
}

// ABORT from another proxy: only the store says CANCELLED; the watcher notices and kills.
TEST_F(ExecutorTest, AbortSeenInTheStoreKillsToo) {
  int64_t id = MakeTask({"BLOCK long alter", "ALTER C"});
  Executor ex = MakeExecutor();
  Result<TaskStatus> result = Status(errc::kInternal, "not run");
  std::thread runner([&] { result = ex.Run(id); });
  ASSERT_TRUE(sql_.WaitBlocked());
  ASSERT_TRUE(MutateTask(store_, id, [](Task& t) { return Abort(t, "root", Now()); }).ok());
  runner.join();
  EXPECT_EQ(*result, TaskStatus::kCancelled);
  EXPECT_EQ(States(id), (std::vector<SS>{SS::kFailed, SS::kPending}));
}

// Shutdown past shutdown_grace: the statement is killed and the task fails (not CANCELLED).
TEST_F(ExecutorTest, CancelAllFailsTheRunningTask) {
  int64_t id = MakeTask({"ALTER A", "BLOCK long alter", "ALTER C"});
  Executor ex = MakeExecutor();
  Result<TaskStatus> result = Status(errc::kInternal, "not run");
  std::thread runner([&] { result = ex.Run(id); });
  ASSERT_TRUE(sql_.WaitBlocked());
  EXPECT_EQ(ex.CancelAll("proxy stopped while the task was executing"), 1);
  runner.join();
  EXPECT_EQ(*result, TaskStatus::kExecutionFailed);
  EXPECT_EQ(States(id), (std::vector<SS>{SS::kSucceeded, SS::kFailed, SS::kPending}));
  auto errors = Logs(id, LogLevel::kError);
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_NE(errors[0].find("killed by proxy stopped"), std::string::npos) << errors[0];
  EXPECT_EQ(errors[1], "proxy stopped while the task was executing");
  EXPECT_EQ(ex.CancelAll("x"), 0);
}

// --- Scheduler ---

class SchedulerTest : public ExecutorTest {
 protected:
  SchedulerOptions Opts(const std::string& owner) {
    SchedulerOptions o;
    o.instance = "host:6033";
    o.owner = owner;
    o.poll = milliseconds(50);
    return o;
  }
  // Runs posted jobs inline.
  static void Inline(std::function<void()> job) { job(); }
};

TEST_F(SchedulerTest, ImmediateTaskRunsOnce) {
  int64_t id = MakeTask({"ALTER A"}, ErrorStrategy::kAbort, {}, /*claim=*/false);
  ExecutorOptions eo;
  eo.owner = "host:6033#1";
  Executor ex(store_, sql_, nullptr, nullptr, eo);
  Scheduler s(store_, ex, Inline, Opts("host:6033#1"));
  EXPECT_EQ(s.PollOnce(), 1);
  EXPECT_EQ(store_.GetTask(id)->status, TaskStatus::kExecutionSucceeded);
  EXPECT_EQ(s.PollOnce(), 0);
  EXPECT_EQ(sql_.executed().size(), 1u);
}

TEST_F(SchedulerTest, TwoProxiesRunATaskOnce) {
  int64_t id = MakeTask({"BLOCK a while"}, ErrorStrategy::kAbort, {}, false);
  ExecutorOptions ea, eb;
  ea.owner = "a:1#1";
  eb.owner = "b:1#1";
  Executor xa(store_, sql_, nullptr, nullptr, ea), xb(store_, sql_, nullptr, nullptr, eb);
  std::vector<std::thread> threads;
  auto post = [&](std::function<void()> job) { threads.emplace_back(std::move(job)); };
  SchedulerOptions oa = Opts("a:1#1"), ob = Opts("b:1#1");
  oa.instance = "a:1";
  ob.instance = "b:1";
  Scheduler sa(store_, xa, post, oa), sb(store_, xb, post, ob);
  int started = sa.PollOnce() + sb.PollOnce();
  ASSERT_TRUE(sql_.WaitBlocked());
  started += sa.PollOnce() + sb.PollOnce();
  EXPECT_EQ(started, 1);
  ASSERT_TRUE(MutateTask(store_, id, [](Task& t) { return Abort(t, "dev", Now()); }).ok());
  for (auto& t : threads) t.join();
  EXPECT_EQ(sql_.executed().size(), 1u);
}

TEST_F(SchedulerTest, AClaimWhoseRunCouldNotStartIsReleasedAndRetried) {
  int64_t id = MakeTask({"ALTER A"}, ErrorStrategy::kAbort, {}, /*claim=*/false);
  ExecutorOptions eo;
  eo.owner = "host:6033#1";
  Executor ex(store_, sql_, nullptr, nullptr, eo);
  Scheduler s(store_, ex, Inline, Opts("host:6033#1"));
  store_.fail_saves = 1;  // the executor's first write (WAIT_FOR_EXECUTION -> EXECUTING) fails
  s.PollOnce();
  Task t = Load(id);
  EXPECT_EQ(t.status, TaskStatus::kWaitForExecution);
  EXPECT_EQ(t.owner, "");  // not held for a whole lease
  EXPECT_TRUE(sql_.executed().empty());
  EXPECT_EQ(s.PollOnce(), 0);  // this proxy waits a few seconds before trying it again...
  EXPECT_EQ(store_.GetTask(id)->status, TaskStatus::kWaitForExecution);
  ExecutorOptions peer_eo;
  peer_eo.owner = "peer:1#1";
  Executor peer_ex(store_, sql_, nullptr, nullptr, peer_eo);
  SchedulerOptions peer_opts = Opts("peer:1#1");
  peer_opts.instance = "peer:1";
  Scheduler peer(store_, peer_ex, Inline, peer_opts);
  EXPECT_EQ(peer.PollOnce(), 1);  // ...but any other proxy can claim and run it at once
  EXPECT_EQ(store_.GetTask(id)->status, TaskStatus::kExecutionSucceeded);
  EXPECT_EQ(sql_.executed().size(), 1u);
}

TEST_F(SchedulerTest, ExecuteAtWaitsForItsTime) {
  ExecutionOptions at{ExecutionMode::kAt, Now() + milliseconds(300), ErrorStrategy::kAbort, ""};
  int64_t id = MakeTask({"ALTER A"}, ErrorStrategy::kAbort, at, false);
  ExecutorOptions eo;
  eo.owner = "host:6033#1";
  Executor ex(store_, sql_, nullptr, nullptr, eo);
  Scheduler s(store_, ex, Inline, Opts("host:6033#1"));
  EXPECT_EQ(s.PollOnce(), 0);
  EXPECT_EQ(store_.GetTask(id)->status, TaskStatus::kWaitForExecution);
  std::this_thread::sleep_for(milliseconds(350));
  EXPECT_EQ(s.PollOnce(), 1);
  EXPECT_EQ(store_.GetTask(id)->status, TaskStatus::kExecutionSucceeded);
}

TEST_F(SchedulerTest, ManualWaitsForExecuteAndTheThreadRunsIt) {
  ExecutionOptions manual{ExecutionMode::kManual, std::nullopt, ErrorStrategy::kAbort, ""};
  int64_t id = MakeTask({"ALTER A"}, ErrorStrategy::kAbort, manual, false);
  ExecutorOptions eo;
  eo.owner = "host:6033#1";
  Executor ex(store_, sql_, nullptr, nullptr, eo);
  Scheduler s(store_, ex, Inline, Opts("host:6033#1"));
  s.Start();
  std::this_thread::sleep_for(milliseconds(200));
  EXPECT_EQ(store_.GetTask(id)->status, TaskStatus::kWaitForExecution);
  ASSERT_TRUE(MutateTask(store_, id, [](Task& t) { return RequestExecute(t, "dev", Now()); }).ok());
  s.Kick();
  for (int i = 0; i < 100 && store_.GetTask(id)->status != TaskStatus::kExecutionSucceeded; ++i)
    std::this_thread::sleep_for(milliseconds(20));
  s.Stop();
  EXPECT_EQ(store_.GetTask(id)->status, TaskStatus::kExecutionSucceeded);
}

TEST_F(SchedulerTest, TimeoutsExpireTasks) {
  Analysis a;
  a.cluster = "local";
  a.database = "shop";
  a.tables = {{"t", "t_shadow", TableResult::kCreate, false, "", "", "", {"CREATE"}}};
  a.id = *store_.CreateAnalysis(a);
  ProcessConfig one;
  one.name = "p";
  one.nodes = {{{"dba"}, {}}};
  Task waiting = *NewTask(a, one, {}, "dev", Now());
  ASSERT_TRUE(store_.CreateTask(waiting).ok());
  ExecutionOptions manual{ExecutionMode::kManual, std::nullopt, ErrorStrategy::kAbort, ""};
  int64_t approved = MakeTask({"ALTER"}, ErrorStrategy::kAbort, manual, false);
  ExecutorOptions eo;
  eo.owner = "host:6033#1";
  Executor ex(store_, sql_, nullptr, nullptr, eo);
  SchedulerOptions o = Opts("host:6033#1");
  o.timeouts = Timeouts{milliseconds(100), milliseconds(100)};
  Scheduler s(store_, ex, Inline, o);
  std::this_thread::sleep_for(milliseconds(150));
  EXPECT_EQ(s.PollOnce(), 2);
  EXPECT_EQ(store_.GetTask(waiting.id)->status, TaskStatus::kApprovalExpired);
  EXPECT_EQ(store_.GetTask(approved)->status, TaskStatus::kExecutionExpired);
}

TEST_F(SchedulerTest, RecoversTasksOfAPreviousIncarnation) {
  int64_t id = MakeTask({"ALTER A", "ALTER B"}, ErrorStrategy::kAbort, {}, false);
  ASSERT_TRUE(*store_.Claim(id, "host:6033#old", std::chrono::hours(1)));
  ASSERT_TRUE(MutateTask(store_, id, [](Task& t) { return Start(t, Now()); }).ok());
  TaskStatement done = store_.GetTask(id)->statements[0];
  done.state = SS::kSucceeded;
  ASSERT_TRUE(store_.UpdateStatement(id, done).ok());
  ExecutorOptions eo;
  eo.owner = "host:6033#new";
  Executor ex(store_, sql_, nullptr, nullptr, eo);
  Scheduler s(store_, ex, Inline, Opts("host:6033#new"));
  EXPECT_EQ(s.PollOnce(), 1);
  Task t = *store_.GetTask(id);
  EXPECT_EQ(t.status, TaskStatus::kExecutionFailed);
  EXPECT_EQ(States(id), (std::vector<SS>{SS::kSucceeded, SS::kPending}));
  auto errors = Logs(id, LogLevel::kError);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0], "proxy stopped while the task was executing");
  EXPECT_TRUE(sql_.executed().empty());
  // Another proxy's live execution is left alone.
  int64_t other = MakeTask({"ALTER"}, ErrorStrategy::kAbort, {}, false);
  ASSERT_TRUE(*store_.Claim(other, "peer:1#1", std::chrono::hours(1)));
  ASSERT_TRUE(MutateTask(store_, other, [](Task& t) { return Start(t, Now()); }).ok());
  EXPECT_EQ(s.PollOnce(), 0);
  EXPECT_EQ(store_.GetTask(other)->status, TaskStatus::kExecuting);
}

}  // namespace
}  // namespace shadowproxy::tasks
