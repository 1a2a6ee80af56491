#include "console/task_json.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "console/request_parse.h"

namespace shadowproxy::console {
namespace {

using nlohmann::json;
namespace t = tasks;

t::Task SampleTask() {
  t::Task task;
  task.id = 42;
  task.cluster = "local";
  task.database = "prod_shop";
  task.creator = "dev";
  task.created_at = *ParseTime("2026-01-02 03:04:05");
  task.status = t::TaskStatus::kWaitForApproval;
  task.process = "production";
  task.process_nodes = {ApprovalNode{{"dba"}, {}}, ApprovalNode{{}, {"boss"}}};
  task.remarks = "it's \"quoted\" <b>";
  task.tables = {{"orders", "orders_shadow", t::TableResult::kCreate, false},
                 {"items", "items_shadow", t::TableResult::kUpdate, true},
                 {"config", "config_shadow", t::TableResult::kNoAction, false}};
  task.statements = {
      {1, "orders", "CREATE TABLE `orders_shadow` (id INT)", t::StatementState::kSucceeded, ""},
      {2, "orders", "ALTER TABLE `orders_shadow` ADD x INT", t::StatementState::kFailed,
       "Duplicate column"}};
  task.steps = {{1, "INITIATED", "DONE", "dev", task.created_at, ""},
                {2, "APPROVAL 1/2", "APPROVING", "", std::nullopt, ""}};
  task.logs = {{1, task.created_at, t::LogLevel::kInfo, "task created"},
               {2, task.created_at, t::LogLevel::kWarn, "Slow statement"},
               {3, task.created_at, t::LogLevel::kError, "failed: Duplicate column"}};
  return task;
}

TEST(TaskJson, InfoHasTheShowTaskFieldsWithTypes) {
  const t::Task task = SampleTask();
  json j = json::parse(TaskInfoJson(task, AllowedActions{true, true, false, false, true}));
  EXPECT_EQ(j["task_id"], 42);
  EXPECT_EQ(j["status"], "WAIT_FOR_APPROVAL");
  EXPECT_EQ(j["task_type"], "SHADOW_TABLE_SYNC");
  EXPECT_EQ(j["connection"], "local");
  EXPECT_EQ(j["created_at"], "2026-01-02 03:04:05");
  EXPECT_TRUE(j["execute_at"].is_null());
  EXPECT_EQ(j["remarks"], "it's \"quoted\" <b>");
  EXPECT_EQ(j["synced_tables"], json::array({"orders"}));
  EXPECT_EQ(j["unsynced_tables"], json::array({"items"}));
  EXPECT_EQ(j["statements"], 2);
  EXPECT_EQ(j["executed_statements"], 2);
  EXPECT_EQ(j["failed_statements"], 1);
  EXPECT_EQ(j["final"], false);
  EXPECT_EQ(j["actions"]["approve"], true);
  EXPECT_EQ(j["actions"]["abort"], false);
  for (const char* f : {"execution_mode", "error_strategy", "creator", "process", "started_at",
                        "finished_at", "database"})
    EXPECT_TRUE(j.contains(f)) << f;
}

TEST(TaskJson, ViewsAndLogs) {
  const t::Task task = SampleTask();
  json tables = json::parse(TaskTablesJson(task));
  ASSERT_EQ(tables["tables"].size(), 3u);
  EXPECT_EQ(tables["tables"][1]["skipped"], true);
  EXPECT_EQ(tables["tables"][1]["result"], "UPDATE");
  json sql = json::parse(TaskSqlJson(task));
  EXPECT_EQ(sql["statements"][0]["state"], "SUCCEEDED");
  EXPECT_TRUE(sql["statements"][0]["error"].is_null());
  EXPECT_EQ(sql["statements"][1]["error"], "Duplicate column");
  json process = json::parse(TaskProcessJson(task));
  EXPECT_EQ(process["steps"][0]["operator"], "dev");
  EXPECT_TRUE(process["steps"][1]["at"].is_null());

  LogsRequest all;
  EXPECT_EQ(json::parse(TaskLogsJson(task, all))["logs"].size(), 3u);
  LogsRequest alert{true, ""};
  EXPECT_EQ(json::parse(TaskLogsJson(task, alert))["logs"].size(), 2u);
  LogsRequest search{false, "DUPLICATE"};
  json found = json::parse(TaskLogsJson(task, search));
  ASSERT_EQ(found["logs"].size(), 1u);
  EXPECT_EQ(found["logs"][0]["level"], "ERROR");
  const std::string text = TaskLogsText(task, alert);
  EXPECT_NE(text.find(" WARN Slow statement\n"), std::string::npos);
  EXPECT_EQ(text.find("task created"), std::string::npos);
}

TEST(TaskJson, ListPagesWithOneExtraRow) {
  std::vector<t::TaskSummary> rows(3);
  for (int i = 0; i < 3; ++i) rows[i].id = 10 - i;
  json page = json::parse(TaskListJson(rows, 2, 4));
  EXPECT_EQ(page["tasks"].size(), 2u);
  EXPECT_EQ(page["has_more"], true);
  EXPECT_EQ(page["offset"], 4);
  EXPECT_EQ(page["tasks"][0]["task_id"], 10);
  json last = json::parse(TaskListJson(rows, 3, 0));
  EXPECT_EQ(last["has_more"], false);
}

TEST(TaskJson, InvalidUtf8AndHostileNamesStayValidJson) {
  t::Analysis a;
  a.id = 7;
  a.naming.suffix = "_s";
  t::AnalysisTable tt;
  tt.source = "<img src=x onerror=alert(1)>";
  tt.shadow = tt.source + "_s";
  tt.source_ddl = "CREATE TABLE x COMMENT '\xff\xfe'";
  tt.change_sql = "CREATE TABLE ...";
  a.tables.push_back(tt);
  json j = json::parse(AnalysisJson(a));
  EXPECT_EQ(j["tables"][0]["source_table"], "<img src=x onerror=alert(1)>");
  EXPECT_EQ(j["tables"][0]["skipped"], false);
  auto view = AnalysisTableJson(a, tt.source);
  ASSERT_TRUE(view.ok());
  json v = json::parse(*view);
  EXPECT_EQ(v["source_ddl"], "CREATE TABLE x COMMENT '\xEF\xBF\xBD\xEF\xBF\xBD'");
  EXPECT_TRUE(v["shadow_ddl"].is_null());
  auto missing = AnalysisTableJson(a, "nope");
  EXPECT_EQ(missing.status().code(), errc::kNotFound);
}

TEST(TaskJson, ErrorsAndHttpStatuses) {
  json e = json::parse(ErrorJson(Status(errc::kNotAllowed, "missing right: APPROVE", "42000")));
  EXPECT_EQ(e["code"], 7003);
  EXPECT_EQ(e["sqlstate"], "42000");
  EXPECT_EQ(e["message"], "missing right: APPROVE");
  EXPECT_EQ(HttpStatusOf(Status(errc::kAccessDenied, "")), 401);
  EXPECT_EQ(HttpStatusOf(Status(errc::kNotAllowed, "")), 403);
  EXPECT_EQ(HttpStatusOf(Status(errc::kUnknownId, "")), 404);
  EXPECT_EQ(HttpStatusOf(Status(errc::kBadStatus, "")), 409);
  EXPECT_EQ(HttpStatusOf(Status(errc::kAlreadySubmitted, "")), 409);
  EXPECT_EQ(HttpStatusOf(Status(errc::kSyntax, "")), 400);
  EXPECT_EQ(HttpStatusOf(Status(errc::kBadSchedule, "")), 400);
  EXPECT_EQ(HttpStatusOf(Status(1153, "")), 413);
  EXPECT_EQ(HttpStatusOf(Status(errc::kUnavailable, "")), 503);
  EXPECT_EQ(HttpStatusOf(Status(errc::kInternal, "")), 500);
}

TEST(TaskJson, ActionsFollowRightsAndStatus) {
  t::Task task = SampleTask();
  const t::Actor dba{"dba", {"dba"}, "local"};
  const t::Actor dev{"dev", {"developer"}, "local"};
  const t::Actor admin{"root", {"admin"}, "other"};
  AllowedActions a = ActionsFor(task, dba);
  EXPECT_TRUE(a.approve);
  EXPECT_TRUE(a.reject);
  EXPECT_FALSE(a.abort);
  a = ActionsFor(task, dev);  // the creator: not self-approval, but abort
  EXPECT_FALSE(a.approve);
  EXPECT_TRUE(a.abort);
  EXPECT_TRUE(a.retry);
  EXPECT_FALSE(a.execute);
  a = ActionsFor(task, admin);
  EXPECT_TRUE(a.abort);
  EXPECT_TRUE(a.retry);
  task.status = t::TaskStatus::kWaitForExecution;
  task.execution_mode = t::ExecutionMode::kManual;
  a = ActionsFor(task, dev);
  EXPECT_TRUE(a.execute);
  EXPECT_FALSE(ActionsFor(task, dba).approve);
  task.status = t::TaskStatus::kExecutionSucceeded;
  a = ActionsFor(task, dev);
  EXPECT_FALSE(a.abort);
  EXPECT_FALSE(a.execute);
}

}  // namespace
}  // namespace shadowproxy::console
