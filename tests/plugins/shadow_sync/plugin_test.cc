// The plugin front through Handle(): HELP, "not available yet" for the rest, syntax errors,
// and concurrent use from several threads.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "base/metrics.h"
#include "plugins/shadow_sync/shadow_sync_plugin.h"

namespace shadowproxy::shadow_sync {
namespace {

plugins::SessionContext Session() {
  plugins::SessionContext s;
  s.user = "dev";
  s.database = "app";
  return s;
}

std::unique_ptr<plugins::StatementPlugin> Plugin() {
  return MakeShadowSyncPlugin(std::make_shared<Config>());
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

struct Unfinished {
  const char* query;
  const char* keyword;
};

class NotAvailableTest : public testing::TestWithParam<Unfinished> {};

TEST_P(NotAvailableTest, AnswersErr1105) {
  auto answer = Plugin()->Handle(Session(), GetParam().query);
  ASSERT_TRUE(std::holds_alternative<Status>(answer)) << GetParam().query;
  const auto& st = std::get<Status>(answer);
  EXPECT_EQ(st.code(), 1105);
  EXPECT_EQ(st.message(),
            "SHADOW SYNC " + std::string(GetParam().keyword) + " is not available yet");
}

INSTANTIATE_TEST_SUITE_P(
    AllButHelp, NotAvailableTest,
    testing::Values(Unfinished{"SHADOW SYNC ANALYZE ALL TABLES", "ANALYZE"},
                    Unfinished{"SHADOW SYNC SHOW ANALYSIS 1", "SHOW ANALYSIS"},
                    Unfinished{"SHADOW SYNC SHOW ANALYSIS 1 TABLE t", "SHOW ANALYSIS"},
                    Unfinished{"SHADOW SYNC SKIP 1 TABLES a", "SKIP"},
                    Unfinished{"SHADOW SYNC UNSKIP 1 TABLES a", "UNSKIP"},
                    Unfinished{"SHADOW SYNC PREVIEW 1", "PREVIEW"},
                    Unfinished{"SHADOW SYNC SUBMIT 1", "SUBMIT"},
                    Unfinished{"SHADOW SYNC CREATE TASK TABLES a", "CREATE TASK"},
                    Unfinished{"SHADOW SYNC SHOW TASKS", "SHOW TASKS"},
                    Unfinished{"SHADOW SYNC SHOW ALL TASKS", "SHOW TASKS"},
                    Unfinished{"SHADOW SYNC SHOW TASK 1 LOGS", "SHOW TASK"},
                    Unfinished{"SHADOW SYNC APPROVE 1", "APPROVE"},
                    Unfinished{"SHADOW SYNC REJECT 1", "REJECT"},
                    Unfinished{"SHADOW SYNC ABORT 1", "ABORT"},
                    Unfinished{"SHADOW SYNC EXECUTE 1", "EXECUTE"},
                    Unfinished{"SHADOW SYNC RETRY 1", "RETRY"}));

TEST(ShadowSyncPlugin, SyntaxErrorThroughHandle) {
  auto answer = Plugin()->Handle(Session(), "SHADOW SYNC FROB 1");
  ASSERT_TRUE(std::holds_alternative<Status>(answer));
  const auto& st = std::get<Status>(answer);
  EXPECT_EQ(st.code(), 1064);
  EXPECT_EQ(st.sqlstate(), "42000");
  EXPECT_EQ(st.message(), "SHADOW SYNC syntax error near 'FROB' at position 12");
}

// A handler set that records what it was given: the dispatch reaches the right virtual.
class RecordingHandlers : public DefaultStatementHandlers {
 public:
  Answer Abort(const SessionContext& session, const AbortStmt& stmt) override {
    ++aborts;
    last_user = session.user;
    last_id = stmt.task_id;
    return plugins::OkAnswer{1, 0, 0, ""};
  }
  std::atomic<int> aborts{0};
  std::string last_user;
  Id last_id = 0;
};

TEST(ShadowSyncPlugin, DispatchesToInjectedHandlers) {
  auto handlers = std::make_shared<RecordingHandlers>();
  auto p = MakeShadowSyncPlugin(std::make_shared<Config>(), handlers);
  auto answer = p->Handle(Session(), "SHADOW SYNC ABORT 77");
  ASSERT_TRUE(std::holds_alternative<plugins::OkAnswer>(answer));
  EXPECT_EQ(handlers->aborts.load(), 1);
  EXPECT_EQ(handlers->last_user, "dev");
  EXPECT_EQ(handlers->last_id, 77u);
  // The others still fall back to the defaults.
  EXPECT_TRUE(std::holds_alternative<Status>(p->Handle(Session(), "SHADOW SYNC RETRY 1")));
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
  EXPECT_EQ(Count("abort", "error") - abort_err, 1);  // "not available yet" is an ERR
  EXPECT_EQ(Count("abort", "ok") - abort_ok, 0);
  EXPECT_EQ(Count("invalid", "error") - invalid, 2);
  // An OK answer from a handler counts as ok.
  auto handlers = std::make_shared<RecordingHandlers>();
  auto p2 = MakeShadowSyncPlugin(std::make_shared<Config>(), handlers);
  p2->Handle(Session(), "SHADOW SYNC ABORT 5");
  EXPECT_EQ(Count("abort", "ok") - abort_ok, 1);
}

TEST(ShadowSyncPlugin, ConcurrentHandle) {
  auto p = Plugin();
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 500; ++i) {
        auto help = p->Handle(Session(), "SHADOW SYNC HELP");
        auto err = p->Handle(Session(), "SHADOW SYNC SHOW TASKS WHERE status IN ('A','B') LIMIT 3");
        auto bad = p->Handle(Session(), "SHADOW SYNC SHOW TASKS LIMIT x");
        if (std::holds_alternative<plugins::ResultSetAnswer>(help) &&
            std::get<Status>(err).code() == 1105 && std::get<Status>(bad).code() == 1064) {
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
