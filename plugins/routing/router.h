// The shadow router (plugins/shadow_router.h) the SHADOW SYNC plugin hands to the relay: rules
// of the config, the catalog of each (cluster, database) read from the backend's
// information_schema.TABLES on the worker pool and kept for shadow_routing_options.catalog_ttl,
// and the plan cache by statement shape.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <utility>

#include "base/config.h"
#include "base/status.h"
#include "base/worker_pool.h"
#include "plugins/routing/rewriter.h"
#include "plugins/shadow_router.h"

namespace shadowproxy::routing {

// What information_schema.TABLES says of one database: table name -> kind.
using TableKinds = std::unordered_map<std::string, TableKind>;

class Router : public plugins::ShadowRouter {
 public:
  // How a database's tables are read (blocking; runs on the pool). Replaceable for tests.
  using Loader = std::function<Result<TableKinds>(const ClusterConfig&, const std::string& db)>;

  Router(ConfigPtr config, WorkerPool* pool, Loader loader = {});

  bool Routes(std::string_view cluster) const override;
  bool Enabled() const override;
  ShadowRoutingOptions Options() const override;
  bool HasMark(std::string_view text, const sql::Dialect& dialect) const override;
  std::optional<plugins::Routed> Route(const plugins::RouteRequest& request,
                                       std::function<void(plugins::Routed)> done) override;
  void Reload(ConfigPtr config);

  // The reading of information_schema.TABLES through the cluster's admin account.
  static Result<TableKinds> LoadFromBackend(const ClusterConfig& cluster, const std::string& db);

 private:
  struct DbCatalog {
    std::chrono::steady_clock::time_point loaded;
    TableKinds tables;
  };
  using Key = std::pair<std::string, std::string>;  // (cluster, database)
  class View;

  // The rewrite against what is cached now; kNeedCatalog when a database is not.
  Output Attempt(const plugins::RouteRequest& request);
  // Loads `dbs` of `cluster` (on the pool); the first failure, if any.
  Status Load(const std::string& cluster, const std::vector<std::string>& dbs);
  plugins::Routed Finish(const plugins::RouteRequest& request, const Output& out);
  void RefreshLater(const std::string& cluster, const std::string& db);

  WorkerPool* pool_;
  Loader loader_;
  RewriteCache cache_;
  mutable std::mutex mu_;
  ConfigPtr config_;
  std::map<Key, std::shared_ptr<const DbCatalog>> catalogs_;
  std::map<Key, bool> refreshing_;
  uint64_t version_ = 1;  // changes with the config and with any catalog's contents
};

}  // namespace shadowproxy::routing
