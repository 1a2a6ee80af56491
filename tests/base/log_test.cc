#include "base/log.h"

#include <gtest/gtest.h>

namespace shadowproxy::log {
namespace {

TEST(LogTest, ParsesLevelsCaseInsensitively) {
  Level l = Level::kInfo;
  EXPECT_TRUE(ParseLevel("DEBUG", &l));
  EXPECT_EQ(l, Level::kDebug);
  EXPECT_TRUE(ParseLevel("warn", &l));
  EXPECT_EQ(l, Level::kWarn);
  EXPECT_TRUE(ParseLevel("Error", &l));
  EXPECT_EQ(l, Level::kError);
  EXPECT_FALSE(ParseLevel("loud", &l));
  EXPECT_EQ(l, Level::kError);
}

TEST(LogTest, FiltersBelowLevel) {
  SetLevel(Level::kWarn);
  EXPECT_FALSE(Enabled(Level::kInfo));
  EXPECT_TRUE(Enabled(Level::kError));
  testing::internal::CaptureStderr();
  Info("test", "hidden");
  Warn("test", "shown ", 7);
  std::string out = testing::internal::GetCapturedStderr();
  SetLevel(Level::kInfo);
  EXPECT_EQ(out.find("hidden"), std::string::npos);
  EXPECT_NE(out.find("WARN test: shown 7"), std::string::npos);
}

}  // namespace
}  // namespace shadowproxy::log
