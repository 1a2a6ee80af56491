// Integration: sql::MysqlConn and SchemaReader against a real MariaDB started by the test.
#include "plugins/schema/reader.h"

#include <gtest/gtest.h>

#include <thread>

#include "base/mysql_conn.h"
#include "tests/plugins/schema/test_backend.h"

namespace shadowproxy::schema {
namespace {

const bool kBackendRegistered = testing::RegisterSharedBackend();

sql::MysqlConn Conn(const std::string& db = "") {
  Result<sql::MysqlConn> c = testing::SharedBackend()->Connect(db);
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  return std::move(c).value();
}

// "t<i>", appended: "t" + std::to_string(i) trips GCC 12's bogus -Wrestrict (GCC bug 105329).
std::string TableName(int i) {
  std::string name = "t";
  name += std::to_string(i);
  return name;
}

TEST(MysqlConnTest, QueryReturnsRowsWithNulls) {
  sql::MysqlConn c = Conn();
  Result<sql::Rows> r = c.Query("SELECT 1, NULL, 'a\\0b', ''");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->size(), 1u);
  const sql::Row& row = (*r)[0];
  ASSERT_EQ(row.size(), 4u);
  EXPECT_EQ(row[0], "1");
  EXPECT_FALSE(row[1].has_value());
  EXPECT_EQ(*row[2], std::string("a\0b", 3));
  EXPECT_EQ(row[3], "");
  Result<sql::Rows> none = c.Query("DO 1");
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

TEST(MysqlConnTest, ServerErrorKeepsItsCode) {
  sql::MysqlConn c = Conn();
  Result<sql::Rows> r = c.Query("SELECT * FROM no_such_db.t");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), 1146);  // MariaDB: table doesn't exist
  Result<sql::Rows> syntax = c.Query("SELEC 1");
  EXPECT_EQ(syntax.status().code(), 1064);
  EXPECT_EQ(syntax.status().sqlstate(), "42000");
  // The connection is still usable after errors.
  EXPECT_TRUE(c.Query("SELECT 1").ok());
}

TEST(MysqlConnTest, MultiStatementsOffByDefault) {
  Result<sql::MysqlConn> c = sql::MysqlConn::Connect(testing::SharedBackend()->conn_info());
  ASSERT_TRUE(c.ok());
  Result<sql::Rows> r = c->Query("SELECT 1; SELECT 2");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), 1064);
}

TEST(MysqlConnTest, QueryMultiReportsWhichStatementFailed) {
  sql::MysqlConn c = Conn();
  sql::MultiResult r = c.QueryMulti("SELECT 1; DO 2; SELECT * FROM mysql.nope; SELECT 4");
  EXPECT_EQ(r.results.size(), 2u);
  EXPECT_EQ(r.error.code(), 1146);
  ASSERT_EQ(r.results[0].size(), 1u);
  EXPECT_EQ(r.results[0][0][0], "1");
  Result<sql::Rows> after = c.Query("SELECT 5");
  ASSERT_TRUE(after.ok()) << after.status().ToString();
  EXPECT_EQ((*after)[0][0], "5");
}

TEST(MysqlConnTest, UnreachableServerIs7030NamingIt) {
  sql::ClusterConnInfo info = sql::ClusterConnInfo::Local(testing::FreePort());
  info.name = "c1";
  info.connect_timeout = std::chrono::seconds(2);
  Result<sql::MysqlConn> c = sql::MysqlConn::Connect(info);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), errc::kUnavailable);
  EXPECT_NE(c.status().message().find("127.0.0.1:" + std::to_string(info.servers[0].port)),
            std::string::npos)
      << c.status().message();
  EXPECT_NE(c.status().message().find("c1"), std::string::npos);
}

TEST(MysqlConnTest, FallsBackToTheNextServer) {
  sql::ClusterConnInfo info = testing::SharedBackend()->conn_info();
  info.servers.insert(info.servers.begin(), ServerAddress{"127.0.0.1", testing::FreePort()});
  Result<sql::MysqlConn> c = sql::MysqlConn::Connect(info);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->server(), "127.0.0.1:" + std::to_string(testing::SharedBackend()->port()));
}

TEST(MysqlConnTest, WrongPasswordKeeps1045) {
  sql::ClusterConnInfo info = testing::SharedBackend()->conn_info();
  info.password = "wrong";
  Result<sql::MysqlConn> c = sql::MysqlConn::Connect(info);
  EXPECT_EQ(c.status().code(), 1045);
}

TEST(MysqlConnTest, EscapeRoundTripsNastyText) {
  sql::MysqlConn c = Conn();
  const std::string nasty = "it's a \\ back`tick \"q\" \xE2\x82\xAC \n end";
  Result<sql::Rows> r = c.Query("SELECT " + c.Quote(nasty));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ((*r)[0][0], nasty);
  ASSERT_TRUE(c.Execute("CREATE DATABASE IF NOT EXISTS qdb").ok());
  const std::string name = "we`ird 'name\"";
  ASSERT_TRUE(c.Execute("CREATE TABLE qdb." + sql::MysqlConn::QuoteName(name) + " (a int)").ok());
  Result<sql::Rows> t = c.Query("SHOW TABLES FROM qdb LIKE " + c.Quote("we%"));
  ASSERT_TRUE(t.ok());
  ASSERT_EQ(t->size(), 1u);
  EXPECT_EQ((*t)[0][0], name);
}

TEST(MysqlConnTest, OneConnectionPerThread) {
  std::vector<std::thread> threads;
  std::atomic<int> good{0};
  for (int i = 0; i < 4; ++i)
    threads.emplace_back([&, i] {
      Result<sql::MysqlConn> c = testing::SharedBackend()->Connect();
      if (!c.ok()) return;
      for (int k = 0; k < 50; ++k) {
        Result<sql::Rows> r = c->Query("SELECT " + std::to_string(i * 1000 + k));
        if (!r.ok() || (*r)[0][0] != std::to_string(i * 1000 + k)) return;
      }
      ++good;
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(good.load(), 4);
}

class ReaderTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    sql::MysqlConn c = Conn();
    std::string sql = "DROP DATABASE IF EXISTS rdb; CREATE DATABASE rdb; USE rdb;";
    for (int i = 0; i < 130; ++i)
      sql += "CREATE TABLE t" + std::to_string(i) + " (id int primary key, v" + std::to_string(i) +
             " varchar(10));";
    sql += "CREATE VIEW v1 AS SELECT 1 AS x; CREATE SEQUENCE s1;";
    sql::MultiResult r = c.QueryMulti(sql);
    ASSERT_TRUE(r.error.ok()) << r.error.ToString();
  }
};

TEST_F(ReaderTest, ListAllTablesWithKinds) {
  SchemaReader reader(testing::SharedBackend()->conn_info(), "rdb");
  auto all = reader.List(std::nullopt);
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  EXPECT_EQ(all->size(), 132u);
  EXPECT_EQ(all->at("t7"), TableKind::kBaseTable);
  EXPECT_EQ(all->at("v1"), TableKind::kView);
  EXPECT_EQ(all->at("s1"), TableKind::kOther);
  EXPECT_EQ(reader.round_trips(), 1);
}

TEST_F(ReaderTest, ListOnlyTheWantedOnes) {
  SchemaReader reader(testing::SharedBackend()->conn_info(), "rdb");
  auto some = reader.List(std::vector<std::string>{"t1", "t2", "nope", "v1"});
  ASSERT_TRUE(some.ok());
  EXPECT_EQ(some->size(), 3u);
  EXPECT_EQ(some->count("nope"), 0u);
}

TEST_F(ReaderTest, MissingDatabaseIs7005) {
  SchemaReader reader(testing::SharedBackend()->conn_info(), "no_such_db");
  auto r = reader.List(std::nullopt);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), errc::kNotFound);
  EXPECT_NE(r.status().message().find("no_such_db"), std::string::npos);
}

TEST_F(ReaderTest, ReadCreateInBatchesAndInParallel) {
  std::vector<std::string> names;
  for (int i = 0; i < 130; ++i) names.push_back(TableName(i));
  for (int par : {1, 3}) {
    SchemaReader reader(
        testing::SharedBackend()->conn_info(), "rdb",
        ReaderOptions{.parallelism = par, .statements_per_trip = 16, .min_tables_per_conn = 10});
    auto r = reader.ReadCreate(names);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    ASSERT_EQ(r->size(), 130u);
    for (int i = 0; i < 130; ++i) {
      const std::string& ddl = r->at(TableName(i));
      EXPECT_EQ(ddl.rfind("CREATE TABLE `t" + std::to_string(i) + "`", 0), 0u) << ddl;
      EXPECT_NE(ddl.find("`v" + std::to_string(i) + "`"), std::string::npos) << ddl;
    }
    // 130 tables at 16 per trip over `par` connections.
    EXPECT_LE(reader.round_trips(), 9 + par);
  }
}

// Readers sharing a cluster's pool: never more connections than the pool allows, a thread
// beyond them reads on the first connection, and the next analysis reuses the connections.
TEST_F(ReaderTest, ReadsWithConnectionsFromAPool) {
  std::vector<std::string> names;
  for (int i = 0; i < 130; ++i) names.push_back(TableName(i));
  sql::ConnectionPool::Options po;
  po.max_size = 2;
  po.connect.multi_statements = true;
  sql::ConnectionPool pool(testing::SharedBackend()->conn_info(), po);
  for (int round = 0; round < 2; ++round) {
    SchemaReader reader(
        testing::SharedBackend()->conn_info(), "rdb",
        ReaderOptions{
            .parallelism = 4, .statements_per_trip = 16, .min_tables_per_conn = 10, .pool = &pool});
    auto r = reader.ReadCreate(names);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    ASSERT_EQ(r->size(), 130u);
    EXPECT_EQ(r->at("t129").rfind("CREATE TABLE `t129`", 0), 0u);
    EXPECT_LE(pool.stats().open, 2u);
  }
  EXPECT_EQ(pool.stats().connects, 2u);  // the second reader reused both
  EXPECT_EQ(pool.stats().idle, 2u);      // and gave them back
}

TEST_F(ReaderTest, VanishedTableIsLeftOutAndTheRestRead) {
  SchemaReader reader(testing::SharedBackend()->conn_info(), "rdb",
                      ReaderOptions{.parallelism = 1, .statements_per_trip = 8});
  auto r = reader.ReadCreate({"t1", "gone", "t2", "t3"});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->size(), 3u);
  EXPECT_EQ(r->count("gone"), 0u);
  EXPECT_EQ(r->count("t3"), 1u);
}

}  // namespace
}  // namespace shadowproxy::schema
