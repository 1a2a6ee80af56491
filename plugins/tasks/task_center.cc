#include "plugins/tasks/task_center.h"

#include <algorithm>
#include <set>

#include "base/metrics.h"
#include "plugins/approval/approval.h"
#include "plugins/tasks/task_state.h"

namespace shadowproxy::tasks {
namespace {

namespace ss = shadow_sync;
using plugins::OkAnswer;
using plugins::ResultSetAnswer;
using Cell = std::optional<std::string>;

Status Denied(const std::string& user, const std::string& right, const std::string& what,
              const std::string& needs) {
  return Status(errc::kNotAllowed,
                "user '" + user + "' lacks the right " + right + " on " + what + " (" + needs + ")",
                "42000");
}

Cell Opt(const std::optional<TimePoint>& t) { return t ? Cell(FormatTime(*t)) : std::nullopt; }

std::string Join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : ", ") + i;
  return out;
}

ExecutionMode ToMode(ss::ExecutionMode m) {
  switch (m) {
    case ss::ExecutionMode::kAt:
      return ExecutionMode::kAt;
    case ss::ExecutionMode::kManual:
      return ExecutionMode::kManual;
    default:
      return ExecutionMode::kImmediate;
  }
}

SubmitOptions ToOptions(const ss::ExecutionOptions& o) {
  SubmitOptions out;
  out.mode = ToMode(o.mode);
  if (out.mode == ExecutionMode::kAt)
    out.execute_at = std::chrono::time_point_cast<std::chrono::milliseconds>(o.execute_at_time);
  out.error_strategy = o.error_strategy == ss::ErrorStrategy::kContinue ? ErrorStrategy::kContinue
                                                                        : ErrorStrategy::kAbort;
  out.remarks = o.comment.value_or("");
  return out;
}

std::string ColumnName(ss::TaskColumn c) { return std::string(ss::TaskColumnName(c)); }

TaskCondition::Op ToOp(ss::CompareOp op) {
  using Op = TaskCondition::Op;
  switch (op) {
    case ss::CompareOp::kEq:
      return Op::kEq;
    case ss::CompareOp::kNe:
      return Op::kNe;
    case ss::CompareOp::kLike:
      return Op::kLike;
    case ss::CompareOp::kIn:
      return Op::kIn;
    case ss::CompareOp::kLt:
      return Op::kLt;
    case ss::CompareOp::kLe:
      return Op::kLe;
    case ss::CompareOp::kGt:
      return Op::kGt;
    case ss::CompareOp::kGe:
      return Op::kGe;
  }
  return Op::kEq;
}

ResultSetAnswer TaskIdStatus(const Task& t, bool with_process) {
  ResultSetAnswer rs;
  rs.columns = {"task_id", "status"};
  rs.rows.push_back({std::to_string(t.id), std::string(ToString(t.status))});
  if (with_process) {
    rs.columns.push_back("process");
    rs.rows[0].push_back(t.process);
  }
  return rs;
}

}  // namespace

ReanalyzeFn MakeReanalyze(AnalyzeFn analyze) {
  return [analyze](const Task& task) -> Result<std::vector<std::string>> {
    AnalyzeRequest req;
    req.cluster = task.cluster;
    req.database = task.database;
    req.naming = task.naming;
    for (const auto& t : task.tables) req.tables.push_back(t.source);
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

Result<Analysis> TaskCenter::RunAnalysis(const Session& s, const ss::TableSelection& target,
                                         const ss::Naming& naming) {
  ConfigPtr config = deps_.config();
  AnalyzeRequest req;
  req.cluster = s.cluster;
  req.database = target.database.value_or(s.database);
  if (req.database.empty()) return Status(errc::kNotFound, "no database selected");
  req.all_tables = target.all_tables;
  req.tables = target.tables;
  if (naming.prefix || naming.suffix) {
    req.naming.prefix = naming.prefix.value_or("");
    req.naming.suffix = naming.suffix.value_or("");
  } else {
    req.naming.prefix = config->shadow_sync.default_prefix;
    req.naming.suffix = config->shadow_sync.default_suffix;
  }
  auto started = std::chrono::steady_clock::now();
  auto analysis = deps_.analyze(req);
  metrics::ShadowSyncAnalysisDuration().Observe(
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  if (!analysis.ok()) return analysis.status();
  Analysis a = std::move(analysis).value();
  a.cluster = req.cluster;
  a.database = req.database;
  a.naming = req.naming;
  a.creator = s.user;
  a.created_at = deps_.clock();
  auto id = deps_.store->CreateAnalysis(a);
  if (!id.ok()) return id.status();
  a.id = *id;
  return a;
}

Result<Analysis> TaskCenter::LoadAnalysis(const Session& s, uint64_t id, const char* right) {
  auto a = deps_.store->GetAnalysis(static_cast<int64_t>(id));
  if (!a.ok()) return a.status();
  if (a->cluster != s.cluster && !approval::HasRole(s.roles, "admin"))
    return Denied(s.user, right, "analysis " + std::to_string(id),
                  "it belongs to cluster '" + a->cluster + "'");
  return a;
}

plugins::Answer TaskCenter::Analyze(const Session& s, const ss::AnalyzeStmt& stmt) {
  auto a = RunAnalysis(s, stmt.target, stmt.naming);
  if (!a.ok()) return a.status();
  ResultSetAnswer rs;
  rs.columns = {"analysis_id", "source_table", "shadow_table", "result", "skipped", "statements"};
  for (const auto& t : a->tables)
    rs.rows.push_back({std::to_string(a->id), t.source, t.shadow, std::string(ToString(t.result)),
                       std::string(t.skipped ? "1" : "0"), std::to_string(t.statements.size())});
  return rs;
}

plugins::Answer TaskCenter::ShowAnalysis(const Session& s, const ss::ShowAnalysisStmt& stmt) {
  auto a = LoadAnalysis(s, stmt.analysis_id, "VIEW");
  if (!a.ok()) return a.status();
  ResultSetAnswer rs;
  if (!stmt.table) {
    rs.columns = {"analysis_id", "source_table", "shadow_table", "result", "skipped", "statements"};
    for (const auto& t : a->tables)
      rs.rows.push_back({std::to_string(a->id), t.source, t.shadow, std::string(ToString(t.result)),
                         std::string(t.skipped ? "1" : "0"), std::to_string(t.statements.size())});
    return rs;
  }
  rs.columns = {"source_table", "shadow_table", "result", "source_ddl", "shadow_ddl", "change_sql"};
  for (const auto& t : a->tables)
    if (t.source == *stmt.table) {
      rs.rows.push_back({t.source, t.shadow, std::string(ToString(t.result)), t.source_ddl,
                         t.shadow_ddl.empty() ? Cell() : Cell(t.shadow_ddl), t.change_sql});
      return rs;
    }
  return Status(errc::kNotFound, "table '" + *stmt.table + "' is not in analysis " +
                                     std::to_string(stmt.analysis_id));
}

plugins::Answer TaskCenter::Skip(const Session& s, const ss::SkipStmt& stmt) {
  auto a = LoadAnalysis(s, stmt.analysis_id, "SKIP");
  if (!a.ok()) return a.status();
  auto n = deps_.store->SetSkipped(a->id, stmt.tables, true);
  if (!n.ok()) return n.status();
  OkAnswer ok;
  ok.affected_rows = static_cast<uint64_t>(*n);
  return ok;
}

plugins::Answer TaskCenter::Unskip(const Session& s, const ss::UnskipStmt& stmt) {
  auto a = LoadAnalysis(s, stmt.analysis_id, "UNSKIP");
  if (!a.ok()) return a.status();
  auto n = deps_.store->SetSkipped(a->id, stmt.tables, false);
  if (!n.ok()) return n.status();
  OkAnswer ok;
  ok.affected_rows = static_cast<uint64_t>(*n);
  return ok;
}

plugins::Answer TaskCenter::Preview(const Session& s, const ss::PreviewStmt& stmt) {
  auto a = LoadAnalysis(s, stmt.analysis_id, "PREVIEW");
  if (!a.ok()) return a.status();
  ResultSetAnswer rs;
  rs.columns = {"sql"};
  for (auto& [table, sql] : a->Script()) rs.rows.push_back({sql});
  return rs;
}

Result<Task> TaskCenter::SubmitAnalysis(const Session& s, const Analysis& analysis,
                                        const ss::ExecutionOptions& options) {
  ConfigPtr config = deps_.config();
  const ProcessConfig* process =
      approval::MatchProcess(*config, analysis.cluster, analysis.database);
  if (process == nullptr)
    return Status(errc::kNotAllowed,
                  "no approval process matches cluster '" + analysis.cluster + "' database '" +
                      analysis.database + "'",
                  "42000");
  auto task = NewTask(analysis, *process, ToOptions(options), s.user, deps_.clock());
  if (!task.ok()) return task.status();
  Task t = std::move(task).value();
  if (Status st = deps_.store->CreateTask(t); !st.ok()) return st;
  if (t.status == TaskStatus::kWaitForExecution && deps_.kick) deps_.kick();
  return t;
}

plugins::Answer TaskCenter::Submit(const Session& s, const ss::SubmitStmt& stmt) {
  auto a = LoadAnalysis(s, stmt.analysis_id, "SUBMIT");
  if (!a.ok()) return a.status();
  auto t = SubmitAnalysis(s, *a, stmt.options);
  if (!t.ok()) return t.status();
  return TaskIdStatus(*t, true);
}

plugins::Answer TaskCenter::CreateTask(const Session& s, const ss::CreateTaskStmt& stmt) {
  // Check the schedule before the (slow) analysis.
  if (stmt.options.mode == ss::ExecutionMode::kAt &&
      std::chrono::time_point_cast<std::chrono::milliseconds>(stmt.options.execute_at_time) <
          deps_.clock())
    return Status(errc::kBadSchedule,
                  "EXECUTE AT '" + stmt.options.execute_at + "' is in the past");
  auto a = RunAnalysis(s, stmt.target, stmt.naming);
  if (!a.ok()) return a.status();
  if (!stmt.skip_tables.empty()) {
    auto n = deps_.store->SetSkipped(a->id, stmt.skip_tables, true);
    if (!n.ok()) return n.status();
    auto reloaded = deps_.store->GetAnalysis(a->id);
    if (!reloaded.ok()) return reloaded.status();
    a = std::move(reloaded);
  }
  auto t = SubmitAnalysis(s, *a, stmt.options);
  if (!t.ok()) return t.status();
  int create = 0, update = 0, none = 0, skipped = 0;
  for (const auto& tt : a->tables) {
    if (tt.skipped) {
      ++skipped;
      continue;
    }
    create += tt.result == TableResult::kCreate;
    update += tt.result == TableResult::kUpdate;
    none += tt.result == TableResult::kNoAction;
  }
  ResultSetAnswer rs = TaskIdStatus(*t, true);
  for (auto [name, n] : {std::pair{"create_count", create}, std::pair{"update_count", update},
                         std::pair{"no_action_count", none}, std::pair{"skipped_count", skipped}}) {
    rs.columns.push_back(name);
    rs.rows[0].push_back(std::to_string(n));
  }
  return rs;
}

plugins::Answer TaskCenter::ShowTasks(const Session& s, const ss::ShowTasksStmt& stmt) {
  ConfigPtr config = deps_.config();
  TaskQuery q;
  for (const auto& f : stmt.filters)
    q.where.push_back(TaskCondition{ColumnName(f.column), ToOp(f.op), f.values});
  for (const auto& key : stmt.order)
    q.order.push_back(TaskSortKey{ColumnName(key.column), key.descending});
  if (!stmt.all)
    q.created_since = deps_.clock() - std::chrono::duration_cast<std::chrono::milliseconds>(
                                          config->shadow_sync.task_list_window);
  auto list = deps_.store->ListTasks(q);  // unlimited: rights filter first, then LIMIT/OFFSET
  if (!list.ok()) return list.status();
  ResultSetAnswer rs;
  rs.columns = {"task_id", "task_type",  "connection", "database",
                "creator", "created_at", "status"};
  uint64_t skip = stmt.offset.value_or(0);
  for (const auto& t : *list) {
    approval::TaskFacts facts{t.id, t.creator};
    if (!approval::CanView(facts, s.user, s.roles, t.process, t.process_nodes).ok()) continue;
    if (skip > 0) {
      --skip;
      continue;
    }
    if (stmt.limit && rs.rows.size() >= *stmt.limit) break;
    rs.rows.push_back({std::to_string(t.id), std::string(kTaskType), t.cluster, t.database,
                       t.creator, FormatTime(t.created_at), std::string(ToString(t.status))});
  }
  return rs;
}

Result<Task> TaskCenter::LoadVisibleTask(const Session& s, uint64_t id) {
  auto t = deps_.store->GetTask(static_cast<int64_t>(id));
  if (!t.ok()) return t.status();
  approval::TaskFacts facts{t->id, t->creator};
  if (Status st = approval::CanView(facts, s.user, s.roles, t->process, t->process_nodes); !st.ok())
    return st;
  return t;
}

plugins::Answer TaskCenter::ShowTask(const Session& s, const ss::ShowTaskStmt& stmt) {
  auto loaded = LoadVisibleTask(s, stmt.task_id);
  if (!loaded.ok()) return loaded.status();
  const Task& t = *loaded;
  ResultSetAnswer rs;
  switch (stmt.view) {
    case ss::TaskView::kInfo: {
      rs.columns = {"field", "value"};
      std::vector<std::string> synced, unsynced;
      for (const auto& tt : t.tables) {
        if (tt.skipped)
          unsynced.push_back(tt.source);
        else if (tt.result != TableResult::kNoAction)
          synced.push_back(tt.source);
      }
      int ok = t.CountStatements(StatementState::kSucceeded);
      int failed = t.CountStatements(StatementState::kFailed);
      auto add = [&](const char* f, Cell v) { rs.rows.push_back({std::string(f), std::move(v)}); };
      add("status", ToString(t.status));
      add("task_id", std::to_string(t.id));
      add("task_type", kTaskType);
      add("connection", t.cluster);
      add("database", t.database);
      add("execution_mode", ToString(t.execution_mode));
      add("execute_at", Opt(t.execute_at));
      add("error_strategy", ToString(t.error_strategy));
      add("remarks", t.remarks);
      add("creator", t.creator);
      add("created_at", FormatTime(t.created_at));
      add("process", t.process);
      add("synced_tables", Join(synced));
      add("unsynced_tables", Join(unsynced));
      add("statements", std::to_string(t.statements.size()));
      add("executed_statements", std::to_string(ok + failed));
      add("failed_statements", std::to_string(failed));
      add("started_at", Opt(t.started_at));
      add("finished_at", Opt(t.finished_at));
      return rs;
    }
    case ss::TaskView::kTables:
      rs.columns = {"source_table", "shadow_table", "result", "skipped"};
      for (const auto& tt : t.tables)
        rs.rows.push_back({tt.source, tt.shadow, std::string(ToString(tt.result)),
                           std::string(tt.skipped ? "1" : "0")});
      return rs;
    case ss::TaskView::kSql:
      rs.columns = {"seq", "sql", "state", "error"};
      for (const auto& st : t.statements)
        rs.rows.push_back({std::to_string(st.seq), st.sql, std::string(ToString(st.state)),
                           st.error.empty() ? Cell() : Cell(st.error)});
      return rs;
    case ss::TaskView::kProcess:
      rs.columns = {"seq", "node", "status", "operator", "at", "comment"};
      for (const auto& st : t.steps)
        rs.rows.push_back({std::to_string(st.seq), st.node, st.status,
                           st.op.empty() ? Cell() : Cell(st.op), Opt(st.at),
                           st.comment.empty() ? Cell() : Cell(st.comment)});
      return rs;
    case ss::TaskView::kLogs:
      rs.columns = {"at", "level", "message"};
      for (const auto& l : t.logs) {
        if (stmt.alert_only && l.level == LogLevel::kInfo) continue;
        if (stmt.like && !SqlLike(*stmt.like, l.message)) continue;
        rs.rows.push_back({FormatTime(l.at, true), std::string(ToString(l.level)), l.message});
      }
      return rs;
  }
  return Status(errc::kInternal, "unknown view");
}

plugins::Answer TaskCenter::Decide(const Session& s, uint64_t id,
                                   const std::optional<std::string>& comment, bool approve) {
  const char* right = approve ? "APPROVE" : "REJECT";
  auto r = MutateTask(*deps_.store, static_cast<int64_t>(id), [&](Task& t) -> Status {
    const ApprovalNode* node = CurrentNode(t);
    if (node == nullptr) return BadStatus(t, right);
    approval::TaskFacts facts{t.id, t.creator};
    if (Status st =
            approval::CanApprove(facts, *node, s.user, s.roles, t.allow_self_approval, right);
        !st.ok())
      return st;
    return approve ? tasks::Approve(t, s.user, comment.value_or(""), deps_.clock())
                   : tasks::Reject(t, s.user, comment.value_or(""), deps_.clock());
  });
  if (!r.ok()) return r.status();
  if (r->status == TaskStatus::kWaitForExecution && deps_.kick) deps_.kick();
  return TaskIdStatus(*r, false);
}

plugins::Answer TaskCenter::Approve(const Session& s, const ss::ApproveStmt& stmt) {
  return Decide(s, stmt.task_id, stmt.comment, true);
}

plugins::Answer TaskCenter::Reject(const Session& s, const ss::RejectStmt& stmt) {
  return Decide(s, stmt.task_id, stmt.comment, false);
}

plugins::Answer TaskCenter::Abort(const Session& s, const ss::AbortStmt& stmt) {
  bool was_executing = false;
  auto r = MutateTask(*deps_.store, static_cast<int64_t>(stmt.task_id), [&](Task& t) -> Status {
    approval::TaskFacts facts{t.id, t.creator};
    if (Status st = approval::CanAbortOrExecute(facts, s.user, s.roles, "ABORT"); !st.ok())
      return st;
    was_executing = t.status == TaskStatus::kExecuting;
    return tasks::Abort(t, s.user, deps_.clock());
  });
  if (!r.ok()) return r.status();
  if (was_executing && deps_.cancel)
    deps_.cancel(r->id);  // another proxy's executor sees the status
  return TaskIdStatus(*r, false);
}

plugins::Answer TaskCenter::Execute(const Session& s, const ss::ExecuteStmt& stmt) {
  auto r = MutateTask(*deps_.store, static_cast<int64_t>(stmt.task_id), [&](Task& t) -> Status {
    approval::TaskFacts facts{t.id, t.creator};
    if (Status st = approval::CanAbortOrExecute(facts, s.user, s.roles, "EXECUTE"); !st.ok())
      return st;
    return RequestExecute(t, s.user, deps_.clock());
  });
  if (!r.ok()) return r.status();
  if (deps_.kick) deps_.kick();
  return TaskIdStatus(*r, false);
}

plugins::Answer TaskCenter::Retry(const Session& s, const ss::RetryStmt& stmt) {
  auto old = deps_.store->GetTask(static_cast<int64_t>(stmt.task_id));
  if (!old.ok()) return old.status();
  if (old->cluster != s.cluster && !approval::HasRole(s.roles, "admin"))
    return Denied(s.user, "RETRY", "task " + std::to_string(old->id),
                  "it belongs to cluster '" + old->cluster + "'");
  ss::TableSelection target;
  target.database = old->database;
  for (const auto& t : old->tables) target.tables.push_back(t.source);
  ss::Naming naming;
  if (!old->naming.prefix.empty()) naming.prefix = old->naming.prefix;
  if (!old->naming.suffix.empty()) naming.suffix = old->naming.suffix;
  Session as_cluster = s;
  as_cluster.cluster = old->cluster;
  auto a = RunAnalysis(as_cluster, target, naming);
  if (!a.ok()) return a.status();
  std::vector<std::string> skipped;
  for (const auto& t : old->tables)
    if (t.skipped) skipped.push_back(t.source);
  if (!skipped.empty()) {
    // Tables that vanished from the new analysis are not an error here.
    std::vector<std::string> present;
    for (const auto& name : skipped)
      if (std::any_of(a->tables.begin(), a->tables.end(),
                      [&](const AnalysisTable& t) { return t.source == name; }))
        present.push_back(name);
    auto n = deps_.store->SetSkipped(a->id, present, true);
    if (!n.ok()) return n.status();
    auto reloaded = deps_.store->GetAnalysis(a->id);
    if (!reloaded.ok()) return reloaded.status();
    a = std::move(reloaded);
  }
  ss::ExecutionOptions options;
  options.mode = old->execution_mode == ExecutionMode::kManual ? ss::ExecutionMode::kManual
                 : old->execution_mode == ExecutionMode::kAt   ? ss::ExecutionMode::kAt
                                                               : ss::ExecutionMode::kImmediate;
  if (old->execute_at && old->execution_mode == ExecutionMode::kAt) {
    options.execute_at = FormatTime(*old->execute_at);
    options.execute_at_time = *old->execute_at;
  }
  options.error_strategy = old->error_strategy == ErrorStrategy::kContinue
                               ? ss::ErrorStrategy::kContinue
                               : ss::ErrorStrategy::kAbort;
  if (!old->remarks.empty()) options.comment = old->remarks;
  auto t = SubmitAnalysis(s, *a, options);
  if (!t.ok()) return t.status();
  return TaskIdStatus(*t, false);
}

}  // namespace shadowproxy::tasks
