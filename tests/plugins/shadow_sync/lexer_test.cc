// The SHADOW SYNC lexer: token kinds, values, raw text and byte positions; escapes; comments;
// unterminated tokens.
#include "plugins/shadow_sync/lexer.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace shadowproxy::shadow_sync {
namespace {

std::vector<Token> Lex(std::string_view q) {
  auto t = Tokenize(q);
  for (const auto& tok : t) EXPECT_NE(tok.kind, TokenKind::kError) << q;
  return t;
}

// The syntax error the first kError token would give.
Status LexError(std::string_view q) {
  for (const auto& tok : Tokenize(q)) {
    if (tok.kind == TokenKind::kError) return SyntaxError(tok);
  }
  return Status::Ok();
}

TEST(Lexer, KindsValuesPositions) {
  const std::string q = "ab_1 `x y` 'str' 42 , ( ) ; = != <> <= >= < > $v";
  auto t = Lex(q);
  ASSERT_EQ(t.size(), 17u);
  EXPECT_EQ(t[0].kind, TokenKind::kWord);
  EXPECT_EQ(t[0].value, "ab_1");
  EXPECT_EQ(t[0].pos, 0u);
  EXPECT_EQ(t[1].kind, TokenKind::kQuotedIdent);
  EXPECT_EQ(t[1].value, "x y");
  EXPECT_EQ(t[1].raw, "`x y`");
  EXPECT_EQ(t[1].pos, 5u);
  EXPECT_EQ(t[2].kind, TokenKind::kString);
  EXPECT_EQ(t[2].value, "str");
  EXPECT_EQ(t[2].raw, "'str'");
  EXPECT_EQ(t[2].pos, 11u);
  EXPECT_EQ(t[3].kind, TokenKind::kNumber);
  EXPECT_EQ(t[3].value, "42");
  EXPECT_EQ(t[3].pos, 17u);
  const std::vector<std::string> syms = {",", "(", ")", ";", "=", "!=", "<>", "<=", ">=", "<", ">"};
  for (size_t i = 0; i < syms.size(); ++i) {
    EXPECT_EQ(t[4 + i].kind, TokenKind::kSymbol) << i;
    EXPECT_EQ(t[4 + i].value, syms[i]);
    EXPECT_EQ(t[4 + i].pos, q.find(syms[i] + (i < 4 ? "" : " "), t[3 + i].pos + 1)) << syms[i];
  }
  EXPECT_EQ(t[15].kind, TokenKind::kWord);
  EXPECT_EQ(t[15].value, "$v");
  EXPECT_EQ(t[16].kind, TokenKind::kEnd);
  EXPECT_EQ(t[16].pos, q.size());
}

TEST(Lexer, WordsWithDigitsAndUnicode) {
  auto t = Lex("1abc 123 t\xc3\xa9st");
  ASSERT_EQ(t.size(), 4u);
  EXPECT_EQ(t[0].kind, TokenKind::kWord);
  EXPECT_EQ(t[0].value, "1abc");
  EXPECT_EQ(t[1].kind, TokenKind::kNumber);
  EXPECT_EQ(t[2].kind, TokenKind::kWord);
  EXPECT_EQ(t[2].value, "t\xc3\xa9st");
}

TEST(Lexer, CommentsAndWhitespace) {
  auto t = Lex("/* a */ x\t-- c\n#h\r\n y/**/z --\n w -- ");
  ASSERT_EQ(t.size(), 5u);
  EXPECT_EQ(t[0].value, "x");
  EXPECT_EQ(t[0].pos, 8u);
  EXPECT_EQ(t[1].value, "y");
  EXPECT_EQ(t[2].value, "z");
  EXPECT_EQ(t[3].value, "w");
}

TEST(Lexer, DoubleDashWithoutSpaceIsNotAComment) {
  auto t = Lex("a --b");
  ASSERT_EQ(t.size(), 5u);
  EXPECT_EQ(t[1].value, "-");
  EXPECT_EQ(t[2].value, "-");
  EXPECT_EQ(t[3].value, "b");
}

struct Escape {
  const char* literal;
  std::string value;
};

class StringEscapes : public testing::TestWithParam<Escape> {};

TEST_P(StringEscapes, Unescapes) {
  auto t = Lex(GetParam().literal);
  ASSERT_EQ(t.size(), 2u) << GetParam().literal;
  EXPECT_EQ(t[0].kind, TokenKind::kString);
  EXPECT_EQ(t[0].value, GetParam().value) << GetParam().literal;
  EXPECT_EQ(t[0].raw, GetParam().literal);
}

INSTANTIATE_TEST_SUITE_P(
    All, StringEscapes,
    testing::Values(Escape{R"('a\nb')", "a\nb"}, Escape{R"('a\tb')", "a\tb"},
                    Escape{R"('a\0b')", std::string("a\0b", 3)}, Escape{R"('a\\b')", "a\\b"},
                    Escape{R"('a\'b')", "a'b"}, Escape{R"('a\"b')", "a\"b"},
                    Escape{R"('a\Zb')",
                           "a\x1a"
                           "b"},
                    Escape{R"('a\rb')", "a\rb"}, Escape{R"('a\bb')", "a\bb"},
                    Escape{R"('a\qb')", "aqb"}, Escape{R"('a\%b\_')", "a\\%b\\_"},
                    Escape{R"('it''s')", "it's"}, Escape{R"("say ""hi""")", "say \"hi\""},
                    Escape{R"("it's")", "it's"}, Escape{R"('say "x"')", "say \"x\""},
                    Escape{R"('')", ""}, Escape{"'multi\nline'", "multi\nline"},
                    Escape{R"('-- not a comment')", "-- not a comment"}));

TEST(Lexer, BackquotedIdentifiers) {
  auto t = Lex("`a``b` `with space` `semi;colon` `'q'`");
  ASSERT_EQ(t.size(), 5u);
  EXPECT_EQ(t[0].value, "a`b");
  EXPECT_EQ(t[1].value, "with space");
  EXPECT_EQ(t[2].value, "semi;colon");
  EXPECT_EQ(t[3].value, "'q'");
}

struct BadToken {
  const char* query;
  const char* message;
};

class LexErrors : public testing::TestWithParam<BadToken> {};

TEST_P(LexErrors, ReportsTokenAndPosition) {
  const Status st = LexError(GetParam().query);
  ASSERT_FALSE(st.ok()) << GetParam().query;
  EXPECT_EQ(st.code(), 1064);
  EXPECT_EQ(st.sqlstate(), "42000");
  EXPECT_EQ(st.message(), GetParam().message);
  // Lexing stops there: the error token is followed by the end.
  auto t = Tokenize(GetParam().query);
  ASSERT_GE(t.size(), 2u);
  EXPECT_EQ(t[t.size() - 2].kind, TokenKind::kError);
  EXPECT_EQ(t.back().kind, TokenKind::kEnd);
}

INSTANTIATE_TEST_SUITE_P(
    All, LexErrors,
    testing::Values(BadToken{"a 'open", "SHADOW SYNC syntax error near ''open' at position 2"},
                    BadToken{"a \"open", "SHADOW SYNC syntax error near '\"open' at position 2"},
                    BadToken{"a `open", "SHADOW SYNC syntax error near '`open' at position 2"},
                    BadToken{"ab ``", "SHADOW SYNC syntax error near '``' at position 3"},
                    BadToken{"a /* open", "SHADOW SYNC syntax error near '/* open' at position 2"},
                    BadToken{"a 'x\\", "SHADOW SYNC syntax error near ''x\\' at position 2"}));

// The shared lexer decides comments as the server does: version comments by server and
// version, NO_BACKSLASH_ESCAPES for strings; operators are joined only when they touch.
TEST(Lexer, ReadsAsTheSessionsServer) {
  const sql::Dialect maria = sql::Dialect::FromServerVersion("10.11.6-MariaDB");
  const sql::Dialect mysql = sql::Dialect::FromServerVersion("8.0.36");
  auto words = [](const std::vector<Token>& t) {
    std::string out;
    for (const Token& tok : t) out += tok.value + (tok.kind == TokenKind::kEnd ? "" : "|");
    return out;
  };
  EXPECT_EQ(words(Tokenize("/*!50700 x */ a /*! b */ /*M! c */", maria)), "a|b|c|");
  EXPECT_EQ(words(Tokenize("/*!50700 x */ a /*! b */ /*M! c */", mysql)), "x|a|b|");
  sql::Dialect nbe = maria;
  nbe.backslash_escapes = false;
  auto t = Tokenize(R"('a\' 'b\nc')", nbe);
  ASSERT_EQ(t.size(), 3u);
  EXPECT_EQ(t[0].value, "a\\");
  EXPECT_EQ(t[1].value, "b\\nc");
  EXPECT_EQ(Tokenize(R"('a\'')", maria)[0].value, "a'");
  EXPECT_EQ(words(Tokenize("a < /**/ = b <= c", maria)), "a|<|=|b|<=|c|");
  EXPECT_EQ(words(Tokenize("1.5 .5 1e3", maria)), "1.5|.5|1e3|");
  // An unterminated version comment is reported where it starts; its content is no token.
  auto open = Tokenize("SHADOW SYNC /*! HELP", maria);
  ASSERT_EQ(open.size(), 4u);
  EXPECT_EQ(open[2].kind, TokenKind::kError);
  EXPECT_EQ(open[2].pos, 12u);
  EXPECT_EQ(SyntaxError(open[2]).message(),
            "SHADOW SYNC syntax error near '/*! HELP' at position 12");
}

TEST(Lexer, LongTokenIsCutInMessage) {
  const std::string long_word(100, 'w');
  const std::string q = "x '" + long_word;
  EXPECT_EQ(LexError(q).message(),
            "SHADOW SYNC syntax error near ''" + std::string(63, 'w') + "' at position 2");
  // A cut never splits a UTF-8 sequence.
  std::string s = "'" + std::string(62, 'a') + "\xc3\xa9" + "zzz";
  EXPECT_EQ(LexError(s).message(),
            "SHADOW SYNC syntax error near ''" + std::string(62, 'a') + "' at position 0");
}

}  // namespace
}  // namespace shadowproxy::shadow_sync
