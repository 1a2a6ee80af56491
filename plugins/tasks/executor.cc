#include "plugins/tasks/executor.h"

#include <condition_variable>
#include <thread>

#include "base/log.h"
#include "base/metrics.h"
#include "plugins/tasks/task_state.h"

namespace shadowproxy::tasks {

struct Executor::Running {
  int64_t id = 0;
  std::mutex mu;
  std::condition_variable cv;
  bool cancelled = false;
  std::string reason;  // why, when not an ABORT (shutdown, lost lease)
  bool done = false;
  SqlSession* in_flight = nullptr;  // the session while a statement runs
};

namespace {

std::string ErrorText(const Status& s) {
  return "ERROR " + std::to_string(s.code()) + " (" + s.sqlstate() + "): " + s.message();
}

void Log(TaskStore& store, int64_t id, LogLevel level, const std::string& message) {
  auto r = store.AppendLog(id, TaskLog{0, Now(), level, message});
  if (!r.ok())
    log::Warn("tasks", {{"task_id", id}}, "task ", id,
              ": could not store log line: ", r.status().message());
}

}  // namespace

Executor::Executor(TaskStore& store, SqlRunner& runner, ReanalyzeFn reanalyze, GuardFn guard,
                   ExecutorOptions options)
    : store_(store),
      runner_(runner),
      reanalyze_(std::move(reanalyze)),
      guard_(std::move(guard)),
      options_(std::move(options)) {}

bool Executor::Cancel(int64_t id) {
  std::shared_ptr<Running> run;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = running_.find(id);
    if (it == running_.end()) return false;
    run = it->second;
  }
  {
    std::lock_guard<std::mutex> lock(run->mu);
    run->cancelled = true;
  }
  run->cv.notify_all();  // the watcher kills the statement in flight
  return true;
}

int Executor::CancelAll(const std::string& reason) {
  std::vector<std::shared_ptr<Running>> all;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto& [id, run] : running_) all.push_back(run);
  }
  for (auto& run : all) {
    {
      std::lock_guard<std::mutex> lock(run->mu);
      run->cancelled = true;
      run->reason = reason;
    }
    run->cv.notify_all();
  }
  return static_cast<int>(all.size());
}

bool Executor::IsRunning(int64_t id) {
  std::lock_guard<std::mutex> lock(mu_);
  return running_.count(id) != 0;
}

// Renews the lease and watches for an ABORT written by anyone; kills the statement in flight
// while cancelled (again each tick, in case the kill raced the statement's start).
void Executor::Watch(Running& run) {
  auto last_renew = std::chrono::steady_clock::now();
  std::unique_lock<std::mutex> lock(run.mu);
  while (!run.done) {
    run.cv.wait_for(lock, options_.watch_every);
    if (run.done) break;
    bool was_cancelled = run.cancelled;
    lock.unlock();
    if (!was_cancelled) {
      auto status = store_.GetStatus(run.id);
      bool stop = status.ok() && *status != TaskStatus::kExecuting;
      if (std::chrono::steady_clock::now() - last_renew >= options_.renew_every) {
        auto renewed = store_.RenewLease(run.id, options_.owner, options_.lease);
        if (renewed.ok()) {
          last_renew = std::chrono::steady_clock::now();
          if (!*renewed) stop = true;  // someone else owns it now
        }
      }
      if (stop) {
        lock.lock();
        run.cancelled = true;
        if (run.reason.empty() && status.ok() && *status == TaskStatus::kExecuting)
          run.reason = "the lease on the task was lost";
        lock.unlock();
      }
    }
    lock.lock();
    if (run.cancelled && run.in_flight != nullptr) {
      SqlSession* session = run.in_flight;
      // KillRunning is thread-safe and the session outlives in_flight (cleared under mu).
      Status s = session->KillRunning();
      if (!s.ok())
        log::Warn("tasks", {{"task_id", run.id}}, "task ", run.id,
                  ": KILL QUERY failed: ", s.message());
    }
  }
}

Result<TaskStatus> Executor::Run(int64_t id) {
  auto started = MutateTask(store_, id, [](Task& t) { return Start(t, Now()); });
  if (!started.ok()) return started.status();
  Task task = std::move(started).value();
  auto run = std::make_shared<Running>();
  run->id = id;
  {
    std::lock_guard<std::mutex> lock(mu_);
    running_[id] = run;
  }
  std::thread watcher([this, run] { Watch(*run); });

  auto finish = [&](TaskStatus outcome, const std::string& reason) -> Result<TaskStatus> {
    {
      std::lock_guard<std::mutex> lock(run->mu);
      run->done = true;
    }
    run->cv.notify_all();
    watcher.join();
    {
      std::lock_guard<std::mutex> lock(mu_);
      running_.erase(id);
    }
    auto r = MutateTask(store_, id, [&](Task& t) {
      if (t.status != TaskStatus::kExecuting) return BadStatus(t, "FINISH");
      return Finish(t, outcome, reason, Now());
    });
    if (r.ok()) return r->status;
    auto now = store_.GetStatus(id);  // e.g. CANCELLED by an ABORT meanwhile
    if (now.ok()) return *now;
    return r.status();
  };
  auto cancelled = [&] {
    std::lock_guard<std::mutex> lock(run->mu);
    return run->cancelled;
  };

  if (guard_) {
    if (Status s = guard_(task); !s.ok())
      return finish(TaskStatus::kExecutionFailed, "refused to run: " + ErrorText(s));
  }
  std::vector<std::string> approved;
  for (const auto& st : task.statements) approved.push_back(st.sql);
  if (reanalyze_) {
    auto now = reanalyze_(task);
    if (!now.ok())
      return finish(TaskStatus::kExecutionFailed,
                    "re-analysis before execution failed: " + ErrorText(now.status()));
    if (*now != approved)
      return finish(TaskStatus::kExecutionFailed,
                    "schema changed since approval: the DDL generated now differs from the "
                    "approved DDL; nothing was run");
  }
  auto session = runner_.Open(task.cluster, task.database);
  if (!session.ok())
    return finish(
        TaskStatus::kExecutionFailed,
        "cannot open a session on cluster '" + task.cluster + "': " + ErrorText(session.status()));

  const size_t total = task.statements.size();
  int failed = 0;
  bool stopped = false;  // ON ERROR ABORT hit
  bool aborted = false;  // ABORT
  std::string first_error;
  for (auto& st : task.statements) {
    if (st.state != StatementState::kPending) continue;
    {
      std::lock_guard<std::mutex> lock(run->mu);
      if (run->cancelled) {
        aborted = true;
        break;
      }
      run->in_flight = session->get();
    }
    const std::string label = "statement " + std::to_string(st.seq) + "/" + std::to_string(total);
    auto t0 = std::chrono::steady_clock::now();
    Status s = (*session)->Execute(st.sql);
    auto ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0)
            .count();
    {
      std::lock_guard<std::mutex> lock(run->mu);
      run->in_flight = nullptr;
    }
    metrics::ShadowSyncDdlDuration().Observe(static_cast<double>(ms) / 1000.0);
    if (s.ok()) {
      st.state = StatementState::kSucceeded;
      metrics::ShadowSyncDdlTotal("succeeded").Increment();
      (void)store_.UpdateStatement(id, st);
      Log(store_, id, LogLevel::kInfo,
          label + " succeeded in " + std::to_string(ms) + " ms: " + st.sql);
      continue;
    }
    st.state = StatementState::kFailed;
    st.error = ErrorText(s);
    metrics::ShadowSyncDdlTotal("failed").Increment();
    (void)store_.UpdateStatement(id, st);
    if (cancelled()) {
      aborted = true;
      std::string why;
      {
        std::lock_guard<std::mutex> lock(run->mu);
        why = run->reason.empty() ? "ABORT" : run->reason;
      }
      Log(store_, id, LogLevel::kError,
          label + " killed by " + why + " after " + std::to_string(ms) + " ms (" + st.error +
              "): " + st.sql);
      break;
    }
    ++failed;
    if (first_error.empty()) first_error = label + ": " + st.error;
    Log(store_, id, LogLevel::kError,
        label + " failed after " + std::to_string(ms) + " ms: " + st.error + ": " + st.sql);
    if (task.error_strategy == ErrorStrategy::kAbort) {
      stopped = true;
      break;
    }
  }
  int pending = task.CountStatements(StatementState::kPending);
  if (pending > 0) metrics::ShadowSyncDdlTotal("skipped").Increment(pending);

  if (aborted) {
    std::string reason;
    {
      std::lock_guard<std::mutex> lock(run->mu);
      reason = run->reason;
    }
    Log(store_, id, LogLevel::kWarn,
        "execution stopped" + (reason.empty() ? " by ABORT" : ": " + reason) + "; " +
            std::to_string(pending) + " statements not run");
    // After an ABORT the task is already CANCELLED and this is refused; otherwise it failed.
    return finish(TaskStatus::kExecutionFailed, reason.empty() ? "execution stopped" : reason);
  }
  if (stopped)
    return finish(TaskStatus::kExecutionFailed, "execution failed (ON ERROR ABORT) at " +
                                                    first_error + "; " + std::to_string(pending) +
                                                    " statements not run");
  if (failed > 0)
    return finish(TaskStatus::kExecutionSucceededWithErrors,
                  std::to_string(failed) + " of " + std::to_string(total) +
                      " statements failed (ON ERROR CONTINUE); first: " + first_error);
  return finish(TaskStatus::kExecutionSucceeded,
                "execution succeeded: " + std::to_string(total) + " statements");
}

}  // namespace shadowproxy::tasks
