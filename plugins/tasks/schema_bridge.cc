#include "plugins/tasks/schema_bridge.h"

#include <map>
#include <memory>
#include <mutex>
#include <set>

#include "base/mysql_pool.h"
#include "plugins/schema/analyzer.h"
#include "plugins/schema/differ.h"

namespace shadowproxy::tasks {
namespace {

// One pool of schema-reading connections per cluster, shared by the analyses (and
// re-analyses) on it. A cluster whose servers or account changed (SIGHUP) gets a new pool; the
// old one lives on until the last analysis using it ends.
class ClusterPools {
 public:
  std::shared_ptr<sql::ConnectionPool> For(const ClusterConfig& cluster, size_t size) {
    sql::ClusterConnInfo info = sql::ClusterConnInfo::FromConfig(cluster);
    // A server that stops answering fails the analysis (7030) instead of holding a worker.
    info.io_timeout = std::chrono::seconds(60);
    std::lock_guard<std::mutex> lock(mu_);
    auto& slot = pools_[cluster.name];
    if (!slot || !Same(slot->target(), info)) {
      sql::ConnectionPool::Options o;
      o.max_size = size;
      o.connect.multi_statements = true;  // the reader sends its own SHOW CREATE batches
      o.acquire_timeout = info.connect_timeout;
      slot = std::make_shared<sql::ConnectionPool>(info, o);
    }
    return slot;
  }

 private:
  static bool Same(const sql::ClusterConnInfo& a, const sql::ClusterConnInfo& b) {
    return a.user == b.user && a.password == b.password && a.servers == b.servers &&
           a.connect_timeout == b.connect_timeout;
  }
  std::mutex mu_;
  std::map<std::string, std::shared_ptr<sql::ConnectionPool>> pools_;
};

}  // namespace

AnalyzeFn MakeSchemaAnalyzer(std::function<ConfigPtr()> config) {
  auto pools = std::make_shared<ClusterPools>();
  return [config, pools](const AnalyzeRequest& req) -> Result<Analysis> {
    ConfigPtr c = config();
    const ClusterConfig* cluster = c->FindCluster(req.cluster);
    if (cluster == nullptr)
      return Status(errc::kUnavailable, "cluster '" + req.cluster + "' is not configured");
    schema::TableSelection selection =
        req.all_tables ? schema::TableSelection::All() : schema::TableSelection::List(req.tables);
    selection.drop = req.drop_tables;
    schema::AnalyzeOptions options;
    const uint32_t workers = std::max<uint32_t>(1, c->shadow_sync.workers);
    options.parallelism = static_cast<int>(workers);
    // Enough for two analyses at full parallelism; a third reads with fewer connections.
    std::shared_ptr<sql::ConnectionPool> pool = pools->For(*cluster, 2 * workers);
    options.pool = pool.get();
    auto got = schema::Analyze(sql::ClusterConnInfo::FromConfig(*cluster), req.database, selection,
                               req.naming, options);
    if (!got.ok()) return got.status();
    Analysis out;
    out.cluster = req.cluster;
    out.database = req.database;
    out.naming = req.naming;
    for (auto& t : got->tables) {
      AnalysisTable at;
      at.source = t.source_table;
      at.shadow = t.shadow_table;
      at.result = t.result == schema::Action::kCreate   ? TableResult::kCreate
                  : t.result == schema::Action::kUpdate ? TableResult::kUpdate
                  : t.result == schema::Action::kDrop   ? TableResult::kDrop
                                                        : TableResult::kNoAction;
      at.source_ddl = std::move(t.source_ddl);
      at.shadow_ddl = std::move(t.shadow_ddl);
      at.change_sql = std::move(t.change_sql);
      at.statements = std::move(t.statements);
      at.phases = std::move(t.phases);
      out.tables.push_back(std::move(at));
    }
    return out;
  };
}

GuardFn MakeShadowGuard() {
  return [](const Task& task) -> Status {
    std::set<std::string> shadows;
    for (const auto& t : task.tables) shadows.insert(t.shadow);
    std::vector<std::string> statements;
    for (const auto& s : task.statements) statements.push_back(s.sql);
    return schema::CheckTouchesOnlyShadows(statements, shadows);
  };
}

}  // namespace shadowproxy::tasks
