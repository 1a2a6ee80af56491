// The metadb TaskStore (SPEC.md §2 `metadb`): a database on the metadb cluster's first live
// server, created with its tables on Open() by versioned migrations (table schema_version; each
// migration applied once, under a named lock so proxies starting together do not race).
// Every write is committed before the call returns. Unreachable metadb: ERR 7030 naming it.
#pragma once

#include <memory>
#include <mutex>

#include "plugins/tasks/sql_link.h"
#include "plugins/tasks/task_store.h"

namespace shadowproxy::tasks {

class MysqlTaskStore : public TaskStore {
 public:
  // `server`: the metadb cluster (its servers and admin account); database: metadb.database.
  MysqlTaskStore(LinkTarget server, std::string database);
  // Connects, creates the database if missing, applies pending migrations.
  Status Open();
  // The schema version after Open() (the number of migrations applied).
  Result<int> SchemaVersion();
  static int LatestVersion();

  Result<int64_t> CreateAnalysis(const Analysis& analysis) override;
  Result<Analysis> GetAnalysis(int64_t id) override;
  Result<int> SetSkipped(int64_t analysis_id, const std::vector<std::string>& tables,
                         bool skipped) override;
  Status CreateTask(Task& task) override;
  Result<Task> GetTask(int64_t id) override;
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
  // The connection (connecting if needed), with the database selected. Call under mu_.
  Result<SqlLink*> Link();
  // Drops the connection if `s` says it is gone; returns s.
  Status Check(const Status& s);
  Status Migrate(SqlLink& link);
  Result<Task> LoadTask(SqlLink& link, int64_t id);
  Status InsertLogs(SqlLink& link, Task& task);
  Status InsertSteps(SqlLink& link, const Task& task);

  LinkTarget server_;
  std::string database_;
  std::mutex mu_;
  std::unique_ptr<SqlLink> link_;
  bool migrated_ = false;  // migrations run on the first connection that works
};

}  // namespace shadowproxy::tasks
