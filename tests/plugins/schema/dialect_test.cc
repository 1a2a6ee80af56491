// Dialect detection from server version strings, and the analysis over recorded SHOW CREATE TABLE
// outputs of MySQL 8 and OceanBase servers through a recorded schema source (no server needed).
#include "plugins/schema/dialect.h"

#include <gtest/gtest.h>

#include "plugins/schema/analyzer.h"
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

const Naming kPrefix{"__s_", ""};

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

TEST(RecordedAnalysis, MySql8ChecksGetTheNaming) {
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
