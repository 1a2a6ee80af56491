#include "plugins/tasks/task_store_mysql.h"

#include <algorithm>
#include <set>

#include "base/log.h"
#include "plugins/tasks/sql_build.h"

namespace shadowproxy::tasks {
namespace {

using namespace sqlbuild;  // NOLINT: internal helpers of this store

constexpr char kTableOptions[] = " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4";

// Migration N is kMigrations[N-1]; never edit a released one, append a new one.
const std::vector<std::vector<std::string>>& Migrations() {
  static const std::vector<std::vector<std::string>> kAll = {
      {
          std::string("CREATE TABLE IF NOT EXISTS analyses (id BIGINT NOT NULL AUTO_INCREMENT "
                      "PRIMARY KEY, cluster VARCHAR(255) NOT NULL, db_name VARCHAR(255) NOT NULL, "
                      "prefix VARCHAR(64) NOT NULL, suffix VARCHAR(64) NOT NULL, creator "
                      "VARCHAR(255) NOT NULL, created_at DATETIME(3) NOT NULL, submitted TINYINT "
                      "NOT NULL DEFAULT 0)") +
              kTableOptions,
          std::string(
              "CREATE TABLE IF NOT EXISTS analysis_tables (analysis_id BIGINT NOT NULL, "
              "seq INT NOT NULL, source_table VARCHAR(255) NOT NULL, shadow_table "
              "VARCHAR(255) NOT NULL, result VARCHAR(16) NOT NULL, skipped TINYINT NOT "
              "NULL, source_ddl LONGTEXT NOT NULL, shadow_ddl LONGTEXT NOT NULL, change_sql "
              "LONGTEXT NOT NULL, statements LONGTEXT NOT NULL, PRIMARY KEY (analysis_id, "
              "seq))") +
              kTableOptions,
          std::string(
              "CREATE TABLE IF NOT EXISTS tasks (id BIGINT NOT NULL AUTO_INCREMENT PRIMARY "
              "KEY, task_type VARCHAR(32) NOT NULL, cluster VARCHAR(255) NOT NULL, db_name "
              "VARCHAR(255) NOT NULL, creator VARCHAR(255) NOT NULL, created_at DATETIME(3) "
              "NOT NULL, status VARCHAR(40) NOT NULL, execution_mode VARCHAR(16) NOT NULL, "
              "execute_at DATETIME(3) NULL, error_strategy VARCHAR(16) NOT NULL, remarks "
              "TEXT NOT NULL, process VARCHAR(255) NOT NULL, process_nodes TEXT NOT NULL, "
              "allow_self_approval TINYINT NOT NULL, current_node INT NOT NULL, prefix "
              "VARCHAR(64) NOT NULL, suffix VARCHAR(64) NOT NULL, analysis_id BIGINT NOT "
              "NULL, owner VARCHAR(255) NULL, lease_until DATETIME(3) NULL, approved_at "
              "DATETIME(3) NULL, started_at DATETIME(3) NULL, finished_at DATETIME(3) NULL, "
              "version BIGINT NOT NULL, KEY k_created (created_at), KEY k_status "
              "(status))") +
              kTableOptions,
          std::string("CREATE TABLE IF NOT EXISTS task_tables (task_id BIGINT NOT NULL, seq INT "
                      "NOT NULL, source_table VARCHAR(255) NOT NULL, shadow_table VARCHAR(255) NOT "
                      "NULL, result VARCHAR(16) NOT NULL, skipped TINYINT NOT NULL, PRIMARY KEY "
                      "(task_id, seq))") +
              kTableOptions,
          std::string("CREATE TABLE IF NOT EXISTS task_statements (task_id BIGINT NOT NULL, seq "
                      "INT NOT NULL, source_table VARCHAR(255) NOT NULL, sql_text LONGTEXT NOT "
                      "NULL, state VARCHAR(16) NOT NULL, error TEXT NOT NULL, PRIMARY KEY "
                      "(task_id, seq))") +
              kTableOptions,
          std::string("CREATE TABLE IF NOT EXISTS task_steps (task_id BIGINT NOT NULL, seq INT NOT "
                      "NULL, node VARCHAR(255) NOT NULL, status VARCHAR(40) NOT NULL, operator "
                      "VARCHAR(255) NOT NULL, at DATETIME(3) NULL, comment TEXT NOT NULL, PRIMARY "
                      "KEY (task_id, seq))") +
              kTableOptions,
          std::string("CREATE TABLE IF NOT EXISTS task_logs (id BIGINT NOT NULL AUTO_INCREMENT "
                      "PRIMARY KEY, task_id BIGINT NOT NULL, at DATETIME(3) NOT NULL, level "
                      "VARCHAR(8) NOT NULL, message LONGTEXT NOT NULL, KEY k_task (task_id, id))") +
              kTableOptions,
      },
      // 2: where each statement of a table runs in the whole script (one character per
      // statement, plugins/schema/script_phase.h); '' for analyses stored before.
      {
          "ALTER TABLE analysis_tables ADD COLUMN phases VARCHAR(1024) NOT NULL DEFAULT ''",
      },
  };
  return kAll;
}

}  // namespace

namespace {
sql::ConnectionPool::Options PoolOptions(const sql::ClusterConnInfo& server, size_t size,
                                         std::function<Status(sql::MysqlConn&)> prepare) {
  sql::ConnectionPool::Options o;
  o.max_size = std::max<size_t>(1, size);
  o.on_connect = std::move(prepare);
  o.connect.multi_statements = true;  // only text this store builds, values quoted
  o.acquire_timeout = server.connect_timeout;
  return o;
}

sql::ClusterConnInfo Labelled(sql::ClusterConnInfo server) {
  if (server.label.empty()) server.label = "metadb";
  return server;
}
}  // namespace

MysqlTaskStore::MysqlTaskStore(sql::ClusterConnInfo server, std::string database, size_t pool_size)
    : database_(std::move(database)),
      pool_(Labelled(server),
            PoolOptions(server, pool_size, [this](sql::MysqlConn& c) { return Prepare(c); })) {}

int MysqlTaskStore::LatestVersion() { return static_cast<int>(Migrations().size()); }

Status MysqlTaskStore::Prepare(sql::MysqlConn& c) {
  std::string use = "USE " + QuoteName(database_);
  if (Status s = c.Execute(use); !s.ok()) {
    if (s.code() != 1049) return s;  // 1049: unknown database
    if (Status e = c.Execute("CREATE DATABASE IF NOT EXISTS " + QuoteName(database_) +
                             " CHARACTER SET utf8mb4");
        !e.ok())
      return e;
    if (Status u = c.Execute(use); !u.ok()) return u;
  }
  // Migrations run (under their lock) on the first connection that works; a second one racing
  // it finds nothing left to apply.
  if (!migrated_.load()) {
    if (Status m = Migrate(c); !m.ok()) return m;
    migrated_ = true;
  }
  return Status::Ok();
}

Status MysqlTaskStore::Open() {
  auto lease = pool_.Acquire();  // connects, creates the database, migrates
  return lease.status();
}

Status MysqlTaskStore::Migrate(sql::MysqlConn& link) {
  auto got = link.Query("SELECT GET_LOCK('shadowproxy_metadb_migrate', 60)");
  if (!got.ok()) return got.status();
  if (got->empty() || Str((*got)[0][0]) != "1")
    return Status(errc::kUnavailable, "metadb " + link.server() + ": migration lock timed out");
  Status result = [&]() -> Status {
    if (Status s = link.Execute("CREATE TABLE IF NOT EXISTS schema_version (version INT NOT NULL "
                                "PRIMARY KEY, applied_at DATETIME(3) NOT NULL)" +
                                std::string(kTableOptions));
        !s.ok())
      return s;
    auto rows = link.Query("SELECT COALESCE(MAX(version), 0) FROM schema_version");
    if (!rows.ok()) return rows.status();
    int current = static_cast<int>(Int((*rows)[0][0]));
    const auto& all = Migrations();
    for (int n = current + 1; n <= static_cast<int>(all.size()); ++n) {
      // DDL commits implicitly in MySQL; each statement is idempotent (IF NOT EXISTS), and the
      // version row is written last, so a migration cut short is simply re-run.
      for (const auto& stmt : all[static_cast<size_t>(n - 1)])
        if (Status s = link.Execute(stmt); !s.ok()) return s;
      if (Status s =
              link.Execute("INSERT INTO schema_version VALUES (" + std::to_string(n) + ", NOW(3))");
          !s.ok())
        return s;
      log::Info("tasks", "metadb ", database_, ": applied migration ", n);
    }
    return Status::Ok();
  }();
  (void)link.Execute("DO RELEASE_LOCK('shadowproxy_metadb_migrate')");
  return result;
}

Result<int> MysqlTaskStore::SchemaVersion() {
  return pool_.Run([&](sql::MysqlConn& link) -> Result<int> {
    auto rows = link.Query("SELECT COALESCE(MAX(version), 0) FROM schema_version");
    if (!rows.ok()) return rows.status();
    return static_cast<int>(Int((*rows)[0][0]));
  });
}

Result<int64_t> MysqlTaskStore::CreateAnalysis(const Analysis& a) {
  return pool_.Run([&](sql::MysqlConn& link) -> Result<int64_t> {
    int64_t id = 0;
    Status s = InTransaction(link, [&]() -> Status {
      Sql q(link);
      q << "INSERT INTO analyses (cluster, db_name, prefix, suffix, creator, created_at, "
           "submitted) "
           "VALUES (";
      q.Q(a.cluster) << ",";
      q.Q(a.database) << ",";
      q.Q(a.naming.prefix) << ",";
      q.Q(a.naming.suffix) << ",";
      q.Q(a.creator) << ",";
      q.T(a.created_at) << ",0)";
      if (Status e = link.Execute(q.str()); !e.ok()) return e;
      id = static_cast<int64_t>(link.insert_id());
      InsertBatch rows(link, "INSERT INTO analysis_tables VALUES ");
      int seq = 0;
      for (const auto& t : a.tables) {
        Sql& r = rows.row();
        r.N(id) << ",";
        r.N(++seq) << ",";
        r.Q(t.source) << ",";
        r.Q(t.shadow) << ",";
        r.Q(ToString(t.result)) << ",";
        r.N(t.skipped) << ",";
        r.Q(t.source_ddl) << ",";
        r.Q(t.shadow_ddl) << ",";
        r.Q(t.change_sql) << ",";
        r.Q(EncodeList(t.statements)) << ",";
        r.Q(schema::EncodePhases(t.phases));
        if (Status e = rows.Add(); !e.ok()) return e;
      }
      if (Status e = rows.Flush(); !e.ok()) return e;
      return Status::Ok();
    });
    if (!s.ok()) return s;
    return id;
  });
}

Result<Analysis> MysqlTaskStore::GetAnalysis(int64_t id) {
  return pool_.Run([&](sql::MysqlConn& link) -> Result<Analysis> {
    auto rows = link.Query(
        "SELECT id, cluster, db_name, prefix, suffix, creator, created_at, "
        "submitted FROM analyses WHERE id=" +
        std::to_string(id));
    if (!rows.ok()) return rows.status();
    if (rows->empty()) return UnknownAnalysis(id);
    const sql::Row& r = (*rows)[0];
    Analysis a;
    a.id = Int(r[0]);
    a.cluster = Str(r[1]);
    a.database = Str(r[2]);
    a.naming = Naming{Str(r[3]), Str(r[4])};
    a.creator = Str(r[5]);
    a.created_at = Time(r[6]).value_or(TimePoint{});
    a.submitted = Int(r[7]) != 0;
    auto tables = link.Query(
        "SELECT source_table, shadow_table, result, skipped, source_ddl, "
        "shadow_ddl, change_sql, statements, phases FROM analysis_tables WHERE "
        "analysis_id=" +
        std::to_string(id) + " ORDER BY seq");
    if (!tables.ok()) return tables.status();
    for (const auto& t : *tables) {
      AnalysisTable at;
      at.source = Str(t[0]);
      at.shadow = Str(t[1]);
      at.result = ParseTableResult(Str(t[2])).value_or(TableResult::kNoAction);
      at.skipped = Int(t[3]) != 0;
      at.source_ddl = Str(t[4]);
      at.shadow_ddl = Str(t[5]);
      at.change_sql = Str(t[6]);
      at.statements = DecodeList(Str(t[7])).value_or(std::vector<std::string>{});
      at.phases = schema::DecodePhases(Str(t[8]), at.statements.size())
                      .value_or(std::vector<schema::ScriptPhase>(at.statements.size(),
                                                                 schema::ScriptPhase::kMain));
      a.tables.push_back(std::move(at));
    }
    return a;
  });
}

Result<int> MysqlTaskStore::SetSkipped(int64_t analysis_id, const std::vector<std::string>& tables,
                                       bool skipped) {
  return pool_.Run([&](sql::MysqlConn& link) -> Result<int> {
    int changed = 0;
    Status s = InTransaction(link, [&]() -> Status {
      changed = 0;
      auto rows = link.Query(
          "SELECT submitted FROM analyses WHERE id=" + std::to_string(analysis_id) + " FOR UPDATE");
      if (!rows.ok()) return rows.status();
      if (rows->empty()) return UnknownAnalysis(analysis_id);
      if (Int((*rows)[0][0]) != 0)
        return Status(errc::kAlreadySubmitted,
                      "analysis " + std::to_string(analysis_id) + " is already submitted");
      if (tables.empty()) return Status::Ok();
      // One read to find the names that are not in the analysis, one UPDATE for the rest.
      Sql in(link);
      for (size_t i = 0; i < tables.size(); ++i) {
        if (i) in << ",";
        in.Q(tables[i]);
      }
      auto found = link.Query("SELECT source_table FROM analysis_tables WHERE analysis_id=" +
                              std::to_string(analysis_id) + " AND BINARY source_table IN (" +
                              in.str() + ")");
      if (!found.ok()) return found.status();
      std::set<std::string> present;
      for (const auto& r : *found) present.insert(Str(r[0]));
      for (const auto& name : tables)
        if (present.count(name) == 0)
          return Status(errc::kNotFound,
                        "table '" + name + "' is not in analysis " + std::to_string(analysis_id));
      Sql u(link);
      u << "UPDATE analysis_tables SET skipped=";
      u.N(skipped) << " WHERE analysis_id=";
      u.N(analysis_id) << " AND skipped<>";
      u.N(skipped) << " AND BINARY source_table IN (" << in.str() << ")";
      if (Status e = link.Execute(u.str()); !e.ok()) return e;
      changed = static_cast<int>(link.affected_rows());
      return Status::Ok();
    });
    if (!s.ok()) return s;
    return changed;
  });
}

}  // namespace shadowproxy::tasks
