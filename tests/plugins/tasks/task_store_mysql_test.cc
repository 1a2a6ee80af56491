// The metadb store against a real MariaDB: the store contract, migrations across restarts,
// two store instances ("proxies") racing for one task, metadb down.
#include "plugins/tasks/task_store_mysql.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "mariadb_env.h"
#include "plugins/tasks/task_state.h"
#include "store_contract.h"

namespace shadowproxy::tasks {

using testing::MariaDbEnv;

namespace {
std::atomic<int> g_db_counter{0};

std::string FreshDb() { return "sp_meta_" + std::to_string(++g_db_counter); }

std::unique_ptr<MysqlTaskStore> OpenStore(const std::string& db) {
  auto store =
      std::make_unique<MysqlTaskStore>(sql::ClusterConnInfo::FromConfig(MariaDbEnv::Cluster()), db);
  Status s = store->Open();
  EXPECT_TRUE(s.ok()) << s.ToString();
  return store;
}
}  // namespace

std::unique_ptr<TaskStore> MakeContractStore() { return OpenStore(FreshDb()); }

namespace {

TEST(MysqlStoreTest, MigrationsAreIdempotentAcrossRestarts) {
  const std::string db = FreshDb();
  {
    auto first = OpenStore(db);
    EXPECT_EQ(*first->SchemaVersion(), MysqlTaskStore::LatestVersion());
    Analysis a;
    a.cluster = "local";
    a.database = "shop";
    a.creator = "dev";
    a.created_at = Now();
    ASSERT_TRUE(first->CreateAnalysis(a).ok());
  }
  auto second = OpenStore(db);  // a restart: nothing re-applied, data kept
  EXPECT_EQ(*second->SchemaVersion(), MysqlTaskStore::LatestVersion());
  EXPECT_TRUE(second->GetAnalysis(1).ok());
  // Two proxies opening one fresh metadb at the same time.
  const std::string db2 = FreshDb();
  std::atomic<int> ok{0};
  std::thread t1([&] { ok += OpenStore(db2)->SchemaVersion().ok(); });
  std::thread t2([&] { ok += OpenStore(db2)->SchemaVersion().ok(); });
  t1.join();
  t2.join();
  EXPECT_EQ(ok.load(), 2);
}

TEST(MysqlStoreTest, TwoProxiesClaimOneTaskExactlyOnce) {
  const std::string db = FreshDb();
  auto a = OpenStore(db);
  auto b = OpenStore(db);
  Analysis an;
  an.cluster = "local";
  an.database = "shop";
  an.creator = "dev";
  an.created_at = Now();
  an.tables = {{"t", "t_shadow", TableResult::kCreate, false, "", "", "", {"CREATE TABLE x"}}};
  an.id = *a->CreateAnalysis(an);
  Task task = *NewTask(an, ProcessConfig{}, {}, "dev", Now());
  ASSERT_TRUE(a->CreateTask(task).ok());
  for (int round = 0; round < 20; ++round) {
    std::atomic<int> wins{0};
    std::thread ta([&] {
      wins += *a->Claim(task.id, "A#" + std::to_string(round), std::chrono::seconds(30));
    });
    std::thread tb([&] {
      wins += *b->Claim(task.id, "B#" + std::to_string(round), std::chrono::seconds(30));
    });
    ta.join();
    tb.join();
    EXPECT_EQ(wins.load(), round == 0 ? 1 : 0) << "round " << round;
  }
}

// Two proxies saving and creating different tasks at the same time: InnoDB may pick one of the
// transactions as a deadlock victim; the store must retry it, never report it as a failure.
TEST(MysqlStoreTest, ConcurrentSavesOfDifferentTasksAllSucceed) {
  const std::string db = FreshDb();
  std::unique_ptr<MysqlTaskStore> stores[4] = {OpenStore(db), OpenStore(db), OpenStore(db),
                                               OpenStore(db)};
  Analysis an;
  an.cluster = "local";
  an.database = "shop";
  an.creator = "dev";
  an.created_at = Now();
  an.tables = {{"t", "t_shadow", TableResult::kCreate, false, "", "", "", {"CREATE TABLE x"}}};
  constexpr int kRounds = 100;
  std::atomic<int> failures{0}, saves{0};
  std::vector<std::thread> threads;
  for (int p = 0; p < 4; ++p)
    threads.emplace_back([&, p] {
      TaskStore& store = *stores[p];
      for (int round = 0; round < kRounds; ++round) {
        Analysis mine = an;
        auto aid = store.CreateAnalysis(mine);
        if (!aid.ok()) {
          ++failures;
          ADD_FAILURE() << aid.status().ToString();
          continue;
        }
        mine.id = *aid;
        Task task = *NewTask(mine, ProcessConfig{}, {}, "dev", Now());
        if (Status s = store.CreateTask(task); !s.ok()) {
          ++failures;
          ADD_FAILURE() << s.ToString();
          continue;
        }
        for (int i = 0; i < 4; ++i) {
          auto r = MutateTask(store, task.id, [&](Task& t) {
            t.steps.back().comment = "round " + std::to_string(i);
            t.logs.push_back(TaskLog{0, Now(), LogLevel::kInfo, "save " + std::to_string(i)});
            return Status::Ok();
          });
          if (auto l = store.AppendLog(task.id, TaskLog{0, Now(), LogLevel::kInfo, "line"});
              !l.ok()) {
            ++failures;
            ADD_FAILURE() << l.status().ToString();
          }
          if (r.ok()) {
            ++saves;
          } else {
            ++failures;
            ADD_FAILURE() << r.status().ToString();
          }
        }
      }
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(saves.load(), 4 * kRounds * 4);
}

TEST(MysqlStoreTest, MetadbDownIs7030NamingTheServer) {
  ClusterConfig dead;
  dead.name = "gone";
  dead.servers = {ServerAddress{"127.0.0.1", 1}};
  dead.connect_timeout = std::chrono::seconds(1);
  MysqlTaskStore store(sql::ClusterConnInfo::FromConfig(dead), "x");
  Status s = store.Open();
  EXPECT_EQ(s.code(), errc::kUnavailable);
  EXPECT_NE(s.message().find("127.0.0.1:1"), std::string::npos) << s.message();
  EXPECT_EQ(store.GetTask(1).status().code(), errc::kUnavailable);
}

}  // namespace
}  // namespace shadowproxy::tasks

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  ::testing::AddGlobalTestEnvironment(new shadowproxy::tasks::testing::MariaDbEnv());
  return RUN_ALL_TESTS();
}
