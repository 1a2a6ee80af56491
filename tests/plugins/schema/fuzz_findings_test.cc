// What the fuzzers found (fuzz/README.md "Findings"), replayed: every input in fuzz_findings/
// keeps the property its fuzzer checks (fuzz/show_create_check.h, fuzz/ddl_guard_check.h), and
// the guard holes each finding or review showed stay closed.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include "fuzz/ddl_guard_check.h"
#include "fuzz/show_create_check.h"
#include "plugins/schema/differ.h"
#include "plugins/schema/show_create_parser.h"

namespace shadowproxy::schema {
namespace {

const std::set<std::string> kAllowed = {"s_shadow", "p_shadow", "c_shadow"};

std::string ReadFile(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(FuzzFindings, EveryInputKeepsItsProperty) {
  int show_create = 0, guard = 0;
  for (const auto& entry : std::filesystem::directory_iterator(SP_FUZZ_FINDINGS_DIR)) {
    const std::string name = entry.path().filename().string();
    const std::string text = ReadFile(entry.path());
    if (name.rfind("show_create-", 0) == 0) {
      EXPECT_EQ(fuzz::ShowCreateFixedPointProblem(text), "") << name;
      ++show_create;
    } else if (name.rfind("ddl_guard-", 0) == 0) {
      EXPECT_EQ(fuzz::GuardDisagreement(text, kAllowed), "") << name;
      ++guard;
    }
  }
  EXPECT_GE(show_create, 8);
  EXPECT_GE(guard, 2);
}

// A NUL byte that does not end the text makes the server reject it: no DDL holds one.
TEST(FuzzFindings, NulBytesAreNoDdl) {
  EXPECT_FALSE(ParseCreateTable(std::string("CREATE TABLE t (a int) COMMENT 'x'\0\0", 37)).ok());
  EXPECT_TRUE(ParseCreateTable(std::string("CREATE TABLE t (a int)\0", 23)).ok());
  EXPECT_FALSE(CheckTouchesOnlyShadows({std::string("TRUNCATE s_shadow\0\0", 19)}, kAllowed).ok());
}

TEST(FuzzFindings, NumbersOutOfRangeAreErrorsNotCrashes) {
  EXPECT_FALSE(ParseCreateTable("CREATE TABLE t (g point SRID 99999999999)").ok());
  EXPECT_FALSE(ParseCreateTable("CREATE TABLE t (a text, KEY (a(99999999999)))").ok());
  EXPECT_FALSE(
      ParseCreateTable("CREATE TABLE t (a int) PARTITION BY HASH (a) PARTITIONS 99999999999").ok());
}

TEST(FuzzFindings, GuardStatementShapes) {
  struct G {
    const char* sql;
    bool passes;
  };
  for (const G& g : {
           G{"TRUNCATE TABLE `s_shadow`", true},
           G{"TRUNCATE s_shadow WAIT 5", true},
           G{"TRUNCATE s_shadow NOWAIT", true},
           G{"TRUNCATE s_shadow t_real", false},
           G{"ALTER TABLE s_shadow ENGINE=InnoDB, RENAME", false},
           G{"ALTER TABLE s_shadow RENAME COLUMN a TO t_real", true},
           G{"ALTER TABLE s_shadow CONVERT PARTITION p0 TO TABLE t_real", false},
           G{"ALTER TABLE s_shadow CONVERT PARTITION p0 TO TABLE c_shadow", true},
           G{"ALTER TABLE s_shadow CONVERT TABLE t_real TO PARTITION p1 VALUES LESS THAN (9)",
             false},
           G{"ALTER TABLE s_shadow EXCHANGE PARTITION p0 WITH TABLE t_real", false},
           G{"CREATE OR TABLE s_shadow (a int)", false},
           G{"ALTER TABLE s_shadow ADD FOREIGN KEY (a) REFERENCES other.t (a)", true},
           G{"ALTER TABLE s_shadow ADD FOREIGN KEY (a) REFERENCES other. (a)", false},
           G{"ALTER TABLE s_shadow ADD FOREIGN KEY (a) REFERENCES other.TABLE t_real", true},
           G{"CREATE TABLE s_shadow (a int) ENGINE=MRG_MyISAM UNION=(p_shadow,c_shadow)", true},
           G{"CREATE TABLE s_shadow (a int) ENGINE=MRG_MyISAM UNION=(p_shadow,t_real)", false},
           G{"CREATE TABLE s_shadow (a int) ENGINE=MRG_MyISAM UNION=(other.p_shadow)", false},
           // Readings: MySQL runs /*!50700 */, MariaDB skips it; the guard refuses what either
           // would run.
           G{"ALTER TABLE s_shadow ENGINE=InnoDB /*!50700 , RENAME TO t_real */", false},
           G{"ALTER TABLE s_shadow ENGINE=InnoDB /*M!100500 , RENAME TO t_real */", false},
           G{"ALTER TABLE s_shadow ENGINE=InnoDB /* , RENAME TO t_real */", true},
           // Under NO_BACKSLASH_ESCAPES 'a\' ends at the backslash and the RENAME is SQL.
           G{"ALTER TABLE s_shadow COMMENT 'a\\' , RENAME TO t_real -- '", false},
           G{"ALTER TABLE s_shadow COMMENT 'a'' , RENAME TO t_real -- '", true},
       }) {
    const Status s = CheckTouchesOnlyShadows({g.sql}, kAllowed);
    EXPECT_EQ(s.ok(), g.passes) << g.sql << ": " << s.ToString();
    EXPECT_EQ(fuzz::GuardDisagreement(g.sql, kAllowed), "") << g.sql;
  }
}

}  // namespace
}  // namespace shadowproxy::schema
