// Integration: Analyze / ExecuteScript against a real MariaDB: selection, FK parents, ordering,
// shadows left out of ALL TABLES, naming errors (7010), missing database/table (7005), 7030.
#include "plugins/schema/analyzer.h"

#include <gtest/gtest.h>

#include <thread>

#include "tests/plugins/schema/corpus_util.h"
#include "tests/plugins/schema/test_backend.h"

namespace shadowproxy::schema {
namespace {

const bool kBackendRegistered = testing::RegisterSharedBackend();

const Naming kSuffix{"", "_shadow"};

class AnalyzerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<sql::MysqlConn> c = testing::SharedBackend()->Connect();
    ASSERT_TRUE(c.ok());
    sql::MultiResult r = c->QueryMulti(
        "DROP DATABASE IF EXISTS adb; CREATE DATABASE adb; USE adb;"
        "CREATE TABLE grand (id int PRIMARY KEY);"
        "CREATE TABLE parent (id int PRIMARY KEY, g int, "
        "  CONSTRAINT fk_pg FOREIGN KEY (g) REFERENCES grand (id));"
        "CREATE TABLE child (id int PRIMARY KEY, p int, note varchar(20) DEFAULT 'it''s \\\\ x',"
        "  CONSTRAINT fk_cp FOREIGN KEY (p) REFERENCES parent (id)) COMMENT 'c''q';"
        "CREATE TABLE lone (a int, b varchar(10)) AUTO_INCREMENT=5;"
        "CREATE TABLE lone_shadow (b varchar(10), a int);"
        "CREATE TABLE orphan_shadow (x int);"
        "CREATE VIEW v AS SELECT 1 AS one;");
    ASSERT_TRUE(r.error.ok()) << r.error.ToString();
    conn_.emplace(std::move(c).value());
  }
  std::optional<sql::MysqlConn> conn_;
};

const TableAnalysis* Find(const Analysis& a, const std::string& source) {
  for (const TableAnalysis& t : a.tables)
    if (t.source_table == source) return &t;
  return nullptr;
}

size_t Pos(const Analysis& a, const std::string& source) {
  for (size_t i = 0; i < a.tables.size(); ++i)
    if (a.tables[i].source_table == source) return i;
  return a.tables.size();
}

TEST_F(AnalyzerTest, AllTablesLeavesShadowsAndViewsOut) {
  auto a = Analyze(testing::SharedBackend()->conn_info(), "adb", TableSelection::All(), kSuffix);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  ASSERT_EQ(a->tables.size(), 4u);  // grand parent child lone
  EXPECT_EQ(Find(*a, "orphan_shadow"), nullptr);
  EXPECT_EQ(Find(*a, "lone_shadow"), nullptr);
  EXPECT_EQ(Find(*a, "v"), nullptr);
  EXPECT_LT(Pos(*a, "grand"), Pos(*a, "parent"));
  EXPECT_LT(Pos(*a, "parent"), Pos(*a, "child"));
  const TableAnalysis* lone = Find(*a, "lone");
  ASSERT_NE(lone, nullptr);
  EXPECT_EQ(lone->result, Action::kUpdate);
  EXPECT_EQ(lone->shadow_table, "lone_shadow");
  EXPECT_FALSE(lone->shadow_ddl.empty());
  EXPECT_FALSE(lone->statements.empty());
  const TableAnalysis* child = Find(*a, "child");
  EXPECT_EQ(child->result, Action::kCreate);
  EXPECT_TRUE(child->shadow_ddl.empty());
  EXPECT_EQ(child->source_ddl, testing::ShowCreate(*conn_, "adb", "child"));
  // change_sql is the statements joined.
  std::string joined;
  for (size_t i = 0; i < child->statements.size(); ++i)
    joined += (i ? ";\n" : "") + child->statements[i];
  EXPECT_EQ(child->change_sql, joined + ";");
  // The script is every table's statements, in table order.
  size_t total = 0;
  for (const TableAnalysis& t : a->tables) total += t.statements.size();
  EXPECT_EQ(a->script.size(), total);
  EXPECT_LE(a->round_trips, 3);

  ASSERT_TRUE(ExecuteScript(testing::SharedBackend()->conn_info(), "adb", a->script).ok());
  for (const char* t : {"grand", "parent", "child", "lone"}) {
    EXPECT_EQ(
        testing::StripAutoIncrement(testing::ShowCreate(*conn_, "adb", kSuffix.ShadowName(t))),
        testing::ExpectedShadowDdl(testing::ShowCreate(*conn_, "adb", t), kSuffix))
        << t;
  }
  auto again =
      Analyze(testing::SharedBackend()->conn_info(), "adb", TableSelection::All(), kSuffix);
  ASSERT_TRUE(again.ok());
  for (const TableAnalysis& t : again->tables)
    EXPECT_EQ(t.result, Action::kNoAction) << t.source_table;
  EXPECT_TRUE(again->script.empty());
}

TEST_F(AnalyzerTest, ListReadsOnlyWhatItNeedsAndBringsParents) {
  auto a = Analyze(testing::SharedBackend()->conn_info(), "adb", TableSelection::List({"child"}),
                   kSuffix);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  ASSERT_EQ(a->tables.size(), 3u);
  EXPECT_EQ(a->tables[0].source_table, "grand");
  EXPECT_EQ(a->tables[1].source_table, "parent");
  EXPECT_EQ(a->tables[2].source_table, "child");
  EXPECT_TRUE(a->tables[0].added_as_parent);
  EXPECT_FALSE(a->tables[2].added_as_parent);
  EXPECT_EQ(Find(*a, "lone"), nullptr);
  ASSERT_TRUE(ExecuteScript(testing::SharedBackend()->conn_info(), "adb", a->script).ok());
  EXPECT_NE(testing::ShowCreate(*conn_, "adb", "child_shadow").find("REFERENCES `parent_shadow`"),
            std::string::npos);
}

TEST_F(AnalyzerTest, PrefixNaming) {
  Naming prefix{"sh_", ""};
  auto a = Analyze(testing::SharedBackend()->conn_info(), "adb",
                   TableSelection::List({"lone", "grand"}), prefix);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(Find(*a, "lone")->shadow_table, "sh_lone");
  EXPECT_EQ(Find(*a, "lone")->result, Action::kCreate);
  ASSERT_TRUE(ExecuteScript(testing::SharedBackend()->conn_info(), "adb", a->script).ok());
  EXPECT_FALSE(testing::ShowCreate(*conn_, "adb", "sh_lone").empty());
}

TEST_F(AnalyzerTest, MissingDatabaseOrTableIs7005NamingIt) {
  auto db = Analyze(testing::SharedBackend()->conn_info(), "nodb", TableSelection::All(), kSuffix);
  EXPECT_EQ(db.status().code(), errc::kNotFound);
  EXPECT_NE(db.status().message().find("nodb"), std::string::npos);
  auto t = Analyze(testing::SharedBackend()->conn_info(), "adb",
                   TableSelection::List({"lone", "ghost"}), kSuffix);
  EXPECT_EQ(t.status().code(), errc::kNotFound);
  EXPECT_NE(t.status().message().find("ghost"), std::string::npos) << t.status().message();
  auto view =
      Analyze(testing::SharedBackend()->conn_info(), "adb", TableSelection::List({"v"}), kSuffix);
  EXPECT_EQ(view.status().code(), errc::kNotFound);
}

TEST_F(AnalyzerTest, NamingErrorsAre7010NamingTheTable) {
  auto both = Analyze(testing::SharedBackend()->conn_info(), "adb", TableSelection::All(),
                      Naming{"a", "b"});
  EXPECT_EQ(both.status().code(), errc::kBadNaming);
  auto bad = Analyze(testing::SharedBackend()->conn_info(), "adb", TableSelection::All(),
                     Naming{"", "-x"});
  EXPECT_EQ(bad.status().code(), errc::kBadNaming);
  // lone + "_shadow" is another selected source.
  auto clash = Analyze(testing::SharedBackend()->conn_info(), "adb",
                       TableSelection::List({"lone", "lone_shadow"}), kSuffix);
  EXPECT_EQ(clash.status().code(), errc::kBadNaming);
  EXPECT_NE(clash.status().message().find("lone"), std::string::npos);
  // Too long a shadow name.
  std::string long_name(60, 'L');
  ASSERT_TRUE(conn_->Execute("CREATE TABLE adb." + long_name + " (a int)").ok());
  auto too_long = Analyze(testing::SharedBackend()->conn_info(), "adb",
                          TableSelection::List({long_name}), kSuffix);
  EXPECT_EQ(too_long.status().code(), errc::kBadNaming);
  EXPECT_NE(too_long.status().message().find(long_name), std::string::npos);
  // The shadow name is taken by a view.
  ASSERT_TRUE(conn_->Execute("CREATE VIEW adb.grand_shadow AS SELECT 1 AS x").ok());
  auto view = Analyze(testing::SharedBackend()->conn_info(), "adb", TableSelection::List({"grand"}),
                      kSuffix);
  EXPECT_EQ(view.status().code(), errc::kBadNaming);
}

TEST_F(AnalyzerTest, UnreachableServerIs7030) {
  sql::ClusterConnInfo info = sql::ClusterConnInfo::Local(testing::FreePort());
  auto a = Analyze(info, "adb", TableSelection::All(), kSuffix);
  EXPECT_EQ(a.status().code(), errc::kUnavailable);
}

TEST_F(AnalyzerTest, ConcurrentAnalysesFromManyThreads) {
  std::vector<std::thread> threads;
  std::atomic<int> good{0};
  for (int i = 0; i < 4; ++i)
    threads.emplace_back([&] {
      for (int k = 0; k < 5; ++k) {
        auto a = Analyze(testing::SharedBackend()->conn_info(), "adb", TableSelection::All(),
                         kSuffix, AnalyzeOptions{.parallelism = 2});
        if (!a.ok() || a->tables.size() != 4) return;
      }
      ++good;
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(good.load(), 4);
}

namespace quirks {

// Three MariaDB 10.11 behaviours the random mutations found (issue 3); each shadow below must
// converge like any other. DISABLED_ ones still fail with the differ of this commit (reported to
// schema-core): enable them when it handles the case.
class ServerQuirksTest : public ::testing::Test {
 protected:
  // Creates `src` and its shadow from the given DDLs, applies `mutate` to the shadow, then
  // analyses, runs, and returns "" or what went wrong.
  std::string Converge(const std::string& source_ddl, const std::string& mutate) {
    Result<sql::MysqlConn> c = testing::SharedBackend()->Connect();
    if (!c.ok()) return c.status().ToString();
    sql::MultiResult r = c->QueryMulti(
        "DROP DATABASE IF EXISTS qdb; CREATE DATABASE qdb; USE qdb;" + source_ddl + ";" +
        testing::ExpectedShadowDdl("CREATE TABLE `src`" + source_ddl.substr(16), kSuffix) + ";" +
        mutate);
    if (!r.error.ok()) return "setup: " + r.error.ToString();
    auto a = Analyze(testing::SharedBackend()->conn_info(), "qdb", TableSelection::List({"src"}),
                     kSuffix);
    if (!a.ok()) return "analysis: " + a.status().ToString();
    Status run = ExecuteScript(testing::SharedBackend()->conn_info(), "qdb", a->script);
    if (!run.ok()) return "script: " + run.ToString();
    std::string want = testing::ExpectedShadowDdl(testing::ShowCreate(*c, "qdb", "src"), kSuffix);
    std::string got = testing::StripAutoIncrement(testing::ShowCreate(*c, "qdb", "src_shadow"));
    if (want != got)
      return "change sql:\n" + a->tables[0].change_sql + "\nwant:\n" + want + "\ngot:\n" + got;
    return "";
  }
};

// DROP INDEX x, ADD KEY x (same parts) in one ALTER keeps the IGNORED flag: only
// ALTER INDEX x NOT IGNORED clears it.
TEST_F(ServerQuirksTest, IgnoredIndexBecomesVisible) {
  EXPECT_EQ(Converge("CREATE TABLE src (id int PRIMARY KEY, b int, KEY kb (b))",
                     "ALTER TABLE src_shadow ALTER INDEX kb IGNORED"),
            "");
}

// ALTER TABLE t KEY_BLOCK_SIZE=0 leaves KEY_BLOCK_SIZE=8 on every index built under it.
TEST_F(ServerQuirksTest, KeyBlockSizeRemoved) {
  EXPECT_EQ(Converge("CREATE TABLE src (id int PRIMARY KEY, b int, KEY kb (b))",
                     "ALTER TABLE src_shadow KEY_BLOCK_SIZE=8"),
            "");
}

// Aria sets PAGE_CHECKSUM=1; neither PAGE_CHECKSUM=0 nor =DEFAULT makes SHOW CREATE drop it.
TEST_F(ServerQuirksTest, AriaShadowBackToInnoDb) {
  EXPECT_EQ(Converge("CREATE TABLE src (id int PRIMARY KEY, b int)",
                     "ALTER TABLE src_shadow ENGINE=Aria"),
            "");
}

}  // namespace quirks

// follow_ddl's drop_shadows: a gone source's existing shadow is dropped (DROP, in the
// drop-tables phase, after the other tables' drops would be), one that exists again or has no
// shadow is NO_ACTION; drops alone make an analysis too.
TEST_F(AnalyzerTest, DropsTheShadowsOfGoneSources) {
  ASSERT_TRUE(conn_->Execute("CREATE TABLE adb.gone_shadow (id int)").ok());
  TableSelection only_drops;
  only_drops.drop = {"gone", "never", "lone"};
  auto a = Analyze(testing::SharedBackend()->conn_info(), "adb", only_drops, kSuffix);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  ASSERT_EQ(a->tables.size(), 3u);
  EXPECT_EQ(a->tables[0].source_table, "gone");
  EXPECT_EQ(a->tables[0].result, Action::kDrop);
  EXPECT_EQ(a->tables[0].statements, std::vector<std::string>{"DROP TABLE `gone_shadow`"});
  EXPECT_EQ(a->tables[0].shadow_ddl, testing::ShowCreate(*conn_, "adb", "gone_shadow"));
  EXPECT_EQ(a->tables[1].result, Action::kNoAction);  // never had a shadow
  EXPECT_TRUE(a->tables[1].statements.empty());
  EXPECT_EQ(a->tables[2].result, Action::kNoAction);  // lone exists: its shadow is kept
  EXPECT_EQ(a->script, std::vector<std::string>{"DROP TABLE `gone_shadow`"});

  TableSelection both = TableSelection::List({"child"});
  both.drop = {"gone", "child"};  // a table both selected and gone is analysed as selected
  auto b = Analyze(testing::SharedBackend()->conn_info(), "adb", both, kSuffix);
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  EXPECT_EQ(Find(*b, "child")->result, Action::kCreate);
  EXPECT_EQ(Find(*b, "gone")->result, Action::kDrop);
  EXPECT_EQ(b->script.front(), "DROP TABLE `gone_shadow`");  // drops run before the CREATEs
  ASSERT_TRUE(ExecuteScript(testing::SharedBackend()->conn_info(), "adb", b->script).ok());
  auto again = Analyze(testing::SharedBackend()->conn_info(), "adb", both, kSuffix);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->script.empty());  // converged: nothing left to drop or create
}

}  // namespace
}  // namespace shadowproxy::schema
