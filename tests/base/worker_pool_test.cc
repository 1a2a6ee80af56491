#include "base/worker_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <future>

namespace shadowproxy {
namespace {

TEST(WorkerPool, RunsEverythingAndDrainsOnDestruction) {
  std::atomic<int> n{0};
  {
    WorkerPool pool(3);
    for (int i = 0; i < 100; ++i) pool.Post([&n] { n.fetch_add(1); });
  }
  EXPECT_EQ(n.load(), 100);
}

TEST(WorkerPool, PendingCountsQueuedAndRunningJobsAndWaitIdleWaitsForThem) {
  WorkerPool pool(1);
  std::promise<void> release;
  std::shared_future<void> gate = release.get_future().share();
  pool.Post([gate] { gate.wait(); });
  pool.Post([] {});
  EXPECT_EQ(pool.Pending(), 2u);
  EXPECT_FALSE(pool.WaitIdle(std::chrono::milliseconds(20)));
  release.set_value();
  EXPECT_TRUE(pool.WaitIdle(std::chrono::seconds(5)));
  EXPECT_EQ(pool.Pending(), 0u);
  pool.Stop();
  pool.Post([] { FAIL() << "a job posted after Stop() must not run"; });
}

}  // namespace
}  // namespace shadowproxy
