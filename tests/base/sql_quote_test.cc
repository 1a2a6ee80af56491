#include "base/sql_quote.h"

#include <gtest/gtest.h>

namespace shadowproxy::sql {
namespace {

TEST(SqlQuoteTest, IdentifiersDoubleBackticks) {
  EXPECT_EQ(QuoteIdentifier("orders"), "`orders`");
  EXPECT_EQ(QuoteIdentifier("t`; DROP TABLE victim; --"), "`t``; DROP TABLE victim; --`");
  EXPECT_EQ(QuoteIdentifier(""), "``");
  EXPECT_EQ(QuoteIdentifier("caf\xC3\xA9 'x' \"y\""), "`caf\xC3\xA9 'x' \"y\"`");
}

TEST(SqlQuoteTest, StringsEscapeWhatTheServerEscapes) {
  EXPECT_EQ(QuoteString("it's"), "'it\\'s'");
  EXPECT_EQ(QuoteString("a\\b"), "'a\\\\b'");
  EXPECT_EQ(QuoteString(std::string("nul\0z\n\r\x1a", 8)), "'nul\\0z\\n\\r\\Z'");
  EXPECT_EQ(QuoteString("back`tick \"dq\""), "'back`tick \"dq\"'");
}

}  // namespace
}  // namespace shadowproxy::sql
