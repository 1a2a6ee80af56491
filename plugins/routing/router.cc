// The shadow router (see router.h).
#include "plugins/routing/router.h"

#include "base/log.h"
#include "base/metrics.h"
#include "base/mysql_conn.h"
#include "base/sql_quote.h"
#include "plugins/approval/approval.h"
#include "plugins/routing/marking.h"
#include "plugins/schema/reader.h"

namespace shadowproxy::routing {

namespace {

const ShadowRoutingRule* MatchRule(const Config& config, std::string_view cluster,
                                   std::string_view db) {
  for (const ShadowRoutingRule& r : config.shadow_routing)
    if (approval::AnyGlob(r.clusters, cluster) && approval::AnyGlob(r.databases, db)) return &r;
  return nullptr;
}

}  // namespace

// What one rewrite sees: the rules of the config and the catalogs cached when it began. A stale
// catalog (older than the TTL) still answers, and is refreshed in the background: a table that
// appeared since is refused until then, which fails closed.
class Router::View : public Catalog {
 public:
  View(const Router& router, std::string cluster) : r_(router), cluster_(std::move(cluster)) {
    std::lock_guard<std::mutex> lock(r_.mu_);
    config_ = r_.config_;
    version_ = r_.version_;
    for (const auto& [key, cat] : r_.catalogs_)
      if (key.first == cluster_) catalogs_.emplace(key.second, cat);
  }
  const Rule* RuleFor(std::string_view database) const override {
    auto it = rules_.find(std::string(database));
    if (it != rules_.end()) return it->second ? &*it->second : nullptr;
    const ShadowRoutingRule* r = MatchRule(*config_, cluster_, database);
    std::optional<Rule>& slot = rules_[std::string(database)];
    if (r != nullptr) {
      slot.emplace();
      slot->naming.prefix = r->prefix;
      slot->naming.suffix = r->suffix;
      slot->shared_tables = r->shared_tables;
    }
    return slot ? &*slot : nullptr;
  }
  TableKind Kind(std::string_view database, std::string_view table) const override {
    auto it = catalogs_.find(std::string(database));
    if (it == catalogs_.end()) return TableKind::kNotLoaded;
    auto t = it->second->tables.find(std::string(table));
    return t == it->second->tables.end() ? TableKind::kMissing : t->second;
  }
  // The databases whose catalog is older than the TTL.
  std::vector<std::string> Stale() const {
    std::vector<std::string> out;
    const auto now = std::chrono::steady_clock::now();
    for (const auto& [db, cat] : catalogs_)
      if (now - cat->loaded > config_->shadow_routing_options.catalog_ttl) out.push_back(db);
    return out;
  }
  uint64_t version() const { return version_; }

 private:
  const Router& r_;
  std::string cluster_;
  ConfigPtr config_;
  uint64_t version_ = 0;
  std::map<std::string, std::shared_ptr<const DbCatalog>> catalogs_;
  mutable std::map<std::string, std::optional<Rule>> rules_;
};

Router::Router(ConfigPtr config, WorkerPool* pool, Loader loader)
    : pool_(pool),
      loader_(loader ? std::move(loader) : Loader(&Router::LoadFromBackend)),
      cache_(config->shadow_routing_options.cache_size),
      config_(std::move(config)) {}

bool Router::Routes(std::string_view cluster) const {
  std::lock_guard<std::mutex> lock(mu_);
  for (const ShadowRoutingRule& r : config_->shadow_routing)
    if (approval::AnyGlob(r.clusters, cluster)) return true;
  return false;
}

bool Router::Enabled() const {
  std::lock_guard<std::mutex> lock(mu_);
  return !config_->shadow_routing.empty();
}

ShadowRoutingOptions Router::Options() const {
  std::lock_guard<std::mutex> lock(mu_);
  return config_->shadow_routing_options;
}

bool Router::HasMark(std::string_view text, const sql::Dialect& dialect) const {
  return HasStatementMark(text, dialect);
}

void Router::Reload(ConfigPtr config) {
  std::lock_guard<std::mutex> lock(mu_);
  config_ = std::move(config);
  ++version_;
}

Output Router::Attempt(const plugins::RouteRequest& request) {
  View view(*this, request.cluster);
  Input in;
  in.text = request.text;
  in.database = request.database;
  in.dialect = request.dialect;
  in.catalog_version = view.version();
  Output out = Rewrite(in, view, &cache_);
  for (const std::string& db : view.Stale()) RefreshLater(request.cluster, db);
  return out;
}

std::optional<plugins::Routed> Router::Route(const plugins::RouteRequest& request,
                                             std::function<void(plugins::Routed)> done) {
  Output out = Attempt(request);
  if (out.outcome != Outcome::kNeedCatalog) return Finish(request, out);
  pool_->Post([this, request, dbs = out.databases, done = std::move(done)] {
    Status loaded = Load(request.cluster, dbs);
    Output again;
    if (loaded.ok()) again = Attempt(request);
    if (!loaded.ok() || again.outcome == Outcome::kNeedCatalog) {
      again = Output();
      again.outcome = Outcome::kRefused;
      again.reason_kind = "catalog";
      again.reason = loaded.ok() ? "the catalog could not be read" : loaded.message();
    }
    done(Finish(request, again));
  });
  return std::nullopt;
}

void Router::RefreshLater(const std::string& cluster, const std::string& db) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    bool& busy = refreshing_[{cluster, db}];
    if (busy) return;
    busy = true;
  }
  pool_->Post([this, cluster, db] {
    Status s = Load(cluster, {db});
    if (!s.ok())
      log::Warn("routing", {{"cluster", cluster}}, "shadow routing: refreshing the catalog of '",
                db, "' failed (the old one is kept): ", s.message());
    std::lock_guard<std::mutex> lock(mu_);
    refreshing_.erase({cluster, db});
  });
}

Status Router::Load(const std::string& cluster, const std::vector<std::string>& dbs) {
  ConfigPtr config;
  {
    std::lock_guard<std::mutex> lock(mu_);
    config = config_;
  }
  const ClusterConfig* c = config->FindCluster(cluster);
  if (c == nullptr) return Status(7040, "unknown cluster '" + cluster + "'");
  for (const std::string& db : dbs) {
    Result<TableKinds> tables = loader_(*c, db);
    if (!tables.ok())
      return Status(7040, "cannot read the tables of " + sql::QuoteIdentifier(db) + ": " +
                              tables.status().message());
    auto cat = std::make_shared<DbCatalog>();
    cat->loaded = std::chrono::steady_clock::now();
    cat->tables = std::move(tables.value());
    std::lock_guard<std::mutex> lock(mu_);
    auto& slot = catalogs_[{cluster, db}];
    if (!slot || slot->tables != cat->tables) ++version_;
    slot = std::move(cat);
  }
  return Status::Ok();
}

plugins::Routed Router::Finish(const plugins::RouteRequest& request, const Output& out) {
  plugins::Routed r;
  switch (out.outcome) {
    case Outcome::kRewritten:
      metrics::ShadowRoutingStatementsTotal("rewritten").Increment();
      break;
    case Outcome::kPassedShared:
      metrics::ShadowRoutingStatementsTotal("passed_shared").Increment();
      break;
    case Outcome::kNoTables:
      break;
    case Outcome::kRefused:
    case Outcome::kNeedCatalog:
      metrics::ShadowRoutingStatementsTotal("refused").Increment();
      r.message = RefusalMessage(out.reason);
      log::Warn("routing", {{"session", request.connection_id}, {"user", request.user}}, "session ",
                request.connection_id, " (user '", request.user, "'): ", r.message);
      return r;
  }
  r.ok = true;
  r.text = out.text;
  return r;
}

// The schema engine's reader lists the database (SHOW FULL TABLES: one round trip, no table
// opened); a database that does not exist has no tables, so each one it names is refused as
// missing.
Result<TableKinds> Router::LoadFromBackend(const ClusterConfig& cluster, const std::string& db) {
  schema::SchemaReader reader(sql::ClusterConnInfo::FromConfig(cluster), db);
  auto listed = reader.List(std::nullopt);
  TableKinds out;
  if (!listed.ok()) {
    if (listed.status().code() == errc::kNotFound) return out;
    return listed.status();
  }
  // Only base tables (system-versioned ones included) have shadows of their own; views,
  // sequences and the rest are refused as views.
  for (const auto& [name, kind] : *listed)
    out[name] = kind == schema::TableKind::kBaseTable ? TableKind::kBaseTable : TableKind::kView;
  return out;
}

}  // namespace shadowproxy::routing
