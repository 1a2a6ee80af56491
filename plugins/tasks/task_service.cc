#include "plugins/tasks/task_service.h"

#include <algorithm>
#include <set>

#include "base/metrics.h"
#include "plugins/approval/approval.h"

namespace shadowproxy::tasks {
namespace {

Status Denied(const std::string& user, std::string_view right, const std::string& what,
              const std::string& needs) {
  return Status(errc::kNotAllowed,
                "user '" + user + "' lacks the right " + std::string(right) + " on " + what + " (" +
                    needs + ")",
                "42000");
}

// An analysis or task of another cluster than the actor's session is for admins only.
Status CheckCluster(const Actor& actor, const std::string& cluster, std::string_view right,
                    const std::string& what) {
  if (cluster == actor.cluster || approval::HasRole(actor.roles, "admin")) return Status::Ok();
  return Denied(actor.user, right, what, "it belongs to cluster '" + cluster + "'");
}

}  // namespace

ReanalyzeFn MakeReanalyze(AnalyzeFn analyze) {
  return [analyze](const Task& task) -> Result<std::vector<std::string>> {
    AnalyzeRequest req;
    req.cluster = task.cluster;
    req.database = task.database;
    req.naming = task.naming;
    for (const auto& t : task.tables)
      (t.result == TableResult::kDrop ? req.drop_tables : req.tables).push_back(t.source);
    auto now = analyze(req);
    if (!now.ok()) return now.status();
    for (auto& t : now->tables)
      for (const auto& was : task.tables)
        if (was.source == t.source) t.skipped = was.skipped;
    std::vector<std::string> out;
    for (auto& [table, sql] : now->Script()) out.push_back(sql);
    return out;
  };
}

Result<Analysis> TaskService::RunAnalysis(const Actor& actor, const AnalysisSpec& spec) {
  if (spec.database.empty()) return Status(errc::kNotFound, "no database selected");
  ConfigPtr config = deps_.config();
  AnalyzeRequest req;
  req.cluster = actor.cluster;
  req.database = spec.database;
  req.all_tables = spec.all_tables;
  req.tables = spec.tables;
  req.drop_tables = spec.drop_tables;
  req.naming = spec.naming.value_or(
      Naming{config->shadow_sync.default_prefix, config->shadow_sync.default_suffix});
  auto started = std::chrono::steady_clock::now();
  auto analysis = deps_.analyze(req);
  metrics::ShadowSyncAnalysisDuration().Observe(
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  if (!analysis.ok()) return analysis.status();
  Analysis a = std::move(analysis).value();
  a.cluster = req.cluster;
  a.database = req.database;
  a.naming = req.naming;
  a.creator = actor.user;
  a.created_at = deps_.clock();
  auto id = deps_.store->CreateAnalysis(a);
  if (!id.ok()) return id.status();
  a.id = *id;
  return a;
}

Result<Analysis> TaskService::Analyze(const Actor& actor, const AnalysisSpec& spec) {
  return RunAnalysis(actor, spec);
}

Result<Analysis> TaskService::GetAnalysis(const Actor& actor, int64_t id, std::string_view right) {
  auto a = deps_.store->GetAnalysis(id);
  if (!a.ok()) return a.status();
  if (Status s = CheckCluster(actor, a->cluster, right, "analysis " + std::to_string(id)); !s.ok())
    return s;
  return a;
}

Result<int> TaskService::SetSkipped(const Actor& actor, int64_t analysis_id,
                                    const std::vector<std::string>& tables, bool skipped) {
  auto a = GetAnalysis(actor, analysis_id, skipped ? "SKIP" : "UNSKIP");
  if (!a.ok()) return a.status();
  return deps_.store->SetSkipped(a->id, tables, skipped);
}

Result<Task> TaskService::SubmitAnalysis(const Actor& actor, const Analysis& analysis,
                                         const ExecutionOptions& options) {
  ConfigPtr config = deps_.config();
  const ProcessConfig* process =
      approval::MatchProcess(*config, analysis.cluster, analysis.database);
  if (process == nullptr)
    return Status(errc::kNotAllowed,
                  "no approval process matches cluster '" + analysis.cluster + "' database '" +
                      analysis.database + "'",
                  "42000");
  auto task = NewTask(analysis, *process, options, actor.user, deps_.clock());
  if (!task.ok()) return task.status();
  Task t = std::move(task).value();
  if (Status st = deps_.store->CreateTask(t); !st.ok()) return st;
  if (t.status == TaskStatus::kWaitForExecution && deps_.kick) deps_.kick();
  return t;
}

Result<Task> TaskService::Submit(const Actor& actor, int64_t analysis_id,
                                 const ExecutionOptions& options) {
  auto a = GetAnalysis(actor, analysis_id, "SUBMIT");
  if (!a.ok()) return a.status();
  return SubmitAnalysis(actor, *a, options);
}

Result<Analysis> TaskService::SkipAndReload(Analysis analysis,
                                            const std::vector<std::string>& tables) {
  if (tables.empty()) return analysis;
  auto n = deps_.store->SetSkipped(analysis.id, tables, true);
  if (!n.ok()) return n.status();
  return deps_.store->GetAnalysis(analysis.id);
}

Result<CreatedTask> TaskService::CreateTask(const Actor& actor, const AnalysisSpec& spec,
                                            const std::vector<std::string>& skip_tables,
                                            const ExecutionOptions& options) {
  // Check the schedule before the (slow) analysis.
  if (options.mode == ExecutionMode::kAt && options.execute_at &&
      *options.execute_at < deps_.clock())
    return Status(errc::kBadSchedule,
                  "EXECUTE AT '" + FormatTime(*options.execute_at) + "' is in the past");
  auto a = RunAnalysis(actor, spec);
  if (!a.ok()) return a.status();
  auto skipped = SkipAndReload(std::move(a).value(), skip_tables);
  if (!skipped.ok()) return skipped.status();
  auto t = SubmitAnalysis(actor, *skipped, options);
  if (!t.ok()) return t.status();
  return CreatedTask{std::move(t).value(), std::move(skipped).value()};
}

Result<std::vector<TaskSummary>> TaskService::ListTasks(const Actor& actor, const TaskQuery& query,
                                                        bool all_time) {
  ConfigPtr config = deps_.config();
  // OFFSET and LIMIT count the tasks the actor may view, so the store is read in pages, in the
  // list's order, until enough of them are seen: one page of offset + limit rows when the actor
  // sees every task (an admin, a creator of all of them), more only when some are hidden.
  TaskQuery q = query;
  if (!all_time)
    q.created_since = deps_.clock() - std::chrono::duration_cast<std::chrono::milliseconds>(
                                          config->shadow_sync.task_list_window);
  const std::optional<uint64_t> wanted =
      query.limit ? std::optional<uint64_t>(query.offset + *query.limit) : std::nullopt;
  uint64_t page = wanted ? std::max<uint64_t>(*wanted, 1) : 0;  // 0: everything at once
  q.offset = 0;
  std::vector<TaskSummary> out;
  std::set<int64_t> seen;  // a task inserted between two pages shifts the next one
  uint64_t skip = query.offset;
  while (true) {
    q.limit = page == 0 ? std::nullopt : std::optional<uint64_t>(page);
    auto list = deps_.store->ListTasks(q);
    if (!list.ok()) return list.status();
    for (auto& t : *list) {
      if (!seen.insert(t.id).second) continue;
      approval::TaskFacts facts{t.id, t.creator};
      if (!approval::CanView(facts, actor.user, actor.roles, t.process, t.process_nodes).ok())
        continue;
      if (skip > 0) {
        --skip;
        continue;
      }
      if (query.limit && out.size() >= *query.limit) return out;
      out.push_back(std::move(t));
    }
    if (page == 0 || list->size() < page || (query.limit && out.size() >= *query.limit)) return out;
    q.offset += list->size();
    page *= 2;
  }
}

Result<Task> TaskService::GetTask(const Actor& actor, int64_t id, unsigned parts) {
  auto t = deps_.store->GetTask(id, parts);
  if (!t.ok()) return t.status();
  approval::TaskFacts facts{t->id, t->creator};
  if (Status st = approval::CanView(facts, actor.user, actor.roles, t->process, t->process_nodes);
      !st.ok())
    return st;
  return t;
}

Result<Task> TaskService::Decide(const Actor& actor, int64_t id, const std::string& comment,
                                 bool approve) {
  const char* right = approve ? "APPROVE" : "REJECT";
  auto r = MutateTask(*deps_.store, id, [&](Task& t) -> Status {
    const ApprovalNode* node = CurrentNode(t);
    if (node == nullptr) return BadStatus(t, right);
    approval::TaskFacts facts{t.id, t.creator};
    if (Status st = approval::CanApprove(facts, *node, actor.user, actor.roles,
                                         t.allow_self_approval, right);
        !st.ok())
      return st;
    return approve ? tasks::Approve(t, actor.user, comment, deps_.clock())
                   : tasks::Reject(t, actor.user, comment, deps_.clock());
  });
  if (!r.ok()) return r.status();
  if (r->status == TaskStatus::kWaitForExecution && deps_.kick) deps_.kick();
  return r;
}

Result<Task> TaskService::Approve(const Actor& actor, int64_t id, const std::string& comment) {
  return Decide(actor, id, comment, true);
}

Result<Task> TaskService::Reject(const Actor& actor, int64_t id, const std::string& comment) {
  return Decide(actor, id, comment, false);
}

Result<Task> TaskService::Abort(const Actor& actor, int64_t id) {
  bool was_executing = false;
  auto r = MutateTask(*deps_.store, id, [&](Task& t) -> Status {
    approval::TaskFacts facts{t.id, t.creator};
    if (Status st = approval::CanAbortOrExecute(facts, actor.user, actor.roles, "ABORT"); !st.ok())
      return st;
    was_executing = t.status == TaskStatus::kExecuting;
    return tasks::Abort(t, actor.user, deps_.clock());
  });
  if (!r.ok()) return r.status();
  if (was_executing && deps_.cancel) deps_.cancel(r->id);  // another proxy's executor sees it
  return r;
}

Result<Task> TaskService::Execute(const Actor& actor, int64_t id) {
  auto r = MutateTask(*deps_.store, id, [&](Task& t) -> Status {
    approval::TaskFacts facts{t.id, t.creator};
    if (Status st = approval::CanAbortOrExecute(facts, actor.user, actor.roles, "EXECUTE");
        !st.ok())
      return st;
    return RequestExecute(t, actor.user, deps_.clock());
  });
  if (!r.ok()) return r.status();
  if (deps_.kick) deps_.kick();
  return r;
}

Result<Task> TaskService::Retry(const Actor& actor, int64_t id) {
  auto old = deps_.store->GetTask(id);
  if (!old.ok()) return old.status();
  if (Status s = CheckCluster(actor, old->cluster, "RETRY", "task " + std::to_string(old->id));
      !s.ok())
    return s;
  AnalysisSpec spec;
  spec.database = old->database;
  for (const auto& t : old->tables)
    (t.result == TableResult::kDrop ? spec.drop_tables : spec.tables).push_back(t.source);
  spec.naming = old->naming;
  Actor on_its_cluster = actor;
  on_its_cluster.cluster = old->cluster;
  auto a = RunAnalysis(on_its_cluster, spec);
  if (!a.ok()) return a.status();
  // Skipped tables that vanished from the new analysis are not an error here.
  std::vector<std::string> skipped;
  for (const auto& t : old->tables)
    if (t.skipped && std::any_of(a->tables.begin(), a->tables.end(),
                                 [&](const AnalysisTable& n) { return n.source == t.source; }))
      skipped.push_back(t.source);
  auto fresh = SkipAndReload(std::move(a).value(), skipped);
  if (!fresh.ok()) return fresh.status();
  ExecutionOptions options;
  options.mode = old->execution_mode;
  if (old->execution_mode == ExecutionMode::kAt) options.execute_at = old->execute_at;
  options.error_strategy = old->error_strategy;
  options.remarks = old->remarks;
  return SubmitAnalysis(actor, *fresh, options);
}

}  // namespace shadowproxy::tasks
