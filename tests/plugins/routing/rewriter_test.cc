// The shadow routing rewriter: exact rewritten text for every form it reads, and the refusal
// (with its reason) for everything it must not send.
#include "plugins/routing/rewriter.h"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <set>
#include <string>

namespace shadowproxy::routing {
namespace {

class FakeCatalog : public Catalog {
 public:
  FakeCatalog() {
    shop_.naming.suffix = "_shadow";
    shop_.shared_tables = {"countries"};
    pre_.naming.prefix = "shadow_";
    for (const char* t : {"customers", "orders", "order_items", "products", "Orders"}) {
      Add("shop", t);
      Add("shop", std::string(t) + "_shadow");
    }
    Add("shop", "audit");  // no shadow
    Add("shop", "countries");
    Add("shop", "lonely_shadow");  // a shadow-shaped table
    views_.insert({"shop", "v_orders"});
    views_.insert({"shop", "v_orders_shadow"});
    Add("shop", "a`b");
    Add("shop", "a`b_shadow");
    Add("shop", "c");  // a table named like a CTE
    Add("shop", "c_shadow");
    Add("ana", "events");
    Add("ana", "shadow_events");
    Add("ana", "orders");  // no shadow under the prefix
    Add("other", "orders");
    Add("other", "orders_shadow");
  }
  const Rule* RuleFor(std::string_view db) const override {
    if (db == "shop") return &shop_;
    if (db == "ana") return &pre_;
    return nullptr;
  }
  TableKind Kind(std::string_view db, std::string_view table) const override {
    if (unloaded_.count(std::string(db))) return TableKind::kNotLoaded;
    std::pair<std::string, std::string> k{std::string(db), std::string(table)};
    if (views_.count(k)) return TableKind::kView;
    return tables_.count(k) ? TableKind::kBaseTable : TableKind::kMissing;
  }
  void Add(const std::string& db, const std::string& t) { tables_.insert({db, t}); }
  std::set<std::string> unloaded_;

 private:
  Rule shop_, pre_;
  std::set<std::pair<std::string, std::string>> tables_, views_;
};

class RewriterTest : public ::testing::Test {
 protected:
  Output Run(const std::string& sql, const std::string& db = "shop") {
    Input in;
    in.text = sql;
    in.database = db;
    return Rewrite(in, catalog_);
  }
  // The rewritten text, or "REFUSED: <reason>".
  std::string R(const std::string& sql, const std::string& db = "shop") {
    Output o = Run(sql, db);
    if (o.outcome == Outcome::kRefused) return "REFUSED: " + o.reason;
    if (o.outcome == Outcome::kNeedCatalog) return "NEED";
    return o.text;
  }
  std::string Kind(const std::string& sql, const std::string& db = "shop") {
    Output o = Run(sql, db);
    return o.outcome == Outcome::kRefused ? o.reason_kind : std::string(OutcomeName(o.outcome));
  }
  FakeCatalog catalog_;
};

TEST_F(RewriterTest, SimpleSelectGetsAliasOfTheSourceName) {
  EXPECT_EQ(R("SELECT * FROM orders"), "SELECT * FROM `orders_shadow` AS `orders`");
  EXPECT_EQ(R("SELECT orders.id FROM orders WHERE orders.id = 1"),
            "SELECT orders.id FROM `orders_shadow` AS `orders` WHERE orders.id = 1");
  EXPECT_EQ(Run("SELECT * FROM orders").outcome, Outcome::kRewritten);
}

TEST_F(RewriterTest, ExplicitAliasIsKept) {
  EXPECT_EQ(R("SELECT o.id FROM orders o"), "SELECT o.id FROM `orders_shadow` o");
  EXPECT_EQ(R("SELECT o.id FROM orders AS o"), "SELECT o.id FROM `orders_shadow` AS o");
  EXPECT_EQ(R("SELECT o.id FROM orders AS `o x`"), "SELECT o.id FROM `orders_shadow` AS `o x`");
}

TEST_F(RewriterTest, QualifiedNames) {
  EXPECT_EQ(R("SELECT * FROM shop.orders"), "SELECT * FROM `shop`.`orders_shadow` AS `orders`");
  EXPECT_EQ(R("SELECT * FROM `shop` . `orders` o"), "SELECT * FROM `shop`.`orders_shadow` o");
  EXPECT_EQ(R("SELECT * FROM shop.orders", ""), "SELECT * FROM `shop`.`orders_shadow` AS `orders`");
  EXPECT_EQ(R("SELECT * FROM ana.events"), "SELECT * FROM `ana`.`shadow_events` AS `events`");
}

TEST_F(RewriterTest, QuotingAndCase) {
  EXPECT_EQ(R("select * from `orders`"), "select * from `orders_shadow` AS `orders`");
  EXPECT_EQ(R("SeLeCt * FrOm Orders"), "SeLeCt * FrOm `Orders_shadow` AS `Orders`");
  EXPECT_EQ(R("SELECT * FROM `a``b`"), "SELECT * FROM `a``b_shadow` AS `a``b`");
}

TEST_F(RewriterTest, CommentsAnywhereAreKept) {
  EXPECT_EQ(R("SELECT /* x */ * FROM/**/orders/*y*/WHERE 1 -- tail\n"),
            "SELECT /* x */ * FROM/**/`orders_shadow` AS `orders`/*y*/WHERE 1 -- tail\n");
  EXPECT_EQ(R("SELECT * FROM shop/* a */./* b */orders # c\n"),
            "SELECT * FROM `shop`.`orders_shadow` AS `orders` # c\n");
  EXPECT_EQ(R("SELECT * FROM orders /*shadow='1',traceparent='00-ab-cd-01'*/"),
            "SELECT * FROM `orders_shadow` AS `orders` /*shadow='1',traceparent='00-ab-cd-01'*/");
  // A comment that hides FROM hides nothing from the lexer.
  EXPECT_EQ(R("SELECT 1 /* FROM audit */"), "SELECT 1 /* FROM audit */");
  EXPECT_EQ(R("SELECT 'FROM audit' FROM orders"),
            "SELECT 'FROM audit' FROM `orders_shadow` AS `orders`");
}

TEST_F(RewriterTest, Joins) {
  EXPECT_EQ(R("SELECT * FROM orders o JOIN customers c ON c.id = o.customer_id"),
            "SELECT * FROM `orders_shadow` o JOIN `customers_shadow` c ON c.id = o.customer_id");
  EXPECT_EQ(
      R("SELECT * FROM orders LEFT OUTER JOIN customers ON customers.id = orders.customer_id "
        "INNER JOIN order_items oi USING (order_id) NATURAL JOIN products, countries"),
      "SELECT * FROM `orders_shadow` AS `orders` LEFT OUTER JOIN `customers_shadow` AS "
      "`customers` ON customers.id = orders.customer_id INNER JOIN `order_items_shadow` oi USING "
      "(order_id) NATURAL JOIN `products_shadow` AS `products`, countries");
  EXPECT_EQ(R("SELECT * FROM orders, customers WHERE orders.c = customers.id"),
            "SELECT * FROM `orders_shadow` AS `orders`, `customers_shadow` AS `customers` WHERE "
            "orders.c = customers.id");
  EXPECT_EQ(R("SELECT * FROM (orders o CROSS JOIN customers c) STRAIGHT_JOIN products p"),
            "SELECT * FROM (`orders_shadow` o CROSS JOIN `customers_shadow` c) STRAIGHT_JOIN "
            "`products_shadow` p");
  EXPECT_EQ(R("SELECT * FROM orders o JOIN customers c ON (c.id = o.c AND LEFT(c.n, 1) = 'a') "
              "RIGHT JOIN products p ON p.id = 1"),
            "SELECT * FROM `orders_shadow` o JOIN `customers_shadow` c ON (c.id = o.c AND "
            "LEFT(c.n, 1) = 'a') RIGHT JOIN `products_shadow` p ON p.id = 1");
}

TEST_F(RewriterTest, SubqueriesEverywhere) {
  EXPECT_EQ(R("SELECT (SELECT COUNT(*) FROM order_items i WHERE i.order_id = o.id) FROM orders o "
              "WHERE o.customer_id IN (SELECT id FROM customers) AND EXISTS (SELECT 1 FROM "
              "products)"),
            "SELECT (SELECT COUNT(*) FROM `order_items_shadow` i WHERE i.order_id = o.id) FROM "
            "`orders_shadow` o WHERE o.customer_id IN (SELECT id FROM `customers_shadow` AS "
            "`customers`) AND EXISTS (SELECT 1 FROM `products_shadow` AS `products`)");
  EXPECT_EQ(R("SELECT * FROM (SELECT id FROM orders) AS x JOIN (SELECT id FROM customers) y (cid) "
              "ON x.id = y.cid"),
            "SELECT * FROM (SELECT id FROM `orders_shadow` AS `orders`) AS x JOIN (SELECT id FROM "
            "`customers_shadow` AS `customers`) y (cid) ON x.id = y.cid");
  EXPECT_EQ(R("SELECT * FROM ((SELECT id FROM orders) UNION (SELECT id FROM customers)) u"),
            "SELECT * FROM ((SELECT id FROM `orders_shadow` AS `orders`) UNION (SELECT id FROM "
            "`customers_shadow` AS `customers`)) u");
  EXPECT_EQ(R("(SELECT id FROM orders) UNION ALL (SELECT id FROM customers) ORDER BY 1"),
            "(SELECT id FROM `orders_shadow` AS `orders`) UNION ALL (SELECT id FROM "
            "`customers_shadow` AS `customers`) ORDER BY 1");
  EXPECT_EQ(R("SELECT EXTRACT(YEAR FROM created), SUBSTRING(n FROM 2 FOR 3), TRIM(BOTH 'x' FROM "
              "n) FROM orders"),
            "SELECT EXTRACT(YEAR FROM created), SUBSTRING(n FROM 2 FOR 3), TRIM(BOTH 'x' FROM n) "
            "FROM `orders_shadow` AS `orders`");
}

TEST_F(RewriterTest, CtesAreNotTables) {
  EXPECT_EQ(R("WITH big AS (SELECT * FROM orders WHERE total > 10) SELECT * FROM big JOIN "
              "customers c ON c.id = big.customer_id"),
            "WITH big AS (SELECT * FROM `orders_shadow` AS `orders` WHERE total > 10) SELECT * "
            "FROM big JOIN `customers_shadow` c ON c.id = big.customer_id");
  EXPECT_EQ(R("WITH RECURSIVE r (n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 5) "
              "SELECT * FROM r, products"),
            "WITH RECURSIVE r (n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 5) SELECT "
            "* FROM r, `products_shadow` AS `products`");
  EXPECT_EQ(R("WITH a AS (SELECT 1 x), b AS (SELECT x FROM a) SELECT * FROM b"),
            "WITH a AS (SELECT 1 x), b AS (SELECT x FROM a) SELECT * FROM b");
  EXPECT_EQ(R("SELECT * FROM (WITH q AS (SELECT id FROM orders) SELECT * FROM q) t"),
            "SELECT * FROM (WITH q AS (SELECT id FROM `orders_shadow` AS `orders`) SELECT * FROM "
            "q) t");
  // A CTE named like a table: which one a reference means depends on scope, so refuse.
  EXPECT_EQ(Kind("WITH c AS (SELECT 1) SELECT * FROM c"), "cte");
  EXPECT_EQ(Kind("WITH orders AS (SELECT 1) SELECT * FROM orders"), "cte");
  // WITH ROLLUP is not a CTE.
  EXPECT_EQ(R("SELECT c, COUNT(*) FROM orders GROUP BY c WITH ROLLUP"),
            "SELECT c, COUNT(*) FROM `orders_shadow` AS `orders` GROUP BY c WITH ROLLUP");
}

TEST_F(RewriterTest, InsertAndReplace) {
  EXPECT_EQ(R("INSERT INTO orders (id, c) VALUES (1, 2)"),
            "INSERT INTO `orders_shadow` (id, c) VALUES (1, 2)");
  EXPECT_EQ(R("insert ignore shop.orders values (1, 2)"),
            "insert ignore `shop`.`orders_shadow` values (1, 2)");
  EXPECT_EQ(R("REPLACE INTO orders SET id = 1"), "REPLACE INTO `orders_shadow` SET id = 1");
  EXPECT_EQ(R("INSERT INTO orders (id) SELECT id FROM customers c WHERE c.id > 3"),
            "INSERT INTO `orders_shadow` (id) SELECT id FROM `customers_shadow` c WHERE c.id > 3");
  EXPECT_EQ(R("INSERT INTO orders (id, n) VALUES (1, 'a') ON DUPLICATE KEY UPDATE n = "
              "VALUES(n), orders.total = orders.total + 1"),
            "INSERT INTO `orders_shadow` (id, n) VALUES (1, 'a') ON DUPLICATE KEY UPDATE n = "
            "VALUES(n), `orders_shadow`.total = `orders_shadow`.total + 1");
  EXPECT_EQ(R("INSERT INTO orders SELECT * FROM customers ON DUPLICATE KEY UPDATE n = 1"),
            "INSERT INTO `orders_shadow` SELECT * FROM `customers_shadow` AS `customers` ON "
            "DUPLICATE KEY UPDATE n = 1");
  EXPECT_EQ(R("INSERT INTO orders SELECT * FROM orders WHERE id < 3"),
            "INSERT INTO `orders_shadow` SELECT * FROM `orders_shadow` AS `orders` WHERE id < 3");
  EXPECT_EQ(R("INSERT INTO orders (id) VALUES ((SELECT MAX(id) FROM products))"),
            "INSERT INTO `orders_shadow` (id) VALUES ((SELECT MAX(id) FROM `products_shadow` AS "
            "`products`))");
  // orders.x here could be the target or the SELECT's orders.
  EXPECT_EQ(Kind("INSERT INTO orders SELECT * FROM orders ON DUPLICATE KEY UPDATE orders.n = 1"),
            "unreadable");
}

TEST_F(RewriterTest, Update) {
  EXPECT_EQ(R("UPDATE orders SET total = 0 WHERE id = 1"),
            "UPDATE `orders_shadow` AS `orders` SET total = 0 WHERE id = 1");
  EXPECT_EQ(R("UPDATE orders SET orders.total = 0"),
            "UPDATE `orders_shadow` AS `orders` SET orders.total = 0");
  EXPECT_EQ(R("UPDATE LOW_PRIORITY orders o JOIN customers c ON c.id = o.c SET o.t = c.t WHERE "
              "c.id IN (SELECT id FROM products)"),
            "UPDATE LOW_PRIORITY `orders_shadow` o JOIN `customers_shadow` c ON c.id = o.c SET "
            "o.t = c.t WHERE c.id IN (SELECT id FROM `products_shadow` AS `products`)");
  EXPECT_EQ(R("UPDATE orders, customers SET orders.c = customers.id WHERE orders.id = 1"),
            "UPDATE `orders_shadow` AS `orders`, `customers_shadow` AS `customers` SET orders.c "
            "= customers.id WHERE orders.id = 1");
  EXPECT_EQ(R("UPDATE orders SET total = (SELECT SUM(p) FROM order_items i WHERE i.o = "
              "orders.id)"),
            "UPDATE `orders_shadow` AS `orders` SET total = (SELECT SUM(p) FROM "
            "`order_items_shadow` i WHERE i.o = orders.id)");
}

TEST_F(RewriterTest, Delete) {
  EXPECT_EQ(R("DELETE FROM orders WHERE id = 1"), "DELETE FROM `orders_shadow` WHERE id = 1");
  EXPECT_EQ(R("DELETE FROM orders WHERE orders.id = 1 ORDER BY id LIMIT 2"),
            "DELETE FROM `orders_shadow` WHERE `orders_shadow`.id = 1 ORDER BY id LIMIT 2");
  EXPECT_EQ(R("DELETE QUICK FROM shop.orders"), "DELETE QUICK FROM `shop`.`orders_shadow`");
  EXPECT_EQ(R("DELETE o FROM orders o JOIN customers c ON c.id = o.c WHERE c.x = 1"),
            "DELETE o FROM `orders_shadow` o JOIN `customers_shadow` c ON c.id = o.c WHERE c.x = "
            "1");
  EXPECT_EQ(R("DELETE orders, order_items FROM orders JOIN order_items ON order_items.o = "
              "orders.id"),
            "DELETE orders, order_items FROM `orders_shadow` AS `orders` JOIN "
            "`order_items_shadow` AS `order_items` ON order_items.o = orders.id");
  EXPECT_EQ(R("DELETE FROM orders.*, i USING orders JOIN order_items i ON i.o = orders.id"),
            "DELETE FROM orders.*, i USING `orders_shadow` AS `orders` JOIN `order_items_shadow` "
            "i ON i.o = orders.id");
  EXPECT_EQ(R("DELETE FROM orders WHERE id IN (SELECT o FROM order_items)"),
            "DELETE FROM `orders_shadow` WHERE id IN (SELECT o FROM `order_items_shadow` AS "
            "`order_items`)");
  EXPECT_EQ(Kind("DELETE shop.orders FROM shop.orders"), "unreadable");
}

TEST_F(RewriterTest, SharedAndShadowNamedTables) {
  EXPECT_EQ(Kind("SELECT * FROM countries"), "passed_shared");
  EXPECT_EQ(R("SELECT * FROM countries"), "SELECT * FROM countries");
  EXPECT_EQ(R("SELECT * FROM orders_shadow"), "SELECT * FROM orders_shadow");
  EXPECT_EQ(Kind("SELECT * FROM orders_shadow"), "rewritten");
  EXPECT_EQ(Kind("SELECT 1"), "no_tables");
  EXPECT_EQ(Kind("SELECT 1 FROM DUAL"), "no_tables");
}

TEST_F(RewriterTest, PartitionAndIndexHints) {
  EXPECT_EQ(R("SELECT * FROM orders PARTITION (p0) WHERE 1"),
            "SELECT * FROM `orders_shadow` PARTITION (p0) AS `orders` WHERE 1");
  EXPECT_EQ(R("SELECT * FROM orders USE INDEX (i) JOIN customers c FORCE KEY FOR JOIN (k)"),
            "SELECT * FROM `orders_shadow` AS `orders` USE INDEX (i) JOIN `customers_shadow` c "
            "FORCE KEY FOR JOIN (k)");
}

TEST_F(RewriterTest, SessionStatementsPass) {
  for (const char* s :
       {"SET NAMES utf8mb4", "SET autocommit = 0", "SET @x = 1", "SET SESSION sql_mode = ''",
        "BEGIN", "START TRANSACTION", "COMMIT", "ROLLBACK", "SAVEPOINT a", "USE shop",
        "SHOW WARNINGS", "SHOW VARIABLES LIKE 'x'", "SELECT @@session.autocommit, @@version",
        "SELECT DATABASE()", ""}) {
    EXPECT_EQ(R(s), s) << s;
    EXPECT_EQ(Kind(s), "no_tables") << s;
  }
  EXPECT_EQ(R("SET @n = (SELECT COUNT(*) FROM orders)"),
            "SET @n = (SELECT COUNT(*) FROM `orders_shadow` AS `orders`)");
  EXPECT_EQ(R("SELECT 1; SELECT * FROM orders;"),
            "SELECT 1; SELECT * FROM `orders_shadow` AS `orders`;");
}

TEST_F(RewriterTest, Refusals) {
  EXPECT_EQ(R("SELECT * FROM audit"), "REFUSED: table `shop`.`audit` has no shadow `audit_shadow`");
  EXPECT_EQ(Kind("SELECT * FROM orders JOIN audit"), "no shadow");
  EXPECT_EQ(Kind("SELECT * FROM orders WHERE id IN (SELECT id FROM audit)"), "no shadow");
  EXPECT_EQ(R("SELECT * FROM v_orders"), "REFUSED: table `shop`.`v_orders` is a view");
  EXPECT_EQ(Kind("SELECT * FROM nope"), "missing table");
  EXPECT_EQ(Kind("SELECT * FROM other.orders"), "no rule");
  EXPECT_EQ(Kind("SELECT * FROM ana.orders"), "no shadow");
  EXPECT_EQ(Kind("SELECT * FROM orders", ""), "no database");
  EXPECT_EQ(Kind("CALL p()"), "routine");
  EXPECT_EQ(Kind("SELECT f(1) FROM orders"), "routine");
  EXPECT_EQ(Kind("SELECT `count`(1) FROM orders"), "routine");
  EXPECT_EQ(Kind("SELECT shop.f(1)"), "routine");
  EXPECT_EQ(Kind("SELECT * FROM JSON_TABLE('[]', '$[*]' COLUMNS (a INT PATH '$')) j"), "routine");
  EXPECT_EQ(Kind("SELECT NEXT VALUE FOR s"), "routine");
  EXPECT_EQ(Kind("CREATE TABLE x (a int)"), "ddl");
  EXPECT_EQ(Kind("ALTER TABLE orders_shadow ADD c int"), "ddl");
  EXPECT_EQ(Kind("DROP TABLE orders"), "ddl");
  EXPECT_EQ(Kind("TRUNCATE orders"), "ddl");
  for (const char* s :
       {"LOAD DATA INFILE 'x' INTO TABLE orders", "HANDLER orders OPEN", "LOCK TABLES orders READ",
        "PREPARE s FROM 'SELECT * FROM orders'", "EXECUTE s", "SHOW TABLES",
        "EXPLAIN SELECT * FROM orders", "SET GLOBAL x = 1", "SET @@global.x = 1", "TABLE orders",
        "SET STATEMENT max_statement_time=1 FOR DELETE FROM orders",
        "SELECT * FROM orders INTO OUTFILE '/tmp/x'", "GRANT ALL ON *.* TO x",
        "BEGIN NOT ATOMIC DELETE FROM orders; END"})
    EXPECT_EQ(Output(Run(s)).outcome, Outcome::kRefused) << s;
}

TEST_F(RewriterTest, UnreadableIsRefused) {
  for (const char* s :
       {"SELECT * FROM orders WHERE n = 'abc", "SELECT * FROM orders /* x", "SELECT * FROM (orders",
        "SELECT * FROM orders)", "SELECT shop.orders.id FROM shop.orders",
        "SELECT * FROM orders FOR SYSTEM_TIME ALL", "SELECT * FROM orders o o2",
        "SELECT * FROM orders WHERE x = (DELETE)", "INSERT INTO orders TABLE customers",
        "WITH a AS (SELECT 1) UPDATE2 x", "SELECT * FROM /*!50000 orders */"}) {
    Output o = Run(s);
    EXPECT_EQ(o.outcome, Outcome::kRefused) << s;
  }
}

TEST_F(RewriterTest, RunningVersionCommentsAreRead) {
  // MariaDB runs /*!50000 ... */: the FROM inside is real.
  EXPECT_EQ(Kind("SELECT * /*!50000 FROM audit */"), "no shadow");
  EXPECT_EQ(Kind("SELECT 1 /*!50000 FROM orders */"), "unreadable");
  // A version MariaDB skips is a comment.
  EXPECT_EQ(R("SELECT 1 /*!99999 FROM audit */"), "SELECT 1 /*!99999 FROM audit */");
}

TEST_F(RewriterTest, NeedsTheCatalogFirst) {
  catalog_.unloaded_.insert("shop");
  Output o = Run("SELECT * FROM orders JOIN ana.events");
  ASSERT_EQ(o.outcome, Outcome::kNeedCatalog);
  EXPECT_EQ(o.databases, std::vector<std::string>{"shop"});
  // A refusal the catalog cannot change comes first.
  EXPECT_EQ(Kind("DROP TABLE orders"), "ddl");
}

TEST_F(RewriterTest, OddLayouts) {
  EXPECT_EQ(R("select\n\t*\nfrom\n  orders\n# why\n  join customers c on c.id=orders.c\n"),
            "select\n\t*\nfrom\n  `orders_shadow` AS `orders`\n# why\n  join "
            "`customers_shadow` c on c.id=orders.c\n");
  EXPECT_EQ(R("SELECT /*!40001 SQL_NO_CACHE */ * FROM orders"),
            "SELECT /*!40001 SQL_NO_CACHE */ * FROM `orders_shadow` AS `orders`");
  EXPECT_EQ(R("SELECT*FROM`orders`WHERE`orders`.`id`=1"),
            "SELECT*FROM`orders_shadow` AS `orders`WHERE`orders`.`id`=1");
  EXPECT_EQ(R("SELECT * FROM orders;;"), "SELECT * FROM `orders_shadow` AS `orders`;;");
  EXPECT_EQ(R("SELECT * FROM customers c, LATERAL (SELECT * FROM orders o WHERE o.c = c.id) x"),
            "SELECT * FROM `customers_shadow` c, LATERAL (SELECT * FROM `orders_shadow` o WHERE "
            "o.c = c.id) x");
  EXPECT_EQ(R("REPLACE orders SELECT * FROM orders_shadow"),
            "REPLACE `orders_shadow` SELECT * FROM orders_shadow");
  EXPECT_EQ(R("INSERT INTO orders_shadow VALUES (1)"), "INSERT INTO orders_shadow VALUES (1)");
  EXPECT_EQ(R("SELECT a FROM orders UNION SELECT b FROM customers EXCEPT SELECT c FROM products"),
            "SELECT a FROM `orders_shadow` AS `orders` UNION SELECT b FROM `customers_shadow` AS "
            "`customers` EXCEPT SELECT c FROM `products_shadow` AS `products`");
  EXPECT_EQ(R("SELECT * FROM orders WHERE id = 1 FOR UPDATE"),
            "SELECT * FROM `orders_shadow` AS `orders` WHERE id = 1 FOR UPDATE");
  EXPECT_EQ(R("SELECT * FROM orders LOCK IN SHARE MODE"),
            "SELECT * FROM `orders_shadow` AS `orders` LOCK IN SHARE MODE");
  EXPECT_EQ(R("SELECT id INTO @x FROM orders LIMIT 1"),
            "SELECT id INTO @x FROM `orders_shadow` AS `orders` LIMIT 1");
  EXPECT_EQ(R("SELECT CAST(total AS DECIMAL(10, 2)), COUNT(DISTINCT c) OVER (PARTITION BY c ORDER "
              "BY id) FROM orders"),
            "SELECT CAST(total AS DECIMAL(10, 2)), COUNT(DISTINCT c) OVER (PARTITION BY c ORDER "
            "BY id) FROM `orders_shadow` AS `orders`");
}

TEST_F(RewriterTest, WrittenAndReadTablesTogether) {
  EXPECT_EQ(R("UPDATE orders o SET o.total = (SELECT SUM(p.price) FROM order_items i JOIN "
              "products p ON p.id = i.product_id WHERE i.order_id = o.id) WHERE o.id IN (SELECT "
              "id FROM (SELECT id FROM orders) t)"),
            "UPDATE `orders_shadow` o SET o.total = (SELECT SUM(p.price) FROM "
            "`order_items_shadow` i JOIN `products_shadow` p ON p.id = i.product_id WHERE "
            "i.order_id = o.id) WHERE o.id IN (SELECT id FROM (SELECT id FROM `orders_shadow` AS "
            "`orders`) t)");
  EXPECT_EQ(R("INSERT INTO order_items (order_id, product_id) WITH x AS (SELECT id FROM orders) "
              "SELECT x.id, p.id FROM x JOIN products p"),
            "INSERT INTO `order_items_shadow` (order_id, product_id) WITH x AS (SELECT id FROM "
            "`orders_shadow` AS `orders`) SELECT x.id, p.id FROM x JOIN `products_shadow` p");
  EXPECT_EQ(Kind("INSERT INTO orders SELECT * FROM audit"), "no shadow");
  EXPECT_EQ(Kind("UPDATE orders JOIN v_orders v ON v.id = orders.id SET orders.n = 1"), "view");
  EXPECT_EQ(Kind("DELETE FROM orders WHERE id IN (SELECT id FROM other.orders)"), "no rule");
}

TEST_F(RewriterTest, FailClosedCorners) {
  // START / RELEASE only as transaction statements.
  EXPECT_EQ(Kind("START TRANSACTION READ ONLY"), "no_tables");
  EXPECT_EQ(Kind("RELEASE SAVEPOINT a"), "no_tables");
  EXPECT_EQ(Kind("START SLAVE"), "statement");
  EXPECT_EQ(Kind("RELEASE x"), "statement");
  // ANSI_QUOTES readings of "..." as names.
  EXPECT_EQ(Kind("SELECT \"f\"(1) FROM orders"), "unreadable");
  EXPECT_EQ(Kind("SELECT \"shop\".\"f\"(1)"), "unreadable");
  EXPECT_EQ(Kind("SELECT * FROM \"orders\""), "unreadable");
  EXPECT_EQ(R("SELECT 'a' FROM orders WHERE n = \"x\""),
            "SELECT 'a' FROM `orders_shadow` AS `orders` WHERE n = \"x\"");
  // A CTE named like a table in another case.
  EXPECT_EQ(Kind("WITH ORDERS AS (SELECT 1) SELECT * FROM ORDERS"), "cte");
}

TEST_F(RewriterTest, UseOnlyAlone) {
  EXPECT_EQ(R("USE ana"), "USE ana");
  EXPECT_EQ(Kind("USE ana; SELECT * FROM events"), "statement");
  EXPECT_EQ(Kind("SELECT 1; USE ana"), "statement");
}

TEST_F(RewriterTest, CacheServesTheSameShapeWithOtherValues) {
  RewriteCache cache(2);
  Input in;
  in.database = "shop";
  std::string a = "SELECT * FROM orders WHERE id = 1 AND n = 'x'";
  std::string b = "SELECT * FROM orders WHERE id = 22 AND n = 'yy''z'";
  in.text = a;
  EXPECT_EQ(Rewrite(in, catalog_, &cache).text,
            "SELECT * FROM `orders_shadow` AS `orders` WHERE id = 1 AND n = 'x'");
  in.text = b;
  EXPECT_EQ(Rewrite(in, catalog_, &cache).text,
            "SELECT * FROM `orders_shadow` AS `orders` WHERE id = 22 AND n = 'yy''z'");
  EXPECT_EQ(cache.hits(), 1u);
  EXPECT_EQ(cache.size(), 1u);
  // Another database, another catalog version: other keys.
  in.database = "ana";
  EXPECT_EQ(Rewrite(in, catalog_, &cache).outcome, Outcome::kRefused);
  in.database = "shop";
  in.catalog_version = 7;
  EXPECT_EQ(Rewrite(in, catalog_, &cache).outcome, Outcome::kRewritten);
  EXPECT_EQ(cache.size(), 2u);  // bounded: the oldest went
  EXPECT_EQ(cache.hits(), 1u);
  // Refusals are cached too; a table name differs: another shape.
  in.text = "SELECT * FROM audit WHERE id = 1";
  EXPECT_EQ(Rewrite(in, catalog_, &cache).reason_kind, "no shadow");
  in.text = "SELECT * FROM audit WHERE id = 2";
  EXPECT_EQ(Rewrite(in, catalog_, &cache).reason_kind, "no shadow");
  EXPECT_EQ(cache.hits(), 2u);
  // Edits after a PARTITION and of qualifiers replay at the right places.
  in.text = "SELECT * FROM orders PARTITION (p0) WHERE x = 'a'";
  Rewrite(in, catalog_, &cache);
  in.text = "SELECT * FROM orders PARTITION (p0) WHERE x = 'abcdef'";
  EXPECT_EQ(Rewrite(in, catalog_, &cache).text,
            "SELECT * FROM `orders_shadow` PARTITION (p0) AS `orders` WHERE x = 'abcdef'");
  EXPECT_EQ(cache.hits(), 3u);
}

TEST_F(RewriterTest, NeedCatalogIsNotCached) {
  RewriteCache cache(8);
  catalog_.unloaded_.insert("shop");
  Input in;
  in.database = "shop";
  in.text = "SELECT * FROM orders";
  EXPECT_EQ(Rewrite(in, catalog_, &cache).outcome, Outcome::kNeedCatalog);
  EXPECT_EQ(cache.size(), 0u);
  catalog_.unloaded_.clear();
  EXPECT_EQ(Rewrite(in, catalog_, &cache).outcome, Outcome::kRewritten);
}

// Random statements from pieces: never a crash, and what was rewritten is a fixed point (its
// shadows are named as shadows already, nothing at a table position is left over).
TEST_F(RewriterTest, RewritingARewrittenStatementChangesNothing) {
  const char* pieces[] = {"SELECT * FROM orders",
                          "SELECT o.x FROM orders o",
                          "JOIN customers c ON c.id = o.c",
                          ", products",
                          "WHERE x IN (SELECT y FROM products)",
                          "UNION SELECT 1 FROM customers",
                          "AS t",
                          "(SELECT * FROM orders) d",
                          "WITH q AS (SELECT * FROM orders)",
                          "SELECT * FROM q",
                          "UPDATE orders SET x = 1",
                          "DELETE FROM orders",
                          "INSERT INTO orders SELECT * FROM customers",
                          "LEFT JOIN (orders, customers) ON 1",
                          "ON DUPLICATE KEY UPDATE n = 1",
                          "/* c */",
                          "-- c\n",
                          "`orders`",
                          "shop.orders",
                          "ORDER BY 1",
                          "(",
                          ")",
                          ";",
                          "countries",
                          "audit",
                          "f(1)"};
  std::mt19937 rng(15);
  int rewritten = 0;
  for (int n = 0; n < 20000; ++n) {
    std::string sql;
    for (int i = 0, len = 1 + static_cast<int>(rng() % 6); i < len; ++i) {
      sql += pieces[rng() % (sizeof(pieces) / sizeof(*pieces))];
      sql += ' ';
    }
    Output once = Run(sql);
    if (once.outcome != Outcome::kRewritten) continue;
    ++rewritten;
    Output twice = Run(once.text);
    ASSERT_EQ(twice.outcome, Outcome::kRewritten) << sql << "\n"
                                                  << once.text << "\n"
                                                  << twice.reason;
    ASSERT_EQ(twice.text, once.text) << sql;
  }
  EXPECT_GT(rewritten, 500);
}

TEST_F(RewriterTest, RefusalMessage) {
  EXPECT_EQ(RefusalMessage("table `a`.`b` is a view"), "shadow routing: table `a`.`b` is a view");
}

}  // namespace
}  // namespace shadowproxy::routing
