// The SHADOW SYNC statements end to end below the wire: real parser and handlers, the task
// service, the memory store, a fake analysis engine, the real executor/scheduler with a fake SQL
// runner.
#include <gtest/gtest.h>

#include <thread>

#include "fake_sql.h"
#include "plugins/shadow_sync/handlers.h"
#include "plugins/shadow_sync/parser.h"
#include "plugins/tasks/scheduler.h"
#include "plugins/tasks/task_service.h"
#include "plugins/tasks/task_store_memory.h"

namespace shadowproxy::tasks {
namespace {

using plugins::OkAnswer;
using plugins::ResultSetAnswer;
using plugins::SessionContext;

class TaskCenterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto config = std::make_shared<Config>();
    ProcessConfig prod;
    prod.name = "production";
    prod.priority = 1;
    prod.nodes = {{{"dba"}, {}}, {{}, {"alice"}}};
    ProcessConfig sandbox;
    sandbox.name = "sandbox";
    sandbox.priority = 0;
    sandbox.match.databases = {"dev_*"};
    config->shadow_sync.processes = {prod, sandbox};
    config_ = config;
    ExecutorOptions eo;
    eo.owner = "h:1#1";
    eo.watch_every = std::chrono::milliseconds(20);
    executor_ = std::make_unique<Executor>(store_, sql_, MakeReanalyze(Analyzer()), nullptr, eo);
    SchedulerOptions so;
    so.instance = "h:1";
    so.owner = "h:1#1";
    scheduler_ = std::make_unique<Scheduler>(
        store_, *executor_, [](std::function<void()> job) { job(); }, so);
    TaskServiceDeps deps;
    deps.config = [this] { return config_; };
    deps.store = &store_;
    deps.analyze = Analyzer();
    deps.kick = [this] { kicked_++; };
    deps.cancel = [this](int64_t id) { return executor_->Cancel(id); };
    center_ = std::make_unique<TaskService>(deps);
  }

  // Three tables: users (CREATE), orders (UPDATE, 2 statements), logs (NO_ACTION).
  AnalyzeFn Analyzer() {
    return [this](const AnalyzeRequest& req) -> Result<Analysis> {
      ++analyses_;
      if (req.database == "missing") return Status(errc::kNotFound, "database 'missing' not found");
      Analysis a;
      auto add = [&](const std::string& name, TableResult r, std::vector<std::string> sql) {
        if (!req.all_tables &&
            std::find(req.tables.begin(), req.tables.end(), name) == req.tables.end())
          return;
        std::string shadow = req.naming.ShadowName(name);
        for (auto& s : sql) s += " `" + shadow + "`";
        a.tables.push_back({name, shadow, r, false, "CREATE TABLE `" + name + "` ...",
                            r == TableResult::kCreate ? "" : "CREATE TABLE `" + shadow + "` ...",
                            sql.empty() ? "" : sql[0], sql});
      };
      add("users", TableResult::kCreate, {"CREATE"});
      add("orders", TableResult::kUpdate, {"ALTER1", drift_ ? "ALTER2X" : "ALTER2"});
      add("logs", TableResult::kNoAction, {});
      return a;
    };
  }

  plugins::Answer Run(const SessionContext& s, const std::string& sql) {
    auto parsed = shadow_sync::ParseStatement(sql);
    if (!parsed.ok()) return parsed.status();
    return shadow_sync::Dispatch(*center_, s, *parsed);
  }
  ResultSetAnswer Rows(const SessionContext& s, const std::string& sql) {
    auto a = Run(s, sql);
    if (auto* st = std::get_if<Status>(&a)) {
      ADD_FAILURE() << sql << ": " << st->ToString();
      return {};
    }
    if (auto* rs = std::get_if<ResultSetAnswer>(&a)) return *rs;
    ADD_FAILURE() << sql << ": not a result set";
    return {};
  }
  Status Err(const SessionContext& s, const std::string& sql) {
    auto a = Run(s, sql);
    if (auto* st = std::get_if<Status>(&a)) return *st;
    ADD_FAILURE() << sql << ": succeeded";
    return Status::Ok();
  }
  static std::string Cell(const ResultSetAnswer& rs, size_t row, const std::string& col) {
    for (size_t i = 0; i < rs.columns.size(); ++i)
      if (rs.columns[i] == col) return rs.rows.at(row).at(i).value_or("NULL");
    ADD_FAILURE() << "no column " << col;
    return "";
  }
  std::string Field(const SessionContext& s, const std::string& id, const std::string& field) {
    auto rs = Rows(s, "SHADOW SYNC SHOW TASK " + id);
    for (const auto& r : rs.rows)
      if (r[0] == field) return r[1].value_or("NULL");
    return "?";
  }

  SessionContext dev_{"dev", {"developer"}, "local", "shop", "127.0.0.1", 1, {}};
  SessionContext dba_{"dba1", {"dba"}, "local", "shop", "127.0.0.1", 2, {}};
  SessionContext alice_{"alice", {}, "local", "shop", "127.0.0.1", 3, {}};
  SessionContext bob_{"bob", {"developer"}, "local", "shop", "127.0.0.1", 4, {}};
  ConfigPtr config_;
  MemoryTaskStore store_;
  testing::FakeSql sql_;
  std::unique_ptr<Executor> executor_;
  std::unique_ptr<Scheduler> scheduler_;
  std::unique_ptr<TaskService> center_;
  int kicked_ = 0, analyses_ = 0;
  bool drift_ = false;
};

TEST_F(TaskCenterTest, TheInteractiveFlowWithTwoApprovers) {
  auto an = Rows(dev_, "SHADOW SYNC ANALYZE ALL TABLES");
  EXPECT_EQ(an.columns, (std::vector<std::string>{"analysis_id", "source_table", "shadow_table",
                                                  "result", "skipped", "statements"}));
  ASSERT_EQ(an.rows.size(), 3u);
  EXPECT_EQ(Cell(an, 0, "shadow_table"), "users_shadow");
  EXPECT_EQ(Cell(an, 1, "result"), "UPDATE");
  EXPECT_EQ(Cell(an, 1, "statements"), "2");
  const std::string aid = Cell(an, 0, "analysis_id");

  auto view = Rows(dev_, "SHADOW SYNC SHOW ANALYSIS " + aid + " TABLE users");
  EXPECT_EQ(view.columns, (std::vector<std::string>{"source_table", "shadow_table", "result",
                                                    "source_ddl", "shadow_ddl", "change_sql"}));
  EXPECT_EQ(Cell(view, 0, "shadow_ddl"), "NULL");
  EXPECT_EQ(Err(dev_, "SHADOW SYNC SHOW ANALYSIS " + aid + " TABLE nope").code(), errc::kNotFound);

  EXPECT_EQ(Rows(dev_, "SHADOW SYNC PREVIEW " + aid).rows.size(), 3u);
  auto skip = Run(dev_, "SHADOW SYNC SKIP " + aid + " TABLES users");
  EXPECT_EQ(std::get<OkAnswer>(skip).affected_rows, 1u);
  auto preview = Rows(dev_, "SHADOW SYNC PREVIEW " + aid);
  ASSERT_EQ(preview.rows.size(), 2u);
  EXPECT_EQ(*preview.rows[0][0], "ALTER1 `orders_shadow`");
  EXPECT_EQ(
      std::get<OkAnswer>(Run(dev_, "SHADOW SYNC UNSKIP " + aid + " TABLES users")).affected_rows,
      1u);
  EXPECT_EQ(
      std::get<OkAnswer>(Run(dev_, "SHADOW SYNC SKIP " + aid + " TABLES users")).affected_rows, 1u);

  auto sub = Rows(dev_, "SHADOW SYNC SUBMIT " + aid + " ON ERROR CONTINUE COMMENT 'first'");
  EXPECT_EQ(sub.columns, (std::vector<std::string>{"task_id", "status", "process"}));
  EXPECT_EQ(Cell(sub, 0, "status"), "WAIT_FOR_APPROVAL");
  EXPECT_EQ(Cell(sub, 0, "process"), "production");
  const std::string tid = Cell(sub, 0, "task_id");
  EXPECT_EQ(Err(dev_, "SHADOW SYNC SUBMIT " + aid).code(), errc::kAlreadySubmitted);
  EXPECT_EQ(Err(dev_, "SHADOW SYNC SKIP " + aid + " TABLES orders").code(),
            errc::kAlreadySubmitted);

  // Rights: the creator and a non-approver cannot approve; alice is the second node, not the first.
  Status s = Err(dev_, "SHADOW SYNC APPROVE " + tid);
  EXPECT_EQ(s.code(), errc::kNotAllowed);
  EXPECT_EQ(s.sqlstate(), "42000");
  EXPECT_EQ(Err(bob_, "SHADOW SYNC APPROVE " + tid).code(), errc::kNotAllowed);
  EXPECT_EQ(Err(alice_, "SHADOW SYNC APPROVE " + tid).message(),
            "user 'alice' lacks the right APPROVE on task " + tid + " (needs role dba)");
  EXPECT_EQ(Err(bob_, "SHADOW SYNC SHOW TASK " + tid).code(), errc::kNotAllowed);
  EXPECT_EQ(Err(dba_, "SHADOW SYNC ABORT " + tid).code(), errc::kNotAllowed);

  EXPECT_EQ(Cell(Rows(dba_, "SHADOW SYNC APPROVE " + tid + " COMMENT 'ok'"), 0, "status"),
            "WAIT_FOR_APPROVAL");
  EXPECT_EQ(kicked_, 0);
  EXPECT_EQ(Cell(Rows(alice_, "SHADOW SYNC APPROVE " + tid), 0, "status"), "WAIT_FOR_EXECUTION");
  EXPECT_EQ(kicked_, 1);
  EXPECT_EQ(Err(alice_, "SHADOW SYNC APPROVE " + tid).code(), errc::kBadStatus);

  EXPECT_EQ(scheduler_->PollOnce(), 1);
  EXPECT_EQ(Field(dev_, tid, "status"), "EXECUTION_SUCCEEDED");
  EXPECT_EQ(sql_.executed(),
            (std::vector<std::string>{"ALTER1 `orders_shadow`", "ALTER2 `orders_shadow`"}));
  EXPECT_EQ(Field(dev_, tid, "synced_tables"), "orders");
  EXPECT_EQ(Field(dev_, tid, "unsynced_tables"), "users");
  EXPECT_EQ(Field(dev_, tid, "executed_statements"), "2");
  EXPECT_EQ(Field(dev_, tid, "failed_statements"), "0");
  EXPECT_EQ(Field(dev_, tid, "error_strategy"), "CONTINUE");
  EXPECT_EQ(Field(dev_, tid, "remarks"), "first");
  EXPECT_NE(Field(dba_, tid, "finished_at"), "NULL");

  auto process = Rows(dev_, "SHADOW SYNC SHOW TASK " + tid + " PROCESS");
  EXPECT_EQ(process.columns,
            (std::vector<std::string>{"seq", "node", "status", "operator", "at", "comment"}));
  std::vector<std::string> statuses;
  for (const auto& r : process.rows) statuses.push_back(*r[1] + ":" + *r[2]);
  EXPECT_EQ(statuses,
            (std::vector<std::string>{"INITIATED:DONE", "APPROVAL 1/2 (needs role dba):APPROVED",
                                      "APPROVAL 2/2 (needs user alice):APPROVED",
                                      "EXECUTION:SUCCEEDED", "COMPLETED:EXECUTION_SUCCEEDED"}));
  auto sqlv = Rows(dev_, "SHADOW SYNC SHOW TASK " + tid + " SQL");
  EXPECT_EQ(Cell(sqlv, 1, "state"), "SUCCEEDED");
  EXPECT_EQ(Cell(sqlv, 1, "error"), "NULL");
  auto tables = Rows(dev_, "SHADOW SYNC SHOW TASK " + tid + " TABLES");
  EXPECT_EQ(tables.rows.size(), 3u);
  EXPECT_EQ(Cell(tables, 0, "skipped"), "1");
  auto logs = Rows(dev_, "SHADOW SYNC SHOW TASK " + tid + " LOGS");
  EXPECT_GE(logs.rows.size(), 5u);
  EXPECT_EQ(Rows(dev_, "SHADOW SYNC SHOW TASK " + tid + " LOGS ALERT").rows.size(), 0u);
  auto like = Rows(dev_, "SHADOW SYNC SHOW TASK " + tid + " LOGS LIKE '%approved by alice%'");
  ASSERT_EQ(like.rows.size(), 1u);

  // The list: dev, the approvers and admin see it, bob does not.
  EXPECT_EQ(Rows(dev_, "SHADOW SYNC SHOW TASKS").rows.size(), 1u);
  EXPECT_EQ(Rows(alice_, "SHADOW SYNC SHOW TASKS WHERE status = 'EXECUTION_SUCCEEDED'").rows.size(),
            1u);
  EXPECT_EQ(Rows(bob_, "SHADOW SYNC SHOW TASKS").rows.size(), 0u);
  SessionContext root{"root", {"admin"}, "local", "", "", 9, {}};
  auto all = Rows(root, "SHADOW SYNC SHOW ALL TASKS WHERE creator IN ('dev') LIMIT 5");
  ASSERT_EQ(all.rows.size(), 1u);
  EXPECT_EQ(all.columns, (std::vector<std::string>{"task_id", "task_type", "connection", "database",
                                                   "creator", "created_at", "status"}));
  EXPECT_EQ(Cell(all, 0, "task_type"), "SHADOW_TABLE_SYNC");
  EXPECT_EQ(Cell(all, 0, "connection"), "local");
}

// LIMIT and OFFSET count the tasks the user may view, however many hidden ones lie between
// them: the service reads the store page by page until it has enough.
TEST_F(TaskCenterTest, LimitAndOffsetCountOnlyVisibleTasks) {
  std::vector<std::string> mine;  // dev's, oldest first
  for (int i = 0; i < 9; ++i) {
    const SessionContext& who = i % 3 == 0 ? dev_ : bob_;  // bob's are hidden from dev
    auto rs = Rows(who, "SHADOW SYNC CREATE TASK TABLES users EXECUTE MANUALLY");
    if (&who == &dev_) mine.push_back(Cell(rs, 0, "task_id"));
    std::this_thread::sleep_for(std::chrono::milliseconds(2));  // distinct created_at
  }
  ASSERT_EQ(mine.size(), 3u);
  auto ids = [&](const std::string& sql) {
    std::vector<std::string> out;
    for (const auto& r : Rows(dev_, sql).rows) out.push_back(r[0].value_or(""));
    return out;
  };
  EXPECT_EQ(ids("SHADOW SYNC SHOW TASKS LIMIT 1"), (std::vector<std::string>{mine[2]}));
  EXPECT_EQ(ids("SHADOW SYNC SHOW TASKS LIMIT 2 OFFSET 1"),
            (std::vector<std::string>{mine[1], mine[0]}));
  EXPECT_EQ(ids("SHADOW SYNC SHOW TASKS LIMIT 5 OFFSET 2"), (std::vector<std::string>{mine[0]}));
  EXPECT_EQ(ids("SHADOW SYNC SHOW TASKS LIMIT 5 OFFSET 3"), (std::vector<std::string>{}));
  EXPECT_EQ(ids("SHADOW SYNC SHOW TASKS ORDER BY task_id LIMIT 2"),
            (std::vector<std::string>{mine[0], mine[1]}));
  EXPECT_EQ(ids("SHADOW SYNC SHOW TASKS").size(), 3u);
}

TEST_F(TaskCenterTest, CreateTaskInASandboxRunsWithoutApproval) {
  SessionContext s = dev_;
  s.database = "dev_1";
  auto rs = Rows(s, "SHADOW SYNC CREATE TASK ALL TABLES SUFFIX '_t' SKIP TABLES orders");
  EXPECT_EQ(rs.columns,
            (std::vector<std::string>{"task_id", "status", "process", "create_count",
                                      "update_count", "no_action_count", "skipped_count"}));
  EXPECT_EQ(Cell(rs, 0, "status"), "WAIT_FOR_EXECUTION");
  EXPECT_EQ(Cell(rs, 0, "process"), "sandbox");
  EXPECT_EQ(Cell(rs, 0, "create_count"), "1");
  EXPECT_EQ(Cell(rs, 0, "update_count"), "0");
  EXPECT_EQ(Cell(rs, 0, "no_action_count"), "1");
  EXPECT_EQ(Cell(rs, 0, "skipped_count"), "1");
  EXPECT_EQ(kicked_, 1);
  scheduler_->PollOnce();
  EXPECT_EQ(sql_.executed(), std::vector<std::string>{"CREATE `users_t`"});
  EXPECT_EQ(sql_.opened(), std::vector<std::string>{"local/dev_1"});
}

TEST_F(TaskCenterTest, ManualExecuteRejectAbortRetryAndErrors) {
  auto rs = Rows(dev_, "SHADOW SYNC CREATE TASK TABLES orders EXECUTE MANUALLY");
  const std::string tid = Cell(rs, 0, "task_id");
  Rows(dba_, "SHADOW SYNC APPROVE " + tid);
  Rows(alice_, "SHADOW SYNC APPROVE " + tid);
  scheduler_->PollOnce();
  EXPECT_TRUE(sql_.executed().empty());
  EXPECT_EQ(Err(bob_, "SHADOW SYNC EXECUTE " + tid).code(), errc::kNotAllowed);
  EXPECT_EQ(Cell(Rows(dev_, "SHADOW SYNC EXECUTE " + tid), 0, "status"), "WAIT_FOR_EXECUTION");
  EXPECT_EQ(Err(dev_, "SHADOW SYNC EXECUTE " + tid).code(), errc::kBadStatus);
  scheduler_->PollOnce();
  EXPECT_EQ(Field(dev_, tid, "status"), "EXECUTION_SUCCEEDED");

  // Reject; abort while waiting; 7004 afterwards.
  const std::string r2 = Cell(Rows(dev_, "SHADOW SYNC CREATE TASK TABLES users"), 0, "task_id");
  EXPECT_EQ(Cell(Rows(dba_, "SHADOW SYNC REJECT " + r2 + " COMMENT 'no'"), 0, "status"),
            "REJECTED");
  Status bad = Err(dev_, "SHADOW SYNC ABORT " + r2);
  EXPECT_EQ(bad.code(), errc::kBadStatus);
  EXPECT_EQ(bad.message(), "task " + r2 + " is REJECTED; ABORT is not allowed");
  const std::string r3 = Cell(Rows(dev_, "SHADOW SYNC CREATE TASK TABLES users"), 0, "task_id");
  EXPECT_EQ(Cell(Rows(dev_, "SHADOW SYNC ABORT " + r3), 0, "status"), "CANCELLED");

  // Retry: a new task, same settings, fresh analysis.
  int before = analyses_;
  auto retry = Rows(bob_, "SHADOW SYNC RETRY " + r2);
  EXPECT_EQ(retry.columns, (std::vector<std::string>{"task_id", "status"}));
  EXPECT_EQ(analyses_, before + 1);
  EXPECT_NE(Cell(retry, 0, "task_id"), r2);
  EXPECT_EQ(Cell(retry, 0, "status"), "WAIT_FOR_APPROVAL");

  // Unknown ids, past schedule, missing database, schema drift.
  EXPECT_EQ(Err(dev_, "SHADOW SYNC SHOW TASK 999").code(), errc::kUnknownId);
  EXPECT_EQ(Err(dev_, "SHADOW SYNC APPROVE 999").code(), errc::kUnknownId);
  EXPECT_EQ(Err(dev_, "SHADOW SYNC PREVIEW 999").code(), errc::kUnknownId);
  EXPECT_EQ(
      Err(dev_, "SHADOW SYNC CREATE TASK TABLES users EXECUTE AT '2001-01-01 00:00:00'").code(),
      errc::kBadSchedule);
  EXPECT_EQ(Err(dev_, "SHADOW SYNC ANALYZE DATABASE missing ALL TABLES").code(), errc::kNotFound);
  SessionContext nodb = dev_;
  nodb.database = "";
  EXPECT_EQ(Err(nodb, "SHADOW SYNC ANALYZE ALL TABLES").code(), errc::kNotFound);

  const std::string d = Cell(Rows(dev_, "SHADOW SYNC CREATE TASK TABLES orders"), 0, "task_id");
  Rows(dba_, "SHADOW SYNC APPROVE " + d);
  Rows(alice_, "SHADOW SYNC APPROVE " + d);
  drift_ = true;
  sql_.errors.clear();
  size_t ran = sql_.executed().size();
  scheduler_->PollOnce();
  EXPECT_EQ(Field(dev_, d, "status"), "EXECUTION_FAILED");
  EXPECT_EQ(sql_.executed().size(), ran);
  auto alert = Rows(dev_, "SHADOW SYNC SHOW TASK " + d + " LOGS ALERT");
  ASSERT_EQ(alert.rows.size(), 1u);
  EXPECT_EQ(Cell(alert, 0, "level"), "ERROR");
  EXPECT_EQ(Cell(alert, 0, "message").find("schema changed since approval"), 0u);
}

TEST_F(TaskCenterTest, MetadbDownIs7030) {
  store_.SetUnavailable(true);
  EXPECT_EQ(Err(dev_, "SHADOW SYNC SHOW TASKS").code(), errc::kUnavailable);
  EXPECT_EQ(Err(dev_, "SHADOW SYNC ANALYZE ALL TABLES").code(), errc::kUnavailable);
}

}  // namespace
}  // namespace shadowproxy::tasks
