#include "base/status.h"

#include <gtest/gtest.h>

namespace shadowproxy {
namespace {

TEST(StatusTest, DefaultIsOk) {
  Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.ToString(), "OK");
}

TEST(StatusTest, CarriesCodeStateAndMessage) {
  Status s(errc::kNotAllowed, "missing right APPROVE", "42000");
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.code(), 7003);
  EXPECT_EQ(s.sqlstate(), "42000");
  EXPECT_EQ(s.ToString(), "ERR 7003 (42000): missing right APPROVE");
}

TEST(ResultTest, HoldsValueOrStatus) {
  Result<int> good = 42;
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(*good, 42);
  EXPECT_TRUE(good.status().ok());

  Result<int> bad = Status(errc::kUnknownId, "unknown task 9");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), errc::kUnknownId);
}

}  // namespace
}  // namespace shadowproxy
