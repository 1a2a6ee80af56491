// Tests of the DDL tokenizer and quoting helpers.
#include <gtest/gtest.h>

#include "plugins/schema/quoting.h"
#include "plugins/schema/sql_lexer.h"

namespace shadowproxy::schema {
namespace {

TEST(Quoting, IdentDoublesBackticks) {
  EXPECT_EQ(QuoteIdent("a`b"), "`a``b`");
  EXPECT_EQ(UnquoteIdent("`a``b`"), "a`b");
  EXPECT_EQ(UnquoteIdent(QuoteIdent("x`; DROP TABLE t; --")), "x`; DROP TABLE t; --");
}

TEST(Quoting, StringEscapesAndRoundTrips) {
  std::string hostile = std::string("it's \\ \"q\"\n\r") + '\0' + "\x1a end";
  std::string q = QuoteString(hostile);
  EXPECT_EQ(q.find('\n'), std::string::npos);
  EXPECT_EQ(UnquoteString(q), hostile);
  EXPECT_EQ(UnquoteString("'it''s'"), "it's");
  EXPECT_EQ(UnquoteString("\"say \"\"hi\"\"\""), "say \"hi\"");
  EXPECT_EQ(UnquoteString("'C:\\\\foo'"), "C:\\foo");
}

TEST(Lexer, QuotesCommentsAndVersionComments) {
  auto ts = Lex("`na``me` 'it\\'s -- not a comment' -- real comment\n /*!50100 PARTITION */ x");
  ASSERT_TRUE(ts.ok()) << ts.status().ToString();
  ASSERT_EQ(ts->tokens.size(), 4u);
  EXPECT_EQ(IdentValue(ts->tokens[0]), "na`me");
  EXPECT_EQ(ts->tokens[1].kind, TokenKind::kString);
  EXPECT_EQ(IdentValue(ts->tokens[1]), "it's -- not a comment");
  EXPECT_TRUE(IsWord(ts->tokens[2], "PARTITION"));
  EXPECT_EQ(ts->tokens[2].vc, 0);
  EXPECT_EQ(ts->tokens[3].vc, -1);
}

TEST(Lexer, UnterminatedQuoteIsAnErrorWithPosition) {
  auto ts = Lex("CREATE TABLE `t (");
  ASSERT_FALSE(ts.ok());
  EXPECT_NE(ts.status().message().find("position 13"), std::string::npos) << ts.status().message();
}

TEST(Lexer, IntroducersAndNumbers) {
  auto ts = Lex("_utf8mb4'x' b'01' 0x0A 1.5e-3 -2");
  ASSERT_TRUE(ts.ok());
  ASSERT_EQ(ts->tokens.size(), 6u);
  EXPECT_EQ(ts->tokens[0].kind, TokenKind::kString);
  EXPECT_EQ(ts->tokens[1].kind, TokenKind::kString);
  EXPECT_EQ(ts->tokens[2].kind, TokenKind::kWord);
  EXPECT_EQ(ts->tokens[3].kind, TokenKind::kNumber);
  EXPECT_EQ(ts->tokens[3].text, "1.5e-3");
}

TEST(Lexer, RawTextKeepsWholeVersionCommentsOnly) {
  auto ts = Lex("a /*!50601 FULLTEXT */ KEY b, c");
  ASSERT_TRUE(ts.ok());
  EXPECT_EQ(RawText(*ts, 1, 3), "/*!50601 FULLTEXT */ KEY b");
  auto ts2 = Lex("/*M!100500 ip6 inet6, */ x");
  ASSERT_TRUE(ts2.ok());
  EXPECT_EQ(RawText(*ts2, 0, 1), "ip6 inet6");
}

// SHOW CREATE TABLE output reads every version comment; a server's reading (the 7020 guard)
// skips the ones that server would not run.
TEST(Lexer, VersionCommentsByReading) {
  const std::string text = "a /*!80023 INVISIBLE */ /*M!100500 b */";
  auto all = Lex(text);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->tokens.size(), 3u);
  EXPECT_EQ(all->vcs.size(), 2u);
  auto maria = Lex(text, sql::Dialect::FromServerVersion("10.11.6-MariaDB"));
  ASSERT_TRUE(maria.ok());
  ASSERT_EQ(maria->tokens.size(), 2u);
  EXPECT_TRUE(IsWord(maria->tokens[1], "B"));
  auto mysql = Lex(text, sql::Dialect::FromServerVersion("8.0.36"));
  ASSERT_TRUE(mysql.ok());
  ASSERT_EQ(mysql->tokens.size(), 2u);
  EXPECT_TRUE(IsWord(mysql->tokens[1], "INVISIBLE"));
  // "--" needs white space or a control character after it, as the server has it.
  auto dash =
      Lex("a --\xc2\xa0"
          "b");
  ASSERT_TRUE(dash.ok());
  EXPECT_EQ(dash->tokens.size(), 4u);
}

TEST(Lexer, CanonicalNormalizesDialectSpellings) {
  EXPECT_EQ(CanonicalSql("DEFAULT current_timestamp() ON UPDATE current_timestamp()"),
            CanonicalSql("DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP"));
  EXPECT_EQ(CanonicalSql("timestamp(6) DEFAULT current_timestamp(6)"),
            CanonicalSql("timestamp(6) DEFAULT CURRENT_TIMESTAMP(6)"));
  EXPECT_EQ(CanonicalSql("int DEFAULT '0'"), CanonicalSql("int DEFAULT 0"));
  EXPECT_EQ(CanonicalSql("CHARACTER SET utf8mb3 COLLATE utf8mb3_bin"),
            CanonicalSql("CHARACTER SET utf8 COLLATE utf8_bin"));
  EXPECT_EQ(CanonicalSql("COMMENT 'it\\'s'"), CanonicalSql("COMMENT 'it''s'"));
  EXPECT_NE(CanonicalSql("int(11)"), CanonicalSql("int"));
  EXPECT_NE(CanonicalSql("COMMENT '0'"), CanonicalSql("COMMENT 0"));
  EXPECT_NE(CanonicalSql("`a` int"), CanonicalSql("`b` int"));
}

}  // namespace
}  // namespace shadowproxy::schema
