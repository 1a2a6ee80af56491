// The executor and scheduler against a real MariaDB (started by the binary's environment):
// ABORT of a long ALTER kills it with KILL QUERY, server errors with ON ERROR CONTINUE, and a
// second "proxy" recovering an execution whose owner died.
#include <gtest/gtest.h>

#include <thread>

#include "base/mysql_conn.h"
#include "mariadb_env.h"
#include "plugins/tasks/executor.h"
#include "plugins/tasks/scheduler.h"
#include "plugins/tasks/task_state.h"
#include "plugins/tasks/task_store_mysql.h"

namespace shadowproxy::tasks {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using testing::MariaDbEnv;

std::unique_ptr<sql::MysqlConn> Admin(const std::string& db = "") {
  auto link = sql::MysqlConn::Connect(sql::ClusterConnInfo::FromConfig(MariaDbEnv::Cluster()), db);
  EXPECT_TRUE(link.ok()) << link.status().ToString();
  return link.ok() ? std::make_unique<sql::MysqlConn>(std::move(link).value()) : nullptr;
}

void Exec(sql::MysqlConn& link, const std::string& sql) {
  Status s = link.Execute(sql);
  ASSERT_TRUE(s.ok()) << sql << ": " << s.ToString();
}

class ExecutorMysqlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = std::make_unique<MysqlTaskStore>(
        sql::ClusterConnInfo::FromConfig(MariaDbEnv::Cluster()), "sp_exec_meta");
    ASSERT_TRUE(store_->Open().ok());
    runner_ = std::make_unique<MysqlSqlRunner>(std::vector<ClusterConfig>{MariaDbEnv::Cluster()});
  }

  int64_t MakeTask(const std::string& db, std::vector<std::string> sqls, ErrorStrategy strategy) {
    Analysis a;
    a.cluster = "local";
    a.database = db;
    a.creator = "dev";
    a.created_at = Now();
    a.naming.suffix = "_shadow";
    a.tables = {{"t", "t_shadow", TableResult::kUpdate, false, "", "", "", std::move(sqls)}};
    a.id = *store_->CreateAnalysis(a);
    ExecutionOptions o;
    o.error_strategy = strategy;
    Task task = *NewTask(a, ProcessConfig{}, o, "dev", Now());
    EXPECT_TRUE(store_->CreateTask(task).ok());
    return task.id;
  }

  Executor MakeExecutor(const std::string& owner) {
    ExecutorOptions o;
    o.owner = owner;
    o.watch_every = milliseconds(100);
    o.renew_every = seconds(1);
    return Executor(*store_, *runner_, nullptr, nullptr, o);
  }

  std::unique_ptr<MysqlTaskStore> store_;
  std::unique_ptr<MysqlSqlRunner> runner_;
};

TEST_F(ExecutorMysqlTest, AbortKillsALongAlterAndRunsNothingAfter) {
  auto admin = Admin();
  ASSERT_NE(admin, nullptr);
  Exec(*admin, "CREATE DATABASE IF NOT EXISTS big_db");
  Exec(*admin,
       "CREATE TABLE big_db.t_shadow (id INT NOT NULL AUTO_INCREMENT PRIMARY KEY, a INT, "
       "b VARCHAR(64)) ENGINE=InnoDB");
  // 2^20 rows in one statement (MariaDB's SEQUENCE engine; no temporary table needed).
  Exec(*admin,
       "INSERT INTO big_db.t_shadow (a, b) SELECT seq % 1000, REPEAT('x', 60) FROM "
       "big_db.seq_1_to_1048576");
  auto count = admin->Query("SELECT COUNT(*) FROM big_db.t_shadow");
  ASSERT_EQ(*(*count)[0][0], "1048576");

  int64_t id = MakeTask("big_db",
                        {"ALTER TABLE `t_shadow` ADD COLUMN c INT NOT NULL DEFAULT 7, "
                         "ALGORITHM=COPY",
                         "ALTER TABLE `t_shadow` ADD COLUMN d INT"},
                        ErrorStrategy::kContinue);  // even CONTINUE runs nothing after ABORT
  ASSERT_TRUE(*store_->Claim(id, "me#1", seconds(30)));
  Executor ex = MakeExecutor("me#1");
  Result<TaskStatus> result = Status(errc::kInternal, "not run");
  std::thread runner([&] { result = ex.Run(id); });

  // Wait until the ALTER is running on the server, then let it work a moment.
  bool running = false;
  for (int i = 0; i < 200 && !running; ++i) {
    auto rows = admin->Query(
        "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE INFO "
        "LIKE 'ALTER TABLE `t_shadow` ADD COLUMN c%'");
    running = rows.ok() && *(*rows)[0][0] == "1";
    if (!running) std::this_thread::sleep_for(milliseconds(50));
  }
  ASSERT_TRUE(running) << "the ALTER never showed up in the process list";
  std::this_thread::sleep_for(milliseconds(300));
  auto t0 = std::chrono::steady_clock::now();
  ASSERT_TRUE(MutateTask(*store_, id, [](Task& t) { return Abort(t, "dev", Now()); }).ok());
  EXPECT_TRUE(ex.Cancel(id));
  runner.join();
  auto took = std::chrono::duration_cast<milliseconds>(std::chrono::steady_clock::now() - t0);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(*result, TaskStatus::kCancelled);
  EXPECT_LT(took.count(), 5000) << "the ALTER was not killed promptly";

  Task t = *store_->GetTask(id);
  EXPECT_EQ(t.status, TaskStatus::kCancelled);
  ASSERT_EQ(t.statements.size(), 2u);
  EXPECT_EQ(t.statements[0].state, StatementState::kFailed);
  EXPECT_NE(t.statements[0].error.find("ERROR 1317"), std::string::npos) << t.statements[0].error;
  EXPECT_EQ(t.statements[1].state, StatementState::kPending);
  // Neither column exists: the ALTER was rolled back, the second never ran.
  auto cols = admin->Query(
      "SELECT COUNT(*) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA="
      "'big_db' AND TABLE_NAME='t_shadow' AND COLUMN_NAME IN ('c','d')");
  EXPECT_EQ(*(*cols)[0][0], "0");
  bool killed_line = false;
  for (const auto& l : t.logs)
    killed_line = killed_line || l.message.find("killed by ABORT") != std::string::npos;
  EXPECT_TRUE(killed_line);
  Exec(*admin, "DROP DATABASE big_db");
}

TEST_F(ExecutorMysqlTest, ServerErrorsWithOnErrorContinueAndAbort) {
  auto admin = Admin();
  Exec(*admin, "CREATE DATABASE IF NOT EXISTS err_db");
  Exec(*admin, "CREATE TABLE err_db.t_shadow (id INT PRIMARY KEY, v INT)");
  Exec(*admin, "INSERT INTO err_db.t_shadow VALUES (1, 5), (2, 5)");
  const std::vector<std::string> sqls = {
      "ALTER TABLE `t_shadow` ADD UNIQUE KEY uv (v)",  // duplicate rows: 1062
      "ALTER TABLE `t_shadow` ADD COLUMN w INT"};
  int64_t cont = MakeTask("err_db", sqls, ErrorStrategy::kContinue);
  ASSERT_TRUE(*store_->Claim(cont, "me#1", seconds(30)));
  EXPECT_EQ(*MakeExecutor("me#1").Run(cont), TaskStatus::kExecutionSucceededWithErrors);
  Task t = *store_->GetTask(cont);
  EXPECT_EQ(t.statements[0].state, StatementState::kFailed);
  EXPECT_NE(t.statements[0].error.find("ERROR 1062 (23000)"), std::string::npos)
      << t.statements[0].error;
  EXPECT_EQ(t.statements[1].state, StatementState::kSucceeded);

  int64_t abort = MakeTask("err_db", {sqls[0], "ALTER TABLE `t_shadow` ADD COLUMN x INT"},
                           ErrorStrategy::kAbort);
  ASSERT_TRUE(*store_->Claim(abort, "me#1", seconds(30)));
  EXPECT_EQ(*MakeExecutor("me#1").Run(abort), TaskStatus::kExecutionFailed);
  t = *store_->GetTask(abort);
  EXPECT_EQ(t.statements[1].state, StatementState::kPending);
  auto cols = admin->Query(
      "SELECT COUNT(*) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA="
      "'err_db' AND TABLE_NAME='t_shadow' AND COLUMN_NAME IN ('w','x')");
  EXPECT_EQ(*(*cols)[0][0], "1");  // w ran (CONTINUE), x did not (ABORT)
  Exec(*admin, "DROP DATABASE err_db");
}

// A proxy died mid-execution (its lease lapses); another proxy sharing the metadb fails the task.
TEST_F(ExecutorMysqlTest, LapsedLeaseIsRecoveredByAnotherProxy) {
  int64_t id =
      MakeTask("whatever", {"ALTER TABLE `t_shadow` ADD COLUMN q INT"}, ErrorStrategy::kAbort);
  ASSERT_TRUE(*store_->Claim(id, "dead:1#1", milliseconds(300)));
  ASSERT_TRUE(MutateTask(*store_, id, [](Task& t) { return Start(t, Now()); }).ok());
  auto other = std::make_unique<MysqlTaskStore>(
      sql::ClusterConnInfo::FromConfig(MariaDbEnv::Cluster()), "sp_exec_meta");
  ASSERT_TRUE(other->Open().ok());
  ExecutorOptions eo;
  eo.owner = "alive:1#1";
  Executor ex(*other, *runner_, nullptr, nullptr, eo);
  SchedulerOptions so;
  so.instance = "alive:1";
  so.owner = "alive:1#1";
  Scheduler s(
      *other, ex, [](std::function<void()> job) { job(); }, so);
  s.PollOnce();
  EXPECT_EQ(store_->GetTask(id)->status, TaskStatus::kExecuting);  // lease still valid
  std::this_thread::sleep_for(milliseconds(400));
  s.PollOnce();
  Task t = *store_->GetTask(id);
  EXPECT_EQ(t.status, TaskStatus::kExecutionFailed);
  EXPECT_EQ(t.logs.back().level, LogLevel::kError);
  EXPECT_EQ(t.logs.back().message, "proxy stopped while the task was executing");
}

}  // namespace
}  // namespace shadowproxy::tasks
