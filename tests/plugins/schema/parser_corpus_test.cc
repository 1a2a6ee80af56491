// The parser on the corpora in tests/corpora: every OceanBase SHOW CREATE sample parses and
// round-trips (render(parse(x)) == x modulo whitespace); every CREATE TABLE of the skeema corpus
// parses.
#include <gtest/gtest.h>

#include <cctype>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "plugins/schema/ddl_generator.h"
#include "plugins/schema/show_create_parser.h"
#include "plugins/schema/sql_lexer.h"

namespace shadowproxy::schema {
namespace {

std::string ReadFile(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string NoSpace(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (!std::isspace(static_cast<unsigned char>(c))) out += c;
  }
  return out;
}

// The texts between pairs of "----8<----" lines, with the mysqltest "Table\tCreate Table"
// header and "name\t" prefix removed, leading comment lines and a trailing ';' dropped.
std::vector<std::string> ObSamples() {
  std::string text = ReadFile(std::filesystem::path(SHADOWPROXY_CORPORA_DIR) /
                              "oceanbase/show-create-samples.txt");
  std::vector<std::string> out;
  const std::string marker = "----8<----\n";
  size_t pos = 0;
  while (true) {
    size_t b = text.find(marker, pos);
    if (b == std::string::npos) break;
    b += marker.size();
    size_t e = text.find(marker, b);
    if (e == std::string::npos) break;
    std::string sample = text.substr(b, e - b);
    if (sample.rfind("Table\tCreate Table\n", 0) == 0) {
      sample.erase(0, sample.find('\n') + 1);
      sample.erase(0, sample.find('\t') + 1);
    }
    while (sample.rfind("--", 0) == 0 || sample.rfind("\n", 0) == 0) {
      sample.erase(0, sample.find('\n') + 1);
    }
    while (!sample.empty() &&
           (std::isspace(static_cast<unsigned char>(sample.back())) || sample.back() == ';')) {
      sample.pop_back();
    }
    out.push_back(sample);
    pos = e + marker.size();
  }
  return out;
}

TEST(ParserCorpus, EveryOceanBaseSampleParsesAndRoundTrips) {
  std::vector<std::string> samples = ObSamples();
  ASSERT_EQ(samples.size(), 7u) << "sample markers not found under " << SHADOWPROXY_CORPORA_DIR;
  for (const std::string& s : samples) {
    Result<Table> t = ParseCreateTable(s);
    ASSERT_TRUE(t.ok()) << t.status().ToString() << "\n" << s;
    EXPECT_EQ(NoSpace(RenderCreateTable(*t)), NoSpace(s)) << s;
  }
}

TEST(ParserCorpus, OceanBaseSpecificsAreModelled) {
  std::vector<std::string> samples = ObSamples();
  ASSERT_GE(samples.size(), 6u);
  Result<Table> t1 = ParseCreateTable(samples[0]);
  ASSERT_TRUE(t1.ok());
  EXPECT_EQ(t1->columns.size(), 3u);
  ASSERT_EQ(t1->indexes.size(), 9u);
  EXPECT_EQ(t1->indexes[1].scope, "GLOBAL");
  EXPECT_EQ(t1->indexes[1].block_size, "16384");
  EXPECT_NE(t1->indexes[1].partition.find("partition by hash(c1)"), std::string::npos);
  EXPECT_EQ(t1->indexes[2].scope, "LOCAL");
  EXPECT_TRUE(t1->indexes[2].partition.empty());
  ASSERT_TRUE(t1->partitioning.has_value());
  EXPECT_EQ(t1->partitioning->method, "HASH");
  const TableOption* comp = t1->FindOption("COMPRESSION");
  ASSERT_NE(comp, nullptr);
  EXPECT_EQ(comp->value, "'zstd_1.3.8'");
  EXPECT_EQ(comp->text, "COMPRESSION = 'zstd_1.3.8'");
  ASSERT_NE(t1->FindOption("PCTFREE"), nullptr);
  // Sample 5b: OB FK order ON UPDATE before ON DELETE, schema-qualified target.
  Result<Table> fk = ParseCreateTable(samples[5]);
  ASSERT_TRUE(fk.ok()) << fk.status().ToString();
  ASSERT_EQ(fk->foreign_keys.size(), 1u);
  EXPECT_EQ(fk->foreign_keys[0].ref_db, "test");
  EXPECT_EQ(fk->foreign_keys[0].on_update, "RESTRICT");
  EXPECT_EQ(fk->foreign_keys[0].on_delete, "NO ACTION");
  EXPECT_EQ(fk->checks.size(), 1u);
  // Sample 5: the materialized view keeps its query as the tail.
  Result<Table> mv = ParseCreateTable(samples[4]);
  ASSERT_TRUE(mv.ok());
  EXPECT_EQ(mv->kind, ObjectKind::kMaterializedView);
  ASSERT_TRUE(mv->partitioning.has_value());
  EXPECT_EQ(mv->partitioning->partitions, 6u);
  EXPECT_EQ(mv->tail.rfind("WITH COLUMN GROUP", 0), 0u) << mv->tail;
  // Sample 6: ORGANIZATION INDEX and a unicode comment.
  Result<Table> org = ParseCreateTable(samples[6]);
  ASSERT_TRUE(org.ok());
  ASSERT_NE(org->FindOption("ORGANIZATION"), nullptr);
  EXPECT_EQ(org->FindOption("ORGANIZATION")->value, "INDEX");
  EXPECT_EQ(*org->columns[0].comment, "主键ID");
}

// CREATE TABLE statements of a SQL file: from CREATE TABLE to the first depth-0 ';' or a
// depth-0 word that starts another statement.
std::vector<std::string> CreateTables(std::string text) {
  // statements.sql writes "--" then a Unicode space (U+00A0, U+3000) and a comment. To the
  // server that is no comment ("-", "-" and a word: checked on MariaDB 10.11), so a quote in it
  // would open a string that never ends and nothing in the file would lex; read those as the
  // comments their author meant.
  for (size_t p = text.find("--"); p != std::string::npos; p = text.find("--", p + 2)) {
    if (p + 2 < text.size() && static_cast<unsigned char>(text[p + 2]) >= 0x80) {
      text.insert(p + 2, " ");
    }
  }
  std::vector<std::string> out;
  Result<TokenStream> ts = Lex(text);
  if (!ts.ok()) return out;
  const auto& tk = ts->tokens;
  for (size_t i = 0; i + 1 < tk.size(); ++i) {
    if (!IsWord(tk[i], "CREATE") || !IsWord(tk[i + 1], "TABLE")) continue;
    int depth = 0;
    size_t j = i + 2;
    for (; j < tk.size(); ++j) {
      if (IsSymbol(tk[j], '(')) ++depth;
      if (IsSymbol(tk[j], ')')) --depth;
      if (depth == 0 &&
          (IsSymbol(tk[j], ';') || IsWord(tk[j], "CREATE") || IsWord(tk[j], "DELIMITER") ||
           IsWord(tk[j], "INSERT") || IsWord(tk[j], "USE"))) {
        break;
      }
    }
    // Up to the next token (not the last one's end): a closing "*/" belongs to the statement.
    size_t end = j < tk.size() ? tk[j].begin : text.size();
    std::string stmt = text.substr(tk[i].begin, end - tk[i].begin);
    while (!stmt.empty() && std::isspace(static_cast<unsigned char>(stmt.back()))) stmt.pop_back();
    out.push_back(stmt);
  }
  return out;
}

TEST(ParserCorpus, SkeemaCreateTablesParse) {
  // Statements that are deliberately not table definitions or broken (see the corpus README).
  const std::set<std::string> expected_failures = {
      "CREATE TABLE",                        // statements-badcreate.sql
      "CREATE TABLE 123 (id int)",           //   "
      "CREATE TABLE . (id int)",             //   "
      "CREATE TABLE foo. (id int)",          //   "
      "CREATE TABLE foo.bar.baz (id int)",   //   "
      "CREATE TABLE foo.* (id int)",         //   "
      "CREATE TABLE no_rows LIKE has_rows",  // rows.sql: LIKE is not a definition
      // statements.sql: under DELIMITER "💩💩💩" the delimiter is glued to the statement.
      "CREATE TABLE uhoh (ummm varchar(20) default 'ok 💩💩💩 cool')💩💩💩",
  };
  int parsed = 0;
  std::vector<std::string> failures;
  for (const auto& entry : std::filesystem::directory_iterator(
           std::filesystem::path(SHADOWPROXY_CORPORA_DIR) / "skeema")) {
    for (const std::string& stmt : CreateTables(ReadFile(entry.path()))) {
      Result<Table> t = ParseCreateTable(stmt);
      if (t.ok()) {
        ++parsed;
        Result<Table> again = ParseCreateTable(RenderCreateTable(*t));
        EXPECT_TRUE(again.ok()) << RenderCreateTable(*t);
      } else if (!expected_failures.count(stmt)) {
        failures.push_back(entry.path().filename().string() + ": " + t.status().message());
      }
    }
  }
  EXPECT_GE(parsed, 60);
  EXPECT_TRUE(failures.empty()) << ::testing::PrintToString(failures);
}

}  // namespace
}  // namespace shadowproxy::schema
