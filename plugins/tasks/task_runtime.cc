#include "plugins/tasks/task_runtime.h"

#include "base/log.h"
#include "base/metrics.h"
#include "plugins/tasks/schema_bridge.h"

namespace shadowproxy::tasks {

std::unique_ptr<TaskRuntime> TaskRuntime::Start(ConfigPtr config, std::string instance,
                                                WorkerPool& pool) {
  // Every status series exists from the start, at 0 until the first poll counts the tasks.
  for (TaskStatus s : kAllStatuses) metrics::ShadowSyncTasks(ToString(s));
  std::unique_ptr<TaskRuntime> rt(new TaskRuntime(pool));
  rt->config_ = config;
  auto current = [r = rt.get()] { return r->Current(); };

  const ClusterConfig* metadb = config->FindCluster(config->metadb.cluster);
  if (metadb == nullptr && !config->clusters.empty()) metadb = &config->clusters.front();
  sql::ClusterConnInfo target;
  if (metadb != nullptr) target = sql::ClusterConnInfo::FromConfig(*metadb);
  target.label = "metadb";
  // A metadb that stops answering (frozen, network gone) fails a statement after this, instead
  // of holding its worker for as long as the TCP stack keeps trying.
  target.io_timeout = std::chrono::seconds(30);
  // Who uses the metadb at once: every worker (statements and executions) and the scheduler.
  const size_t workers = std::max<uint32_t>(1, config->shadow_sync.workers);
  rt->store_ = std::make_unique<MysqlTaskStore>(target, config->metadb.database, workers + 2);
  if (Status s = rt->store_->Open(); !s.ok())
    log::Error("tasks",
               "metadb not ready (SHADOW SYNC answers ERR 7030 until it is): ", s.message());

  rt->runner_ = std::make_unique<MysqlSqlRunner>(config->clusters);
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
  so.max_running = pool.threads() > 1 ? pool.threads() - 1 : 1;
  rt->scheduler_ = std::make_unique<Scheduler>(*rt->store_, *rt->executor_, pool.Poster(), so);

  TaskServiceDeps deps;
  deps.config = current;
  deps.store = rt->store_.get();
  deps.analyze = analyze;
  deps.kick = [s = rt->scheduler_.get()] { s->Kick(); };
  deps.cancel = [e = rt->executor_.get()](int64_t id) { return e->Cancel(id); };
  rt->service_ = std::make_unique<TaskService>(std::move(deps));
  rt->scheduler_->Start();
  log::Info("tasks", "task center started as ", owner, " (metadb ", config->metadb.database, ")");
  return rt;
}

TaskRuntime::~TaskRuntime() {
  Stop(std::chrono::steady_clock::now() + Current()->listen.shutdown_grace);
}

ConfigPtr TaskRuntime::Current() {
  std::lock_guard<std::mutex> lock(mu_);
  return config_;
}

void TaskRuntime::Reload(ConfigPtr config) {
  std::lock_guard<std::mutex> lock(mu_);
  config_ = std::move(config);
}

void TaskRuntime::StopScheduling() {
  if (scheduler_) scheduler_->RequestStop();  // never blocks the shutdown on a slow poll
}

void TaskRuntime::Stop(std::chrono::steady_clock::time_point deadline) {
  if (stopped_) return;
  stopped_ = true;
  if (scheduler_) scheduler_->Stop();
  // Running DDL gets until the deadline to finish; then it is killed and its task recorded as
  // EXECUTION_FAILED (the same outcome a crash gives, but written now).
  const auto left = std::max(std::chrono::steady_clock::duration::zero(),
                             deadline - std::chrono::steady_clock::now());
  if (executor_ && !pool_.WaitIdle(std::chrono::duration_cast<std::chrono::milliseconds>(left))) {
    int n = executor_->CancelAll("proxy stopped while the task was executing");
    log::Warn("tasks", "shutdown: killed ", n, " running execution(s) after shutdown_grace");
  }
}

}  // namespace shadowproxy::tasks
