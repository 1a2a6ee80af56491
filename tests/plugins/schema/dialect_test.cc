// Dialect detection from server version strings, and the analysis over recorded SHOW CREATE TABLE
// outputs of MySQL 8 and OceanBase servers through a recorded schema source (no server needed).
#include "plugins/schema/dialect.h"

#include <gtest/gtest.h>

#include "plugins/schema/analyzer.h"
#include "plugins/schema/ddl_generator.h"
#include "plugins/schema/show_create_parser.h"
#include "tests/plugins/schema/recorded_outputs.h"
#include "tests/plugins/schema/recorded_schema.h"

namespace shadowproxy::schema {
namespace {

TEST(Dialect, FromVersionString) {
  const struct {
    const char* version;
    Dialect dialect;
  } cases[] = {
      {"5.7.25-OceanBase-v4.2.1.0", Dialect::kOceanBase},
      {"5.7.25-OceanBase_CE-v4.2.1.2", Dialect::kOceanBase},
      {"5.7.25-OceanBase_CE-v4.3.5.1", Dialect::kOceanBase},
      {"10.11.6-MariaDB", Dialect::kMariaDb},
      {"10.11.6-MariaDB-0+deb12u1-log", Dialect::kMariaDb},
      {"5.5.5-10.11.6-MariaDB", Dialect::kMariaDb},  // the greeting's form
      {"11.4.2-MariaDB-ubu2404", Dialect::kMariaDb},
      {"8.0.36", Dialect::kMySql80},
      {"8.0.36-0ubuntu0.22.04.1", Dialect::kMySql80},
      {"8.4.0-log", Dialect::kMySql80},
      {"9.1.0", Dialect::kMySql80},
      {"5.7.44-log", Dialect::kMySql57},
      {"5.6.51", Dialect::kMySql57},
      {"", Dialect::kMariaDb},
      {"unknown", Dialect::kMariaDb},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(DialectFromVersion(c.version), c.dialect) << c.version;
  }
  EXPECT_STREQ(DialectName(Dialect::kOceanBase), "OceanBase");
  EXPECT_TRUE(CheckNamesAreDatabaseScoped(Dialect::kMySql80));
  EXPECT_TRUE(CheckNamesAreDatabaseScoped(Dialect::kOceanBase));
  EXPECT_FALSE(CheckNamesAreDatabaseScoped(Dialect::kMariaDb));
  EXPECT_FALSE(CheckNamesAreDatabaseScoped(Dialect::kMySql57));
}

TEST(OceanBaseLayout, SubpartitionTemplateAndKeyValueOptionsRoundTrip) {
  // The SHOW CREATE TABLE text OceanBase Developer Center's tests hold for a range-hash table
  // (github.com/oceanbase/odc, OBMySQL partition-name test, commit d517c0f2): OceanBase prints
  // the subpartitions once, as a template.
  const std::string ddl =
      "CREATE TABLE `metric_data_second` (\n"
      "  `series_id` bigint(20) NOT NULL,\n"
      "  `timestamp` bigint(20) NOT NULL,\n"
      "  `data` varbinary(65535) NOT NULL,\n"
      "  `interval` tinyint(4) DEFAULT '1' COMMENT '秒级别监控采集间隔',\n"
      "  PRIMARY KEY (`series_id`, `timestamp`)\n"
      ") DEFAULT CHARSET = utf8mb4 ROW_FORMAT = DYNAMIC COMPRESSION = 'zstd_1.3.8' REPLICA_NUM = 1 "
      "BLOCK_SIZE = 16384 USE_BLOOM_FILTER = FALSE TABLET_SIZE = 134217728 PCTFREE = 0\n"
      " partition by range columns(`timestamp`) subpartition by hash(series_id) subpartition "
      "template (\nsubpartition p0,\nsubpartition p1)\n(partition `DUMMY` values less than (0))";
  Result<Table> t = ParseCreateTable(ddl);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  ASSERT_TRUE(t->partitioning.has_value());
  EXPECT_EQ(t->partitioning->method, "RANGE COLUMNS");
  EXPECT_EQ(t->partitioning->sub_method, "HASH");
  ASSERT_EQ(t->partitioning->subpartition_template.size(), 2u);
  EXPECT_EQ(t->partitioning->subpartition_template[1].name, "p1");
  ASSERT_EQ(t->partitioning->definitions.size(), 1u);
  EXPECT_EQ(t->FindOption("TABLET_SIZE")->text, "TABLET_SIZE = 134217728");
  Result<Table> again = ParseCreateTable(RenderCreateTable(*t));
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->partitioning->canonical, t->partitioning->canonical);
  // A template that differs is a different partitioning.
  std::string other = ddl;
  other.replace(other.find("subpartition p1)"), 16, "subpartition p2)");
  Result<Table> o = ParseCreateTable(other);
  ASSERT_TRUE(o.ok());
  EXPECT_NE(o->partitioning->canonical, t->partitioning->canonical);
}

const Naming kPrefix{"__s_", ""};

// `ddl` with its table (and check) names under the prefix, as the server would print the shadow
// the analysis created.
std::string AsShadow(std::string ddl, const std::vector<std::string>& names) {
  for (const std::string& n : names) {
    const std::string from = "`" + n + "`";
    const std::string to = "`__s_" + n + "`";
    for (size_t at = ddl.find(from); at != std::string::npos; at = ddl.find(from, at + to.size())) {
      ddl.replace(at, from.size(), to);
    }
  }
  return ddl;
}

TEST(RecordedAnalysis, OceanBaseCreatesShadowsWithVendorOptionsThenNoAction) {
  testing::RecordedSchema first(
      "5.7.25-OceanBase_CE-v4.2.1.2",
      {{"t1", recorded::kObPartitioned}, {"dup_t1", recorded::kObDuplicate}});
  Result<Analysis> a = AnalyzeFrom(first, "test", TableSelection::All(), kPrefix);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(a->dialect, Dialect::kOceanBase);
  EXPECT_EQ(a->server_version, "5.7.25-OceanBase_CE-v4.2.1.2");
  ASSERT_EQ(a->tables.size(), 2u);
  std::map<std::string, std::string> shadows = {{"t1", recorded::kObPartitioned},
                                                {"dup_t1", recorded::kObDuplicate}};
  for (const TableAnalysis& t : a->tables) {
    SCOPED_TRACE(t.source_table);
    EXPECT_EQ(t.result, Action::kCreate);
    ASSERT_EQ(t.statements.size(), 1u);
    const std::string& create = t.statements[0];
    EXPECT_EQ(create.rfind("CREATE TABLE `__s_" + t.source_table + "` (", 0), 0u) << create;
    for (const char* option :
         {"COMPRESSION = 'lz4_1.0'", "BLOCK_SIZE = SIZE", "PCTFREE = 10",
          "USE_BLOOM_FILTER = FALSE", "TABLET_SIZE = SIZE", "REPLICA_NUM = NUM"}) {
      if (t.source_table == "t1") break;
      EXPECT_NE(create.find(option), std::string::npos) << option << "\n" << create;
    }
    if (t.source_table == "dup_t1") {
      EXPECT_NE(create.find("DUPLICATE_SCOPE = 'CLUSTER'"), std::string::npos) << create;
    } else {
      EXPECT_NE(create.find("BLOCK_SIZE 16384 GLOBAL\n partition by range columns(c2)"),
                std::string::npos)
          << create;
      EXPECT_NE(create.find("partition by hash(c1)\n(partition p0)"), std::string::npos);
    }
    shadows.emplace("__s_" + t.source_table, create);
  }
  // The server prints the shadows back as they were created: nothing left to do.
  testing::RecordedSchema second("5.7.25-OceanBase_CE-v4.2.1.2", shadows);
  Result<Analysis> again = AnalyzeFrom(second, "test", TableSelection::All(), kPrefix);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  for (const TableAnalysis& t : again->tables)
    EXPECT_EQ(t.result, Action::kNoAction) << t.source_table;
}

TEST(RecordedAnalysis, OceanBaseRecreatesWhatItCannotAlterAndSaysSo) {
  // The shadow's columns in another order (OceanBase keeps the order it was created with).
  std::string shadow = AsShadow(recorded::kObSrid, {"t1"});
  const std::string a = "  `srid_0` point /*!80003 SRID 0 */ DEFAULT NULL,\n";
  const size_t at = shadow.find(a);
  ASSERT_NE(at, std::string::npos);
  shadow.erase(at, a.size());
  shadow.insert(shadow.find("  `no_srid`"), a);
  testing::RecordedSchema source("5.7.25-OceanBase-v4.2.1.0",
                                 {{"t1", recorded::kObSrid}, {"__s_t1", shadow}});
  Result<Analysis> r = AnalyzeFrom(source, "test", TableSelection::List({"t1"}), kPrefix);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->tables.size(), 1u);
  const TableAnalysis& t = r->tables[0];
  EXPECT_EQ(t.result, Action::kUpdate);
  EXPECT_TRUE(t.recreated);
  EXPECT_EQ(
      t.change_sql.rfind("-- shadow re-created: OceanBase does not reorder existing columns", 0),
      0u)
      << t.change_sql;
  EXPECT_NE(t.change_sql.find("DROP TABLE `__s_t1`;\nCREATE TABLE `__s_t1`"), std::string::npos)
      << t.change_sql;
}

TEST(RecordedAnalysis, MySql8ChecksGetTheNamingAndChangeByDropCheck) {
  testing::RecordedSchema fresh("8.0.36", {{"t1", recorded::kMy8Checks}});
  Result<Analysis> a = AnalyzeFrom(fresh, "test", TableSelection::List({"t1"}), kPrefix);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(a->dialect, Dialect::kMySql80);
  ASSERT_EQ(a->script.size(), 1u);
  EXPECT_NE(
      a->script[0].find("CONSTRAINT `__s_t1_chk_2` CHECK ((`f3` < 10)) /*!80016 NOT ENFORCED */"),
      std::string::npos)
      << a->script[0];
  EXPECT_EQ(a->script[0].find("`ck`"), std::string::npos) << a->script[0];

  testing::RecordedSchema outdated(
      "8.0.36", {{"t1", recorded::kMy8Checks},
                 {"__s_t1", AsShadow(recorded::kMy8ChecksCkNotEnforced,
                                     {"t1", "ck", "t1_chk_1", "t1_chk_2", "t1_chk_3"})}});
  Result<Analysis> u = AnalyzeFrom(outdated, "test", TableSelection::List({"t1"}), kPrefix);
  ASSERT_TRUE(u.ok()) << u.status().ToString();
  EXPECT_EQ(u->tables[0].change_sql,
            "ALTER TABLE `__s_t1`\n  DROP CHECK `__s_ck`;\n"
            "ALTER TABLE `__s_t1`\n  ADD CONSTRAINT `__s_ck` CHECK ((`f1` > 10));");
}

TEST(RecordedAnalysis, MariaDbKeepsCheckNames) {
  // The same definition from a server that scopes check names to the table.
  testing::RecordedSchema maria("10.11.6-MariaDB", {{"t1", recorded::kMy8Checks}});
  Result<Analysis> a = AnalyzeFrom(maria, "test", TableSelection::List({"t1"}), kPrefix);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(a->dialect, Dialect::kMariaDb);
  ASSERT_EQ(a->script.size(), 1u);
  EXPECT_NE(a->script[0].find("CONSTRAINT `ck` CHECK"), std::string::npos) << a->script[0];
}

}  // namespace
}  // namespace shadowproxy::schema
