#include "plugins/tasks/scheduler.h"

#include <unistd.h>

#include "base/log.h"
#include "base/metrics.h"

namespace shadowproxy::tasks {

namespace {
constexpr Duration kRetryStartAfter = std::chrono::seconds(3);
}  // namespace

std::string MakeOwner(const std::string& instance) {
  return instance + "#" + std::to_string(getpid()) + "." +
         std::to_string(Now().time_since_epoch().count());
}

Scheduler::Scheduler(TaskStore& store, Executor& executor, PostFn post, SchedulerOptions options)
    : store_(store), executor_(executor), post_(std::move(post)), options_(std::move(options)) {}

Scheduler::~Scheduler() { Stop(); }

void Scheduler::Start() {
  std::lock_guard<std::mutex> lock(mu_);
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] { Loop(); });
}

void Scheduler::RequestStop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
}

void Scheduler::Stop() {
  RequestStop();
  if (thread_.joinable()) thread_.join();
}

void Scheduler::Kick() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    kicked_ = true;
  }
  cv_.notify_all();
}

void Scheduler::SetTimeouts(const Timeouts& timeouts) {
  std::lock_guard<std::mutex> lock(mu_);
  options_.timeouts = timeouts;
}

void Scheduler::Loop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    lock.unlock();
    PollOnce();
    lock.lock();
    cv_.wait_for(lock, options_.poll, [this] { return stopping_ || kicked_; });
    kicked_ = false;
  }
}

int Scheduler::PollOnce() {
  int changed = 0;
  Timeouts timeouts;
  {
    std::lock_guard<std::mutex> lock(mu_);
    timeouts = options_.timeouts;
  }
  // 1. Executions whose executor is gone.
  auto interrupted = store_.ListInterrupted(options_.instance, options_.owner);
  if (!interrupted.ok()) {
    log::Warn("tasks", "scheduler: ", interrupted.status().message());
    return 0;
  }
  for (int64_t id : *interrupted) {
    if (executor_.IsRunning(id)) continue;  // ours and alive (a slow renewal)
    auto r = MutateTask(store_, id, [](Task& t) { return RecoverInterrupted(t, Now()); });
    if (r.ok()) {
      ++changed;
      log::Warn("tasks", {{"task_id", id}}, "task ", id,
                ": proxy stopped while the task was executing -> ", "EXECUTION_FAILED");
    }
  }
  // 2. Timeouts and due tasks.
  // One query for all of them; a task is loaded in full only when something happens to it.
  auto live = store_.ListLiveTasks();
  if (!live.ok()) return changed;
  for (const Task& head : *live) {
    const int64_t id = head.id;
    TimePoint now = Now();
    Task probe = head;
    if (ApplyTimeouts(probe, timeouts, now)) {
      auto r = MutateTask(store_, id, [&](Task& t) {
        return ApplyTimeouts(t, timeouts, Now()) ? Status::Ok()
                                                 : Status(errc::kBadStatus, "no longer due");
      });
      if (r.ok()) {
        ++changed;
        log::Info("tasks", {{"task_id", id}}, "task ", id, " -> ", ToString(r->status));
      }
      continue;
    }
    if (!IsDue(head, now)) continue;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stopping_ || posted_.count(id) || posted_.size() >= options_.max_running) continue;
      auto backoff = retry_after_.find(id);
      if (backoff != retry_after_.end()) {
        if (now < backoff->second) continue;
        retry_after_.erase(backoff);
      }
    }
    auto claimed = store_.Claim(id, options_.owner, options_.lease);
    if (!claimed.ok() || !*claimed) continue;
    {
      std::lock_guard<std::mutex> lock(mu_);
      posted_.insert(id);
    }
    ++changed;
    log::Info("tasks", {{"task_id", id}}, "task ", id, ": claimed by ", options_.owner);
    post_([this, id] {
      {
        // Queued behind other work until after Stop(): not started, the claim given back.
        std::unique_lock<std::mutex> lock(mu_);
        if (stopping_) {
          posted_.erase(id);
          lock.unlock();
          (void)store_.ReleaseClaim(id, options_.owner);
          log::Info("tasks", {{"task_id", id}}, "task ", id,
                    ": not started, the proxy is stopping (claim released)");
          return;
        }
      }
      auto r = executor_.Run(id);
      if (r.ok()) {
        log::Info("tasks", {{"task_id", id}}, "task ", id, " -> ", ToString(*r));
      } else if (auto released = store_.ReleaseClaim(id, options_.owner);
                 released.ok() && *released) {
        // Not started (e.g. the metadb failed us): the claim is given back at once rather than
        // held until the lease lapses. Any other proxy may take it at its next poll; this one
        // waits a few seconds, so a task that cannot start does not fail every second.
        log::Warn("tasks", {{"task_id", id}}, "task ", id,
                  ": could not start: ", r.status().message(), " (claim released; retrying)");
        std::lock_guard<std::mutex> lock(mu_);
        retry_after_[id] = Now() + kRetryStartAfter;
      } else {
        log::Warn("tasks", {{"task_id", id}}, "task ", id, ": ", r.status().message());
      }
      {
        std::lock_guard<std::mutex> lock(mu_);
        posted_.erase(id);
      }
      Kick();  // a task that waited for a free execution slot may start now
    });
  }
  // 3. The task gauge.
  if (auto counts = store_.CountByStatus(); counts.ok())
    for (TaskStatus s : kAllStatuses) {
      auto it = counts->find(s);
      metrics::ShadowSyncTasks(ToString(s))
          .Set(it == counts->end() ? 0.0 : static_cast<double>(it->second));
    }
  return changed;
}

}  // namespace shadowproxy::tasks
