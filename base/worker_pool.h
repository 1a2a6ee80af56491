// The one pool of threads for blocking work (SHADOW SYNC statements, task executions: metadb,
// schema reads, DDL), sized by shadow_sync.workers, so nothing of it runs on an event loop.
// Stop() (or the destructor) runs the queued jobs to the end and joins the threads.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace shadowproxy {

class WorkerPool {
 public:
  explicit WorkerPool(unsigned threads);
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Queues a job (dropped once Stop() has begun).
  void Post(std::function<void()> job);
  void Stop();
  // Jobs queued or running right now.
  size_t Pending();
  unsigned threads() const { return static_cast<unsigned>(threads_.size()); }
  // Waits until no job is queued or running, at most `timeout`. True if idle.
  bool WaitIdle(std::chrono::milliseconds timeout);
  // A post callback (what Scheduler takes).
  std::function<void(std::function<void()>)> Poster() {
    return [this](std::function<void()> job) { Post(std::move(job)); };
  }

 private:
  void Loop();
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> jobs_;
  bool stopping_ = false;
  int busy_ = 0;  // jobs running now
  std::vector<std::thread> threads_;
};

}  // namespace shadowproxy
