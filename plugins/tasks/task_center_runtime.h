// Everything the proxy needs to run the task center, built from the config: the metadb store,
// the worker pool, the executor, the scheduler (recovery, timeouts, claims) and the SHADOW SYNC
// handlers. The proxy creates one at start, passes handlers() to MakeShadowSyncPlugin, calls
// Reload() on SIGHUP and Stop() on shutdown.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "base/config.h"
#include "plugins/shadow_sync/handlers.h"
#include "plugins/tasks/scheduler.h"
#include "plugins/tasks/sql_runner.h"
#include "plugins/tasks/task_center.h"
#include "plugins/tasks/task_store_mysql.h"
#include "plugins/tasks/worker_pool.h"

namespace shadowproxy::tasks {

class TaskCenterRuntime {
 public:
  // `instance` identifies this proxy across restarts (e.g. "host:6033"): executions it owned
  // before a crash are failed at start. A metadb that is down does not stop the start: the
  // statements answer ERR 7030 until it is back (the store reconnects and migrates then).
  static std::unique_ptr<TaskCenterRuntime> Start(ConfigPtr config, std::string instance);
  ~TaskCenterRuntime();

  std::shared_ptr<shadow_sync::StatementHandlers> handlers() const { return center_; }
  TaskStore& store() { return *store_; }
  // SIGHUP: processes (and the rest of the snapshot) for new decisions.
  void Reload(ConfigPtr config);
  // Starts no more executions (SIGTERM: the proxy is draining). Idempotent.
  void StopScheduling();
  // Stops scheduling and lets running executions finish for up to `grace` (default: the
  // config's shutdown_grace); then kills them and records them EXECUTION_FAILED.
  void Stop(std::optional<Duration> grace = std::nullopt);

 private:
  TaskCenterRuntime() = default;
  ConfigPtr Current();

  std::mutex mu_;
  ConfigPtr config_;
  std::unique_ptr<MysqlTaskStore> store_;
  std::unique_ptr<MysqlSqlRunner> runner_;
  std::unique_ptr<WorkerPool> pool_;
  std::unique_ptr<Executor> executor_;
  std::unique_ptr<Scheduler> scheduler_;
  std::shared_ptr<TaskCenter> center_;
};

}  // namespace shadowproxy::tasks
