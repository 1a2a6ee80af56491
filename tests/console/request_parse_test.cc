#include "console/request_parse.h"

#include <gtest/gtest.h>

namespace shadowproxy::console {
namespace {

namespace t = tasks;

TEST(ParseTaskList, DefaultsAndEveryFilter) {
  auto r = ParseTaskList({});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r->query.limit, kDefaultPageSize);
  EXPECT_FALSE(r->all);
  EXPECT_TRUE(r->query.order.empty());

  r = ParseTaskList({{"all", "true"},
                     {"status", "EXECUTING"},
                     {"status", "WAIT_FOR_APPROVAL"},
                     {"creator", "dev"},
                     {"database.like", "prod_%"},
                     {"connection.ne", "other"},
                     {"created_at.ge", "2026-01-01"},
                     {"created_at.lt", "2026-02-01 00:00:00"},
                     {"sort", "status,-created_at"},
                     {"limit", "20"},
                     {"offset", "40"}});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->all);
  EXPECT_EQ(*r->query.limit, 20u);
  EXPECT_EQ(r->query.offset, 40u);
  ASSERT_EQ(r->query.order.size(), 2u);
  EXPECT_EQ(r->query.order[0].column, t::TaskColumn::kStatus);
  EXPECT_FALSE(r->query.order[0].descending);
  EXPECT_EQ(r->query.order[1].column, t::TaskColumn::kCreatedAt);
  EXPECT_TRUE(r->query.order[1].descending);
  bool saw_in = false, saw_like = false, saw_ne = false, saw_eq = false;
  int times = 0;
  for (const auto& c : r->query.where) {
    if (c.column == t::TaskColumn::kStatus) {
      saw_in = c.op == t::CompareOp::kIn && c.values.size() == 2;
    } else if (c.column == t::TaskColumn::kDatabase) {
      saw_like = c.op == t::CompareOp::kLike && c.values[0] == "prod_%";
    } else if (c.column == t::TaskColumn::kConnection) {
      saw_ne = c.op == t::CompareOp::kNe;
    } else if (c.column == t::TaskColumn::kCreator) {
      saw_eq = c.op == t::CompareOp::kEq && c.values[0] == "dev";
    } else if (c.column == t::TaskColumn::kCreatedAt) {
      ++times;
    }
  }
  EXPECT_TRUE(saw_in && saw_like && saw_ne && saw_eq);
  EXPECT_EQ(times, 2);
}

TEST(ParseTaskList, BadInputNamesTheParameter) {
  const std::vector<std::pair<Params, std::string>> cases = {
      {{{"limit", "0"}}, "limit"},
      {{{"limit", "abc"}}, "limit"},
      {{{"limit", "1001"}}, "limit"},
      {{{"offset", "-1"}}, "offset"},
      {{{"sort", "password"}}, "sort"},
      {{{"sort", ""}}, "sort"},
      {{{"all", "maybe"}}, "all"},
      {{{"created_at", "2026-01-01"}}, "created_at"},
      {{{"created_at.gt", "yesterday"}}, "created_at.gt"},
      {{{"status.gt", "X"}}, "status.gt"},
      {{{"task_id.ne", "1"}}, "task_id.ne"},
      {{{"colour", "red"}}, "colour"},
  };
  for (const auto& [params, name] : cases) {
    auto r = ParseTaskList(params);
    ASSERT_FALSE(r.ok()) << name;
    EXPECT_EQ(r.status().code(), errc::kSyntax) << name;
    EXPECT_NE(r.status().message().find(name), std::string::npos) << r.status().message();
  }
}

TEST(ParseLogs, LevelAndSearch) {
  auto r = ParseLogs({{"level", "alert"}, {"q", "dup"}});
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->alert_only);
  EXPECT_EQ(r->q, "dup");
  EXPECT_FALSE(ParseLogs({{"level", "debug"}}).ok());
  EXPECT_FALSE(ParseLogs({{"grep", "x"}}).ok());
  t::TaskLog line{0, {}, t::LogLevel::kInfo, "Duplicate column 'x'"};
  EXPECT_FALSE(LogMatches(*r, line));
  line.level = t::LogLevel::kError;
  EXPECT_TRUE(LogMatches(*r, line));
  r->q = "100%";  // plain text, not a LIKE pattern
  EXPECT_FALSE(LogMatches(*r, line));
}

TEST(ParseAnalysis, TablesOrAllAndNaming) {
  auto a = ParseAnalysis(R"({"database": "shop", "tables": ["a", "b"], "suffix": "_s"})");
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(a->database, "shop");
  EXPECT_EQ(a->tables, (std::vector<std::string>{"a", "b"}));
  EXPECT_FALSE(a->all_tables);
  ASSERT_TRUE(a->naming);
  EXPECT_EQ(a->naming->suffix, "_s");
  a = ParseAnalysis(R"({"database": "shop", "all_tables": true})");
  ASSERT_TRUE(a.ok());
  EXPECT_TRUE(a->all_tables);
  EXPECT_FALSE(a->naming);  // the config's default naming

  for (const char* bad : {
           "{",                                                             // malformed
           "[1, 2]",                                                        // not an object
           R"({"tables": ["a"]})",                                          // no database
           R"({"database": 3, "tables": ["a"]})",                           // wrong type
           R"({"database": "shop"})",                                       // neither
           R"({"database": "shop", "all_tables": true, "tables": ["a"]})",  // both
           R"({"database": "shop", "tables": "a"})",                        // not a list
           R"({"database": "shop", "tables": [1]})",                        // not strings
           R"({"database": "shop", "tables": []})",                         // empty
           R"({"database": "shop", "all_tables": "yes"})",                  // not a boolean
           R"({"database": "shop", "all_tables": true, "prefix": "p_", "suffix": "_s"})",
           R"({"database": "shop", "all_tables": true, "sufix": "_s"})",  // unknown field
       }) {
    auto r = ParseAnalysis(bad);
    EXPECT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().code(), errc::kSyntax) << bad;
  }
}

TEST(ParseSubmit, ModesTimesAndStrategies) {
  auto o = ParseSubmit("");
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->mode, t::ExecutionMode::kImmediate);
  EXPECT_EQ(o->error_strategy, t::ErrorStrategy::kAbort);
  o = ParseSubmit(R"({"mode": "manual", "on_error": "continue", "remarks": "it's \"ok\""})");
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->mode, t::ExecutionMode::kManual);
  EXPECT_EQ(o->error_strategy, t::ErrorStrategy::kContinue);
  EXPECT_EQ(o->remarks, "it's \"ok\"");
  o = ParseSubmit(R"({"mode": "AT", "execute_at": "2099-01-02 03:04:05"})");
  ASSERT_TRUE(o.ok());
  ASSERT_TRUE(o->execute_at);
  EXPECT_EQ(FormatTime(*o->execute_at), "2099-01-02 03:04:05");
  // An unparseable time is the statement's ERR 7011; the rest is bad input.
  EXPECT_EQ(ParseSubmit(R"({"mode": "AT", "execute_at": "soon"})").status().code(),
            errc::kBadSchedule);
  EXPECT_EQ(ParseSubmit(R"({"mode": "AT"})").status().code(), errc::kSyntax);
  EXPECT_EQ(ParseSubmit(R"({"mode": "LATER"})").status().code(), errc::kSyntax);
  EXPECT_EQ(ParseSubmit(R"({"on_error": 1})").status().code(), errc::kSyntax);
  EXPECT_EQ(ParseSubmit(R"({"execute_at": "2099-01-02 03:04:05"})").status().code(), errc::kSyntax);
}

TEST(ParseBodies, TablesCommentSignInCreateAndIds) {
  auto tables = ParseTables(R"({"tables": ["x"]})");
  ASSERT_TRUE(tables.ok());
  EXPECT_EQ(tables->size(), 1u);
  EXPECT_FALSE(ParseTables("{}").ok());
  EXPECT_FALSE(ParseTables(R"({"tables": [null]})").ok());
  auto comment = ParseComment(R"({"comment": "fine"})");
  ASSERT_TRUE(comment.ok());
  EXPECT_EQ(*comment, "fine");
  EXPECT_EQ(*ParseComment(""), "");
  EXPECT_FALSE(ParseComment(R"({"comment": ["x"]})").ok());
  auto s = ParseSignIn(R"({"user": "dev", "password": "pw"})");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->user, "dev");
  EXPECT_FALSE(ParseSignIn(R"({"password": "pw"})").ok());
  EXPECT_FALSE(ParseSignIn(R"({"user": 1})").ok());
  auto c = ParseCreateTask(
      R"({"database": "d", "tables": ["a", "b"], "skip": ["b"], "mode": "MANUAL"})");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->skip, (std::vector<std::string>{"b"}));
  EXPECT_EQ(c->options.mode, t::ExecutionMode::kManual);
  EXPECT_EQ(*ParseId("12"), 12);
  for (const char* bad : {"0", "-1", "1x", "", "99999999999999999999"})
    EXPECT_EQ(ParseId(bad).status().code(), errc::kUnknownId) << bad;
}

}  // namespace
}  // namespace shadowproxy::console
