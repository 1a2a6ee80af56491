#include "base/log.h"

#include <gtest/gtest.h>

#include <string>

#include "base/json.h"

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

TEST(LogTest, ParsesFormats) {
  Format f = Format::kText;
  EXPECT_TRUE(ParseFormat("json", &f));
  EXPECT_EQ(f, Format::kJson);
  EXPECT_TRUE(ParseFormat("text", &f));
  EXPECT_EQ(f, Format::kText);
  EXPECT_FALSE(ParseFormat("JSON lines", &f));
}

TEST(LogTest, TextLinesIgnoreFields) {
  std::string line = FormatLine(Format::kText, 1700000000123, Level::kWarn, "relay",
                                "closing session 7", {{"session", 7}, {"client", "10.0.0.1"}});
  // "<date> <time>.123 WARN relay: closing session 7", whatever the local zone.
  ASSERT_GT(line.size(), 24u);
  EXPECT_EQ(line.substr(19), ".123 WARN relay: closing session 7");
}

TEST(LogTest, JsonLinesCarryTsLevelComponentMsgAndFields) {
  setenv("TZ", "UTC", 1);
  tzset();
  std::string line =
      FormatLine(Format::kJson, 1700000000123, Level::kError, "tasks",
                 "task 42: \"x\"\n\tfailed \x01", {{"task_id", 42}, {"user", "bob"}});
  EXPECT_EQ(line,
            "{\"ts\":\"2023-11-14T22:13:20.123+00:00\",\"level\":\"ERROR\",\"component\":\"tasks\","
            "\"msg\":\"task 42: \\\"x\\\"\\n\\tfailed \\u0001\",\"task_id\":42,\"user\":\"bob\"}");
  unsetenv("TZ");
  tzset();
}

TEST(LogTest, WritesTheConfiguredFormat) {
  SetFormat(Format::kJson);
  testing::internal::CaptureStderr();
  Warn("relay", {{"session", 3}}, "closing session ", 3);
  Info("relay", "no fields");
  std::string out = testing::internal::GetCapturedStderr();
  SetFormat(Format::kText);
  EXPECT_NE(out.find("\"level\":\"WARN\",\"component\":\"relay\",\"msg\":\"closing session 3\","
                     "\"session\":3}\n"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("\"msg\":\"no fields\"}\n"), std::string::npos) << out;
}

TEST(JsonTest, EscapesAndKeepsItValidUtf8) {
  EXPECT_EQ(json::String("plain"), "\"plain\"");
  EXPECT_EQ(json::String("a\"b\\c\x7f"), "\"a\\\"b\\\\c\\u007f\"");
  EXPECT_EQ(json::String("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"),
            "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"");
  // A stray continuation byte, a truncated sequence, an overlong '/', a surrogate.
  EXPECT_EQ(json::String("\x80x\xc3"), "\"\xEF\xBF\xBDx\xEF\xBF\xBD\"");
  EXPECT_EQ(json::String("\xc0\xaf"), "\"\xEF\xBF\xBD\xEF\xBF\xBD\"");
  EXPECT_EQ(json::String("\xed\xa0\x80"), "\"\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\"");
}

}  // namespace
}  // namespace shadowproxy::log
