#include "plugins/tasks/schema_bridge.h"

#include <set>

#include "plugins/schema/analyzer.h"
#include "plugins/schema/differ.h"

namespace shadowproxy::tasks {

AnalyzeFn MakeSchemaAnalyzer(std::function<ConfigPtr()> config) {
  return [config](const AnalyzeRequest& req) -> Result<Analysis> {
    ConfigPtr c = config();
    const ClusterConfig* cluster = c->FindCluster(req.cluster);
    if (cluster == nullptr)
      return Status(errc::kUnavailable, "cluster '" + req.cluster + "' is not configured");
    schema::TableSelection selection =
        req.all_tables ? schema::TableSelection::All() : schema::TableSelection::List(req.tables);
    schema::AnalyzeOptions options;
    options.parallelism = static_cast<int>(std::max<uint32_t>(1, c->shadow_sync.workers));
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
                                                        : TableResult::kNoAction;
      at.source_ddl = std::move(t.source_ddl);
      at.shadow_ddl = std::move(t.shadow_ddl);
      at.change_sql = std::move(t.change_sql);
      at.statements = std::move(t.statements);
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
