#include "console/task_json.h"

#include <nlohmann/json.hpp>

#include "console/request_parse.h"
#include "plugins/approval/approval.h"
#include "plugins/tasks/task_state.h"

namespace shadowproxy::console {
namespace {

using nlohmann::json;
namespace t = tasks;

std::string Dump(const json& j) {
  return j.dump(-1, ' ', /*ensure_ascii=*/false, json::error_handler_t::replace);
}

json Time(const std::optional<TimePoint>& at, bool millis = false) {
  return at ? json(FormatTime(*at, millis)) : json(nullptr);
}

json Text(const std::string& s) { return s.empty() ? json(nullptr) : json(s); }

json Summary(const t::TaskSummary& s) {
  return {{"task_id", s.id},
          {"task_type", t::kTaskType},
          {"connection", s.cluster},
          {"database", s.database},
          {"creator", s.creator},
          {"created_at", FormatTime(s.created_at)},
          {"status", ToString(s.status)}};
}

json Log(const t::TaskLog& l) {
  return {{"at", FormatTime(l.at, true)}, {"level", ToString(l.level)}, {"message", l.message}};
}

}  // namespace

AllowedActions ActionsFor(const t::Task& task, const t::Actor& actor) {
  AllowedActions a;
  const approval::TaskFacts facts{task.id, task.creator};
  if (const ApprovalNode* node = t::CurrentNode(task)) {
    a.approve = approval::CanApprove(facts, *node, actor.user, actor.roles,
                                     task.allow_self_approval, "APPROVE")
                    .ok();
    a.reject = a.approve;
  }
  const bool may_run = approval::CanAbortOrExecute(facts, actor.user, actor.roles, "ABORT").ok();
  a.abort = may_run && !t::IsFinal(task.status);
  a.execute = may_run && task.status == t::TaskStatus::kWaitForExecution &&
              task.execution_mode == t::ExecutionMode::kManual && !task.execute_at;
  // Any user of the task's cluster may initiate it again (admins of any cluster).
  a.retry = actor.cluster == task.cluster || approval::HasRole(actor.roles, "admin");
  return a;
}

std::string TaskListJson(const std::vector<t::TaskSummary>& rows, uint64_t limit, uint64_t offset) {
  json list = json::array();
  for (size_t i = 0; i < rows.size() && i < limit; ++i) list.push_back(Summary(rows[i]));
  return Dump({{"tasks", std::move(list)},
               {"limit", limit},
               {"offset", offset},
               {"has_more", rows.size() > limit}});
}

std::string TaskInfoJson(const t::Task& task, const AllowedActions& actions) {
  const int ok = task.CountStatements(t::StatementState::kSucceeded);
  const int failed = task.CountStatements(t::StatementState::kFailed);
  json j = {{"status", ToString(task.status)},
            {"task_id", task.id},
            {"task_type", t::kTaskType},
            {"connection", task.cluster},
            {"database", task.database},
            {"execution_mode", ToString(task.execution_mode)},
            {"execute_at", Time(task.execute_at)},
            {"error_strategy", ToString(task.error_strategy)},
            {"remarks", Text(task.remarks)},
            {"creator", task.creator},
            {"created_at", FormatTime(task.created_at)},
            {"process", task.process},
            {"synced_tables", task.SyncedTables()},
            {"unsynced_tables", task.UnsyncedTables()},
            {"statements", task.statements.size()},
            {"executed_statements", ok + failed},
            {"failed_statements", failed},
            {"started_at", Time(task.started_at)},
            {"finished_at", Time(task.finished_at)},
            {"final", t::IsFinal(task.status)}};
  j["actions"] = {{"approve", actions.approve},
                  {"reject", actions.reject},
                  {"abort", actions.abort},
                  {"execute", actions.execute},
                  {"retry", actions.retry}};
  return Dump(j);
}

std::string TaskTablesJson(const t::Task& task) {
  json list = json::array();
  for (const auto& tt : task.tables)
    list.push_back({{"source_table", tt.source},
                    {"shadow_table", tt.shadow},
                    {"result", ToString(tt.result)},
                    {"skipped", tt.skipped}});
  return Dump({{"task_id", task.id}, {"tables", std::move(list)}});
}

std::string TaskSqlJson(const t::Task& task) {
  json list = json::array();
  for (const auto& st : task.statements)
    list.push_back({{"seq", st.seq},
                    {"table", st.table},
                    {"sql", st.sql},
                    {"state", ToString(st.state)},
                    {"error", Text(st.error)}});
  return Dump({{"task_id", task.id}, {"statements", std::move(list)}});
}

std::string TaskProcessJson(const t::Task& task) {
  json list = json::array();
  for (const auto& st : task.steps)
    list.push_back({{"seq", st.seq},
                    {"node", st.node},
                    {"status", st.status},
                    {"operator", Text(st.op)},
                    {"at", Time(st.at)},
                    {"comment", Text(st.comment)}});
  return Dump({{"task_id", task.id}, {"steps", std::move(list)}});
}

std::string TaskLogsJson(const t::Task& task, const LogsRequest& filter) {
  json list = json::array();
  for (const auto& l : task.logs)
    if (LogMatches(filter, l)) list.push_back(Log(l));
  return Dump({{"task_id", task.id}, {"logs", std::move(list)}});
}

std::string TaskLogsText(const t::Task& task, const LogsRequest& filter) {
  std::string out;
  for (const auto& l : task.logs) {
    if (!LogMatches(filter, l)) continue;
    out += FormatTime(l.at, true);
    out += ' ';
    out += ToString(l.level);
    out += ' ';
    out += l.message;
    out += '\n';
  }
  return out;
}

std::string TaskIdStatusJson(const t::Task& task, bool with_process) {
  json j = {{"task_id", task.id}, {"status", ToString(task.status)}};
  if (with_process) j["process"] = task.process;
  return Dump(j);
}

std::string CreatedTaskJson(const t::CreatedTask& c) {
  int create = 0, update = 0, none = 0, skipped = 0;
  for (const auto& tt : c.analysis.tables) {
    if (tt.skipped) {
      ++skipped;
      continue;
    }
    if (tt.result == t::TableResult::kCreate) ++create;
    if (tt.result == t::TableResult::kUpdate) ++update;
    if (tt.result == t::TableResult::kNoAction) ++none;
  }
  return Dump({{"task_id", c.task.id},
               {"status", ToString(c.task.status)},
               {"process", c.task.process},
               {"analysis_id", c.analysis.id},
               {"create_count", create},
               {"update_count", update},
               {"no_action_count", none},
               {"skipped_count", skipped}});
}

std::string AnalysisJson(const t::Analysis& a) {
  json list = json::array();
  for (const auto& tt : a.tables)
    list.push_back({{"source_table", tt.source},
                    {"shadow_table", tt.shadow},
                    {"result", ToString(tt.result)},
                    {"skipped", tt.skipped},
                    {"statements", tt.statements.size()}});
  return Dump({{"analysis_id", a.id},
               {"connection", a.cluster},
               {"database", a.database},
               {"prefix", a.naming.prefix},
               {"suffix", a.naming.suffix},
               {"creator", a.creator},
               {"created_at", FormatTime(a.created_at)},
               {"submitted", a.submitted},
               {"tables", std::move(list)}});
}

Result<std::string> AnalysisTableJson(const t::Analysis& a, const std::string& table) {
  for (const auto& tt : a.tables)
    if (tt.source == table)
      return Dump({{"analysis_id", a.id},
                   {"source_table", tt.source},
                   {"shadow_table", tt.shadow},
                   {"result", ToString(tt.result)},
                   {"skipped", tt.skipped},
                   {"source_ddl", tt.source_ddl},
                   {"shadow_ddl", Text(tt.shadow_ddl)},
                   {"change_sql", tt.change_sql}});
  return Status(errc::kNotFound,
                "table '" + table + "' is not in analysis " + std::to_string(a.id));
}

std::string PreviewJson(const t::Analysis& a) {
  json list = json::array();
  for (const auto& [table, sql] : a.Script()) list.push_back(sql);
  return Dump({{"analysis_id", a.id}, {"statements", std::move(list)}});
}

std::string ChangedJson(int changed) { return Dump({{"changed", changed}}); }

std::string ErrorJson(const Status& s) {
  return Dump({{"code", s.code()}, {"sqlstate", s.sqlstate()}, {"message", s.message()}});
}

int HttpStatusOf(const Status& s) {
  switch (s.code()) {
    case 0:
      return 200;
    case errc::kAccessDenied:
      return 401;
    case errc::kNotAllowed:
      return 403;
    case errc::kUnknownId:
    case errc::kNotFound:
      return 404;
    case errc::kBadStatus:
    case errc::kAlreadySubmitted:
      return 409;
    case errc::kSyntax:
    case errc::kBadNaming:
    case errc::kBadSchedule:
    case errc::kTouchesNonShadow:
      return 400;
    case 1153:  // ER_NET_PACKET_TOO_LARGE: the body is over the limit
      return 413;
    case errc::kUnavailable:
      return 503;
    default:
      return 500;
  }
}

std::string SessionJson(const std::string& user, const std::vector<std::string>& roles,
                        const std::string& cluster, const std::string& csrf) {
  return Dump({{"user", user}, {"roles", roles}, {"cluster", cluster}, {"csrf_token", csrf}});
}

}  // namespace shadowproxy::console
