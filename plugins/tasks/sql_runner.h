// How the executor reaches the backend: one admin session per running task, plus a way to kill
// its running statement from another thread (KILL QUERY on a second connection). An interface so
// unit tests use a fake; MysqlSqlRunner is the connector-c one.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "base/config.h"
#include "base/status.h"

namespace shadowproxy::tasks {

class SqlSession {
 public:
  virtual ~SqlSession() = default;
  // Runs one statement; a server error keeps its code, SQLSTATE and message.
  virtual Status Execute(const std::string& sql) = 0;
  // Kills the statement running on this session (thread-safe; a no-op if none is running).
  virtual Status KillRunning() = 0;
};

class SqlRunner {
 public:
  virtual ~SqlRunner() = default;
  // A session on `cluster` with its admin_user, in `database`. ERR 7030 if unreachable.
  virtual Result<std::unique_ptr<SqlSession>> Open(const std::string& cluster,
                                                   const std::string& database) = 0;
};

// The real one: clusters from the config (admin_user / admin_password / servers in order).
class MysqlSqlRunner : public SqlRunner {
 public:
  explicit MysqlSqlRunner(std::vector<ClusterConfig> clusters) : clusters_(std::move(clusters)) {}
  Result<std::unique_ptr<SqlSession>> Open(const std::string& cluster,
                                           const std::string& database) override;

 private:
  std::vector<ClusterConfig> clusters_;
};

}  // namespace shadowproxy::tasks
