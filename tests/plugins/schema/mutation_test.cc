// Integration: seeded random mutation pairs on a real MariaDB. From every loadable fixture table
// a shadow is made identical, given a row, then mutated by random ALTERs; the engine's script
// must bring it back (SHOW CREATE equal under the naming), a second analysis must be NO_ACTION,
// and the row must still be there unless the change SQL says the shadow was re-created.
// SP_MUTATION_SEED (default 20261125) and SP_MUTATION_PAIRS (default 520) override the run.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <map>
#include <random>

#include "plugins/schema/analyzer.h"
#include "plugins/schema/show_create_parser.h"
#include "tests/plugins/schema/corpus_util.h"
#include "tests/plugins/schema/mutations.h"
#include "tests/plugins/schema/test_backend.h"

namespace shadowproxy::schema {
namespace {

using testing::QualifiedTable;

const bool kBackendRegistered = testing::RegisterSharedBackend(
    std::getenv("SP_BACKEND_ARGS") ? std::getenv("SP_BACKEND_ARGS") : "");

long EnvOr(const char* name, long fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? std::strtol(v, nullptr, 10) : fallback;
}

// Server errors that come from the row in the shadow, not from the DDL itself.
bool IsDataConflict(uint16_t code) {
  switch (code) {
    case 1048:
    case 1062:
    case 1138:
    case 1264:
    case 1265:
    case 1292:
    case 1366:
    case 1406:
    case 1452:
    case 1526:
    case 4025:
      return true;
    default:
      return false;
  }
}

struct Counts {
  int pairs = 0, passed = 0, refused = 0, failed = 0, data_conflicts = 0, recreated = 0;
  int mutations = 0, mutation_refused_by_server = 0;
  std::map<std::string, int> kinds;
  double analysis_s = 0, script_s = 0;
};

TEST(MutationTest, SeededRandomPairsConverge) {
  const unsigned seed = static_cast<unsigned>(EnvOr("SP_MUTATION_SEED", 20261125));
  const long want_pairs = EnvOr("SP_MUTATION_PAIRS", 520);
  Result<sql::MysqlConn> conn = testing::SharedBackend()->Connect();
  ASSERT_TRUE(conn.ok());
  sql::ClusterConnInfo info = testing::SharedBackend()->conn_info();
  std::vector<std::string> files = testing::FixtureFiles(SHADOWPROXY_CORPORA_DIR);

  // Count the loadable tables first, to spread the pairs evenly.
  size_t tables_total = 0;
  testing::LoadStats ignored;
  for (const std::string& f : files)
    tables_total += testing::LoadFixture(*conn, f, &ignored).size();
  ASSERT_GT(tables_total, 0u);
  const long per_table =
      (want_pairs + static_cast<long>(tables_total) - 1) / static_cast<long>(tables_total);

  std::mt19937 rng(seed);
  Counts n;
  int serial = 0;
  for (const std::string& file : files) {
    testing::LoadStats stats;
    std::vector<QualifiedTable> tables = testing::LoadFixture(*conn, file, &stats);
    for (const QualifiedTable& t : tables) {
      const std::string src_ddl = testing::ShowCreate(*conn, t.db, t.name);
      // The shadow is made (identical, with one row) for the first pair and again after a
      // pair that did not converge; a converged shadow is the next pair's starting point.
      bool fresh_needed = true;
      Naming naming{"", "_shadow"};
      for (long k = 0; k < per_table; ++k) {
        if (k == per_table / 2 && naming.prefix.empty()) {
          naming = Naming{"sh_", ""};  // the second half of the pairs uses a prefix
          fresh_needed = true;
        }
        const std::string shadow = naming.ShadowName(t.name);
        const std::string qshadow =
            sql::MysqlConn::QuoteName(t.db) + "." + sql::MysqlConn::QuoteName(shadow);
        std::string where = file + ": " + t.db + "." + t.name + " pair " + std::to_string(k);
        ASSERT_TRUE(conn->Execute("USE " + sql::MysqlConn::QuoteName(t.db)).ok());
        ASSERT_TRUE(conn->Execute("SET SESSION foreign_key_checks=0, sql_mode=''").ok());
        if (fresh_needed) {
          (void)conn->Execute("DROP TABLE IF EXISTS " + qshadow);
          Status made = conn->Execute(testing::ExpectedShadowDdl(src_ddl, naming));
          if (!made.ok()) {
            std::cout << "[skip] " << where << ": cannot copy: " << made.ToString() << "\n";
            break;
          }
          (void)conn->Execute("INSERT INTO " + qshadow + " () VALUES ()");
          fresh_needed = false;
        }
        ASSERT_TRUE(conn->Execute("SET SESSION sql_mode=DEFAULT").ok());
        // 1 to 3 mutations that the server accepts.
        int wanted = std::uniform_int_distribution<int>(1, 3)(rng), applied = 0;
        std::string log;
        for (int attempt = 0; attempt < 40 && applied < wanted; ++attempt) {
          Result<Table> cur = ParseCreateTable(testing::ShowCreate(*conn, t.db, shadow));
          if (!cur.ok()) break;
          testing::Mutation m = testing::RandomMutation(rng, t.db, *cur, ++serial);
          if (m.sql.empty()) continue;
          ++n.mutations;
          Status s = conn->Execute(m.sql);
          if (!s.ok()) {
            ++n.mutation_refused_by_server;
            continue;
          }
          ++applied;
          ++n.kinds[m.kind];
          log += m.sql + ";\n";
        }
        ASSERT_TRUE(conn->Execute("SET SESSION foreign_key_checks=1").ok());
        if (applied == 0) {
          fresh_needed = true;
          continue;
        }
        ++n.pairs;
        Result<sql::Rows> before = conn->Query("SELECT COUNT(*) FROM " + qshadow);
        std::string rows_before = before.ok() ? *(*before)[0][0] : "?";

        auto a0 = std::chrono::steady_clock::now();
        auto a = Analyze(info, t.db, TableSelection::List({t.name}), naming);
        n.analysis_s +=
            std::chrono::duration<double>(std::chrono::steady_clock::now() - a0).count();
        if (!a.ok()) {
          ++n.refused;
          fresh_needed = true;
          std::cout << "[refused] " << where << ": " << a.status().ToString() << "\n  after:\n"
                    << log;
          continue;
        }
        const TableAnalysis* mine = nullptr;
        for (const TableAnalysis& ta : a->tables)
          if (ta.source_table == t.name) mine = &ta;
        ASSERT_NE(mine, nullptr);
        auto r0 = std::chrono::steady_clock::now();
        Status run = ExecuteScript(info, t.db, a->script);
        n.script_s += std::chrono::duration<double>(std::chrono::steady_clock::now() - r0).count();
        if (!run.ok() && IsDataConflict(run.code())) {
          ++n.data_conflicts;
          fresh_needed = true;
          std::cout << "[data conflict] " << where << ": " << run.ToString() << "\n";
          continue;
        }
        std::string want = testing::ExpectedShadowDdl(src_ddl, naming);
        std::string got = testing::StripAutoIncrement(testing::ShowCreate(*conn, t.db, shadow));
        std::string again;
        if (run.ok() && want == got) {
          auto second = Analyze(info, t.db, TableSelection::List({t.name}), naming);
          if (!second.ok())
            again = second.status().ToString();
          else
            for (const TableAnalysis& ta : second->tables)
              if (ta.result != Action::kNoAction) again += ta.source_table + ":\n" + ta.change_sql;
        }
        Result<sql::Rows> after = conn->Query("SELECT COUNT(*) FROM " + qshadow);
        std::string rows_after = after.ok() ? *(*after)[0][0] : "?";
        bool rows_ok = mine->recreated || rows_after == rows_before;
        if (mine->recreated) ++n.recreated;
        if (!run.ok() || want != got || !again.empty() || !rows_ok) {
          ++n.failed;
          fresh_needed = true;
          ADD_FAILURE() << where << " (seed " << seed << ")\nmutations:\n"
                        << log << "script error: " << run.ToString() << "\nchange sql:\n"
                        << mine->change_sql << "\n--- want:\n"
                        << want << "\n--- got:\n"
                        << got << "\n--- second analysis: " << again << "\n--- rows " << rows_before
                        << " -> " << rows_after;
          continue;
        }
        ++n.passed;
      }
      (void)conn->Execute("SET SESSION foreign_key_checks=0");
    }
  }
  std::cout << "mutations (seed " << seed << "): pairs " << n.pairs << ", passed " << n.passed
            << ", refused by engine " << n.refused << ", wrong DDL " << n.failed
            << ", data conflicts " << n.data_conflicts << ", re-created " << n.recreated
            << "; mutations applied " << n.mutations - n.mutation_refused_by_server
            << " (server refused " << n.mutation_refused_by_server << " drawn)\n  by kind:";
  for (const auto& [k, c] : n.kinds) std::cout << " " << k << "=" << c;
  std::cout << "\n  time in first analyses " << n.analysis_s << " s, in scripts " << n.script_s
            << " s" << std::endl;
  EXPECT_EQ(n.failed, 0);
  EXPECT_GE(n.pairs, want_pairs * 9 / 10);
  EXPECT_GE(n.passed, n.pairs * 8 / 10);
}

}  // namespace
}  // namespace shadowproxy::schema
