#include "base/time_point.h"

#include <gtest/gtest.h>

namespace shadowproxy {
namespace {

TEST(TimePoint, FormatAndParseEachForm) {
  auto t = ParseTime("2026-03-04 05:06:07.089", TimeForm::kFraction);
  ASSERT_TRUE(t);
  EXPECT_EQ(FormatTime(*t), "2026-03-04 05:06:07");
  EXPECT_EQ(FormatTime(*t, true), "2026-03-04 05:06:07.089");
  EXPECT_EQ(FormatTime(*ParseTime("2026-03-04 05:06:07.5", TimeForm::kFraction), true),
            "2026-03-04 05:06:07.500");
  EXPECT_EQ(FormatTime(*ParseTime("2026-03-04 05:06:07.123456", TimeForm::kFraction), true),
            "2026-03-04 05:06:07.123");
  // A fraction only where the metadb's DATETIME(3) is read; a bare date only for WHERE.
  EXPECT_FALSE(ParseTime("2026-03-04 05:06:07.089"));
  EXPECT_FALSE(ParseTime("2026-03-04"));
  EXPECT_EQ(FormatTime(*ParseTime("2026-03-04", TimeForm::kDateOrSeconds)), "2026-03-04 00:00:00");
  for (TimeForm form : {TimeForm::kSeconds, TimeForm::kDateOrSeconds, TimeForm::kFraction})
    for (const char* bad :
         {"", "2026-13-01 00:00:00", "2026-02-30 00:00:00", "2025-02-29 00:00:00",
          "2026-01-01 00:00:00x", "tomorrow", "2026-01-01 24:00:00", "1969-12-31 23:59:59",
          "2026-1-01 00:00:00", "2026-01-01T00:00:00", "2026-01-01 00:00:00."})
      EXPECT_FALSE(ParseTime(bad, form)) << bad;
  EXPECT_TRUE(ParseTime("2024-02-29 00:00:00"));
}

TEST(TimePoint, TimesPast2262RoundTrip) {
  // system_clock's nanoseconds overflow in 2262; task times must not.
  for (const char* text : {"2999-01-01 00:00:00", "9999-12-31 23:59:59", "2262-04-12 00:00:00"}) {
    auto t = ParseTime(text);
    ASSERT_TRUE(t) << text;
    EXPECT_GT(*t, *ParseTime("2026-01-01 00:00:00")) << text;
    EXPECT_EQ(FormatTime(*t), text);
  }
}

TEST(TimePoint, FieldsAreRangeChecked) {
  auto t = ParseTime("2030-07-15 08:09:10");
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(FormatTime(*t), "2030-07-15 08:09:10");
  auto t2 = ParseTime("2030-07-15 08:09:11");
  ASSERT_TRUE(t2.has_value());
  EXPECT_EQ(*t2 - *t, std::chrono::seconds(1));
  EXPECT_FALSE(ParseTime("2030-07-15").has_value());
  auto d = ParseTime("2030-07-15", TimeForm::kDateOrSeconds);
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(FormatTime(*d), "2030-07-15 00:00:00");
  EXPECT_FALSE(ParseTime("").has_value());
  EXPECT_FALSE(ParseTime("2030-7-15 08:09:10").has_value());
  EXPECT_FALSE(ParseTime("2030-07-15 08:60:00").has_value());
  EXPECT_FALSE(ParseTime("2030-07-15 08:00:60").has_value());
  EXPECT_FALSE(ParseTime("1969-12-31 23:59:59").has_value());
  EXPECT_TRUE(ParseTime("2000-02-29 00:00:00").has_value());
  for (const char* far : {"2999-01-01 00:00:00", "9999-12-31 23:59:59", "1970-01-02 00:00:00"}) {
    auto f = ParseTime(far);
    ASSERT_TRUE(f.has_value()) << far;
    EXPECT_EQ(FormatTime(*f), far);
  }
  EXPECT_FALSE(ParseTime("1900-02-29 00:00:00").has_value());
}

}  // namespace
}  // namespace shadowproxy
