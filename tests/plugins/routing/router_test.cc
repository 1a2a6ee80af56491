// The router: answers at once from the catalog cache, or later from a worker once the tables of
// a database are read; refuses what it cannot read the catalog for; counts and caches.
#include "plugins/routing/router.h"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <mutex>

#include "base/metrics.h"

namespace shadowproxy::routing {
namespace {

ConfigPtr TestConfig() {
  auto c = std::make_shared<Config>();
  ClusterConfig cluster;
  cluster.name = "local";
  c->clusters.push_back(cluster);
  ShadowRoutingRule r;
  r.databases = {"shop"};
  r.suffix = "_shadow";
  r.shared_tables = {"countries"};
  c->shadow_routing.push_back(r);
  return c;
}

class RouterTest : public ::testing::Test {
 protected:
  Router::Loader Loader() {
    return [this](const ClusterConfig&, const std::string& db) -> Result<TableKinds> {
      ++loads_;
      if (db == "broken") return Status(1045, "Access denied");
      TableKinds t;
      t["orders"] = TableKind::kBaseTable;
      t["orders_shadow"] = TableKind::kBaseTable;
      t["countries"] = TableKind::kBaseTable;
      return t;
    };
  }
  plugins::RouteRequest Request(std::string text, std::string db = "shop") {
    plugins::RouteRequest r;
    r.cluster = "local";
    r.database = std::move(db);
    r.text = std::move(text);
    r.connection_id = 9;
    r.user = "lt";
    return r;
  }
  // Routes and waits for the answer, whichever way it comes.
  plugins::Routed RouteAndWait(Router& router, const plugins::RouteRequest& req, bool* later) {
    std::mutex mu;
    std::condition_variable cv;
    std::optional<plugins::Routed> got;
    auto now = router.Route(req, [&](plugins::Routed r) {
      std::lock_guard<std::mutex> lock(mu);
      got = std::move(r);
      cv.notify_all();
    });
    *later = !now.has_value();
    if (now) return *now;
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [&] { return got.has_value(); });
    return *got;
  }
  WorkerPool pool_{1};
  std::atomic<int> loads_{0};
};

TEST_F(RouterTest, FirstLaterThenAtOnce) {
  Router router(TestConfig(), &pool_, Loader());
  EXPECT_TRUE(router.Routes("local"));
  EXPECT_TRUE(router.Routes("other"));  // the rule's clusters are ["*"]
  bool later = false;
  auto r = RouteAndWait(router, Request("SELECT * FROM orders"), &later);
  EXPECT_TRUE(later);
  ASSERT_TRUE(r.ok) << r.message;
  EXPECT_EQ(r.text, "SELECT * FROM `orders_shadow` AS `orders`");
  r = RouteAndWait(router, Request("SELECT * FROM orders WHERE id = 2"), &later);
  EXPECT_FALSE(later);
  EXPECT_EQ(r.text, "SELECT * FROM `orders_shadow` AS `orders` WHERE id = 2");
  EXPECT_EQ(loads_, 1);
}

TEST_F(RouterTest, RefusalsCountAndSayWhy) {
  Router router(TestConfig(), &pool_, Loader());
  auto& refused = metrics::ShadowRoutingStatementsTotal("refused");
  auto& shared = metrics::ShadowRoutingStatementsTotal("passed_shared");
  const double refused0 = refused.Value(), shared0 = shared.Value();
  bool later = false;
  auto r = RouteAndWait(router, Request("SELECT * FROM audit"), &later);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.message, "shadow routing: table `shop`.`audit` does not exist");
  r = RouteAndWait(router, Request("DROP TABLE orders"), &later);
  EXPECT_FALSE(later);  // needs no catalog
  EXPECT_EQ(r.message,
            "shadow routing: DDL is not routed (shadow tables are changed through "
            "SHADOW SYNC)");
  r = RouteAndWait(router, Request("SELECT * FROM countries"), &later);
  EXPECT_TRUE(r.ok);
  EXPECT_EQ(r.text, "SELECT * FROM countries");
  EXPECT_EQ(refused.Value() - refused0, 2);
  EXPECT_EQ(shared.Value() - shared0, 1);
}

TEST_F(RouterTest, AnUnreadableCatalogFailsClosed) {
  Router router(TestConfig(), &pool_, Loader());
  auto config = std::make_shared<Config>(*TestConfig());
  config->shadow_routing[0].databases = {"*"};
  router.Reload(config);
  bool later = false;
  auto r = RouteAndWait(router, Request("SELECT * FROM t", "broken"), &later);
  EXPECT_TRUE(later);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.message, "shadow routing: cannot read the tables of `broken`: Access denied");
}

TEST_F(RouterTest, AClusterNoRuleMatchesRefusesEveryTable) {
  auto config = std::make_shared<Config>(*TestConfig());
  config->shadow_routing[0].clusters = {"east"};
  Router router(config, &pool_, Loader());
  bool later = false;
  auto r = RouteAndWait(router, Request("SELECT * FROM orders"), &later);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.message, "shadow routing: no shadow_routing rule matches database `shop`");
  r = RouteAndWait(router, Request("SET NAMES utf8mb4"), &later);
  EXPECT_TRUE(r.ok);  // names no table
}

TEST_F(RouterTest, AStaleCatalogAnswersAndIsReadAgain) {
  auto config = std::make_shared<Config>(*TestConfig());
  config->shadow_routing_options.catalog_ttl = Duration(0);
  Router router(config, &pool_, Loader());
  bool later = false;
  RouteAndWait(router, Request("SELECT * FROM orders"), &later);
  EXPECT_TRUE(later);
  auto r = RouteAndWait(router, Request("SELECT * FROM orders"), &later);
  EXPECT_FALSE(later);  // the old catalog answers ...
  EXPECT_TRUE(r.ok);
  ASSERT_TRUE(pool_.WaitIdle(std::chrono::seconds(10)));
  EXPECT_GE(loads_, 2);  // ... and is read again in the background
}

TEST_F(RouterTest, NoRuleNoRouting) {
  auto config = std::make_shared<Config>(*TestConfig());
  config->shadow_routing[0].clusters = {"east"};
  Router router(config, &pool_, Loader());
  EXPECT_FALSE(router.Routes("local"));
  EXPECT_TRUE(router.Routes("east"));
  EXPECT_TRUE(router.Enabled());
  Router off(std::make_shared<Config>(), &pool_, Loader());
  EXPECT_FALSE(off.Enabled());
  EXPECT_FALSE(off.Routes("local"));
  EXPECT_TRUE(router.HasMark("SELECT 1 /*shadow='1'*/", sql::Dialect{}));
  EXPECT_FALSE(router.HasMark("SELECT 1", sql::Dialect{}));
}

}  // namespace
}  // namespace shadowproxy::routing
