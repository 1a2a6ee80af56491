// DDL recognition for shadow_sync.follow_ddl: a table of queries and what the reader finds.
#include "plugins/follow_ddl/ddl_reader.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace shadowproxy::follow_ddl {
namespace {

// "ALTER TABLE:0:db.t>new|old" style rendering: kind, statement index, tables, dropped.
std::string Render(const ReadResult& r) {
  std::string out;
  for (const auto& d : r.ddl) {
    if (!out.empty()) out += "; ";
    out += std::string(KindName(d.kind)) + ":" + std::to_string(d.index);
    if (!d.index_known) out += "?";
    auto list = [&](const std::vector<TableRef>& ts) {
      std::string s;
      for (const auto& t : ts) {
        if (!s.empty()) s += ",";
        s += t.database.empty() ? t.table : t.database + "." + t.table;
      }
      return s;
    };
    out += " " + list(d.tables);
    if (!d.dropped.empty()) out += " -" + list(d.dropped);
  }
  if (!r.unreadable.empty()) out += out.empty() ? "UNREADABLE" : "; UNREADABLE";
  return out;
}

struct Case {
  const char* sql;
  const char* want;
};

class ReaderTest : public ::testing::TestWithParam<Case> {};

TEST_P(ReaderTest, Reads) {
  const Case& c = GetParam();
  EXPECT_EQ(Render(ReadDdl(c.sql, sql::Dialect{})), c.want) << c.sql;
}

const Case kCases[] = {
    // Plain statements.
    {"ALTER TABLE orders ADD COLUMN note VARCHAR(20)", "ALTER TABLE:0 orders"},
    {"alter table orders add index i (a)", "ALTER TABLE:0 orders"},
    {"ALTER ONLINE IGNORE TABLE IF EXISTS orders NOWAIT ADD x INT", "ALTER TABLE:0 orders"},
    {"CREATE TABLE t (id INT PRIMARY KEY)", "CREATE TABLE:0 t"},
    {"CREATE TABLE IF NOT EXISTS app.t LIKE app.s", "CREATE TABLE:0 app.t"},
    {"CREATE OR REPLACE TABLE t AS SELECT 1", "CREATE TABLE:0 t"},
    {"CREATE TEMPORARY TABLE t (a INT)", ""},
    {"CREATE INDEX idx ON orders (a)", "CREATE INDEX:0 orders"},
    {"CREATE UNIQUE INDEX IF NOT EXISTS idx USING BTREE ON `app`.`orders` (a)",
     "CREATE INDEX:0 app.orders"},
    {"DROP INDEX idx ON orders", "DROP INDEX:0 orders"},
    {"DROP INDEX IF EXISTS `idx` ON db.orders", "DROP INDEX:0 db.orders"},
    {"DROP TABLE a, db.b", "DROP TABLE:0  -a,db.b"},
    {"DROP TEMPORARY TABLE IF EXISTS a", ""},
    {"RENAME TABLE a TO b", "RENAME TABLE:0 b -a"},
    {"RENAME TABLE a TO b, b TO c, d TO e", "RENAME TABLE:0 c,e -a,d"},
    {"ALTER TABLE a RENAME TO b", "ALTER TABLE:0 b -a"},
    {"ALTER TABLE a ADD x INT, RENAME AS db.b", "ALTER TABLE:0 db.b -a"},
    {"ALTER TABLE a RENAME COLUMN x TO y", "ALTER TABLE:0 a"},
    {"ALTER TABLE a RENAME INDEX x TO y", "ALTER TABLE:0 a"},
    {"ALTER TABLE a COMMENT 'rename to b'", "ALTER TABLE:0 a"},
    // Not followed.
    {"SELECT * FROM orders", ""},
    {"INSERT INTO t VALUES ('ALTER TABLE x ADD y INT')", ""},
    {"CREATE DATABASE app", ""},
    {"CREATE VIEW v AS SELECT 1", ""},
    {"DROP DATABASE app", ""},
    {"ALTER DATABASE app CHARACTER SET utf8mb4", ""},
    {"RENAME USER a TO b", ""},
    {"SHADOW SYNC SHOW TASKS", ""},
    // Comments and version comments, as the server reads them.
    {"/* a comment */ ALTER TABLE t ADD x INT", "ALTER TABLE:0 t"},
    {"-- line\nALTER TABLE t ADD x INT", "ALTER TABLE:0 t"},
    {"# hash\nALTER TABLE t ADD x INT", "ALTER TABLE:0 t"},
    {"/*!40101 ALTER TABLE t ADD x INT */", "ALTER TABLE:0 t"},
    {"/*!99999 ALTER TABLE t ADD x INT */ SELECT 1", ""},
    {"ALTER /* x */ TABLE /*!32312 IF EXISTS*/ t ADD x INT", "ALTER TABLE:0 t"},
    // Quoting.
    {"ALTER TABLE `we``ird` ADD x INT", "ALTER TABLE:0 we`ird"},
    {"ALTER TABLE `my db`.`my table` ADD x INT", "ALTER TABLE:0 my db.my table"},
    {"ALTER TABLE db . t ADD x INT", "ALTER TABLE:0 db.t"},
    // Multi-statement.
    {"SET @a = 1; ALTER TABLE t ADD x INT; SELECT 1", "ALTER TABLE:1 t"},
    {"ALTER TABLE a ADD x INT;ALTER TABLE b ADD y INT;", "ALTER TABLE:0 a; ALTER TABLE:1 b"},
    {"SELECT ';'; ALTER TABLE t ADD x INT", "ALTER TABLE:1 t"},
    {"USE other; ALTER TABLE t ADD x INT", "ALTER TABLE:1 other.t"},
    {"CALL p(); ALTER TABLE t ADD x INT", "ALTER TABLE:1? t"},
    // What it cannot read: left alone from there on.
    {"ALTER TABLE t ADD x INT; CREATE PROCEDURE p() BEGIN ALTER TABLE u ADD y INT; END",
     "ALTER TABLE:0 t; UNREADABLE"},
    {"BEGIN NOT ATOMIC ALTER TABLE u ADD y INT; END", "UNREADABLE"},
    {"SELECT 1; IF 1 THEN ALTER TABLE u ADD y INT; END IF", "UNREADABLE"},
    {"ALTER TABLE 'x' ADD y INT", "UNREADABLE"},
    {"ALTER TABLE t ADD c VARCHAR(2) DEFAULT 'unterminated", "UNREADABLE"},
    {"SELECT 'x; ALTER TABLE t ADD y INT", "UNREADABLE"},
    {"CREATE INDEX i (a)", "UNREADABLE"},
    {"BEGIN; ALTER TABLE t ADD x INT", "ALTER TABLE:1 t"},
};

INSTANTIATE_TEST_SUITE_P(Table, ReaderTest, ::testing::ValuesIn(kCases));

TEST(ReaderSummaryTest, SaysWhatAndWhich) {
  auto r = ReadDdl("ALTER TABLE app.orders ADD x INT", sql::Dialect{});
  ASSERT_EQ(r.ddl.size(), 1u);
  EXPECT_EQ(r.ddl[0].summary, "ALTER TABLE app.orders ...");
}

TEST(ReaderDialectTest, VersionCommentsFollowTheServer) {
  sql::Dialect mysql57;
  mysql57.server = sql::Dialect::Server::kMySql;
  mysql57.version = 50744;
  EXPECT_EQ(Render(ReadDdl("/*!80000 ALTER TABLE t ADD x INT */", mysql57)), "");
  sql::Dialect mysql8 = mysql57;
  mysql8.version = 80036;
  EXPECT_EQ(Render(ReadDdl("/*!80000 ALTER TABLE t ADD x INT */", mysql8)), "ALTER TABLE:0 t");
}

TEST(ReaderDialectTest, NoBackslashEscapes) {
  sql::Dialect d;
  d.backslash_escapes = false;
  // With NO_BACKSLASH_ESCAPES the string ends at the second quote: the ALTER is real.
  EXPECT_EQ(Render(ReadDdl("SELECT 'a\\'; ALTER TABLE t ADD x INT", d)), "ALTER TABLE:1 t");
  EXPECT_EQ(Render(ReadDdl("SELECT 'a\\'; ALTER TABLE t ADD x INT", sql::Dialect{})), "UNREADABLE");
}

}  // namespace
}  // namespace shadowproxy::follow_ddl
