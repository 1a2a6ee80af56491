// Per-statement shadow marks: where they count and where they are no mark.
#include "plugins/routing/marking.h"

#include <gtest/gtest.h>

namespace shadowproxy::routing {
namespace {

bool Marked(std::string_view text) { return HasStatementMark(text, sql::Dialect{}); }

TEST(MarkingTest, SqlcommenterAnywhere) {
  EXPECT_TRUE(Marked("SELECT * FROM orders /*shadow='1',traceparent='00-ab-cd-01'*/"));
  EXPECT_TRUE(Marked("SELECT * FROM orders /*traceparent='00-ab-cd-01',shadow='true'*/"));
  EXPECT_TRUE(Marked("SELECT /* shadow='1' */ * FROM orders"));
  EXPECT_TRUE(Marked("/*action='index',shadow='TRUE'*/ SELECT 1"));
  EXPECT_FALSE(Marked("SELECT * FROM orders /*shadow='0'*/"));
  EXPECT_FALSE(Marked("SELECT * FROM orders /*shadowx='1'*/"));
  EXPECT_FALSE(Marked("SELECT * FROM orders /*shadow='1' and more*/"));
}

TEST(MarkingTest, LeadingHint) {
  EXPECT_TRUE(Marked("/* shadow */ SELECT 1"));
  EXPECT_TRUE(Marked("  /*SHADOW*/SELECT 1"));
  EXPECT_TRUE(Marked("-- x\n/* shadow */ SELECT 1"));
  EXPECT_FALSE(Marked("SELECT 1 /* shadow */"));  // only leading
  EXPECT_FALSE(Marked("/* shadow it */ SELECT 1"));
}

TEST(MarkingTest, NotAMark) {
  EXPECT_FALSE(Marked("SELECT '/*shadow=''1''*/'"));  // inside a string
  EXPECT_FALSE(Marked("SELECT 1 -- shadow='1'"));     // line comments are not sqlcommenter
  EXPECT_FALSE(Marked("/*!50000 shadow */ SELECT 1"));
  EXPECT_FALSE(Marked("SELECT shadow FROM t"));
  EXPECT_FALSE(Marked("SELECT 1"));
  EXPECT_FALSE(Marked("SELECT 'x /* shadow */"));  // unterminated: nothing is read
}

TEST(MarkingTest, OtherKey) {
  EXPECT_TRUE(HasStatementMark("SELECT 1 /*loadtest='1'*/", sql::Dialect{}, "loadtest"));
  EXPECT_FALSE(HasStatementMark("SELECT 1 /*shadow='1'*/", sql::Dialect{}, "loadtest"));
}

TEST(MarkingTest, TrueValues) {
  EXPECT_TRUE(IsTrueValue("1"));
  EXPECT_TRUE(IsTrueValue("True"));
  EXPECT_FALSE(IsTrueValue("0"));
  EXPECT_FALSE(IsTrueValue("yes"));
  EXPECT_FALSE(IsTrueValue(""));
}

}  // namespace
}  // namespace shadowproxy::routing
