// Benchmark of the schema analysis at scale (issue 3): a database with N source tables (a dozen
// columns, a few indexes each), half of them with an outdated shadow; times Analyze(ALL TABLES)
// beside the floor measured in the same run: every table's SHOW CREATE TABLE read once,
// sequentially, over one plain connection. Prints figures; not a test.
//
//   analysis_bench --port P [--tables 2000] [--workers 4] [--rounds 3] [--no-setup] [--profile]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "base/mysql_conn.h"
#include "plugins/schema/analyzer.h"
#include "plugins/schema/reader.h"
#include "plugins/schema/show_create_parser.h"

using namespace shadowproxy;
using namespace shadowproxy::schema;
using Clock = std::chrono::steady_clock;

namespace {

const char* const kDb = "bench_analysis";

std::string SourceDdl(int i, bool outdated_shadow) {
  std::string name = "t";  // appended: "t" + std::to_string(i) trips GCC bug 105329
  name += std::to_string(i);
  if (outdated_shadow) name += "_shadow";
  std::string s = "CREATE TABLE `" + name +
                  "` (\n"
                  "  id bigint unsigned NOT NULL AUTO_INCREMENT,\n"
                  "  account_id int NOT NULL,\n"
                  "  status tinyint NOT NULL DEFAULT 0 COMMENT 'state ''x''',\n"
                  "  name varchar(64) NOT NULL DEFAULT '',\n";
  if (!outdated_shadow) s += "  email varchar(191) DEFAULT NULL,\n";
  s += "  amount decimal(12,2) NOT NULL DEFAULT 0.00,\n"
       "  note text,\n"
       "  created_at datetime NOT NULL DEFAULT CURRENT_TIMESTAMP,\n"
       "  updated_at timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,\n"
       "  flags int unsigned NOT NULL DEFAULT 0,\n"
       "  score double DEFAULT NULL,\n";
  s += outdated_shadow ? "  code char(8) NOT NULL,\n" : "  code char(12) NOT NULL,\n";
  s += "  PRIMARY KEY (id),\n"
       "  KEY idx_account (account_id, status),\n";
  s += outdated_shadow ? "  KEY idx_name (name)\n"
                       : "  UNIQUE KEY uk_code (code),\n  KEY idx_created (created_at)\n";
  s += ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COMMENT='bench table " + std::to_string(i) + "'";
  return s;
}

bool Setup(const sql::ClusterConnInfo& info, int tables) {
  auto c = sql::MysqlConn::Connect(info, "", sql::ConnectOptions{.multi_statements = true});
  if (!c.ok()) {
    std::fprintf(stderr, "connect: %s\n", c.status().ToString().c_str());
    return false;
  }
  auto t0 = Clock::now();
  if (!c->Execute(std::string("DROP DATABASE IF EXISTS ") + kDb).ok()) return false;
  if (!c->Execute(std::string("CREATE DATABASE ") + kDb).ok()) return false;
  if (!c->Execute(std::string("USE ") + kDb).ok()) return false;
  std::string batch;
  for (int i = 0; i < tables; ++i) {
    batch += SourceDdl(i, false) + ";";
    if (i % 2 == 0) batch += SourceDdl(i, true) + ";";
    if (i % 50 == 49 || i == tables - 1) {
      batch.pop_back();
      sql::MultiResult r = c->QueryMulti(batch);
      if (!r.error.ok()) {
        std::fprintf(stderr, "setup: %s\n", r.error.ToString().c_str());
        return false;
      }
      batch.clear();
    }
  }
  std::printf("setup: %d source tables, %d outdated shadows, %d without shadow (%.1f s)\n", tables,
              (tables + 1) / 2, tables / 2,
              std::chrono::duration<double>(Clock::now() - t0).count());
  return true;
}

// The floor: a plain client, one connection, SHOW CREATE TABLE of every table, one at a time.
double Floor(const sql::ClusterConnInfo& info, size_t* count) {
  auto c = sql::MysqlConn::Connect(info, kDb);
  if (!c.ok()) return -1;
  auto names = c->Query("SHOW TABLES");
  if (!names.ok()) return -1;
  auto t0 = Clock::now();
  for (const sql::Row& r : *names) {
    auto d = c->Query("SHOW CREATE TABLE " + sql::MysqlConn::QuoteName(*r[0]));
    if (!d.ok()) return -1;
  }
  *count = names->size();
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

// Where the analysis time goes: the reader alone, then parsing and diffing on one thread.
void Profile(const sql::ClusterConnInfo& info, int workers) {
  auto t0 = Clock::now();
  SchemaReader reader(info, kDb, ReaderOptions{.parallelism = workers});
  auto listing = reader.List(std::nullopt);
  if (!listing.ok()) {
    std::printf("profile: %s\n", listing.status().ToString().c_str());
    return;
  }
  auto t1 = Clock::now();
  std::vector<std::string> names;
  for (const auto& [name, kind] : *listing) names.push_back(name);
  auto ddls = reader.ReadCreate(names);
  if (!ddls.ok()) {
    std::printf("profile: %s\n", ddls.status().ToString().c_str());
    return;
  }
  auto t2 = Clock::now();
  std::vector<Table> tables;
  for (const auto& [name, ddl] : *ddls) {
    auto t = ParseCreateTable(ddl);
    if (t.ok()) tables.push_back(std::move(t).value());
  }
  auto t3 = Clock::now();
  DiffContext ctx{Naming{"", "_shadow"}, kDb};
  size_t statements = 0;
  for (const Table& t : tables) {
    if (t.name.size() > 7 && t.name.compare(t.name.size() - 7, 7, "_shadow") == 0) continue;
    auto d = Diff(t, nullptr, ctx);
    if (d.ok()) statements += d->statements.size();
  }
  auto t4 = Clock::now();
  auto sec = [](auto a, auto b) { return std::chrono::duration<double>(b - a).count(); };
  std::printf(
      "profile: list %.3f s, read %zu DDLs %.3f s (%d round trips, %d workers), parse "
      "%.3f s, diff-as-create %.3f s (1 thread, %zu statements)\n",
      sec(t0, t1), ddls->size(), sec(t1, t2), reader.round_trips(), workers, sec(t2, t3),
      sec(t3, t4), statements);
}

}  // namespace

int main(int argc, char** argv) {
  int port = 0, tables = 2000, workers = 4, rounds = 3;
  bool setup = true, profile = false;
  for (int i = 1; i < argc; ++i) {
    auto next = [&] { return i + 1 < argc ? std::atoi(argv[++i]) : 0; };
    if (!std::strcmp(argv[i], "--port"))
      port = next();
    else if (!std::strcmp(argv[i], "--tables"))
      tables = next();
    else if (!std::strcmp(argv[i], "--workers"))
      workers = next();
    else if (!std::strcmp(argv[i], "--rounds"))
      rounds = next();
    else if (!std::strcmp(argv[i], "--no-setup"))
      setup = false;
    else if (!std::strcmp(argv[i], "--profile"))
      profile = true;
  }
  if (rounds < 1) rounds = 1;
  if (port <= 0) {
    std::fprintf(stderr, "usage: %s --port P [--tables N] [--workers W] [--rounds R]\n", argv[0]);
    return 2;
  }
  sql::ClusterConnInfo info = sql::ClusterConnInfo::Local(static_cast<uint16_t>(port));
  if (setup && !Setup(info, tables)) return 1;

  if (profile) Profile(info, workers);
  std::vector<double> floors, analyses;
  size_t floor_tables = 0;
  for (int r = 0; r < rounds; ++r) {
    double f = Floor(info, &floor_tables);
    if (f < 0) {
      std::fprintf(stderr, "floor failed\n");
      return 1;
    }
    auto t0 = Clock::now();
    auto a = Analyze(info, kDb, TableSelection::All(), Naming{"", "_shadow"},
                     AnalyzeOptions{.parallelism = workers});
    double t = std::chrono::duration<double>(Clock::now() - t0).count();
    if (!a.ok()) {
      std::fprintf(stderr, "analysis failed: %s\n", a.status().ToString().c_str());
      return 1;
    }
    int creates = 0, updates = 0, noops = 0;
    for (const TableAnalysis& ta : a->tables) {
      creates += ta.result == Action::kCreate;
      updates += ta.result == Action::kUpdate;
      noops += ta.result == Action::kNoAction;
    }
    std::printf(
        "round %d: floor %.3f s (%zu SHOW CREATE TABLE, 1 connection)  analysis %.3f s "
        "(%zu tables: CREATE %d, UPDATE %d, NO_ACTION %d; %zu statements; %d round "
        "trips, %d workers)  ratio %.2f\n",
        r + 1, f, floor_tables, t, a->tables.size(), creates, updates, noops, a->script.size(),
        a->round_trips, workers, t / f);
    floors.push_back(f);
    analyses.push_back(t);
  }
  std::sort(floors.begin(), floors.end());
  std::sort(analyses.begin(), analyses.end());
  double fm = floors[floors.size() / 2], am = analyses[analyses.size() / 2];
  std::printf("median: floor %.3f s, analysis %.3f s, analysis/floor = %.2f (target <= 1.00)\n", fm,
              am, am / fm);
  return 0;
}
