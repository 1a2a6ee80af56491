// The shared SQL lexer, token by token: comments, version comments per server kind and version,
// quoting and escapes (with and without NO_BACKSLASH_ESCAPES), words and numbers, NUL bytes.
// The MariaDB rows were sent to mariadbd 10.11 (integration/test_lexer_edges.py keeps checking
// the query-level cases of tests/base/sql_edge_cases.txt).
#include "base/sql_lexer.h"

#include <gtest/gtest.h>

#include <cctype>
#include <set>
#include <string>
#include <vector>

namespace shadowproxy::sql {
namespace {

const Dialect kMaria = Dialect::FromServerVersion("5.5.5-10.11.19-MariaDB-0+deb12u1");
const Dialect kMySql80 = Dialect::FromServerVersion("8.0.36");
const Dialect kMySql84 = Dialect::FromServerVersion("8.4.0");
const Dialect kOutput = Dialect::ServerOutput();

Dialect NoEscapes(Dialect d) {
  d.backslash_escapes = false;
  return d;
}

std::string Printable(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '\0') {
      out += "\\0";
    } else {
      out += c;
    }
  }
  return out;
}

// The tokens as one line: KIND:text, '+' in front of a token inside a running version comment;
// with trivia, comments C, version markers O and X; errors E(what)@offset.
std::string Render(std::string_view text, const Dialect& d, bool trivia = false) {
  Lexer lexer(text, d, trivia);
  std::string out;
  for (Token t = lexer.Next(); t.kind != TokenKind::kEnd; t = lexer.Next()) {
    if (!out.empty()) out += ' ';
    if (t.in_version) out += '+';
    switch (t.kind) {
      case TokenKind::kWord:
        out += "W:";
        break;
      case TokenKind::kQuotedIdent:
        out += "I:";
        break;
      case TokenKind::kString:
        out += "S:";
        break;
      case TokenKind::kNumber:
        out += "N:";
        break;
      case TokenKind::kSymbol:
        out += "P:";
        break;
      case TokenKind::kComment:
        out += "C:";
        break;
      case TokenKind::kVersionOpen:
        out += "O:";
        break;
      case TokenKind::kVersionClose:
        out += "X:";
        break;
      case TokenKind::kError: {
        static const char* const kWhat[] = {"", "string", "ident", "comment", "version"};
        out +=
            "E(" + std::string(kWhat[static_cast<int>(t.error)]) + ")@" + std::to_string(t.begin);
        EXPECT_EQ(t.end, text.size());
        continue;
      }
      case TokenKind::kEnd:
        break;
    }
    out += Printable(lexer.Text(t));
  }
  return out;
}

struct Case {
  const char* what;
  std::string text;
  const Dialect* dialect;
  std::string tokens;
};

class LexerTable : public testing::TestWithParam<Case> {};

TEST_P(LexerTable, Tokens) {
  const Case& c = GetParam();
  EXPECT_EQ(Render(c.text, *c.dialect), c.tokens) << c.what << ": " << Printable(c.text);
}

const Dialect kMariaNoEscapes = NoEscapes(kMaria);

INSTANTIATE_TEST_SUITE_P(
    All, LexerTable,
    testing::Values(
        // White space and NUL bytes.
        Case{"space", std::string("a \t\r\n\x0b\x0c b"), &kMaria, "W:a W:b"},
        Case{"nbsp is part of a word",
             "a\xc2\xa0"
             "b",
             &kMaria,
             "W:a\xc2\xa0"
             "b"},
        Case{"trailing NUL ends", std::string("a\0", 2), &kMaria, "W:a"},
        Case{"trailing NUL and space", std::string("a\0 \n", 4), &kMaria, "W:a"},
        Case{"inner NUL is a symbol", std::string("a\0b", 3), &kMaria, "W:a P:\\0 W:b"},
        // -- and #.
        Case{"dash space", "a -- b\nc", &kMaria, "W:a W:c"},
        Case{"dash tab", "a --\tb\nc", &kMaria, "W:a W:c"},
        Case{"dash newline", "a --\nc", &kMaria, "W:a W:c"},
        Case{"dash control", "a --\x01x\nc", &kMaria, "W:a W:c"},
        Case{"dash DEL", "a --\x7fx\nc", &kMaria, "W:a W:c"},
        Case{"dash at the end", "a --", &kMaria, "W:a"},
        Case{"dash no space", "a --x", &kMaria, "W:a P:- P:- W:x"},
        Case{"dash utf8", "1 --\xc2\xa0x", &kMaria, "N:1 P:- P:- W:\xc2\xa0x"},
        Case{"minus minus number", "1--1", &kMaria, "N:1 P:- P:- N:1"},
        Case{"hash", "a #b c\nd", &kMaria, "W:a W:d"},
        Case{"hash ends at NUL", std::string("a # b\0c", 7), &kMaria, "W:a P:\\0 W:c"},
        Case{"dash ends at NUL", std::string("a -- b\0c", 8), &kMaria, "W:a P:\\0 W:c"},
        // /* */.
        Case{"block", "a/* x */b", &kMaria, "W:a W:b"},
        Case{"block no nesting", "/* a /* b */ c */", &kMaria, "W:c P:* P:/"},
        Case{"block slash star slash", "/*/ a */ b", &kMaria, "W:b"},
        Case{"hint is a comment", "SELECT /*+ x */ 1", &kMaria, "W:SELECT N:1"},
        Case{"block unterminated", "a /* b", &kMaria, "W:a E(comment)@2"},
        Case{"star slash outside", "a */", &kMaria, "W:a P:* P:/"},
        Case{"quotes in a comment", "/* ' */ a", &kMaria, "W:a"},
        Case{"quotes in a line comment", "# '\na", &kMaria, "W:a"},
        // Version comments on MariaDB 10.11.19.
        Case{"vc no version", "/*! a */ b", &kMaria, "+W:a W:b"},
        Case{"vc empty", "a /*!*/ b", &kMaria, "W:a W:b"},
        Case{"vc 50000", "/*!50000 a */", &kMaria, "+W:a"},
        Case{"vc 50699", "/*!50699 a */", &kMaria, "+W:a"},
        Case{"vc 50700 is MySQL's", "/*!50700 a */ b", &kMaria, "W:b"},
        Case{"vc 80023 is MySQL's", "c /*!80023 INVISIBLE */", &kMaria, "W:c"},
        Case{"vc 99999 is MySQL's", "/*!99999 a */ b", &kMaria, "W:b"},
        Case{"vc 100000 six digits", "/*!100000 a */", &kMaria, "+W:a"},
        Case{"vc 101119 = server", "/*!101119 a */", &kMaria, "+W:a"},
        Case{"vc 101120 > server", "/*!101120 a */ b", &kMaria, "W:b"},
        Case{"vc no space after", "/*!50000a*/", &kMaria, "+W:a"},
        Case{"vc four digits is no version", "/*!1234 a*/", &kMaria, "+N:1234 +W:a"},
        Case{"vc seventh digit is content", "/*!10000012 a*/", &kMaria, "+N:12 +W:a"},
        Case{"vc eight digits skipped", "/*!12345678 a*/ b", &kMaria, "W:b"},
        Case{"vc one digit", "/*!5 a */", &kMaria, "+N:5 +W:a"},
        Case{"vc M! runs MySQL range", "/*M!50700 a */", &kMaria, "+W:a"},
        Case{"vc M! 99999", "/*M!99999 a */", &kMaria, "+W:a"},
        Case{"vc M! future", "/*M!101120 a */ b", &kMaria, "W:b"},
        Case{"vc M! no version", "/*M! a */", &kMaria, "+W:a"},
        Case{"vc m! is a comment", "/*m! a */ b", &kMaria, "W:b"},
        Case{"vc M without bang", "/*M a */ b", &kMaria, "W:b"},
        Case{"vc !M! is content", "/*!M! a */", &kMaria, "+W:M +P:! +W:a"},
        Case{"skipped nests once", "/*!99999 a /* b */ c */ d", &kMaria, "W:d"},
        Case{"skipped nested vc", "/*!99999 a /*!50000 b */ c */ d", &kMaria, "W:d"},
        Case{"skipped quotes ignored", "/*!99999 'a */' */", &kMaria, "E(string)@14"},
        Case{"skipped first close", "/*!99999 */ */", &kMaria, "P:* P:/"},
        Case{"skipped unterminated", "/*!99999 a", &kMaria, "E(comment)@0"},
        Case{"running inner comment", "/*!50000 + /* 1 */ + 1 */", &kMaria, "+P:+ +P:+ +N:1"},
        Case{"running string hides close", "/*! + '*/' */", &kMaria, "+P:+ +S:'*/'"},
        Case{"running line comment", "/*! a -- */\n b */", &kMaria, "+W:a +W:b"},
        Case{"running nested marker", "/*!50000 a /*!50000 b */ c */", &kMaria,
             "+W:a +W:b W:c P:* P:/"},
        Case{"running unterminated", "x /*!50000 a", &kMaria, "W:x +W:a E(version)@2"},
        Case{"bare marker unterminated", "/*!", &kMaria, "E(version)@0"},
        // MySQL 8.0.36: /*M! is a comment, no MySQL range, five digits.
        Case{"mysql M! comment", "/*M!50000 a */ b", &kMySql80, "W:b"},
        Case{"mysql M! no version", "/*M! a */ b", &kMySql80, "W:b"},
        Case{"mysql 50700 runs", "/*!50700 a */", &kMySql80, "+W:a"},
        Case{"mysql 80036 runs", "/*!80036 a */", &kMySql80, "+W:a"},
        Case{"mysql 80037 skipped", "/*!80037 a */ b", &kMySql80, "W:b"},
        Case{"mysql 8.0 five digits", "/*!100000 a */", &kMySql80, "+N:0 +W:a"},
        Case{"mysql skipped nests once", "/*!99999 a /* b */ c */ d", &kMySql80, "W:d"},
        // MySQL 8.4: a sixth digit when white space follows it.
        Case{"mysql 8.4 six digits", "/*!100000 a */ b", &kMySql84, "W:b"},
        Case{"mysql 8.4 six digits run", "/*!080300 a */", &kMySql84, "+W:a"},
        Case{"mysql 8.4 no space: five", "/*!100000a */", &kMySql84, "+W:0a"},
        // SHOW CREATE TABLE output: every version comment is read.
        Case{"output 99999", "/*!99999 a */", &kOutput, "+W:a"},
        Case{"output M! future", "/*M!999999 a */", &kOutput, "+W:a"},
        Case{"output 80023", "`c` int /*!80023 INVISIBLE */", &kOutput, "I:`c` W:int +W:INVISIBLE"},
        // Strings and identifiers.
        Case{"doubled quote", "'it''s' x", &kMaria, "S:'it''s' W:x"},
        Case{"doubled dquote", "\"a\"\"b\"", &kMaria, "S:\"a\"\"b\""},
        Case{"dquote in squote", "'say \"x\"'", &kMaria, "S:'say \"x\"'"},
        Case{"backslash quote", "'a\\'b' x", &kMaria, "S:'a\\'b' W:x"},
        Case{"backslash quote nbe", "'a\\'b' x", &kMariaNoEscapes, "S:'a\\' W:b E(string)@5"},
        Case{"backslash backslash", "'a\\\\' x", &kMaria, "S:'a\\\\' W:x"},
        Case{"backslash backslash nbe", "'a\\\\' x", &kMariaNoEscapes, "S:'a\\\\' W:x"},
        Case{"backslash dquote", "\"a\\\"b\"", &kMaria, "S:\"a\\\"b\""},
        Case{"backslash at end", "'a\\", &kMaria, "E(string)@0"},
        Case{"string unterminated", "x 'abc", &kMaria, "W:x E(string)@2"},
        Case{"comment markers in string", "'-- /* #'", &kMaria, "S:'-- /* #'"},
        Case{"backquoted", "`a``b` `c d`", &kMaria, "I:`a``b` I:`c d`"},
        Case{"backquote no escapes", "`a\\`b`", &kMaria, "I:`a\\` W:b E(ident)@5"},
        Case{"backquoted comment opener", "`a/*` b", &kMaria, "I:`a/*` W:b"},
        Case{"ident unterminated", "`abc", &kMaria, "E(ident)@0"},
        Case{"adjacent strings", "'x' 'y'", &kMaria, "S:'x' S:'y'"},
        Case{"introducer", "_utf8mb4'x' N'y' x'41'", &kMaria,
             "W:_utf8mb4 S:'x' W:N S:'y' W:x S:'41'"},
        // Words and numbers.
        Case{"words", "ab_1 $v t\xc3\xa9st", &kMaria, "W:ab_1 W:$v W:t\xc3\xa9st"},
        Case{"numbers", "12 1.5 1e5 1.5e-3 .5 1.", &kMaria, "N:12 N:1.5 N:1e5 N:1.5e-3 N:.5 N:1."},
        Case{"number words", "1abc 0x1F 0b01 1e 1ex", &kMaria, "W:1abc W:0x1F W:0b01 W:1e W:1ex"},
        Case{"decimals do not run into words", "1.5abc 1e5x .4o", &kMaria,
             "N:1.5 W:abc N:1e5 W:x N:.4 W:o"},
        Case{"qualified digits", "a.5", &kMaria, "W:a P:. N:5"},
        Case{"symbols", "(a,b);@x<=>!", &kMaria,
             "P:( W:a P:, W:b P:) P:; P:@ W:x P:< P:= P:> P:!"}),
    [](const testing::TestParamInfo<Case>& info) {
      std::string name;
      for (const char* p = info.param.what; *p; ++p) {
        name += (std::isalnum(static_cast<unsigned char>(*p)) ? *p : '_');
      }
      return name + "_" + std::to_string(info.index);
    });

TEST(Lexer, Trivia) {
  EXPECT_EQ(Render("a /* c */ /*!50000 b */ -- d\n#e\n/*!99999 f */", kMaria, true),
            "W:a C:/* c */ O:/*!50000 +W:b X:*/ C:-- d C:#e C:/*!99999 f */");
  EXPECT_EQ(Render("/*M!100500 x */", kMySql80, true), "C:/*M!100500 x */");
}

TEST(Lexer, EndIsSticky) {
  Lexer lexer("a 'b", kMaria);
  EXPECT_EQ(lexer.Next().kind, TokenKind::kWord);
  EXPECT_EQ(lexer.Next().kind, TokenKind::kError);
  EXPECT_EQ(lexer.Next().kind, TokenKind::kEnd);
  EXPECT_EQ(lexer.Next().kind, TokenKind::kEnd);
}

TEST(Dialect, FromServerVersion) {
  struct V {
    const char* greeting;
    Dialect::Server server;
    uint32_t version;
  };
  for (const V& v : {
           V{"5.5.5-10.11.19-MariaDB-0+deb12u1", Dialect::Server::kMariaDb, 101119},
           V{"10.6.4-MariaDB-log", Dialect::Server::kMariaDb, 100604},
           V{"11.4.2-MariaDB", Dialect::Server::kMariaDb, 110402},
           V{"8.0.36", Dialect::Server::kMySql, 80036},
           V{"8.4.0-commercial", Dialect::Server::kMySql, 80400},
           V{"5.7.25-OceanBase-v4.2.1.2", Dialect::Server::kMySql, 50725},
           V{"5.7", Dialect::Server::kMySql, 50700},
           V{"", Dialect::Server::kMariaDb, 101100},
           V{"garbage", Dialect::Server::kMariaDb, 101100},
       }) {
    Dialect d = Dialect::FromServerVersion(v.greeting);
    EXPECT_EQ(d.server, v.server) << v.greeting;
    EXPECT_EQ(d.version, v.version) << v.greeting;
    EXPECT_TRUE(d.backslash_escapes);
    EXPECT_FALSE(d.all_version_comments);
  }
}

TEST(Unquote, Strings) {
  struct U {
    std::string quoted;
    bool escapes;
    std::string value;
  };
  for (const U& u : {
           U{R"('a\nb')", true, "a\nb"},
           U{R"('a\tb')", true, "a\tb"},
           U{R"('a\rb')", true, "a\rb"},
           U{R"('a\bb')", true, "a\bb"},
           U{R"('a\0b')", true, std::string("a\0b", 3)},
           U{R"('a\Zb')", true,
             "a\x1a"
             "b"},
           U{R"('a\\b')", true, "a\\b"},
           U{R"('a\'b')", true, "a'b"},
           U{R"('a\"b')", true, "a\"b"},
           U{R"('a\qb')", true, "aqb"},
           U{R"('a\%b\_')", true, "a\\%b\\_"},
           U{R"('it''s')", true, "it's"},
           U{R"("say ""hi""")", true, "say \"hi\""},
           U{R"('')", true, ""},
           U{R"(_utf8mb4'x\ny')", true, "x\ny"},
           U{R"(N'x')", true, "x"},
           U{R"('a\nb')", false, "a\\nb"},
           U{R"('a\\')", false, "a\\\\"},
           U{R"('it''s\')", false, "it's\\"},
       }) {
    EXPECT_EQ(UnquoteString(u.quoted, u.escapes), u.value) << u.quoted << " " << u.escapes;
  }
}

TEST(Unquote, Identifiers) {
  EXPECT_EQ(UnquoteIdentifier("`a``b`"), "a`b");
  EXPECT_EQ(UnquoteIdentifier("``"), "");
  EXPECT_EQ(UnquoteIdentifier("`x\\`"), "x\\");
  EXPECT_EQ(UnquoteIdentifier("plain"), "plain");
}

TEST(Keywords, CaseInsensitiveAscii) {
  EXPECT_TRUE(EqualsKeyword("sHaDoW", "SHADOW"));
  EXPECT_FALSE(EqualsKeyword("SHADOWS", "SHADOW"));
  EXPECT_FALSE(EqualsKeyword("SHAD\xc3\x96W", "SHADOW"));
}

// A reading runs a version comment or not; the set of readings covers both for every marker.
TEST(Readings, CoverEveryServer) {
  EXPECT_EQ(AllReadings("ALTER TABLE t ADD c INT").size(), 1u);
  EXPECT_EQ(AllReadings("ALTER TABLE t COMMENT 'a\\'b'").size(), 2u);
  const std::string text = "x /*!50700 a */ /*M!100500 b */ /*!100500 c */ /*!80100 d */";
  std::vector<Dialect> readings = AllReadings(text);
  ASSERT_FALSE(readings.empty());
  std::set<std::string> seen;
  for (const Dialect& d : readings) seen.insert(Render(text, d));
  // Every combination a real server can make, and the three servers above among them.
  for (const Dialect* d : {&kMaria, &kMySql80, &kMySql84}) {
    EXPECT_TRUE(seen.count(Render(text, *d))) << Render(text, *d);
  }
  EXPECT_TRUE(seen.count("W:x")) << "a server older than all of them";
  EXPECT_TRUE(seen.count("W:x +W:b +W:c")) << "MariaDB from 10.5";
  EXPECT_TRUE(seen.count("W:x +W:a +N:0 +W:c")) << "MySQL 5.7 and 8.0";
  EXPECT_TRUE(seen.count("W:x +W:a +W:d")) << "MySQL from 8.1";
  // Too many distinct versions: no readings (the guard refuses).
  std::string many;
  for (int v = 0; v <= static_cast<int>(kMaxVersionsInReadings); ++v) {
    many += "/*!" + std::to_string(50000 + v) + " x */";
  }
  EXPECT_TRUE(AllReadings(many).empty());
}

}  // namespace
}  // namespace shadowproxy::sql
