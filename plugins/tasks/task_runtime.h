// The task service with everything it runs on, built from the config: the metadb store (a
// connection pool), the executor, the scheduler (recovery, timeouts, claims) and the schema
// engine. Executions run on the worker pool the caller passes (the one pool of
// shadow_sync.workers threads), at most workers - 1 at once so statements always find a thread.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "base/config.h"
#include "base/worker_pool.h"
#include "plugins/tasks/scheduler.h"
#include "plugins/tasks/sql_runner.h"
#include "plugins/tasks/task_service.h"
#include "plugins/tasks/task_store_mysql.h"

namespace shadowproxy::tasks {

class TaskRuntime {
 public:
  // `instance` identifies this proxy across restarts (e.g. "host:6033"): executions it owned
  // before a crash are failed at start. A metadb that is down does not stop the start: the
  // statements answer ERR 7030 until it is back (the store's pool reconnects and migrates).
  static std::unique_ptr<TaskRuntime> Start(ConfigPtr config, std::string instance,
                                            WorkerPool& pool);
  ~TaskRuntime();

  TaskService& service() { return *service_; }
  TaskStore& store() { return *store_; }
  // SIGHUP: processes (and the rest of the snapshot) for new decisions.
  void Reload(ConfigPtr config);
  // Starts no more executions (SIGTERM: the proxy is draining). Idempotent.
  void StopScheduling();
  // Stops scheduling and lets running executions finish until `deadline`; then kills them and
  // records them EXECUTION_FAILED. The pool itself is the caller's to stop.
  void Stop(std::chrono::steady_clock::time_point deadline);

 private:
  TaskRuntime(WorkerPool& pool) : pool_(pool) {}
  ConfigPtr Current();

  std::mutex mu_;
  ConfigPtr config_;
  WorkerPool& pool_;
  std::unique_ptr<MysqlTaskStore> store_;
  std::unique_ptr<MysqlSqlRunner> runner_;
  std::unique_ptr<Executor> executor_;
  std::unique_ptr<Scheduler> scheduler_;
  std::unique_ptr<TaskService> service_;
  bool stopped_ = false;
};

}  // namespace shadowproxy::tasks
