// The readers of SQL agree on every edge case of tests/base/sql_edge_cases.txt, for MariaDB
// 10.11, MySQL 8.0 and MySQL 8.4: the shared lexer's first two words, the interception test
// (protocol::IsShadowSyncText), the SHADOW SYNC parser, and the ERR 7020 guard (which must refuse
// exactly when some server would read the hidden RENAME as SQL).
#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <vector>

#include "base/sql_lexer.h"
#include "plugins/schema/differ.h"
#include "plugins/shadow_sync/parser.h"
#include "protocol/command.h"
#include "protocol/packets.h"

namespace shadowproxy {
namespace {

struct EdgeCase {
  std::string name;
  bool intercepted[3];  // MariaDB 10.11, MySQL 8.0.36, MySQL 8.4.0
  std::string text;
};

std::string Decode(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\\' || i + 1 >= s.size()) {
      out += s[i];
      continue;
    }
    const char e = s[++i];
    if (e == 'n') {
      out += '\n';
    } else if (e == 't') {
      out += '\t';
    } else if (e == 'r') {
      out += '\r';
    } else if (e == 'x' && i + 2 < s.size()) {
      out += static_cast<char>(std::stoi(s.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else {
      out += e;
    }
  }
  return out;
}

std::vector<EdgeCase> LoadCases() {
  std::ifstream in(SP_EDGE_CASES);
  std::vector<EdgeCase> out;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> f;
    size_t b = 0;
    for (int k = 0; k < 4; ++k) {
      const size_t tab = line.find('\t', b);
      f.push_back(line.substr(b, tab - b));
      b = tab + 1;
    }
    f.push_back(line.substr(b));
    EdgeCase c;
    c.name = f[0];
    for (int k = 0; k < 3; ++k) c.intercepted[k] = f[1 + k] == "1";
    c.text = Decode(f[4]);
    out.push_back(std::move(c));
  }
  return out;
}

const sql::Dialect kDialects[3] = {
    sql::Dialect::FromServerVersion("5.5.5-10.11.19-MariaDB-0+deb12u1"),
    sql::Dialect::FromServerVersion("8.0.36"),
    sql::Dialect::FromServerVersion("8.4.0"),
};
const char* const kDialectNames[3] = {"MariaDB 10.11", "MySQL 8.0", "MySQL 8.4"};

// The lexer's own answer: the first two content tokens are the words SHADOW and SYNC.
bool LexerSaysShadowSync(std::string_view text, const sql::Dialect& d) {
  sql::Lexer lexer(text, d);
  sql::Token a = lexer.Next();
  sql::Token b = lexer.Next();
  return a.kind == sql::TokenKind::kWord && sql::EqualsKeyword(lexer.Text(a), "SHADOW") &&
         b.kind == sql::TokenKind::kWord && sql::EqualsKeyword(lexer.Text(b), "SYNC");
}

size_t FindNoCase(const std::string& hay, std::string_view upper) {
  for (size_t i = 0; i + upper.size() <= hay.size(); ++i) {
    if (sql::EqualsKeyword(std::string_view(hay).substr(i, upper.size()), upper)) return i;
  }
  return std::string::npos;
}

TEST(EdgeCases, FileIsThere) { EXPECT_GE(LoadCases().size(), 40u); }

TEST(EdgeCases, LexerInterceptionAndParserAgree) {
  for (const EdgeCase& c : LoadCases()) {
    for (int k = 0; k < 3; ++k) {
      const sql::Dialect& d = kDialects[k];
      SCOPED_TRACE(c.name + " on " + kDialectNames[k]);
      EXPECT_EQ(LexerSaysShadowSync(c.text, d), c.intercepted[k]);
      EXPECT_EQ(protocol::IsShadowSyncText(c.text, d), c.intercepted[k]);
      const std::string payload = "\x03" + c.text;
      EXPECT_EQ(protocol::IsShadowSyncQuery(protocol::AsBytes(payload), false, d),
                c.intercepted[k]);
      // The parser reads the same words: an intercepted text is HELP; any other fails at or
      // before where SYNC is written.
      auto parsed = shadow_sync::ParseStatement(c.text, d);
      if (c.intercepted[k]) {
        ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
        EXPECT_TRUE(std::holds_alternative<shadow_sync::HelpStmt>(*parsed));
      } else if (!parsed.ok()) {
        const std::string m = parsed.status().message();
        const size_t at = m.rfind("at position ");
        ASSERT_NE(at, std::string::npos) << m;
        const size_t pos = std::stoul(m.substr(at + 12));
        const size_t sync = FindNoCase(c.text, "SYNC");
        EXPECT_TRUE(m.find("'end of statement'") != std::string::npos || pos <= sync) << m;
      } else {
        ADD_FAILURE() << "parsed a text that is not intercepted";
      }
    }
  }
}

// The cut-off window of the relay: a SYNC at the very end of it is not taken.
TEST(EdgeCases, IncompleteTextEndingInSync) {
  EXPECT_FALSE(protocol::IsShadowSyncText("SHADOW SYNC", {}, /*complete=*/false));
  EXPECT_TRUE(protocol::IsShadowSyncText("SHADOW SYNC ", {}, /*complete=*/false));
  EXPECT_TRUE(protocol::IsShadowSyncText("SHADOW SYNC", {}, /*complete=*/true));
}

// Hide ", RENAME TO t_real" where the case has SHADOW SYNC HELP: the guard must refuse exactly
// when some server (any reading) sees the RENAME, or when no server can read the statement.
TEST(EdgeCases, GuardRefusesWhatAnyServerWouldRun) {
  int checked = 0;
  for (const EdgeCase& c : LoadCases()) {
    const size_t at = FindNoCase(c.text, "SHADOW SYNC HELP");
    if (at == std::string::npos) continue;
    SCOPED_TRACE(c.name);
    const std::string stmt = "ALTER TABLE s_shadow ENGINE=InnoDB " + c.text.substr(0, at) +
                             ", RENAME TO t_real" + c.text.substr(at + 16);
    bool some_server_renames = false, some_server_reads = false;
    for (const sql::Dialect& d : sql::AllReadings(stmt)) {
      sql::Lexer lexer(stmt, d);
      bool lexes = true, renames = false;
      for (sql::Token t = lexer.Next(); t.kind != sql::TokenKind::kEnd; t = lexer.Next()) {
        if (t.kind == sql::TokenKind::kError) lexes = false;
        if (t.kind == sql::TokenKind::kWord && lexer.Text(t) == "t_real") renames = true;
      }
      some_server_renames = some_server_renames || (lexes && renames);
      some_server_reads = some_server_reads || lexes;
    }
    const Status s = schema::CheckTouchesOnlyShadows({stmt}, {"s_shadow"});
    EXPECT_EQ(!s.ok(), some_server_renames || !some_server_reads) << stmt << "\n" << s.ToString();
    if (!s.ok()) {
      EXPECT_EQ(s.code(), 7020);
    }
    ++checked;
  }
  EXPECT_GE(checked, 30);
}

}  // namespace
}  // namespace shadowproxy
