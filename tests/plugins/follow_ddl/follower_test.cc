// Following DDL: rule matching, settle windows (grouping) and the follower's task creation over
// a fake task service.
#include "plugins/follow_ddl/follower.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <mutex>
#include <thread>

namespace shadowproxy::follow_ddl {
namespace {

using std::chrono::milliseconds;

std::shared_ptr<Config> RulesConfig() {
  auto c = std::make_shared<Config>();
  FollowDdlRule app;
  app.match.databases = {"app_*"};
  app.match.tables = {"*"};
  app.suffix = "_shadow";
  app.settle = std::chrono::seconds(2);
  FollowDdlRule other;
  other.match.clusters = {"east"};
  other.match.databases = {"*"};
  other.match.tables = {"t*"};
  other.prefix = "s_";
  c->shadow_sync.follow_ddl = {app, other};
  return c;
}

TEST(ClassifyTest, FirstMatchingRuleAndShadows) {
  auto c = RulesConfig();
  EXPECT_EQ(Classify(*c, "local", "app_1", "orders").rule, 0);
  EXPECT_EQ(Classify(*c, "local", "app_1", "orders_shadow").rule, -1);
  EXPECT_EQ(Classify(*c, "local", "app_1", "orders_shadow").reason, "it is a shadow table");
  EXPECT_EQ(Classify(*c, "local", "other", "orders").rule, -1);
  EXPECT_EQ(Classify(*c, "east", "other", "tx").rule, 1);
  EXPECT_EQ(Classify(*c, "east", "other", "s_tx").rule, -1);  // glob t* does not match
  EXPECT_EQ(Classify(*c, "east", "other", "orders").rule, -1);
  EXPECT_EQ(Classify(*c, "east", "app_x", "orders").rule, 0);
  // "_shadow" alone is not a shadow of anything: a shadow name is longer than its affixes.
  EXPECT_FALSE(IsShadowName(c->shadow_sync.follow_ddl[0], "_shadow"));
  EXPECT_TRUE(IsShadowName(c->shadow_sync.follow_ddl[1], "s_t"));
}

DdlEvent Event(const std::string& user, DdlKind kind, std::vector<TableRef> tables,
               Clock::time_point at, std::vector<TableRef> dropped = {}) {
  DdlEvent e;
  e.cluster = "local";
  e.user = user;
  e.ddl.kind = kind;
  e.ddl.tables = std::move(tables);
  e.ddl.dropped = std::move(dropped);
  e.ddl.summary = std::string(KindName(kind)) + " x ...";
  e.at = at;
  return e;
}

TEST(WindowsTest, DdlOnOneDatabaseWithinSettleMakeOneBatch) {
  FollowDdlRule rule;
  rule.settle = milliseconds(2000);
  Windows w;
  const Clock::time_point t0{};
  for (int i = 0; i < 20; ++i) {
    auto e = Event("app", DdlKind::kAlterTable, {{"app_1", "orders"}}, t0 + milliseconds(100 * i));
    w.Touch(e, "app_1", 0, rule, "orders");
    w.EndStatement();
  }
  EXPECT_TRUE(w.TakeDue(t0 + milliseconds(2000)).empty());  // the last one extends it
  ASSERT_EQ(w.NextDeadline(), t0 + milliseconds(1900 + 2000));
  auto due = w.TakeDue(t0 + milliseconds(3900));
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].statements, 20u);
  EXPECT_EQ(due[0].tables, std::vector<std::string>{"orders"});
  EXPECT_EQ(w.size(), 0u);
}

TEST(WindowsTest, DatabasesUsersAndRulesAreApart) {
  FollowDdlRule rule;
  Windows w;
  const Clock::time_point t0{};
  w.Touch(Event("app", DdlKind::kAlterTable, {}, t0), "app_1", 0, rule, "a");
  w.Touch(Event("app", DdlKind::kAlterTable, {}, t0), "app_2", 0, rule, "a");
  w.Touch(Event("bob", DdlKind::kAlterTable, {}, t0), "app_1", 0, rule, "b");
  w.Touch(Event("app", DdlKind::kAlterTable, {}, t0), "app_1", 1, rule, "c");
  w.Touch(Event("app", DdlKind::kCreateTable, {}, t0), "app_1", 0, rule, "d");
  w.EndStatement();
  EXPECT_EQ(w.size(), 4u);
  auto all = w.TakeAll();
  ASSERT_EQ(all.size(), 4u);
  size_t with_two = 0;
  for (const auto& b : all) with_two += b.tables.size() == 2;
  EXPECT_EQ(with_two, 1u);  // app_1 / rule 0 / app: a and d
}

TEST(WindowsTest, BusyDatabaseStillGetsItsTaskAtTheCap) {
  FollowDdlRule rule;
  rule.settle = milliseconds(1000);
  Windows w;
  const Clock::time_point t0{};
  for (int i = 0; i < 100; ++i)
    w.Touch(Event("app", DdlKind::kAlterTable, {}, t0 + milliseconds(500 * i)), "d", 0, rule, "t");
  // 10 settles is less than the 30 s floor: the window closes 30 s after it opened.
  EXPECT_EQ(w.NextDeadline(), t0 + std::chrono::seconds(30));
}

TEST(WindowsTest, DroppedTablesLeaveTheWindow) {
  FollowDdlRule rule;
  Windows w;
  const Clock::time_point t0{};
  auto create = Event("app", DdlKind::kCreateTable, {{"d", "tmp"}}, t0);
  w.Touch(create, "d", 0, rule, "tmp");
  w.Touch(create, "d", 0, rule, "keep");
  w.EndStatement();
  auto drop = Event("app", DdlKind::kDropTable, {}, t0, {{"d", "tmp"}});
  w.Drop(drop, "d", "tmp");
  auto all = w.TakeAll();
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].tables, std::vector<std::string>{"keep"});
}

TEST(WindowsTest, DropShadowsGoInTheWindowUntilTheTableIsBack) {
  FollowDdlRule rule;
  rule.drop_shadows = true;
  Windows w;
  const Clock::time_point t0{};
  auto drop = Event("app", DdlKind::kDropTable, {}, t0, {{"d", "a"}, {"d", "b"}});
  w.Drop(drop, "d", "a");
  w.DropShadow(drop, "d", 0, rule, "a");
  w.Drop(drop, "d", "b");
  w.DropShadow(drop, "d", 0, rule, "b");
  w.EndStatement();
  // b comes back within the window: its shadow is synced, not dropped.
  w.Touch(Event("app", DdlKind::kCreateTable, {{"d", "b"}}, t0), "d", 0, rule, "b");
  w.EndStatement();
  auto all = w.TakeAll();
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].drops, std::vector<std::string>{"a"});
  EXPECT_EQ(all[0].tables, std::vector<std::string>{"b"});
  EXPECT_EQ(all[0].statements, 2u);
}

TEST(RemarksTest, SaysWhatTriggeredIt) {
  Batch b;
  b.user = "app";
  b.first_summary = "ALTER TABLE orders ...";
  b.statements = 1;
  b.first_wall = TimePoint{};
  std::string r = Remarks(b);
  EXPECT_EQ(r.rfind("follow: ALTER TABLE orders ... by app at ", 0), 0u) << r;
  EXPECT_EQ(r.size(), std::string("follow: ALTER TABLE orders ... by app at 00:00:00").size());
  b.statements = 20;
  EXPECT_NE(Remarks(b).find("ALTER TABLE orders ... (+19 more) by app at "), std::string::npos);
}

// The follower over a fake service: what it reads, what the backend answered, what it creates.
class FollowerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto c = RulesConfig();
    c->shadow_sync.follow_ddl[0].settle = milliseconds(100);
    config_ = c;
    follower_ = std::make_unique<Follower>(
        config_,
        [this](const tasks::Actor& actor, const tasks::AnalysisSpec& spec,
               const tasks::ExecutionOptions& options) -> Result<tasks::CreatedTask> {
          std::lock_guard<std::mutex> lock(mu_);
          calls_.push_back({actor, spec, options});
          tasks::CreatedTask t;
          t.task.id = static_cast<int64_t>(calls_.size());
          return t;
        });
  }

  plugins::SessionContext Session(const std::string& db) {
    plugins::SessionContext s;
    s.user = "app";
    s.roles = {"developer"};
    s.cluster = "local";
    s.database = db;
    s.connection_id = 7;
    return s;
  }

  void Relay(const std::string& sql, const std::string& db, uint32_t ok, bool error) {
    auto q = follower_->Read(sql, sql::Dialect{}, 7);
    if (q) follower_->Answered(*q, Session(db), ok, error);
  }

  size_t Calls() {
    std::lock_guard<std::mutex> lock(mu_);
    return calls_.size();
  }

  bool WaitCalls(size_t n) {
    for (int i = 0; i < 200 && Calls() < n; ++i) std::this_thread::sleep_for(milliseconds(10));
    return Calls() >= n;
  }

  struct Call {
    tasks::Actor actor;
    tasks::AnalysisSpec spec;
    tasks::ExecutionOptions options;
  };
  ConfigPtr config_;
  std::mutex mu_;
  std::vector<Call> calls_;
  std::unique_ptr<Follower> follower_;
};

TEST_F(FollowerTest, FollowsOnlyClustersOfItsRules) {
  EXPECT_TRUE(follower_->Follows("local"));
  auto none = std::make_shared<Config>();
  follower_->Reload(none);
  EXPECT_FALSE(follower_->Follows("local"));
}

TEST_F(FollowerTest, NothingReadForOrdinaryQueries) {
  EXPECT_EQ(follower_->Read("SELECT 1", sql::Dialect{}, 1), nullptr);
  EXPECT_EQ(follower_->Read("INSERT INTO t VALUES (1); UPDATE t SET a = 2", sql::Dialect{}, 1),
            nullptr);
}

TEST_F(FollowerTest, SucceededDdlMakesOneTaskAsTheSessionsUser) {
  for (int i = 0; i < 20; ++i)
    Relay("ALTER TABLE orders ADD c" + std::to_string(i) + " INT", "app_1", 1, false);
  ASSERT_TRUE(WaitCalls(1));
  std::this_thread::sleep_for(milliseconds(300));
  ASSERT_EQ(Calls(), 1u);
  const Call& c = calls_[0];
  EXPECT_EQ(c.actor.user, "app");
  EXPECT_EQ(c.actor.roles, std::vector<std::string>{"developer"});
  EXPECT_EQ(c.actor.cluster, "local");
  EXPECT_EQ(c.spec.database, "app_1");
  EXPECT_EQ(c.spec.tables, std::vector<std::string>{"orders"});
  ASSERT_TRUE(c.spec.naming.has_value());
  EXPECT_EQ(c.spec.naming->suffix, "_shadow");
  EXPECT_EQ(c.options.mode, tasks::ExecutionMode::kImmediate);
  EXPECT_NE(c.options.remarks.find("follow: ALTER TABLE orders ... (+19 more) by app at "),
            std::string::npos)
      << c.options.remarks;
}

TEST_F(FollowerTest, FailedShadowAndUnmatchedDdlMakeNone) {
  Relay("ALTER TABLE orders ADD x INT", "app_1", 0, true);          // backend ERR
  Relay("ALTER TABLE orders_shadow ADD x INT", "app_1", 1, false);  // a shadow
  Relay("ALTER TABLE orders ADD x INT", "prod", 1, false);          // outside the globs
  Relay("ALTER TABLE orders ADD x INT", "", 1, false);              // no database
  Relay("DROP TABLE orders", "app_1", 1, false);                    // drop_shadows is off
  std::this_thread::sleep_for(milliseconds(300));
  EXPECT_EQ(Calls(), 0u);
  EXPECT_EQ(follower_->open_windows(), 0u);
}

TEST_F(FollowerTest, DropShadowsMakesATaskThatDropsThem) {
  auto c = RulesConfig();
  c->shadow_sync.follow_ddl[0].settle = milliseconds(100);
  c->shadow_sync.follow_ddl[0].drop_shadows = true;
  follower_->Reload(c);
  Relay("DROP TABLE IF EXISTS orders, app_1.orders_shadow, prod.x", "app_1", 1, false);
  ASSERT_TRUE(WaitCalls(1));
  std::this_thread::sleep_for(milliseconds(300));
  ASSERT_EQ(Calls(), 1u);
  EXPECT_EQ(calls_[0].spec.database, "app_1");
  EXPECT_TRUE(calls_[0].spec.tables.empty());
  EXPECT_EQ(calls_[0].spec.drop_tables, std::vector<std::string>{"orders"});
  EXPECT_EQ(calls_[0].actor.user, "app");
}

TEST_F(FollowerTest, MultiStatementFollowsWhatSucceeded) {
  // The second statement failed: the first ALTER ran, the third never did.
  Relay("ALTER TABLE a ADD x INT; ALTER TABLE b ADD x INT; ALTER TABLE c ADD x INT", "app_1", 1,
        true);
  ASSERT_TRUE(WaitCalls(1));
  EXPECT_EQ(calls_[0].spec.tables, std::vector<std::string>{"a"});
}

TEST_F(FollowerTest, QualifiedNamesGoToTheirDatabase) {
  Relay("ALTER TABLE app_2.a ADD x INT; ALTER TABLE b ADD x INT", "app_1", 2, false);
  ASSERT_TRUE(WaitCalls(2));
  std::vector<std::string> dbs{calls_[0].spec.database, calls_[1].spec.database};
  std::sort(dbs.begin(), dbs.end());
  EXPECT_EQ(dbs, (std::vector<std::string>{"app_1", "app_2"}));
}

TEST_F(FollowerTest, StopRecordsOpenWindows) {
  auto c = RulesConfig();
  c->shadow_sync.follow_ddl[0].settle = std::chrono::seconds(60);
  follower_->Reload(c);
  Relay("CREATE TABLE t1 (a INT)", "app_1", 1, false);
  for (int i = 0; i < 100 && follower_->open_windows() == 0; ++i)
    std::this_thread::sleep_for(milliseconds(10));
  EXPECT_EQ(Calls(), 0u);
  follower_->Stop();
  ASSERT_EQ(Calls(), 1u);
  EXPECT_EQ(calls_[0].spec.tables, std::vector<std::string>{"t1"});
  Relay("CREATE TABLE t2 (a INT)", "app_1", 1, false);  // after the stop: dropped
  EXPECT_EQ(Calls(), 1u);
}

}  // namespace
}  // namespace shadowproxy::follow_ddl
