// Integration: foreign keys across tables on a real MariaDB. A parent's referenced key or column
// changes, a parent is re-created, or tables reference each other in a cycle, while the shadows'
// foreign keys point at each other: the whole script (foreign keys dropped first, parents
// changed, children changed, foreign keys added last) must run with foreign_key_checks on and
// converge, in every selection order, and a second analysis must find nothing to do.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <random>

#include "plugins/schema/analyzer.h"
#include "tests/plugins/schema/corpus_util.h"
#include "tests/plugins/schema/test_backend.h"

namespace shadowproxy::schema {
namespace {

const bool kBackendRegistered = testing::RegisterSharedBackend();

const Naming kSuffix{"", "_shadow"};

struct Case {
  std::string before;               // the sources as the shadows were copied from them
  std::string shadow_rows = {};     // rows put into the shadows (may be empty)
  std::string after;                // how the sources changed since (foreign_key_checks off)
  std::vector<std::string> tables;  // every source table, for the oracle
};

class FkOrderTest : public ::testing::Test {
 protected:
  // Builds the case, analyses `selection`, runs the script, and returns "" or what went wrong.
  // `out`, if given, receives the analysis.
  std::string Converge(const Case& c, const TableSelection& selection, Analysis* out = nullptr) {
    Result<sql::MysqlConn> conn = testing::SharedBackend()->Connect();
    if (!conn.ok()) return conn.status().ToString();
    sql::MultiResult r = conn->QueryMulti(
        "DROP DATABASE IF EXISTS fdb; CREATE DATABASE fdb; USE fdb; "
        "SET SESSION foreign_key_checks=0; " +
        c.before);
    if (!r.error.ok()) return "before: " + r.error.ToString();
    std::string copies;
    for (const std::string& t : c.tables)
      copies += testing::ExpectedShadowDdl(testing::ShowCreate(*conn, "fdb", t), kSuffix) + ";";
    r = conn->QueryMulti(copies + c.shadow_rows + "SET SESSION foreign_key_checks=0;" + c.after);
    if (!r.error.ok()) return "shadows/after: " + r.error.ToString();

    auto a = Analyze(testing::SharedBackend()->conn_info(), "fdb", selection, kSuffix);
    if (!a.ok()) return "analysis: " + a.status().ToString();
    std::string sql;
    for (const std::string& s : a->script) sql += s + ";\n";
    Status run = ExecuteScript(testing::SharedBackend()->conn_info(), "fdb", a->script);
    if (!run.ok()) return "script: " + run.ToString() + "\nscript:\n" + sql;
    for (const TableAnalysis& ta : a->tables) {
      const std::string& t = ta.source_table;
      std::string want = testing::ExpectedShadowDdl(testing::ShowCreate(*conn, "fdb", t), kSuffix);
      std::string got =
          testing::StripAutoIncrement(testing::ShowCreate(*conn, "fdb", kSuffix.ShadowName(t)));
      if (want != got) return t + " differs; script:\n" + sql + "want:\n" + want + "\ngot:\n" + got;
    }
    auto again = Analyze(testing::SharedBackend()->conn_info(), "fdb", selection, kSuffix);
    if (!again.ok()) return "second analysis: " + again.status().ToString();
    for (const TableAnalysis& t : again->tables)
      if (t.result != Action::kNoAction)
        return "second analysis: " + t.source_table + " " + ActionName(t.result) + "\n" +
               t.change_sql;
    if (out != nullptr) *out = std::move(a).value();
    return "";
  }

  // Every order of every non-empty selection of `c.tables`, and ALL TABLES. Each analysed
  // table converges; ALL TABLES and the full lists analyse every table.
  void ConvergesInEveryOrder(const Case& c) {
    Analysis a;
    EXPECT_EQ(Converge(c, TableSelection::All(), &a), "") << "ALL TABLES";
    EXPECT_EQ(a.tables.size(), c.tables.size());
    for (unsigned mask = 1; mask < (1u << c.tables.size()); ++mask) {
      std::vector<std::string> names;
      for (size_t i = 0; i < c.tables.size(); ++i)
        if (mask & (1u << i)) names.push_back(c.tables[i]);
      std::sort(names.begin(), names.end());
      do {
        EXPECT_EQ(Converge(c, TableSelection::List(names)), "") << ::testing::PrintToString(names);
      } while (std::next_permutation(names.begin(), names.end()));
    }
  }
};

const TableAnalysis* Find(const Analysis& a, const std::string& source) {
  for (const TableAnalysis& t : a.tables)
    if (t.source_table == source) return &t;
  return nullptr;
}

// The parent drops tenant_id from its composite primary key; the child's foreign key follows.
// Parent first fails (the child's shadow still points at the old key: ERROR 1829/1553); child
// first fails (the new key does not exist yet).
TEST_F(FkOrderTest, ParentPrimaryKeyLosesAColumn) {
  ConvergesInEveryOrder(Case{
      .before = "CREATE TABLE users (tenant_id int NOT NULL, id int NOT NULL, name varchar(20),"
                " PRIMARY KEY (tenant_id, id));"
                "CREATE TABLE posts (id int PRIMARY KEY, tenant_id int NOT NULL, user_id int NOT "
                "NULL, KEY k_author (tenant_id, user_id), CONSTRAINT fk_author FOREIGN KEY "
                "(tenant_id, user_id) REFERENCES users (tenant_id, id));",
      .shadow_rows = "INSERT INTO users_shadow VALUES (1, 10, 'a');"
                     "INSERT INTO posts_shadow VALUES (100, 1, 10);",
      .after = "ALTER TABLE posts DROP FOREIGN KEY fk_author;"
               "ALTER TABLE users DROP PRIMARY KEY, DROP COLUMN tenant_id, ADD PRIMARY KEY (id);"
               "ALTER TABLE posts ADD CONSTRAINT fk_author FOREIGN KEY (user_id) REFERENCES users "
               "(id);",
      .tables = {"users", "posts"},
  });
}

// The parent's key column is replaced (id -> user_id); the child's foreign key follows. Asked
// for the parent alone, the analysis brings the child, whose shadow key is in the way.
TEST_F(FkOrderTest, ParentKeyColumnReplaced) {
  Case c{
      .before =
          "CREATE TABLE users (id int PRIMARY KEY, name varchar(20));"
          "CREATE TABLE posts (id int PRIMARY KEY, user_id int, KEY k_user (user_id),"
          " CONSTRAINT fk_u FOREIGN KEY (user_id) REFERENCES users (id));",
      // The post's author is NULL: the replaced key column loses its values.
      .shadow_rows =
          "INSERT INTO users_shadow VALUES (7, 'a');"
          "INSERT INTO posts_shadow VALUES (1, NULL);",
      .after =
          "ALTER TABLE posts DROP FOREIGN KEY fk_u;"
          "ALTER TABLE users DROP PRIMARY KEY, DROP COLUMN id, ADD COLUMN user_id int NOT "
          "NULL FIRST, ADD PRIMARY KEY (user_id);"
          "ALTER TABLE posts ADD CONSTRAINT fk_u FOREIGN KEY (user_id) REFERENCES users "
          "(user_id);",
      .tables = {"users", "posts"},
  };
  ConvergesInEveryOrder(c);
  Analysis a;
  ASSERT_EQ(Converge(c, TableSelection::List({"users"}), &a), "");
  ASSERT_EQ(a.tables.size(), 2u);
  EXPECT_EQ(a.tables[0].source_table, "users");
  EXPECT_EQ(a.tables[1].source_table, "posts");
  EXPECT_TRUE(a.tables[1].added_as_child);
  EXPECT_FALSE(a.tables[0].added_as_child);
  // The child's key goes first and comes back last.
  ASSERT_GE(a.script.size(), 3u);
  EXPECT_NE(a.script.front().find("`posts_shadow`"), std::string::npos) << a.script.front();
  EXPECT_NE(a.script.front().find("DROP FOREIGN KEY"), std::string::npos);
  EXPECT_NE(a.script.back().find("ADD CONSTRAINT `fk_u_shadow`"), std::string::npos);
}

// A child whose shadow key the parent's change does not disturb stays out of a list.
TEST_F(FkOrderTest, UndisturbedChildStaysOut) {
  Analysis a;
  ASSERT_EQ(Converge(
                Case{
                    .before = "CREATE TABLE users (id int PRIMARY KEY, name varchar(20));"
                              "CREATE TABLE posts (id int PRIMARY KEY, user_id int,"
                              " CONSTRAINT fk_u FOREIGN KEY (user_id) REFERENCES users (id));",
                    .after = "ALTER TABLE users ADD COLUMN email varchar(40), MODIFY name "
                             "varchar(30);"
                             "ALTER TABLE posts ADD COLUMN title varchar(10);",
                    .tables = {"users", "posts"},
                },
                TableSelection::List({"users"}), &a),
            "");
  ASSERT_EQ(a.tables.size(), 1u);
  EXPECT_EQ(a.script.size(), 1u);
}

// The parent's referenced column widens (int -> bigint); the child's column must follow, and the
// server refuses to change either while the foreign key is there.
TEST_F(FkOrderTest, ReferencedColumnTypeWidens) {
  ConvergesInEveryOrder(Case{
      .before = "CREATE TABLE users (id int PRIMARY KEY);"
                "CREATE TABLE posts (id int PRIMARY KEY, user_id int,"
                " CONSTRAINT fk_u FOREIGN KEY (user_id) REFERENCES users (id));",
      .shadow_rows = "INSERT INTO users_shadow VALUES (7); INSERT INTO posts_shadow VALUES (1, 7);",
      .after = "ALTER TABLE posts DROP FOREIGN KEY fk_u;"
               "ALTER TABLE users MODIFY id bigint NOT NULL;"
               "ALTER TABLE posts MODIFY user_id bigint, ADD CONSTRAINT fk_u FOREIGN KEY "
               "(user_id) REFERENCES users (id);",
      .tables = {"users", "posts"},
  });
}

// A chain grand <- parent <- child where the middle table's key changes both as a child (its
// foreign key to grand) and as a parent (child's foreign key to it).
TEST_F(FkOrderTest, ChainOfThreeWithTheMiddleChanging) {
  ConvergesInEveryOrder(Case{
      .before = "CREATE TABLE grand (id int PRIMARY KEY, code char(3) NOT NULL, UNIQUE KEY "
                "u_code (code));"
                "CREATE TABLE parent (id int PRIMARY KEY, g int, CONSTRAINT fk_pg FOREIGN KEY (g) "
                "REFERENCES grand (id));"
                "CREATE TABLE child (id int PRIMARY KEY, p int, CONSTRAINT fk_cp FOREIGN KEY (p) "
                "REFERENCES parent (id));",
      .after = "ALTER TABLE child DROP FOREIGN KEY fk_cp; ALTER TABLE parent DROP FOREIGN KEY "
               "fk_pg;"
               "ALTER TABLE parent DROP PRIMARY KEY, CHANGE id pid int NOT NULL, CHANGE g gcode "
               "char(3), ADD PRIMARY KEY (pid), ADD CONSTRAINT fk_pg FOREIGN KEY (gcode) "
               "REFERENCES grand (code);"
               "ALTER TABLE child ADD CONSTRAINT fk_cp FOREIGN KEY (p) REFERENCES parent (pid);",
      .tables = {"grand", "parent", "child"},
  });
}

// The parent cannot be altered (a stored generated column becomes a plain one) and is dropped
// and re-created, while the child's shadow, unchanged, points at it.
TEST_F(FkOrderTest, ParentRecreatedUnderAnUnchangedChild) {
  Case c{
      .before =
          "CREATE TABLE users (id int PRIMARY KEY, twice int AS (id * 2) STORED);"
          "CREATE TABLE posts (id int PRIMARY KEY, user_id int,"
          " CONSTRAINT fk_u FOREIGN KEY (user_id) REFERENCES users (id));",
      .after = "ALTER TABLE users DROP COLUMN twice, ADD COLUMN twice int;",
      .tables = {"users", "posts"},
  };
  ConvergesInEveryOrder(c);
  Analysis a;
  ASSERT_EQ(Converge(c, TableSelection::List({"posts"}), &a), "");
  ASSERT_NE(Find(a, "users"), nullptr);
  EXPECT_TRUE(Find(a, "users")->recreated);
  // The child is touched only to let its parent go: its row says why.
  ASSERT_NE(Find(a, "posts"), nullptr);
  EXPECT_EQ(Find(a, "posts")->result, Action::kUpdate);
  EXPECT_NE(Find(a, "posts")->note.find("users_shadow"), std::string::npos)
      << Find(a, "posts")->note;
}

// Parent and child both re-created.
TEST_F(FkOrderTest, ParentAndChildBothRecreated) {
  ConvergesInEveryOrder(Case{
      .before = "CREATE TABLE users (id int PRIMARY KEY, twice int AS (id * 2) STORED);"
                "CREATE TABLE posts (id int PRIMARY KEY, user_id int, half int AS (id DIV 2) "
                "STORED, CONSTRAINT fk_u FOREIGN KEY (user_id) REFERENCES users (id));",
      .after = "ALTER TABLE users DROP COLUMN twice, ADD COLUMN twice int;"
               "ALTER TABLE posts DROP COLUMN half, ADD COLUMN half int;",
      .tables = {"users", "posts"},
  });
}

// Two tables that reference each other, created from nothing: neither CREATE can name the other
// before it exists.
TEST_F(FkOrderTest, CycleCreatedFromNothing) {
  Case c{
      .before =
          "CREATE TABLE a (id int PRIMARY KEY, b_id int, KEY kb (b_id));"
          "CREATE TABLE b (id int PRIMARY KEY, a_id int, KEY ka (a_id));",
      .after =
          "DROP TABLE a_shadow; DROP TABLE b_shadow;"
          "ALTER TABLE a ADD CONSTRAINT fk_ab FOREIGN KEY (b_id) REFERENCES b (id);"
          "ALTER TABLE b ADD CONSTRAINT fk_ba FOREIGN KEY (a_id) REFERENCES a (id);",
      .tables = {"a", "b"},
  };
  ConvergesInEveryOrder(c);
}

// A self-referencing parent whose key changes, with a child.
TEST_F(FkOrderTest, SelfReferenceAndChildFollowAKeyChange) {
  ConvergesInEveryOrder(Case{
      .before = "CREATE TABLE node (id int PRIMARY KEY, up int, CONSTRAINT fk_up FOREIGN KEY (up) "
                "REFERENCES node (id));"
                "CREATE TABLE leaf (id int PRIMARY KEY, n int, CONSTRAINT fk_n FOREIGN KEY (n) "
                "REFERENCES node (id));",
      .after = "ALTER TABLE leaf DROP FOREIGN KEY fk_n; ALTER TABLE node DROP FOREIGN KEY fk_up;"
               "ALTER TABLE node MODIFY id bigint NOT NULL, MODIFY up bigint;"
               "ALTER TABLE node ADD CONSTRAINT fk_up FOREIGN KEY (up) REFERENCES node (id);"
               "ALTER TABLE leaf MODIFY n bigint,"
               " ADD CONSTRAINT fk_n FOREIGN KEY (n) REFERENCES node (id);",
      .tables = {"node", "leaf"},
  });
}

// Seeded random foreign-key chains: three tables t0 <- t1 <- t2 (t2 may point at t0 instead, t0
// may close a cycle), whose keys widen, are renamed, gain a tenant column, or whose table must
// be re-created, and whose keys come and go. The shadows are copies of one random schema, the
// sources another; any selection in any order must converge. SP_FK_SEED and SP_FK_PAIRS
// override the run.
struct ChainTable {
  std::string key = "id";
  bool wide = false;    // bigint key
  bool tenant = false;  // PRIMARY KEY (tenant_id, key)
  bool stored = false;  // g is a stored generated column (flipping it re-creates)
  int parent = -1;      // index of the referenced table, -1 for none
  bool fk = true;       // the foreign key to the parent is there
};

std::string Render(const std::vector<ChainTable>& m, size_t i) {
  const ChainTable& t = m[i];
  std::string sql = "CREATE TABLE t" + std::to_string(i) + " (";
  if (t.tenant) sql += "tenant_id int NOT NULL, ";
  sql += t.key + (t.wide ? " bigint" : " int") + " NOT NULL, v varchar(10), g int";
  sql += t.stored ? " AS (" + t.key + " + 1) STORED" : "";
  if (t.parent >= 0) {
    const ChainTable& p = m[static_cast<size_t>(t.parent)];
    if (p.tenant) sql += ", ptenant int";
    sql += std::string(", ref ") + (p.wide ? "bigint" : "int");
  }
  sql += ", PRIMARY KEY (" + std::string(t.tenant ? "tenant_id, " : "") + t.key + ")";
  if (t.parent >= 0) {
    const ChainTable& p = m[static_cast<size_t>(t.parent)];
    const std::string cols = std::string(p.tenant ? "ptenant, " : "") + "ref";
    sql += ", KEY k_ref (" + cols + ")";
    if (t.fk)
      sql += ", CONSTRAINT fk_t" + std::to_string(i) + " FOREIGN KEY (" + cols + ") REFERENCES t" +
             std::to_string(t.parent) + " (" + (p.tenant ? "tenant_id, " : "") + p.key + ")";
  }
  return sql + ")";
}

void Mutate(std::mt19937& rng, std::vector<ChainTable>& m, int serial, std::string* log) {
  const size_t i = std::uniform_int_distribution<size_t>(0, m.size() - 1)(rng);
  ChainTable& t = m[i];
  const std::string name = "t" + std::to_string(i);
  switch (std::uniform_int_distribution<int>(0, 5)(rng)) {
    case 0:
      t.wide = !t.wide;
      *log += name + " key type; ";
      break;
    case 1:
      t.key = "k" + std::to_string(serial);
      *log += name + " key renamed; ";
      break;
    case 2:
      t.tenant = !t.tenant;
      *log += name + " tenant in key; ";
      break;
    case 3:
      t.stored = !t.stored;
      *log += name + " generated column (re-create); ";
      break;
    case 4:
      if (t.parent >= 0) {
        t.fk = !t.fk;
        *log += name + " foreign key toggled; ";
      }
      break;
    default:
      // t0 closes a cycle or opens it; t2 points at t0 or t1.
      if (i == 0) t.parent = t.parent < 0 ? 2 : -1;
      if (i == 2) t.parent = t.parent == 1 ? 0 : 1;
      *log += name + " parent now " + std::to_string(t.parent) + "; ";
      break;
  }
}

TEST_F(FkOrderTest, SeededRandomChainsConverge) {
  const char* seed_env = std::getenv("SP_FK_SEED");
  const char* pairs_env = std::getenv("SP_FK_PAIRS");
  const unsigned seed =
      seed_env ? static_cast<unsigned>(std::strtoul(seed_env, nullptr, 10)) : 20261202u;
  const int pairs = pairs_env ? std::atoi(pairs_env) : 60;
  std::mt19937 rng(seed);
  int passed = 0, failed = 0, recreated = 0, children_added = 0, serial = 0;
  for (int k = 0; k < pairs; ++k) {
    std::vector<ChainTable> before(3);
    before[1].parent = 0;
    before[2].parent = 1;
    std::string log = "before: ";
    for (int n = std::uniform_int_distribution<int>(0, 2)(rng); n > 0; --n)
      Mutate(rng, before, ++serial, &log);
    std::vector<ChainTable> after = before;
    log += " after: ";
    for (int n = std::uniform_int_distribution<int>(1, 3)(rng); n > 0; --n)
      Mutate(rng, after, ++serial, &log);
    Case c;
    for (size_t i = 0; i < before.size(); ++i) {
      c.before += Render(before, i) + ";";
      c.after += "DROP TABLE t" + std::to_string(i) + ";";
      const std::string cols = std::string(before[i].tenant ? "tenant_id, " : "") + before[i].key;
      c.shadow_rows += "INSERT INTO t" + std::to_string(i) + "_shadow (" + cols + ", v) VALUES (" +
                       (before[i].tenant ? "1, " : "") + "1, 'x');";
      c.tables.push_back("t" + std::to_string(i));
    }
    for (size_t i = 0; i < after.size(); ++i) c.after += Render(after, i) + ";";
    // ALL TABLES or a random non-empty list in a random order.
    TableSelection selection = TableSelection::All();
    if (std::uniform_int_distribution<int>(0, 3)(rng) != 0) {
      std::vector<std::string> names;
      while (names.empty())
        for (const std::string& t : c.tables)
          if (std::uniform_int_distribution<int>(0, 1)(rng)) names.push_back(t);
      std::shuffle(names.begin(), names.end(), rng);
      selection = TableSelection::List(names);
    }
    Analysis a;
    std::string why = Converge(c, selection, &a);
    if (!why.empty()) {
      ++failed;
      ADD_FAILURE() << "pair " << k << " (seed " << seed << "): " << log << "\n" << why;
      continue;
    }
    ++passed;
    for (const TableAnalysis& t : a.tables) {
      recreated += t.recreated;
      children_added += t.added_as_child;
    }
  }
  std::cout << "foreign-key chains (seed " << seed << "): pairs " << pairs << ", passed " << passed
            << ", wrong DDL " << failed << "; shadows re-created " << recreated
            << ", children added " << children_added << std::endl;
  EXPECT_EQ(failed, 0);
}

}  // namespace
}  // namespace shadowproxy::schema
