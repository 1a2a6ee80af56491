// ConnectionPool against a real MariaDB: reuse, the bound, connections that must not be reused
// (lost, left in a transaction), and recovery when the server drops them.
#include "base/mysql_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "tests/plugins/schema/test_backend.h"

namespace shadowproxy::sql {
namespace {

using schema::testing::SharedBackend;
const bool kBackend = schema::testing::RegisterSharedBackend();

ConnectionPool::Options Small(size_t n) {
  ConnectionPool::Options o;
  o.max_size = n;
  o.acquire_timeout = std::chrono::milliseconds(300);
  return o;
}

uint64_t ThreadIdOf(ConnectionPool& pool) {
  return *pool.Run([](MysqlConn& c) -> Result<uint64_t> { return c.thread_id(); });
}

void KillFromOutside(uint64_t thread_id) {
  auto admin = MysqlConn::Connect(SharedBackend()->conn_info());
  ASSERT_TRUE(admin.ok()) << admin.status().ToString();
  ASSERT_TRUE(admin->Execute("KILL " + std::to_string(thread_id)).ok());
  // KILL returns before the victim's socket is closed; wait until the server lists it no more.
  for (int i = 0; i < 100; ++i) {
    auto rows = admin->Query("SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE ID=" +
                             std::to_string(thread_id));
    if (rows.ok() && *(*rows)[0][0] == "0") return;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

TEST(MysqlPoolTest, ReusesOneConnectionForSequentialOperations) {
  ConnectionPool pool(SharedBackend()->conn_info(), Small(4));
  const uint64_t first = ThreadIdOf(pool);
  EXPECT_EQ(ThreadIdOf(pool), first);
  EXPECT_EQ(ThreadIdOf(pool), first);
  EXPECT_EQ(pool.stats().connects, 1u);
  EXPECT_EQ(pool.stats().idle, 1u);
}

TEST(MysqlPoolTest, NeverOpensMoreThanMaxAndTimesOutWith7030) {
  ConnectionPool pool(SharedBackend()->conn_info(), Small(2));
  auto a = pool.Acquire();
  auto b = pool.Acquire();
  ASSERT_TRUE(a.ok() && b.ok());
  auto c = pool.Acquire();  // both out: waits acquire_timeout, then refuses
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), errc::kUnavailable);
  EXPECT_NE(c.status().message().find("busy"), std::string::npos) << c.status().message();
  EXPECT_EQ(pool.stats().open, 2u);
}

TEST(MysqlPoolTest, AWaiterGetsTheConnectionGivenBack) {
  ConnectionPool::Options o = Small(1);
  o.acquire_timeout = std::chrono::seconds(5);
  ConnectionPool pool(SharedBackend()->conn_info(), o);
  auto held = std::make_unique<Result<ConnectionPool::Lease>>(pool.Acquire());
  ASSERT_TRUE(held->ok());
  const uint64_t id = (**held)->thread_id();
  std::atomic<uint64_t> got{0};
  std::thread waiter([&] { got = ThreadIdOf(pool); });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(got.load(), 0u);  // still waiting
  held.reset();
  waiter.join();
  EXPECT_EQ(got.load(), id);
}

TEST(MysqlPoolTest, AConnectionLeftInATransactionIsNotReused) {
  ConnectionPool pool(SharedBackend()->conn_info(), Small(2));
  uint64_t first = 0;
  {
    auto lease = pool.Acquire();
    ASSERT_TRUE(lease.ok());
    first = (*lease)->thread_id();
    ASSERT_TRUE((*lease)->Execute("START TRANSACTION").ok());
    EXPECT_TRUE((*lease)->in_transaction());
  }
  EXPECT_NE(ThreadIdOf(pool), first);
  EXPECT_EQ(pool.stats().discarded, 1u);
}

TEST(MysqlPoolTest, AConnectionTheServerDroppedIsReplacedWithoutAnError) {
  ConnectionPool pool(SharedBackend()->conn_info(), Small(2));
  const uint64_t first = ThreadIdOf(pool);
  KillFromOutside(first);
  // The idle connection is dead; the operation's first statement finds out, and it runs again
  // on a new connection: the caller sees no error.
  auto rows = pool.Run([](MysqlConn& c) { return c.Query("SELECT 42"); });
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  EXPECT_EQ(*(*rows)[0][0], "42");
  EXPECT_NE(ThreadIdOf(pool), first);
  EXPECT_EQ(pool.stats().discarded, 1u);
  EXPECT_EQ(pool.stats().open, 1u);
}

TEST(MysqlPoolTest, RunOnceReportsADeadConnectionAndTheNextCallGetsAFreshOne) {
  ConnectionPool pool(SharedBackend()->conn_info(), Small(2));
  const uint64_t first = ThreadIdOf(pool);
  KillFromOutside(first);
  int runs = 0;
  Status s = pool.RunOnce([&](MysqlConn& c) {
    ++runs;
    return c.Execute("DO 1");  // a write here could have run: not repeated
  });
  EXPECT_EQ(runs, 1);
  EXPECT_EQ(s.code(), errc::kUnavailable);
  EXPECT_NE(ThreadIdOf(pool), first);
}

TEST(MysqlPoolTest, ADeadConnectionFoundDropsTheOtherIdleOnes) {
  ConnectionPool pool(SharedBackend()->conn_info(), Small(3));
  uint64_t a = 0, b = 0;
  {
    auto la = pool.Acquire();
    auto lb = pool.Acquire();
    ASSERT_TRUE(la.ok() && lb.ok());
    a = (*la)->thread_id();
    b = (*lb)->thread_id();
  }  // both idle now; b was given back last, so it is handed out first
  KillFromOutside(a);
  KillFromOutside(b);
  auto rows = pool.Run([](MysqlConn& c) { return c.Query("SELECT 1"); });
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();  // b failed, a dropped, a new one ran it
  EXPECT_EQ(pool.stats().open, 1u);
  EXPECT_EQ(pool.stats().discarded, 2u);
  EXPECT_EQ(pool.stats().connects, 3u);
}

TEST(MysqlPoolTest, AStaleIdleConnectionIsPingedAndReplaced) {
  ConnectionPool::Options o = Small(2);
  o.ping_after_idle = std::chrono::milliseconds(0);
  ConnectionPool pool(SharedBackend()->conn_info(), o);
  const uint64_t first = ThreadIdOf(pool);
  KillFromOutside(first);
  auto lease = pool.Acquire();
  ASSERT_TRUE(lease.ok()) << lease.status().ToString();
  EXPECT_NE((*lease)->thread_id(), first);
  EXPECT_FALSE(lease->reused());
}

TEST(MysqlPoolTest, ALostConnectionMidOperationIsReportedNotRetried) {
  ConnectionPool pool(SharedBackend()->conn_info(), Small(2));
  (void)ThreadIdOf(pool);
  // The second statement of the operation loses the connection: not safe to repeat.
  int runs = 0;
  Status s = pool.Run([&](MysqlConn& c) -> Status {
    ++runs;
    if (Status a = c.Execute("DO 1"); !a.ok()) return a;
    KillFromOutside(c.thread_id());
    return c.Execute("DO 2");
  });
  EXPECT_EQ(runs, 1);
  EXPECT_EQ(s.code(), errc::kUnavailable);
  EXPECT_EQ(pool.stats().open, 0u);
}

TEST(MysqlPoolTest, UnreachableServerIs7030NamingItAndOnConnectRunsOnNewConnections) {
  ClusterConnInfo dead = ClusterConnInfo::Local(1);
  dead.label = "metadb";
  dead.connect_timeout = std::chrono::seconds(1);
  ConnectionPool gone(dead, Small(2));
  auto l = gone.Acquire();
  ASSERT_FALSE(l.ok());
  EXPECT_EQ(l.status().code(), errc::kUnavailable);
  EXPECT_NE(l.status().message().find("metadb unavailable (127.0.0.1:1: "), std::string::npos)
      << l.status().message();
  EXPECT_EQ(gone.stats().open, 0u);

  int prepared = 0;
  ConnectionPool::Options o = Small(2);
  o.on_connect = [&](MysqlConn& c) {
    ++prepared;
    return c.Execute("SET @pool_prepared = 1");
  };
  ConnectionPool pool(SharedBackend()->conn_info(), o);
  auto v = pool.Run([](MysqlConn& c) { return c.Query("SELECT @pool_prepared"); });
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(*(*v)[0][0], "1");
  (void)ThreadIdOf(pool);
  EXPECT_EQ(prepared, 1);
}

}  // namespace
}  // namespace shadowproxy::sql
