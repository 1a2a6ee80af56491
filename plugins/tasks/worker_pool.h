// A small fixed-size thread pool for the task center's blocking work (analyses, executions,
// metadb writes), so nothing of it runs on an event loop. Stop() (or the destructor) finishes
// the queued jobs and joins the threads.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace shadowproxy::tasks {

class WorkerPool {
 public:
  explicit WorkerPool(unsigned threads);
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  void Post(std::function<void()> job);
  void Stop();
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

}  // namespace shadowproxy::tasks
