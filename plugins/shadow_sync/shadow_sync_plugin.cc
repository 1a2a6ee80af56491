#include "plugins/shadow_sync/shadow_sync_plugin.h"

#include <array>
#include <utility>

#include "base/log.h"
#include "base/metrics.h"
#include "base/worker_pool.h"
#include "plugins/follow_ddl/follower.h"
#include "plugins/routing/router.h"
#include "plugins/shadow_sync/handlers.h"
#include "plugins/shadow_sync/parser.h"
#include "plugins/tasks/task_runtime.h"

namespace shadowproxy::shadow_sync {
namespace {

// shadow_sync.workers threads, at least 2: executions take at most all but one (TaskRuntime), so
// statements (an ABORT among them) always find a thread.
unsigned Workers(const Config& c) { return std::max<uint32_t>(2, c.shadow_sync.workers); }

// After construction only the runtime changes state, and it is thread-safe; the parser is a
// pure function and prometheus counters are atomic, so Handle() may run on any thread.
class ShadowSyncPlugin : public plugins::StatementPlugin {
 public:
  ShadowSyncPlugin(ConfigPtr config, tasks::TaskService& service) : pool_(Workers(*config)) {
    Init(config, &service);
  }
  ShadowSyncPlugin(ConfigPtr config, std::string instance) : pool_(Workers(*config)) {
    runtime_ = tasks::TaskRuntime::Start(config, std::move(instance), pool_);
    Init(config, &runtime_->service());
  }

  ~ShadowSyncPlugin() override { Stop(std::chrono::steady_clock::now()); }

  Answer Handle(const SessionContext& session, std::string_view query) override {
    auto parsed = ParseStatement(query, session.dialect);
    if (!parsed.ok()) {
      counters_.back().error->Increment();
      log::Debug("shadow_sync", {{"user", session.user}}, "user ", session.user, ": ",
                 parsed.status().ToString());
      return parsed.status();
    }
    if (std::holds_alternative<SetSessionShadowStmt>(*parsed) &&
        !router_->Routes(session.cluster)) {
      counters_[parsed->index()].error->Increment();
      return Status(
          7040, "shadow routing: no shadow_routing rule matches cluster '" + session.cluster + "'");
    }
    Answer answer = Dispatch(*service_, session, *parsed);
    const auto* st = std::get_if<Status>(&answer);
    const Counters& c = counters_[parsed->index()];
    (st != nullptr && !st->ok() ? c.error : c.ok)->Increment();
    return answer;
  }

  bool NeedsDatabase(std::string_view query, const sql::Dialect& dialect) const override {
    // Only what analyses without naming its database does; a query that does not parse is
    // answered with its syntax error, which needs nothing.
    auto parsed = ParseStatement(query, dialect);
    if (!parsed.ok()) return false;
    if (const auto* a = std::get_if<AnalyzeStmt>(&*parsed)) return !a->target.database;
    if (const auto* c = std::get_if<CreateTaskStmt>(&*parsed)) return !c->target.database;
    return false;
  }

  void Submit(SessionContext session, std::string query,
              std::function<void(Answer)> done) override {
    pool_.Post([this, session = std::move(session), query = std::move(query),
                done = std::move(done)]() mutable { done(Handle(session, query)); });
  }

  void Reload(ConfigPtr config) override {
    follower_->Reload(config);
    router_->Reload(config);
    if (runtime_) runtime_->Reload(std::move(config));
  }

  void BeginShutdown() override {
    if (runtime_) runtime_->StopScheduling();
  }

  void Stop(std::chrono::steady_clock::time_point deadline) override {
    follower_->Stop();  // open settle windows make their tasks while the service still runs
    if (runtime_) runtime_->Stop(deadline);  // executions finish or are recorded as failed
    pool_.Stop();                            // statements in flight finish
  }

  plugins::DdlFollower* follower() const override { return follower_.get(); }
  plugins::ShadowRouter* router() const override { return router_.get(); }

  tasks::TaskService* service() const { return service_; }

 private:
  void Init(const ConfigPtr& config, tasks::TaskService* service) {
    service_ = service;
    router_ = std::make_unique<routing::Router>(config, &pool_);
    follower_ = std::make_unique<follow_ddl::Follower>(
        config, [service](const tasks::Actor& actor, const tasks::AnalysisSpec& spec,
                          const tasks::ExecutionOptions& options) {
          return service->CreateTask(actor, spec, {}, options);
        });
    // shadowproxy_shadow_sync_statements_total: every series exists from the start (at 0), and
    // Handle() needs no registry lookup. The last slot is for queries that did not parse.
    const auto& names = AllStatementNames();
    for (size_t i = 0; i <= names.size(); ++i) {
      const std::string_view name = i < names.size() ? names[i] : kInvalidStatementName;
      counters_[i] = {&metrics::ShadowSyncStatementsTotal(name, "ok"),
                      &metrics::ShadowSyncStatementsTotal(name, "error")};
    }
  }

  struct Counters {
    prometheus::Counter* ok = nullptr;
    prometheus::Counter* error = nullptr;
  };

  // Declared first so it is destroyed last: Stop() has joined it by then.
  WorkerPool pool_;
  std::unique_ptr<tasks::TaskRuntime> runtime_;  // null when the service is someone else's
  tasks::TaskService* service_ = nullptr;
  std::unique_ptr<follow_ddl::Follower> follower_;  // stopped before the runtime
  std::unique_ptr<routing::Router> router_;         // its catalog reads run on pool_
  std::array<Counters, std::variant_size_v<Statement> + 1> counters_;
};

}  // namespace

std::unique_ptr<plugins::StatementPlugin> MakeShadowSyncPlugin(ConfigPtr config,
                                                               std::string instance) {
  return std::make_unique<ShadowSyncPlugin>(std::move(config), std::move(instance));
}

std::unique_ptr<plugins::StatementPlugin> MakeShadowSyncPlugin(ConfigPtr config,
                                                               tasks::TaskService& service) {
  return std::make_unique<ShadowSyncPlugin>(std::move(config), service);
}

tasks::TaskService* ServiceOf(plugins::StatementPlugin& plugin) {
  auto* p = dynamic_cast<ShadowSyncPlugin*>(&plugin);
  return p ? p->service() : nullptr;
}

}  // namespace shadowproxy::shadow_sync
