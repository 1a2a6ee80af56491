// The task center runtime end to end below the wire: real MariaDB, the real schema engine, the
// metadb store, scheduler and executor, statements parsed by the real grammar.
#include <gtest/gtest.h>

#include <map>
#include <thread>

#include "base/mysql_conn.h"
#include "base/worker_pool.h"
#include "mariadb_env.h"
#include "plugins/shadow_sync/handlers.h"
#include "plugins/shadow_sync/parser.h"
#include "plugins/tasks/task_runtime.h"

namespace shadowproxy::tasks {
namespace {

using plugins::ResultSetAnswer;
using plugins::SessionContext;
using testing::MariaDbEnv;

std::unique_ptr<sql::MysqlConn> Admin() {
  auto link = sql::MysqlConn::Connect(sql::ClusterConnInfo::FromConfig(MariaDbEnv::Cluster()));
  EXPECT_TRUE(link.ok()) << link.status().ToString();
  return std::make_unique<sql::MysqlConn>(std::move(link).value());
}

ConfigPtr MakeConfig() {
  auto c = std::make_shared<Config>();
  c->clusters = {MariaDbEnv::Cluster("local")};
  c->metadb.cluster = "local";
  c->metadb.database = "sp_center_meta";
  c->shadow_sync.workers = 2;
  return c;  // no processes: the SPEC default (one node, role dba)
}

class TaskCenterMysqlTest : public ::testing::Test {
 protected:
  plugins::Answer Run(const SessionContext& s, const std::string& sql) {
    auto parsed = shadow_sync::ParseStatement(sql);
    if (!parsed.ok()) return parsed.status();
    return shadow_sync::Dispatch(rt_->service(), s, *parsed);
  }
  ResultSetAnswer Rows(const SessionContext& s, const std::string& sql) {
    auto a = Run(s, sql);
    if (auto* st = std::get_if<Status>(&a)) {
      ADD_FAILURE() << sql << ": " << st->ToString();
      return {};
    }
    if (auto* rs = std::get_if<ResultSetAnswer>(&a)) return *rs;
    return {};
  }
  static std::string Cell(const ResultSetAnswer& rs, size_t row, const std::string& col) {
    for (size_t i = 0; i < rs.columns.size(); ++i)
      if (rs.columns[i] == col && row < rs.rows.size()) return rs.rows[row][i].value_or("NULL");
    ADD_FAILURE() << "no " << col << " in row " << row;
    return "";
  }
  std::string WaitFinal(const std::string& id, int seconds = 30) {
    std::string status;
    for (int i = 0; i < seconds * 10; ++i) {
      auto rs = Rows(dev_, "SHADOW SYNC SHOW TASK " + id);
      status = rs.rows.empty() ? "" : rs.rows[0][1].value_or("");
      if (status != "WAIT_FOR_APPROVAL" && status != "WAIT_FOR_EXECUTION" && status != "EXECUTING")
        return status;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return status;
  }
  std::string ShowCreate(sql::MysqlConn& admin, const std::string& table) {
    auto rows = admin.Query("SHOW CREATE TABLE center_db.`" + table + "`");
    EXPECT_TRUE(rows.ok()) << table << ": " << rows.status().ToString();
    if (!rows.ok()) return "";
    std::string ddl = *(*rows)[0][1];
    size_t ai = ddl.find(" AUTO_INCREMENT=");
    if (ai != std::string::npos) ddl.erase(ai, ddl.find(' ', ai + 1) - ai);
    return ddl;
  }

  SessionContext dev_{"dev", {"developer"}, "local", "center_db", "127.0.0.1", 1, {}};
  SessionContext dba_{"dba1", {"dba"}, "local", "center_db", "127.0.0.1", 2, {}};
  std::unique_ptr<WorkerPool> pool_ = std::make_unique<WorkerPool>(2);
  std::unique_ptr<TaskRuntime> rt_;
};

TEST_F(TaskCenterMysqlTest, AnalyzeSubmitApproveRunsAndShadowsEqualSources) {
  auto admin = Admin();
  for (const char* sql : {
           "CREATE DATABASE center_db",
           "CREATE TABLE center_db.users (id INT NOT NULL AUTO_INCREMENT PRIMARY KEY, name "
           "VARCHAR(64) NOT NULL DEFAULT 'it''s', KEY k_name (name)) ENGINE=InnoDB",
           "INSERT INTO center_db.users (name) VALUES ('a'), ('b')",
           "CREATE TABLE center_db.orders (id INT NOT NULL PRIMARY KEY, user_id INT NOT NULL, "
           "total DECIMAL(10,2) NOT NULL, note TEXT COMMENT 'free text') ENGINE=InnoDB",
           "CREATE TABLE center_db.orders_shadow (id INT NOT NULL PRIMARY KEY, user_id INT NOT "
           "NULL) ENGINE=InnoDB",
           "CREATE TABLE center_db.same (id INT NOT NULL PRIMARY KEY) ENGINE=InnoDB",
           "CREATE TABLE center_db.same_shadow (id INT NOT NULL PRIMARY KEY) ENGINE=InnoDB",
       })
    ASSERT_TRUE(admin->Execute(sql).ok()) << sql;
  rt_ = TaskRuntime::Start(MakeConfig(), "test:1", *pool_);

  auto an = Rows(dev_, "SHADOW SYNC ANALYZE ALL TABLES");
  ASSERT_EQ(an.rows.size(), 3u);
  std::map<std::string, std::string> result;
  for (size_t i = 0; i < an.rows.size(); ++i)
    result[Cell(an, i, "source_table")] = Cell(an, i, "result");
  EXPECT_EQ(result, (std::map<std::string, std::string>{
                        {"orders", "UPDATE"}, {"same", "NO_ACTION"}, {"users", "CREATE"}}));
  const std::string aid = Cell(an, 0, "analysis_id");
  EXPECT_FALSE(Rows(dev_, "SHADOW SYNC PREVIEW " + aid).rows.empty());
  auto sub = Rows(dev_, "SHADOW SYNC SUBMIT " + aid);
  EXPECT_EQ(Cell(sub, 0, "status"), "WAIT_FOR_APPROVAL");
  EXPECT_EQ(Cell(sub, 0, "process"), "default");
  const std::string tid = Cell(sub, 0, "task_id");
  EXPECT_EQ(Cell(Rows(dba_, "SHADOW SYNC APPROVE " + tid), 0, "status"), "WAIT_FOR_EXECUTION");
  EXPECT_EQ(WaitFinal(tid), "EXECUTION_SUCCEEDED");

  for (const std::string t : {"users", "orders"}) {
    std::string src = ShowCreate(*admin, t);
    std::string shadow = ShowCreate(*admin, t + "_shadow");
    size_t at = src.find("`" + t + "`");
    ASSERT_NE(at, std::string::npos);
    src.replace(at, t.size() + 2, "`" + t + "_shadow`");
    EXPECT_EQ(shadow, src);
  }
  // A second analysis: everything NO_ACTION.
  auto again = Rows(dev_, "SHADOW SYNC ANALYZE ALL TABLES");
  for (size_t i = 0; i < again.rows.size(); ++i) EXPECT_EQ(Cell(again, i, "result"), "NO_ACTION");
  auto logs = Rows(dev_, "SHADOW SYNC SHOW TASK " + tid + " LOGS LIKE '%succeeded in%'");
  auto script = Rows(dev_, "SHADOW SYNC SHOW TASK " + tid + " SQL");
  EXPECT_GE(script.rows.size(), 2u);                // CREATE users_shadow, ALTER orders_shadow ...
  EXPECT_EQ(logs.rows.size(), script.rows.size());  // one INFO line per statement
  for (size_t i = 0; i < script.rows.size(); ++i) EXPECT_EQ(Cell(script, i, "state"), "SUCCEEDED");
  rt_->Stop(std::chrono::steady_clock::now() + std::chrono::seconds(10));
}

TEST_F(TaskCenterMysqlTest, ExecuteAtSurvivesARestart) {
  auto admin = Admin();
  ASSERT_TRUE(admin->Execute("CREATE DATABASE IF NOT EXISTS center_db").ok());
  ASSERT_TRUE(admin->Execute("CREATE TABLE center_db.later (id INT PRIMARY KEY)").ok());
  rt_ = TaskRuntime::Start(MakeConfig(), "test:1", *pool_);
  auto at = Now() + std::chrono::seconds(3);
  auto rs = Rows(dev_, "SHADOW SYNC CREATE TASK TABLES later EXECUTE AT '" + FormatTime(at) + "'");
  const std::string tid = Cell(rs, 0, "task_id");
  Rows(dba_, "SHADOW SYNC APPROVE " + tid);
  rt_->Stop(std::chrono::steady_clock::now() + std::chrono::seconds(10));
  rt_.reset();  // the proxy is gone before the time comes
  std::this_thread::sleep_for(std::chrono::seconds(3));
  rt_ = TaskRuntime::Start(MakeConfig(), "test:1", *pool_);
  EXPECT_EQ(WaitFinal(tid), "EXECUTION_SUCCEEDED");
  EXPECT_FALSE(ShowCreate(*admin, "later_shadow").empty());
  rt_->Stop(std::chrono::steady_clock::now() + std::chrono::seconds(10));
}

}  // namespace
}  // namespace shadowproxy::tasks

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  ::testing::AddGlobalTestEnvironment(new shadowproxy::tasks::testing::MariaDbEnv());
  return RUN_ALL_TESTS();
}
