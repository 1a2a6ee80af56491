// The metadb TaskStore (SPEC.md §2 `metadb`): a database on the metadb cluster's first live
// server, created with its tables by versioned migrations on the first connection that works
// (table schema_version; each migration applied once, under a named lock so proxies starting
// together do not race). Every call checks a connection out of a bounded pool for its duration,
// so sessions, the scheduler and executions do not queue behind one another; every write is
// committed before the call returns, and a write of many rows is a few multi-row INSERTs in one
// transaction. Unreachable metadb: ERR 7030 naming it; the pool reconnects by itself.
#pragma once

#include <atomic>

#include "base/mysql_pool.h"
#include "plugins/tasks/task_store.h"

namespace shadowproxy::tasks {

class MysqlTaskStore : public TaskStore {
 public:
  // `server`: the metadb cluster (its servers and admin account); database: metadb.database;
  // pool_size: how many connections may be open at once.
  MysqlTaskStore(sql::ClusterConnInfo server, std::string database, size_t pool_size = 8);
  // Connects, creates the database if missing, applies pending migrations.
  Status Open();
  sql::ConnectionPool::Stats pool_stats() const { return pool_.stats(); }
  // The schema version after Open() (the number of migrations applied).
  Result<int> SchemaVersion();
  static int LatestVersion();

  Result<int64_t> CreateAnalysis(const Analysis& analysis) override;
  Result<Analysis> GetAnalysis(int64_t id) override;
  Result<int> SetSkipped(int64_t analysis_id, const std::vector<std::string>& tables,
                         bool skipped) override;
  Status CreateTask(Task& task) override;
  Result<Task> GetTask(int64_t id, unsigned parts = kWhole) override;
  Result<TaskStatus> GetStatus(int64_t id) override;
  Result<bool> SaveTask(Task& task) override;
  Status UpdateStatement(int64_t task_id, const TaskStatement& statement) override;
  Result<int64_t> AppendLog(int64_t task_id, const TaskLog& line) override;
  Result<std::vector<TaskSummary>> ListTasks(const TaskQuery& query) override;
  Result<std::vector<Task>> ListLiveTasks() override;
  Result<std::map<TaskStatus, int64_t>> CountByStatus() override;
  Result<bool> Claim(int64_t id, const std::string& owner, Duration lease) override;
  Result<bool> RenewLease(int64_t id, const std::string& owner, Duration lease) override;
  Result<bool> ReleaseClaim(int64_t id, const std::string& owner) override;
  Result<std::vector<int64_t>> ListInterrupted(const std::string& instance,
                                               const std::string& current_owner) override;

 private:
  // On every new connection: select the database (creating it if missing), migrate once.
  Status Prepare(sql::MysqlConn& conn);
  Status Migrate(sql::MysqlConn& conn);
  Result<Task> LoadTask(sql::MysqlConn& conn, int64_t id, unsigned parts = kWhole);
  Status InsertLogs(sql::MysqlConn& conn, Task& task);
  Status InsertSteps(sql::MysqlConn& conn, const Task& task);

  std::string database_;
  std::atomic<bool> migrated_{false};
  sql::ConnectionPool pool_;
};

}  // namespace shadowproxy::tasks
