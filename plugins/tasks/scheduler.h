// Decides when tasks move without anyone asking (SPEC.md §4.6-4.7): every poll it fails tasks
// whose executor died (EXECUTING, lease lapsed or owned by this proxy's previous incarnation),
// expires tasks past approval_timeout / execution_timeout, and claims due tasks (immediate,
// EXECUTE AT reached, EXECUTE given) and posts them to the worker pool. State is in the store,
// so EXECUTE AT survives restarts; claims make each task run once across proxies.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include "plugins/tasks/executor.h"
#include "plugins/tasks/task_state.h"
#include "plugins/tasks/task_store.h"

namespace shadowproxy::tasks {

struct SchedulerOptions {
  std::string instance;  // stable across restarts of this proxy, e.g. "host:6033"
  std::string owner;     // instance + "#" + something unique to this run (MakeOwner)
  Duration poll = std::chrono::seconds(1);
  Duration lease = std::chrono::seconds(30);
  Timeouts timeouts;
  // Executions running at once from this proxy (the rest wait for a later poll).
  size_t max_running = SIZE_MAX;
};

// instance + "#" + pid + "." + start time in ms.
std::string MakeOwner(const std::string& instance);

class Scheduler {
 public:
  using PostFn = std::function<void(std::function<void()>)>;
  Scheduler(TaskStore& store, Executor& executor, PostFn post, SchedulerOptions options);
  ~Scheduler();

  // Starts the polling thread (the first poll, with recovery, happens at once).
  void Start();
  void Stop();
  // Claims nothing more from now on, without waiting for a poll in flight (Stop() joins).
  void RequestStop();
  // Poll now (after an APPROVE, EXECUTE or SUBMIT that may have made a task due).
  void Kick();
  // One poll, synchronously (tests, and Start's loop). Returns the number of tasks changed or
  // started.
  int PollOnce();
  void SetTimeouts(const Timeouts& timeouts);

 private:
  void Loop();
  TaskStore& store_;
  Executor& executor_;
  PostFn post_;
  SchedulerOptions options_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool kicked_ = false;
  bool stopping_ = false;
  std::set<int64_t> posted_;  // claimed here and not yet finished
  // Tasks whose execution could not start here: not claimed again by this proxy before then.
  std::map<int64_t, TimePoint> retry_after_;
  std::thread thread_;
};

}  // namespace shadowproxy::tasks
