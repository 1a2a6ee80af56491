// The plugin front through Handle() and Submit(), over a task service on the memory store: HELP,
// every statement reaching its handler and the service, syntax errors, the statement counters,
// and concurrent use from several threads.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <future>
#include <ostream>
#include <string>
#include <thread>
#include <vector>

#include "base/metrics.h"
#include "plugins/shadow_sync/shadow_sync_plugin.h"
#include "plugins/tasks/task_store_memory.h"

namespace shadowproxy::shadow_sync {
namespace {

plugins::SessionContext Session() {
  plugins::SessionContext s;
  s.user = "dev";
  s.database = "app";
  return s;
}

// A service whose analysis engine knows one table, `orders`, in database app; no processes in
// the config: the SPEC default (one node, role dba) applies.
struct Fixture {
  Fixture() {
    tasks::TaskServiceDeps deps;
    deps.config = [c = config] { return c; };
    deps.store = &store;
    deps.analyze = [](const tasks::AnalyzeRequest& req) -> Result<tasks::Analysis> {
      if (req.database != "app") return Status(errc::kNotFound, "database not found");
      tasks::Analysis a;
      a.tables.push_back({"orders",
                          req.naming.ShadowName("orders"),
                          tasks::TableResult::kCreate,
                          false,
                          "CREATE TABLE orders ...",
                          "",
                          "CREATE ...",
                          {"CREATE ..."}});
      return a;
    };
    service = std::make_unique<tasks::TaskService>(deps);
    plugin = MakeShadowSyncPlugin(config, *service);
  }
  ConfigPtr config = std::make_shared<Config>();
  tasks::MemoryTaskStore store;
  std::unique_ptr<tasks::TaskService> service;
  std::unique_ptr<plugins::StatementPlugin> plugin;
};

std::unique_ptr<plugins::StatementPlugin> Plugin() {
  static Fixture* f = new Fixture();  // shared by the tests (the service is stateless)
  return MakeShadowSyncPlugin(f->config, *f->service);
}

TEST(ShadowSyncPlugin, HelpListsEveryStatement) {
  auto answer = Plugin()->Handle(Session(), "shadow sync help");
  ASSERT_TRUE(std::holds_alternative<plugins::ResultSetAnswer>(answer));
  const auto& rs = std::get<plugins::ResultSetAnswer>(answer);
  ASSERT_EQ(rs.columns, (std::vector<std::string>{"statement", "description"}));
  std::string all;
  for (const auto& row : rs.rows) {
    ASSERT_EQ(row.size(), 2u);
    ASSERT_TRUE(row[0].has_value());
    ASSERT_TRUE(row[1].has_value());
    EXPECT_EQ(row[0]->rfind("SHADOW SYNC ", 0), 0u) << *row[0];
    all += *row[0] + "\n";
  }
  for (const char* kw : {"ANALYZE",
                         "SHOW ANALYSIS",
                         "TABLE t",
                         "SKIP",
                         "UNSKIP",
                         "PREVIEW",
                         "SUBMIT",
                         "EXECUTE IMMEDIATELY",
                         "EXECUTE AT",
                         "EXECUTE MANUALLY",
                         "ON ERROR ABORT",
                         "ON ERROR CONTINUE",
                         "COMMENT",
                         "CREATE TASK",
                         "SKIP TABLES",
                         "SHOW [ALL] TASKS",
                         "WHERE",
                         "ORDER BY",
                         "LIMIT",
                         "OFFSET",
                         "SHOW TASK id",
                         "TABLES",
                         "SQL",
                         "PROCESS",
                         "LOGS",
                         "ALERT",
                         "LIKE",
                         "APPROVE",
                         "REJECT",
                         "ABORT",
                         "EXECUTE id",
                         "RETRY",
                         "HELP",
                         "PREFIX",
                         "SUFFIX",
                         "DATABASE",
                         "ALL TABLES"}) {
    EXPECT_NE(all.find(kw), std::string::npos) << kw;
  }
  // Every help line is itself a statement the parser knows (placeholders aside): one row per form.
  EXPECT_GE(rs.rows.size(), 15u);
}

TEST(ShadowSyncPlugin, HelpVariants) {
  auto p = Plugin();
  for (const char* q : {"SHADOW SYNC HELP", "Shadow Sync Help;", "/* c */ shadow\n\tsync\nhelp ;",
                        "-- x\nSHADOW SYNC HELP # trailing"}) {
    auto answer = p->Handle(Session(), q);
    EXPECT_TRUE(std::holds_alternative<plugins::ResultSetAnswer>(answer)) << q;
  }
}

struct Reached {
  const char* query;
  uint16_t code;  // the service's answer for an empty store (0: a result set or OK)
};

// The test names ctest lists carry the parameter: print it, not its bytes (pointers change
// from one run to the next).
void PrintTo(const Reached& r, std::ostream* os) { *os << r.query; }

class ReachesTheServiceTest : public testing::TestWithParam<Reached> {};

TEST_P(ReachesTheServiceTest, AnswersWhatTheServiceSays) {
  auto answer = Plugin()->Handle(Session(), GetParam().query);
  const auto* st = std::get_if<Status>(&answer);
  if (GetParam().code == 0) {
    EXPECT_EQ(st, nullptr) << GetParam().query << ": " << st->ToString();
  } else {
    ASSERT_NE(st, nullptr) << GetParam().query;
    EXPECT_EQ(st->code(), GetParam().code) << GetParam().query << ": " << st->ToString();
  }
}

INSTANTIATE_TEST_SUITE_P(
    AllButHelp, ReachesTheServiceTest,
    testing::Values(
        Reached{"SHADOW SYNC ANALYZE ALL TABLES", 0},
        Reached{"SHADOW SYNC ANALYZE DATABASE nope ALL TABLES", 7005},
        Reached{"SHADOW SYNC SHOW ANALYSIS 999999", 7002},
        Reached{"SHADOW SYNC SHOW ANALYSIS 999999 TABLE t", 7002},
        Reached{"SHADOW SYNC SKIP 999999 TABLES a", 7002},
        Reached{"SHADOW SYNC UNSKIP 999999 TABLES a", 7002},
        Reached{"SHADOW SYNC PREVIEW 999999", 7002}, Reached{"SHADOW SYNC SUBMIT 999999", 7002},
        Reached{"SHADOW SYNC CREATE TASK TABLES orders EXECUTE MANUALLY", 0},
        Reached{"SHADOW SYNC SHOW TASKS", 0}, Reached{"SHADOW SYNC SHOW ALL TASKS", 0},
        Reached{"SHADOW SYNC SHOW TASK 999999 LOGS", 7002},
        Reached{"SHADOW SYNC APPROVE 999999", 7002}, Reached{"SHADOW SYNC REJECT 999999", 7002},
        Reached{"SHADOW SYNC ABORT 999999", 7002}, Reached{"SHADOW SYNC EXECUTE 999999", 7002},
        Reached{"SHADOW SYNC RETRY 999999", 7002}));

TEST(ShadowSyncPlugin, OnlyAnalysesWithoutADatabaseNeedTheSessionsDatabase) {
  auto p = Plugin();
  EXPECT_TRUE(p->NeedsDatabase("SHADOW SYNC ANALYZE ALL TABLES", {}));
  EXPECT_TRUE(p->NeedsDatabase("shadow sync create task tables a execute manually", {}));
  EXPECT_FALSE(p->NeedsDatabase("SHADOW SYNC ANALYZE DATABASE shop ALL TABLES", {}));
  EXPECT_FALSE(p->NeedsDatabase("SHADOW SYNC CREATE TASK DATABASE shop TABLES a", {}));
  for (const char* q :
       {"SHADOW SYNC SHOW TASKS", "SHADOW SYNC SHOW TASK 1 LOGS", "SHADOW SYNC APPROVE 1",
        "SHADOW SYNC RETRY 2", "SHADOW SYNC HELP", "SHADOW SYNC FROB"})
    EXPECT_FALSE(p->NeedsDatabase(q, {})) << q;
}

TEST(ShadowSyncPlugin, SyntaxErrorThroughHandle) {
  auto answer = Plugin()->Handle(Session(), "SHADOW SYNC FROB 1");
  ASSERT_TRUE(std::holds_alternative<Status>(answer));
  const auto& st = std::get<Status>(answer);
  EXPECT_EQ(st.code(), 1064);
  EXPECT_EQ(st.sqlstate(), "42000");
  EXPECT_EQ(st.message(), "SHADOW SYNC syntax error near 'FROB' at position 12");
}

TEST(ShadowSyncPlugin, ActsAsTheSessionUserAndSubmitAnswersOnAWorker) {
  Fixture f;
  auto created = f.plugin->Handle(Session(), "SHADOW SYNC CREATE TASK TABLES orders");
  ASSERT_TRUE(std::holds_alternative<plugins::ResultSetAnswer>(created));
  const auto& row = std::get<plugins::ResultSetAnswer>(created).rows.at(0);
  EXPECT_EQ(row.at(1), "WAIT_FOR_APPROVAL");
  std::promise<plugins::Answer> answered;
  f.plugin->Submit(Session(), "SHADOW SYNC SHOW TASKS",
                   [&](plugins::Answer a) { answered.set_value(std::move(a)); });
  auto future = answered.get_future();
  ASSERT_EQ(future.wait_for(std::chrono::seconds(5)), std::future_status::ready);
  auto list = future.get();
  ASSERT_TRUE(std::holds_alternative<plugins::ResultSetAnswer>(list));
  const auto& rs = std::get<plugins::ResultSetAnswer>(list);
  ASSERT_EQ(rs.rows.size(), 1u);
  EXPECT_EQ(rs.rows[0].at(0), row.at(0));  // task_id
  EXPECT_EQ(rs.rows[0].at(4), "dev");      // creator: the session's user
  // dev holds no dba role: the default process refuses the approval (7003).
  auto approve = f.plugin->Handle(Session(), "SHADOW SYNC APPROVE " + *row.at(0));
  ASSERT_TRUE(std::holds_alternative<Status>(approve));
  EXPECT_EQ(std::get<Status>(approve).code(), errc::kNotAllowed);
}

double Count(std::string_view statement, std::string_view result) {
  return metrics::ShadowSyncStatementsTotal(statement, result).Value();
}

TEST(ShadowSyncPlugin, CountsStatementsByNameAndResult) {
  auto p = Plugin();
  const double help_ok = Count("help", "ok"), help_err = Count("help", "error");
  const double abort_err = Count("abort", "error"), abort_ok = Count("abort", "ok");
  const double invalid = Count("invalid", "error");
  p->Handle(Session(), "SHADOW SYNC HELP");
  p->Handle(Session(), "shadow sync help;");
  p->Handle(Session(), "SHADOW SYNC ABORT 1");
  p->Handle(Session(), "SHADOW SYNC ABORT x");
  p->Handle(Session(), "SHADOW SYNC NOPE");
  EXPECT_EQ(Count("help", "ok") - help_ok, 2);
  EXPECT_EQ(Count("help", "error") - help_err, 0);
  EXPECT_EQ(Count("abort", "error") - abort_err, 1);  // unknown task: an ERR
  EXPECT_EQ(Count("abort", "ok") - abort_ok, 0);
  EXPECT_EQ(Count("invalid", "error") - invalid, 2);
  // An answer that is not an ERR counts as ok.
  const double show_ok = Count("show_tasks", "ok");
  p->Handle(Session(), "SHADOW SYNC SHOW TASKS");
  EXPECT_EQ(Count("show_tasks", "ok") - show_ok, 1);
}

TEST(ShadowSyncPlugin, ConcurrentHandle) {
  auto p = Plugin();
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 500; ++i) {
        auto help = p->Handle(Session(), "SHADOW SYNC HELP");
        auto list = p->Handle(
            Session(), "SHADOW SYNC SHOW TASKS WHERE status IN ('REJECTED','CANCELLED') LIMIT 3");
        auto bad = p->Handle(Session(), "SHADOW SYNC SHOW TASKS LIMIT x");
        if (std::holds_alternative<plugins::ResultSetAnswer>(help) &&
            std::holds_alternative<plugins::ResultSetAnswer>(list) &&
            std::get<Status>(bad).code() == 1064) {
          ++ok;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(ok.load(), 2000);
}

}  // namespace
}  // namespace shadowproxy::shadow_sync
