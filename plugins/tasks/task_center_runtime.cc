#include "plugins/tasks/task_center_runtime.h"

#include "base/log.h"
#include "plugins/tasks/schema_bridge.h"

namespace shadowproxy::tasks {

std::unique_ptr<TaskCenterRuntime> TaskCenterRuntime::Start(ConfigPtr config,
                                                            std::string instance) {
  std::unique_ptr<TaskCenterRuntime> rt(new TaskCenterRuntime());
  rt->config_ = config;
  auto current = [r = rt.get()] { return r->Current(); };

  const ClusterConfig* metadb = config->FindCluster(config->metadb.cluster);
  if (metadb == nullptr && !config->clusters.empty()) metadb = &config->clusters.front();
  sql::ClusterConnInfo target;
  if (metadb != nullptr) target = sql::ClusterConnInfo::FromConfig(*metadb);
  target.label = "metadb";
  // Who uses the metadb at once: every worker (statements and executions) and the scheduler.
  const size_t pool_size = 2 * std::max<uint32_t>(1, config->shadow_sync.workers) + 2;
  rt->store_ = std::make_unique<MysqlTaskStore>(target, config->metadb.database, pool_size);
  if (Status s = rt->store_->Open(); !s.ok())
    log::Error("tasks",
               "metadb not ready (SHADOW SYNC answers ERR 7030 until it is): ", s.message());

  rt->runner_ = std::make_unique<MysqlSqlRunner>(config->clusters);
  rt->pool_ = std::make_unique<WorkerPool>(std::max<uint32_t>(1, config->shadow_sync.workers));
  AnalyzeFn analyze = MakeSchemaAnalyzer(current);
  const std::string owner = MakeOwner(instance);
  ExecutorOptions eo;
  eo.owner = owner;
  rt->executor_ = std::make_unique<Executor>(*rt->store_, *rt->runner_, MakeReanalyze(analyze),
                                             MakeShadowGuard(), eo);
  SchedulerOptions so;
  so.instance = instance;
  so.owner = owner;
  so.timeouts =
      Timeouts{config->shadow_sync.approval_timeout, config->shadow_sync.execution_timeout};
  rt->scheduler_ =
      std::make_unique<Scheduler>(*rt->store_, *rt->executor_, rt->pool_->Poster(), so);

  TaskCenterDeps deps;
  deps.config = current;
  deps.store = rt->store_.get();
  deps.analyze = analyze;
  deps.kick = [s = rt->scheduler_.get()] { s->Kick(); };
  deps.cancel = [e = rt->executor_.get()](int64_t id) { return e->Cancel(id); };
  rt->center_ = std::make_shared<TaskCenter>(std::move(deps));
  rt->scheduler_->Start();
  log::Info("tasks", "task center started as ", owner, " (metadb ", config->metadb.database, ")");
  return rt;
}

TaskCenterRuntime::~TaskCenterRuntime() { Stop(); }

ConfigPtr TaskCenterRuntime::Current() {
  std::lock_guard<std::mutex> lock(mu_);
  return config_;
}

void TaskCenterRuntime::Reload(ConfigPtr config) {
  std::lock_guard<std::mutex> lock(mu_);
  config_ = std::move(config);
}

void TaskCenterRuntime::StopScheduling() {
  if (scheduler_) scheduler_->RequestStop();  // never blocks the shutdown on a slow poll
}

void TaskCenterRuntime::Stop(std::optional<Duration> grace) {
  if (scheduler_) scheduler_->Stop();
  if (pool_ && executor_) {
    // Running DDL gets what is left of shutdown_grace to finish; then it is killed and its task
    // recorded as EXECUTION_FAILED (the same outcome a crash gives, but written now).
    if (!pool_->WaitIdle(std::chrono::duration_cast<std::chrono::milliseconds>(
            grace.value_or(Current()->listen.shutdown_grace)))) {
      int n = executor_->CancelAll("proxy stopped while the task was executing");
      log::Warn("tasks", "shutdown: killed ", n, " running execution(s) after shutdown_grace");
    }
  }
  if (pool_) pool_->Stop();
}

}  // namespace shadowproxy::tasks
