// The SHADOW SYNC parser: a table of good inputs with the AST each must give (every statement,
// every option, case/whitespace/comment variants, quoting), a table of bad inputs with the exact
// ERR, and the canonical SQL round trip.
#include "plugins/shadow_sync/parser.h"

#include <gtest/gtest.h>

#include <ostream>
#include <set>
#include <string>
#include <vector>

namespace shadowproxy::shadow_sync {

// gtest finds this by ADL (Statement's alternatives live here).
void PrintTo(const Statement& s, std::ostream* os) { *os << ToSql(s); }

namespace {

using Strings = std::vector<std::string>;

TableSelection Tables(Strings t, std::optional<std::string> db = std::nullopt) {
  return TableSelection{std::move(db), false, std::move(t)};
}
TableSelection AllTables(std::optional<std::string> db = std::nullopt) {
  return TableSelection{std::move(db), true, {}};
}
NamingChoice Prefix(std::string p) { return Naming{std::move(p), ""}; }
NamingChoice Suffix(std::string s) { return Naming{"", std::move(s)}; }

ExecutionOptions At(std::string at, ErrorStrategy e = ErrorStrategy::kAbort,
                    std::optional<std::string> comment = std::nullopt) {
  ExecutionOptions o;
  o.mode = ExecutionMode::kAt;
  o.execute_at = *ParseTime(at);
  o.error_strategy = e;
  o.remarks = comment.value_or("");
  return o;
}
ExecutionOptions Opts(ExecutionMode m, ErrorStrategy e = ErrorStrategy::kAbort,
                      std::optional<std::string> comment = std::nullopt) {
  ExecutionOptions o;
  o.mode = m;
  o.error_strategy = e;
  o.remarks = comment.value_or("");
  return o;
}

TaskCondition Filter(TaskColumn c, CompareOp op, Strings values) {
  TaskCondition f;
  f.column = c;
  f.op = op;
  f.values = std::move(values);
  if (c == TaskColumn::kCreatedAt) f.value_time = *ParseTime(f.values[0]);
  return f;
}

ShowTasksStmt Tasks(bool all, std::vector<TaskCondition> filters = {},
                    std::vector<TaskSortKey> order = {}, std::optional<uint64_t> limit = {},
                    std::optional<uint64_t> offset = {}) {
  return ShowTasksStmt{all, std::move(filters), std::move(order), limit, offset};
}

ShowTaskStmt Task(Id id, TaskView v = TaskView::kInfo, bool alert = false,
                  std::optional<std::string> like = std::nullopt) {
  return ShowTaskStmt{id, v, alert, std::move(like)};
}

CreateTaskStmt Create(TableSelection sel, NamingChoice n = {}, Strings skip = {},
                      ExecutionOptions o = {}) {
  return CreateTaskStmt{std::move(sel), std::move(n), std::move(skip), std::move(o)};
}

struct Good {
  std::string query;
  Statement expected;
};

std::ostream& operator<<(std::ostream& os, const Good& g) { return os << g.query; }

const ExecutionMode kNow = ExecutionMode::kImmediate;
const ExecutionMode kManual = ExecutionMode::kManual;
const ErrorStrategy kAbort = ErrorStrategy::kAbort;
const ErrorStrategy kContinue = ErrorStrategy::kContinue;
using C = TaskColumn;
using Op = CompareOp;

std::vector<Good> GoodCases() {
  return {
      // ---- ANALYZE ----
      {"SHADOW SYNC ANALYZE ALL TABLES", AnalyzeStmt{AllTables(), {}}},
      {"shadow sync analyze all tables", AnalyzeStmt{AllTables(), {}}},
      {"ShAdOw SyNc AnAlYzE aLl TaBlEs;", AnalyzeStmt{AllTables(), {}}},
      {"SHADOW SYNC ANALYZE TABLES t1", AnalyzeStmt{Tables({"t1"}), {}}},
      {"SHADOW SYNC ANALYZE TABLES t1, t2,t3 ,t4",
       AnalyzeStmt{Tables({"t1", "t2", "t3", "t4"}), {}}},
      {"SHADOW SYNC ANALYZE DATABASE shop ALL TABLES", AnalyzeStmt{AllTables("shop"), {}}},
      {"SHADOW SYNC ANALYZE DATABASE `my db` TABLES `order`, `a``b`",
       AnalyzeStmt{Tables({"order", "a`b"}, "my db"), {}}},
      {"SHADOW SYNC ANALYZE TABLES orders PREFIX 'shadow_'",
       AnalyzeStmt{Tables({"orders"}), Prefix("shadow_")}},
      {"SHADOW SYNC ANALYZE TABLES orders SUFFIX \"_t\"",
       AnalyzeStmt{Tables({"orders"}), Suffix("_t")}},
      {"SHADOW SYNC ANALYZE ALL TABLES suffix '_SHADOW' ;",
       AnalyzeStmt{AllTables(), Suffix("_SHADOW")}},
      {"  \n\tSHADOW\n\n  SYNC\r\n ANALYZE\tALL\nTABLES\n", AnalyzeStmt{AllTables(), {}}},
      {"/* lead */ SHADOW /* in */ SYNC -- dash\n ANALYZE # hash\n ALL TABLES /* tail */",
       AnalyzeStmt{AllTables(), {}}},
      {"-- first line\n# second\n/* multi\nline */SHADOW SYNC ANALYZE TABLES a;-- after",
       AnalyzeStmt{Tables({"a"}), {}}},
      {"SHADOW SYNC ANALYZE TABLES `sp ace`, `semi;colon`, `quo'te`, `dq\"`",
       AnalyzeStmt{Tables({"sp ace", "semi;colon", "quo'te", "dq\""}), {}}},
      {"SHADOW SYNC ANALYZE TABLES `tick``s```", AnalyzeStmt{Tables({"tick`s`"}), {}}},
      {"SHADOW SYNC ANALYZE TABLES prefix", AnalyzeStmt{Tables({"prefix"}), {}}},
      {"SHADOW SYNC ANALYZE TABLES `tables`, status",
       AnalyzeStmt{Tables({"tables", "status"}), {}}},
      {"SHADOW SYNC ANALYZE TABLES t\xc3\xa9, 1a", AnalyzeStmt{Tables({"t\xc3\xa9", "1a"}), {}}},
      {"SHADOW SYNC ANALYZE TABLES $x PREFIX '9'", AnalyzeStmt{Tables({"$x"}), Prefix("9")}},
      {"SHADOW SYNC ANALYZE TABLES a PREFIX '" + std::string(32, 'p') + "'",
       AnalyzeStmt{Tables({"a"}), Prefix(std::string(32, 'p'))}},
      // ---- SHOW ANALYSIS ----
      {"SHADOW SYNC SHOW ANALYSIS 7", ShowAnalysisStmt{7, std::nullopt}},
      {"shadow sync show analysis 0", ShowAnalysisStmt{0, std::nullopt}},
      {"SHADOW SYNC SHOW ANALYSIS 18446744073709551615",
       ShowAnalysisStmt{18446744073709551615ull, std::nullopt}},
      {"SHADOW SYNC SHOW ANALYSIS 007 TABLE orders", ShowAnalysisStmt{7, "orders"}},
      {"SHADOW SYNC SHOW ANALYSIS 3 table `x y`;", ShowAnalysisStmt{3, "x y"}},
      // ---- SKIP / UNSKIP ----
      {"SHADOW SYNC SKIP 5 TABLES a", SkipStmt{5, {"a"}}},
      {"SHADOW SYNC SKIP 5 TABLES a, `b c`", SkipStmt{5, {"a", "b c"}}},
      {"shadow sync unskip 5 tables a,b;", UnskipStmt{5, {"a", "b"}}},
      // ---- PREVIEW ----
      {"SHADOW SYNC PREVIEW 12", PreviewStmt{12}},
      {"SHADOW SYNC PREVIEW 12 ;  -- done", PreviewStmt{12}},
      // ---- SUBMIT ----
      {"SHADOW SYNC SUBMIT 4", SubmitStmt{4, Opts(kNow)}},
      {"SHADOW SYNC SUBMIT 4 EXECUTE IMMEDIATELY", SubmitStmt{4, Opts(kNow)}},
      {"SHADOW SYNC SUBMIT 4 EXECUTE MANUALLY", SubmitStmt{4, Opts(kManual)}},
      {"SHADOW SYNC SUBMIT 4 EXECUTE AT '2030-01-02 03:04:05'",
       SubmitStmt{4, At("2030-01-02 03:04:05")}},
      {"SHADOW SYNC SUBMIT 4 ON ERROR CONTINUE", SubmitStmt{4, Opts(kNow, kContinue)}},
      {"SHADOW SYNC SUBMIT 4 ON ERROR ABORT", SubmitStmt{4, Opts(kNow, kAbort)}},
      {"SHADOW SYNC SUBMIT 4 COMMENT 'nightly'", SubmitStmt{4, Opts(kNow, kAbort, "nightly")}},
      {"SHADOW SYNC SUBMIT 4 EXECUTE MANUALLY ON ERROR CONTINUE COMMENT 'x'",
       SubmitStmt{4, Opts(kManual, kContinue, "x")}},
      {"SHADOW SYNC SUBMIT 4 COMMENT 'x' ON ERROR CONTINUE EXECUTE MANUALLY",
       SubmitStmt{4, Opts(kManual, kContinue, "x")}},
      {"shadow sync submit 4 on error continue execute at \"2030-12-31 23:59:59\" comment \"\"",
       SubmitStmt{4, At("2030-12-31 23:59:59", kContinue, "")}},
      {"SHADOW SYNC SUBMIT 4 EXECUTE AT '9999-12-31 23:59:59'",
       SubmitStmt{4, At("9999-12-31 23:59:59")}},
      {"SHADOW SYNC SUBMIT 4 EXECUTE AT '2028-02-29 00:00:00'",
       SubmitStmt{4, At("2028-02-29 00:00:00")}},
      {"SHADOW SYNC SUBMIT 4 COMMENT 'a\\nb\\tc\\0d\\\\e\\'f\\\"g\\Zh\\ri\\bj\\qk'",
       SubmitStmt{4, Opts(kNow, kAbort,
                          std::string("a\nb\tc\0d\\e'f\"g\x1a"
                                      "h\ri\bjqk",
                                      21))}},
      {"SHADOW SYNC SUBMIT 4 COMMENT 'it''s' ", SubmitStmt{4, Opts(kNow, kAbort, "it's")}},
      {"SHADOW SYNC SUBMIT 4 COMMENT \"say \"\"hi\"\"\"",
       SubmitStmt{4, Opts(kNow, kAbort, "say \"hi\"")}},
      {"SHADOW SYNC SUBMIT 4 COMMENT '-- /* not */ # comment; DROP TABLE x'",
       SubmitStmt{4, Opts(kNow, kAbort, "-- /* not */ # comment; DROP TABLE x")}},
      {"SHADOW SYNC SUBMIT 4 COMMENT 'caf\xc3\xa9'",
       SubmitStmt{4, Opts(kNow, kAbort, "caf\xc3\xa9")}},
      // ---- CREATE TASK ----
      {"SHADOW SYNC CREATE TASK ALL TABLES", Create(AllTables())},
      {"SHADOW SYNC CREATE TASK DATABASE d TABLES a, b", Create(Tables({"a", "b"}, "d"))},
      {"SHADOW SYNC CREATE TASK ALL TABLES SUFFIX '_s' SKIP TABLES x, y",
       Create(AllTables(), Suffix("_s"), {"x", "y"})},
      {"SHADOW SYNC CREATE TASK ALL TABLES SKIP TABLES x PREFIX 'p_'",
       Create(AllTables(), Prefix("p_"), {"x"})},
      {"SHADOW SYNC CREATE TASK DATABASE `d b` TABLES t PREFIX 'sh_' SKIP TABLES `u v` EXECUTE "
       "AT '2031-06-01 12:00:00' ON ERROR CONTINUE COMMENT 'migration 42'",
       Create(Tables({"t"}, "d b"), Prefix("sh_"), {"u v"},
              At("2031-06-01 12:00:00", kContinue, "migration 42"))},
      {"SHADOW SYNC CREATE TASK TABLES t COMMENT 'c' EXECUTE MANUALLY SKIP TABLES s SUFFIX '_x' "
       "ON ERROR ABORT;",
       Create(Tables({"t"}), Suffix("_x"), {"s"}, Opts(kManual, kAbort, "c"))},
      {"shadow sync create task tables t execute immediately",
       Create(Tables({"t"}), {}, {}, Opts(kNow))},
      // ---- SHOW TASKS ----
      {"SHADOW SYNC SHOW TASKS", Tasks(false)},
      {"SHADOW SYNC SHOW ALL TASKS", Tasks(true)},
      {"shadow sync show all tasks;", Tasks(true)},
      {"SHADOW SYNC SHOW TASKS WHERE status = 'WAIT_FOR_APPROVAL'",
       Tasks(false, {Filter(C::kStatus, Op::kEq, {"WAIT_FOR_APPROVAL"})})},
      {"SHADOW SYNC SHOW TASKS WHERE creator != 'bob' AND `database` <> \"shop\"",
       Tasks(false,
             {Filter(C::kCreator, Op::kNe, {"bob"}), Filter(C::kDatabase, Op::kNe, {"shop"})})},
      {"SHADOW SYNC SHOW TASKS WHERE connection LIKE 'prod%' and STATUS in ('REJECTED')",
       Tasks(false, {Filter(C::kConnection, Op::kLike, {"prod%"}),
                     Filter(C::kStatus, Op::kIn, {"REJECTED"})})},
      {"SHADOW SYNC SHOW TASKS WHERE status IN ('A', 'B','C')",
       Tasks(false, {Filter(C::kStatus, Op::kIn, {"A", "B", "C"})})},
      {"SHADOW SYNC SHOW TASKS WHERE database = 'd' AND creator LIKE 'a\\_b%'",
       Tasks(false,
             {Filter(C::kDatabase, Op::kEq, {"d"}), Filter(C::kCreator, Op::kLike, {"a\\_b%"})})},
      {"SHADOW SYNC SHOW TASKS WHERE connection = 42",
       Tasks(false, {Filter(C::kConnection, Op::kEq, {"42"})})},
      {"SHADOW SYNC SHOW TASKS WHERE created_at >= '2026-01-01 00:00:00' AND created_at < "
       "'2026-02-01'",
       Tasks(false, {Filter(C::kCreatedAt, Op::kGe, {"2026-01-01 00:00:00"}),
                     Filter(C::kCreatedAt, Op::kLt, {"2026-02-01 00:00:00"})})},
      {"SHADOW SYNC SHOW TASKS WHERE created_at > '2026-01-01 10:11:12' AND created_at <= "
       "'2026-01-02 10:11:12'",
       Tasks(false, {Filter(C::kCreatedAt, Op::kGt, {"2026-01-01 10:11:12"}),
                     Filter(C::kCreatedAt, Op::kLe, {"2026-01-02 10:11:12"})})},
      {"SHADOW SYNC SHOW TASKS ORDER BY task_id",
       Tasks(false, {}, {TaskSortKey{C::kTaskId, false}})},
      {"SHADOW SYNC SHOW TASKS ORDER BY created_at ASC",
       Tasks(false, {}, {TaskSortKey{C::kCreatedAt, false}})},
      {"SHADOW SYNC SHOW TASKS ORDER BY status DESC, task_type, `connection` asc, creator desc, "
       "database",
       Tasks(false, {},
             {TaskSortKey{C::kStatus, true}, TaskSortKey{C::kTaskType, false},
              TaskSortKey{C::kConnection, false}, TaskSortKey{C::kCreator, true},
              TaskSortKey{C::kDatabase, false}})},
      {"SHADOW SYNC SHOW TASKS LIMIT 10", Tasks(false, {}, {}, 10)},
      {"SHADOW SYNC SHOW TASKS LIMIT 10 OFFSET 20", Tasks(false, {}, {}, 10, 20)},
      {"SHADOW SYNC SHOW TASKS LIMIT 20, 10", Tasks(false, {}, {}, 10, 20)},
      {"SHADOW SYNC SHOW TASKS LIMIT 0", Tasks(false, {}, {}, 0)},
      {"SHADOW SYNC SHOW ALL TASKS WHERE creator = 'dev' ORDER BY created_at DESC LIMIT 5 OFFSET "
       "1;",
       Tasks(true, {Filter(C::kCreator, Op::kEq, {"dev"})}, {TaskSortKey{C::kCreatedAt, true}}, 5,
             1)},
      {"SHADOW SYNC SHOW TASKS WHERE Status='X'ORDER BY Task_Id DESC LIMIT 1",
       Tasks(false, {Filter(C::kStatus, Op::kEq, {"X"})}, {TaskSortKey{C::kTaskId, true}}, 1)},
      // ---- SHOW TASK ----
      {"SHADOW SYNC SHOW TASK 9", Task(9)},
      {"SHADOW SYNC SHOW TASK 9 TABLES", Task(9, TaskView::kTables)},
      {"SHADOW SYNC SHOW TASK 9 sql", Task(9, TaskView::kSql)},
      {"SHADOW SYNC SHOW TASK 9 Process;", Task(9, TaskView::kProcess)},
      {"SHADOW SYNC SHOW TASK 9 LOGS", Task(9, TaskView::kLogs)},
      {"SHADOW SYNC SHOW TASK 9 LOGS ALERT", Task(9, TaskView::kLogs, true)},
      {"SHADOW SYNC SHOW TASK 9 LOGS LIKE '%ALTER%'", Task(9, TaskView::kLogs, false, "%ALTER%")},
      {"SHADOW SYNC SHOW TASK 9 LOGS ALERT LIKE '%duplicate%'",
       Task(9, TaskView::kLogs, true, "%duplicate%")},
      {"SHADOW SYNC SHOW TASK 9 LOGS LIKE \"x\" ALERT", Task(9, TaskView::kLogs, true, "x")},
      {"SHADOW SYNC SHOW TASK 9 LOGS LIKE '100\\%'", Task(9, TaskView::kLogs, false, "100\\%")},
      // ---- actions ----
      {"SHADOW SYNC APPROVE 3", ApproveStmt{3, std::nullopt}},
      {"SHADOW SYNC APPROVE 3 COMMENT 'lgtm'", ApproveStmt{3, "lgtm"}},
      {"shadow sync approve 3 comment \"ok\";", ApproveStmt{3, "ok"}},
      {"SHADOW SYNC REJECT 3", RejectStmt{3, std::nullopt}},
      {"SHADOW SYNC REJECT 3 COMMENT 'drop the index first'",
       RejectStmt{3, "drop the index first"}},
      {"SHADOW SYNC ABORT 3", AbortStmt{3}},
      {"SHADOW SYNC EXECUTE 3", ExecuteStmt{3}},
      {"SHADOW SYNC RETRY 3", RetryStmt{3}},
      {"SHADOW SYNC retry 3;", RetryStmt{3}},
      {"SHADOW SYNC HELP", HelpStmt{}},
      {"shadow sync help ; ", HelpStmt{}},
      {"#c\nSHADOW SYNC/**/HELP/**/;/**/", HelpStmt{}},
      {"SHADOW SYNC SET SESSION SHADOW = ON", SetSessionShadowStmt{true}},
      {"shadow sync set session shadow=off;", SetSessionShadowStmt{false}},
  };
}

class ParseGood : public testing::TestWithParam<Good> {};

TEST_P(ParseGood, GivesExpectedAst) {
  auto r = ParseStatement(GetParam().query);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(*r, GetParam().expected);
}

TEST_P(ParseGood, CanonicalSqlRoundTrips) {
  auto r = ParseStatement(GetParam().query);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const std::string sql = ToSql(*r);
  auto again = ParseStatement(sql);
  ASSERT_TRUE(again.ok()) << sql << ": " << again.status().ToString();
  EXPECT_EQ(*again, *r) << sql;
  EXPECT_EQ(ToSql(*again), sql);
}

INSTANTIATE_TEST_SUITE_P(Table, ParseGood, testing::ValuesIn(GoodCases()));

struct Bad {
  std::string query;
  std::string message;  // for 1064: "<token>' at position <n>" is enough (prefix added below)
  uint16_t code = 1064;
};

std::ostream& operator<<(std::ostream& os, const Bad& b) { return os << b.query; }

std::vector<Bad> BadCases() {
  return {
      // ---- framing ----
      {"", "end of statement' at position 0"},
      {"SHADOW", "end of statement' at position 6"},
      {"SHADOW SYNC", "end of statement' at position 11"},
      {"SHADOW SYNC   ", "end of statement' at position 14"},
      {"SHADOW SYNC ;", ";' at position 12"},
      {"SHADOWSYNC HELP", "SHADOWSYNC' at position 0"},
      {"SHADOW ASYNC HELP", "ASYNC' at position 7"},
      {"SELECT 1", "SELECT' at position 0"},
      {"SHADOW SYNC FROBNICATE", "FROBNICATE' at position 12"},
      {"SHADOW SYNC 12", "12' at position 12"},
      {"SHADOW SYNC `HELP`", "`HELP`' at position 12"},
      {"SHADOW SYNC HELP ME", "ME' at position 17"},
      {"SHADOW SYNC SET SESSION SHADOW = YES", "YES' at position 33"},
      {"SHADOW SYNC SET SHADOW = ON", "SHADOW' at position 16"},
      {"SHADOW SYNC SET SESSION SHADOW ON", "ON' at position 31"},
      {"SHADOW SYNC HELP; SELECT 1", "SELECT' at position 18"},
      {"SHADOW SYNC HELP;;", ";' at position 17"},
      {"SHADOW SYNC HELP; SHADOW SYNC HELP", "SHADOW' at position 18"},
      {"/* x */ SHADOW SYNC HELP 1", "1' at position 25"},
      {"SHADOW SYNC HELP /* open", "/* open' at position 17"},
      {"SHADOW SYNC HELP --x", "-' at position 17"},
      // The leftmost error wins, even over a later unterminated token.
      {"SHADOW SYNC FROB 'open", "FROB' at position 12"},
      {"SHADOW SYNC HELP `open", "`open' at position 17"},
      {"SHADOW SYNC ABORT 1 /* open", "/* open' at position 20"},
      {"SHADOW SYNC SUBMIT 1 EXECUTE AT 'bad' 'open",
       "bad schedule: EXECUTE AT 'bad' is not a time 'YYYY-MM-DD HH:MM:SS'", 7011},
      // ---- ANALYZE ----
      {"SHADOW SYNC ANALYZE", "end of statement' at position 19"},
      {"SHADOW SYNC ANALYZE TABLES", "end of statement' at position 26"},
      {"SHADOW SYNC ANALYZE ALL", "end of statement' at position 23"},
      {"SHADOW SYNC ANALYZE ALL TABLE", "TABLE' at position 24"},
      {"SHADOW SYNC ANALYZE TABLES a,", "end of statement' at position 29"},
      {"SHADOW SYNC ANALYZE TABLES a,,b", ",' at position 29"},
      {"SHADOW SYNC ANALYZE TABLES , a", ",' at position 27"},
      {"SHADOW SYNC ANALYZE TABLES 'a'", "'a'' at position 27"},
      {"SHADOW SYNC ANALYZE TABLES 12", "12' at position 27"},
      {"SHADOW SYNC ANALYZE TABLES a b", "b' at position 29"},
      {"SHADOW SYNC ANALYZE TABLES db.t", ".' at position 29"},
      // Keywords are not reserved: this is the database `ALL`, and a table list is missing.
      {"SHADOW SYNC ANALYZE DATABASE ALL TABLES", "end of statement' at position 39"},
      {"SHADOW SYNC ANALYZE DATABASE 'd' ALL TABLES", "'d'' at position 29"},
      {"SHADOW SYNC ANALYZE ALL TABLES DATABASE d", "DATABASE' at position 31"},
      {"SHADOW SYNC ANALYZE ALL TABLES PREFIX p", "p' at position 38"},
      {"SHADOW SYNC ANALYZE ALL TABLES PREFIX", "end of statement' at position 37"},
      {"SHADOW SYNC ANALYZE ALL TABLES PREFIX 'a' SUFFIX 'b'", "SUFFIX' at position 42"},
      {"SHADOW SYNC ANALYZE ALL TABLES SUFFIX 'a' PREFIX 'b'", "PREFIX' at position 42"},
      {"SHADOW SYNC ANALYZE ALL TABLES PREFIX 'a' PREFIX 'b'", "PREFIX' at position 42"},
      {"SHADOW SYNC ANALYZE ALL TABLES SKIP TABLES a", "SKIP' at position 31"},
      {"SHADOW SYNC ANALYZE ALL TABLES EXECUTE MANUALLY", "EXECUTE' at position 31"},
      {"SHADOW SYNC ANALYZE TABLES `a", "`a' at position 27"},
      {"SHADOW SYNC ANALYZE TABLES ``", "``' at position 27"},
      // ---- bad affixes: 7010 ----
      {"SHADOW SYNC ANALYZE ALL TABLES PREFIX ''",
       "bad shadow naming: PREFIX '' must be 1 to 32 characters of [A-Za-z0-9_]", 7010},
      {"SHADOW SYNC ANALYZE ALL TABLES SUFFIX '_x-y'",
       "bad shadow naming: SUFFIX '_x-y' must be 1 to 32 characters of [A-Za-z0-9_]", 7010},
      {"SHADOW SYNC ANALYZE ALL TABLES SUFFIX '`; DROP'",
       "bad shadow naming: SUFFIX '`; DROP' must be 1 to 32 characters of [A-Za-z0-9_]", 7010},
      {"SHADOW SYNC ANALYZE ALL TABLES PREFIX '" + std::string(33, 'p') + "'",
       "bad shadow naming: PREFIX '" + std::string(33, 'p') +
           "' must be 1 to 32 characters of [A-Za-z0-9_]",
       7010},
      {"SHADOW SYNC CREATE TASK ALL TABLES SUFFIX 'caf\xc3\xa9'",
       "bad shadow naming: SUFFIX 'caf\xc3\xa9' must be 1 to 32 characters of [A-Za-z0-9_]", 7010},
      // ---- ids and numbers ----
      {"SHADOW SYNC SHOW ANALYSIS", "end of statement' at position 25"},
      {"SHADOW SYNC SHOW ANALYSIS x", "x' at position 26"},
      {"SHADOW SYNC SHOW ANALYSIS -1", "-' at position 26"},
      {"SHADOW SYNC SHOW ANALYSIS 1.5",
       "1.5' at position 26"},  // one number, as the server reads it
      {"SHADOW SYNC SHOW ANALYSIS '1'", "'1'' at position 26"},
      {"SHADOW SYNC SHOW ANALYSIS 18446744073709551616", "18446744073709551616' at position 26"},
      {"SHADOW SYNC ABORT 99999999999999999999999", "99999999999999999999999' at position 18"},
      {"SHADOW SYNC SHOW TASKS LIMIT 18446744073709551616", "18446744073709551616' at position 29"},
      {"SHADOW SYNC SHOW ANALYSIS 1 TABLE", "end of statement' at position 33"},
      {"SHADOW SYNC SHOW ANALYSIS 1 TABLES t", "TABLES' at position 28"},
      {"SHADOW SYNC SHOW ANALYSES 1", "ANALYSES' at position 17"},
      {"SHADOW SYNC SHOW", "end of statement' at position 16"},
      // ---- SKIP / UNSKIP / PREVIEW ----
      {"SHADOW SYNC SKIP 1", "end of statement' at position 18"},
      {"SHADOW SYNC SKIP 1 a", "a' at position 19"},
      {"SHADOW SYNC SKIP TABLES a", "TABLES' at position 17"},
      {"SHADOW SYNC UNSKIP 1 TABLES", "end of statement' at position 27"},
      {"SHADOW SYNC UNSKIP 1 ALL TABLES", "ALL' at position 21"},
      {"SHADOW SYNC PREVIEW", "end of statement' at position 19"},
      {"SHADOW SYNC PREVIEW 1 2", "2' at position 22"},
      // ---- SUBMIT / CREATE TASK options ----
      {"SHADOW SYNC SUBMIT", "end of statement' at position 18"},
      {"SHADOW SYNC SUBMIT 1 EXECUTE", "end of statement' at position 28"},
      {"SHADOW SYNC SUBMIT 1 EXECUTE NOW", "NOW' at position 29"},
      {"SHADOW SYNC SUBMIT 1 EXECUTE AT", "end of statement' at position 31"},
      {"SHADOW SYNC SUBMIT 1 EXECUTE AT 2030", "2030' at position 32"},
      {"SHADOW SYNC SUBMIT 1 EXECUTE MANUALLY EXECUTE IMMEDIATELY", "EXECUTE' at position 38"},
      {"SHADOW SYNC SUBMIT 1 ON ERROR", "end of statement' at position 29"},
      {"SHADOW SYNC SUBMIT 1 ON ERROR IGNORE", "IGNORE' at position 30"},
      {"SHADOW SYNC SUBMIT 1 ON ABORT", "ABORT' at position 24"},
      {"SHADOW SYNC SUBMIT 1 ON ERROR ABORT ON ERROR CONTINUE", "ON' at position 36"},
      {"SHADOW SYNC SUBMIT 1 COMMENT", "end of statement' at position 28"},
      {"SHADOW SYNC SUBMIT 1 COMMENT x", "x' at position 29"},
      {"SHADOW SYNC SUBMIT 1 COMMENT 'a' COMMENT 'b'", "COMMENT' at position 33"},
      {"SHADOW SYNC SUBMIT 1 COMMENT 'a' 'b'", "'b'' at position 33"},
      {"SHADOW SYNC SUBMIT 1 COMMENT 'unterminated", "'unterminated' at position 29"},
      {"SHADOW SYNC SUBMIT 1 PREFIX 'p'", "PREFIX' at position 21"},
      {"SHADOW SYNC SUBMIT 1 SKIP TABLES a", "SKIP' at position 21"},
      {"SHADOW SYNC CREATE TABLES a", "TABLES' at position 19"},
      {"SHADOW SYNC CREATE TASK", "end of statement' at position 23"},
      {"SHADOW SYNC CREATE TASK TABLES a SKIP a", "a' at position 38"},
      {"SHADOW SYNC CREATE TASK TABLES a SKIP TABLES b SKIP TABLES c", "SKIP' at position 47"},
      {"SHADOW SYNC CREATE TASK TABLES a SUFFIX 's' SKIP TABLES b PREFIX 'p'",
       "PREFIX' at position 58"},
      {"SHADOW SYNC CREATE TASK ALL TABLES EXECUTE MANUALLY EXECUTE MANUALLY",
       "EXECUTE' at position 52"},
      // ---- bad schedules: 7011 ----
      {"SHADOW SYNC SUBMIT 1 EXECUTE AT 'tomorrow'",
       "bad schedule: EXECUTE AT 'tomorrow' is not a time 'YYYY-MM-DD HH:MM:SS'", 7011},
      {"SHADOW SYNC SUBMIT 1 EXECUTE AT '2030-02-30 00:00:00'",
       "bad schedule: EXECUTE AT '2030-02-30 00:00:00' is not a time 'YYYY-MM-DD HH:MM:SS'", 7011},
      {"SHADOW SYNC SUBMIT 1 EXECUTE AT '2029-02-29 00:00:00'",
       "bad schedule: EXECUTE AT '2029-02-29 00:00:00' is not a time 'YYYY-MM-DD HH:MM:SS'", 7011},
      {"SHADOW SYNC SUBMIT 1 EXECUTE AT '2030-01-01 24:00:00'",
       "bad schedule: EXECUTE AT '2030-01-01 24:00:00' is not a time 'YYYY-MM-DD HH:MM:SS'", 7011},
      {"SHADOW SYNC SUBMIT 1 EXECUTE AT '2030-13-01 00:00:00'",
       "bad schedule: EXECUTE AT '2030-13-01 00:00:00' is not a time 'YYYY-MM-DD HH:MM:SS'", 7011},
      {"SHADOW SYNC SUBMIT 1 EXECUTE AT '2030-01-01'",
       "bad schedule: EXECUTE AT '2030-01-01' is not a time 'YYYY-MM-DD HH:MM:SS'", 7011},
      {"SHADOW SYNC SUBMIT 1 EXECUTE AT '2030-01-01 1:00:00'",
       "bad schedule: EXECUTE AT '2030-01-01 1:00:00' is not a time 'YYYY-MM-DD HH:MM:SS'", 7011},
      {"SHADOW SYNC SUBMIT 1 EXECUTE AT '2030-01-01T10:00:00'",
       "bad schedule: EXECUTE AT '2030-01-01T10:00:00' is not a time 'YYYY-MM-DD HH:MM:SS'", 7011},
      {"SHADOW SYNC CREATE TASK ALL TABLES EXECUTE AT '2030-01-01 10:00:00 '",
       "bad schedule: EXECUTE AT '2030-01-01 10:00:00 ' is not a time 'YYYY-MM-DD HH:MM:SS'", 7011},
      // ---- SHOW TASKS ----
      {"SHADOW SYNC SHOW TASKS WHERE", "end of statement' at position 28"},
      {"SHADOW SYNC SHOW TASKS WHERE owner = 'x'", "owner' at position 29"},
      {"SHADOW SYNC SHOW TASKS WHERE task_id = 1", "task_id' at position 29"},
      {"SHADOW SYNC SHOW TASKS WHERE task_type = 'x'", "task_type' at position 29"},
      {"SHADOW SYNC SHOW TASKS WHERE status 'x'", "'x'' at position 36"},
      {"SHADOW SYNC SHOW TASKS WHERE status < 'x'", "<' at position 36"},
      {"SHADOW SYNC SHOW TASKS WHERE creator >= 'x'", ">=' at position 37"},
      {"SHADOW SYNC SHOW TASKS WHERE created_at = '2026-01-01'", "=' at position 40"},
      {"SHADOW SYNC SHOW TASKS WHERE created_at LIKE '2026%'", "LIKE' at position 40"},
      {"SHADOW SYNC SHOW TASKS WHERE created_at IN ('2026-01-01')", "IN' at position 40"},
      {"SHADOW SYNC SHOW TASKS WHERE created_at > 'yesterday'", "'yesterday'' at position 42"},
      {"SHADOW SYNC SHOW TASKS WHERE created_at > 20260101", "20260101' at position 42"},
      {"SHADOW SYNC SHOW TASKS WHERE status = x", "x' at position 38"},
      {"SHADOW SYNC SHOW TASKS WHERE status == 'x'", "=' at position 37"},
      {"SHADOW SYNC SHOW TASKS WHERE status IN 'x'", "'x'' at position 39"},
      {"SHADOW SYNC SHOW TASKS WHERE status IN ()", ")' at position 40"},
      {"SHADOW SYNC SHOW TASKS WHERE status IN ('a'", "end of statement' at position 43"},
      {"SHADOW SYNC SHOW TASKS WHERE status IN ('a',)", ")' at position 44"},
      {"SHADOW SYNC SHOW TASKS WHERE status = 'a' OR status = 'b'", "OR' at position 42"},
      {"SHADOW SYNC SHOW TASKS WHERE status = 'a' AND", "end of statement' at position 45"},
      {"SHADOW SYNC SHOW TASKS WHERE NOT status = 'a'", "NOT' at position 29"},
      {"SHADOW SYNC SHOW TASKS ORDER status", "status' at position 29"},
      {"SHADOW SYNC SHOW TASKS ORDER BY", "end of statement' at position 31"},
      {"SHADOW SYNC SHOW TASKS ORDER BY remarks", "remarks' at position 32"},
      {"SHADOW SYNC SHOW TASKS ORDER BY status UP", "UP' at position 39"},
      {"SHADOW SYNC SHOW TASKS LIMIT", "end of statement' at position 28"},
      {"SHADOW SYNC SHOW TASKS LIMIT x", "x' at position 29"},
      {"SHADOW SYNC SHOW TASKS LIMIT 1 OFFSET", "end of statement' at position 37"},
      {"SHADOW SYNC SHOW TASKS LIMIT 1, ", "end of statement' at position 32"},
      {"SHADOW SYNC SHOW TASKS OFFSET 1", "OFFSET' at position 23"},
      {"SHADOW SYNC SHOW TASKS LIMIT 1 WHERE status = 'x'", "WHERE' at position 31"},
      {"SHADOW SYNC SHOW TASKS ORDER BY status WHERE status = 'x'", "WHERE' at position 39"},
      {"SHADOW SYNC SHOW ALL TASK 1", "TASK' at position 21"},
      {"SHADOW SYNC SHOW ALL", "end of statement' at position 20"},
      // ---- SHOW TASK ----
      {"SHADOW SYNC SHOW TASK", "end of statement' at position 21"},
      {"SHADOW SYNC SHOW TASK 1 LOG", "LOG' at position 24"},
      {"SHADOW SYNC SHOW TASK 1 SQL ALERT", "ALERT' at position 28"},
      {"SHADOW SYNC SHOW TASK 1 LOGS LIKE", "end of statement' at position 33"},
      {"SHADOW SYNC SHOW TASK 1 LOGS LIKE x", "x' at position 34"},
      {"SHADOW SYNC SHOW TASK 1 LOGS ALERT ALERT", "ALERT' at position 35"},
      {"SHADOW SYNC SHOW TASK 1 LOGS LIKE 'a' LIKE 'b'", "LIKE' at position 38"},
      {"SHADOW SYNC SHOW TASK 1 TABLES SQL", "SQL' at position 31"},
      {"SHADOW SYNC SHOW TASK 1 LIKE 'x'", "LIKE' at position 24"},
      // ---- actions ----
      {"SHADOW SYNC APPROVE", "end of statement' at position 19"},
      {"SHADOW SYNC APPROVE 1 'ok'", "'ok'' at position 22"},
      {"SHADOW SYNC APPROVE 1 COMMENT", "end of statement' at position 29"},
      {"SHADOW SYNC REJECT x", "x' at position 19"},
      {"SHADOW SYNC ABORT 1 COMMENT 'x'", "COMMENT' at position 20"},
      {"SHADOW SYNC EXECUTE", "end of statement' at position 19"},
      {"SHADOW SYNC EXECUTE 1 NOW", "NOW' at position 22"},
      {"SHADOW SYNC RETRY 1,2", ",' at position 19"},
      {"SHADOW SYNC RETRY `1`", "`1`' at position 18"},
  };
}

class ParseBad : public testing::TestWithParam<Bad> {};

TEST_P(ParseBad, GivesExactError) {
  const Bad& b = GetParam();
  auto r = ParseStatement(b.query);
  ASSERT_FALSE(r.ok()) << "parsed as: " << ToSql(*r);
  EXPECT_EQ(r.status().code(), b.code);
  if (b.code == 1064) {
    EXPECT_EQ(r.status().sqlstate(), "42000");
    EXPECT_EQ(r.status().message(), "SHADOW SYNC syntax error near '" + b.message);
  } else {
    EXPECT_EQ(r.status().sqlstate(), "HY000");
    EXPECT_EQ(r.status().message(), b.message);
  }
}

INSTANTIATE_TEST_SUITE_P(Table, ParseBad, testing::ValuesIn(BadCases()));

TEST(Parser, PositionIsByteOffsetOfOffendingToken) {
  // Check the documented rule mechanically: for each bad input, the reported position points at
  // the reported token in the query text (or at its end).
  for (const Bad& b : BadCases()) {
    if (b.code != 1064) continue;
    auto r = ParseStatement(b.query);
    ASSERT_FALSE(r.ok());
    const std::string m = r.status().message();
    const std::string head = "SHADOW SYNC syntax error near '";
    const size_t at = m.rfind("' at position ");
    ASSERT_NE(at, std::string::npos) << m;
    const std::string token = m.substr(head.size(), at - head.size());
    const size_t pos = std::stoul(m.substr(at + 14));
    if (token == "end of statement") {
      EXPECT_EQ(pos, b.query.size()) << b.query;
    } else {
      EXPECT_EQ(b.query.compare(pos, token.size(), token), 0) << b.query << " / " << m;
    }
  }
}

// Checks an error answer against the documented rules; returns a description of what is wrong.
std::string CheckError(const std::string& query, const Status& st) {
  if (st.code() == 7010 || st.code() == 7011) return "";
  if (st.code() != 1064 || st.sqlstate() != "42000") return "unexpected " + st.ToString();
  const std::string& m = st.message();
  const std::string head = "SHADOW SYNC syntax error near '";
  const size_t at = m.rfind("' at position ");
  if (m.rfind(head, 0) != 0 || at == std::string::npos || at < head.size()) return "format: " + m;
  const std::string token = m.substr(head.size(), at - head.size());
  const size_t pos = std::stoul(m.substr(at + 14));
  if (token == "end of statement") return pos == query.size() ? "" : "end position: " + m;
  if (token.empty() || token.size() > 64) return "token size: " + m;
  if (query.compare(pos, token.size(), token) != 0) return "token not at position: " + m;
  return "";
}

// Every prefix and every one-byte deletion of every good input: no crash, and either a
// statement whose canonical SQL round-trips or an error that follows the rules.
TEST(Parser, MutationsNeverBreakTheRules) {
  size_t parsed = 0, errors = 0;
  auto check = [&](const std::string& q) {
    auto r = ParseStatement(q);
    if (r.ok()) {
      ++parsed;
      auto again = ParseStatement(ToSql(*r));
      ASSERT_TRUE(again.ok()) << q;
      EXPECT_EQ(*again, *r) << q;
    } else {
      ++errors;
      EXPECT_EQ(CheckError(q, r.status()), "") << q;
    }
  };
  for (const Good& g : GoodCases()) {
    for (size_t n = 0; n < g.query.size(); ++n) {
      check(g.query.substr(0, n));
      check(g.query.substr(0, n) + g.query.substr(n + 1));
    }
  }
  EXPECT_GT(parsed, 100u);
  EXPECT_GT(errors, 1000u);
}

TEST(Parser, StatementNames) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"ANALYZE ALL TABLES", "analyze"},
      {"SHOW ANALYSIS 1", "show_analysis"},
      {"SKIP 1 TABLES a", "skip"},
      {"UNSKIP 1 TABLES a", "unskip"},
      {"PREVIEW 1", "preview"},
      {"SUBMIT 1", "submit"},
      {"CREATE TASK ALL TABLES", "create_task"},
      {"SHOW TASKS", "show_tasks"},
      {"SHOW ALL TASKS", "show_tasks"},
      {"SHOW TASK 1", "show_task"},
      {"APPROVE 1", "approve"},
      {"REJECT 1", "reject"},
      {"ABORT 1", "abort"},
      {"EXECUTE 1", "execute"},
      {"RETRY 1", "retry"},
      {"HELP", "help"},
      {"SET SESSION SHADOW = ON", "set_session_shadow"},
  };
  std::set<std::string> seen;
  for (const auto& [q, name] : cases) {
    auto r = ParseStatement("SHADOW SYNC " + q);
    ASSERT_TRUE(r.ok()) << q;
    EXPECT_EQ(StatementName(*r), name) << q;
    seen.insert(name);
  }
  std::set<std::string> all;
  for (auto n : AllStatementNames()) all.insert(std::string(n));
  EXPECT_EQ(all, seen);
  EXPECT_EQ(AllStatementNames().size(), 16u);
}

TEST(Parser, QuotingHelpers) {
  EXPECT_EQ(QuoteIdentifier("a`b"), "`a``b`");
  EXPECT_EQ(QuoteString(std::string("it's\\\n\0", 7)), "'it\\'s\\\\\\n\\0'");
}

}  // namespace
}  // namespace shadowproxy::shadow_sync
