// Runs a claimed task's statements (SPEC.md §4.7), blocking: call Run() on a worker thread,
// never on an event loop. Re-analyses first and refuses "schema changed since approval"; runs
// the statements one by one on an admin session of the task's cluster in its database; ON ERROR
// ABORT / CONTINUE; per-statement state and INFO/ERROR/WARN log lines; renews the lease while
// running; an ABORT (Cancel() here, or a CANCELLED status written by any proxy) kills the running
// statement with KILL QUERY and runs nothing after it.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "plugins/tasks/sql_runner.h"
#include "plugins/tasks/task_store.h"

namespace shadowproxy::tasks {

struct ExecutorOptions {
  std::string owner;  // this proxy's owner id (the one that claimed the task)
  Duration lease = std::chrono::seconds(30);
  Duration renew_every = std::chrono::seconds(5);
  Duration watch_every = std::chrono::milliseconds(250);  // how often the store status is checked
};

// The statements the task would run now (the real Analyze is wired by the task center).
using ReanalyzeFn = std::function<Result<std::vector<std::string>>(const Task&)>;
// ERR 7020 if the statements touch a non-shadow table (plugins/schema's check when wired).
using GuardFn = std::function<Status(const Task&)>;

class Executor {
 public:
  Executor(TaskStore& store, SqlRunner& runner, ReanalyzeFn reanalyze, GuardFn guard,
           ExecutorOptions options);

  // Runs task `id` (claimed by options.owner, WAIT_FOR_EXECUTION) to its end. Returns the final
  // status (or the error that kept it from starting).
  Result<TaskStatus> Run(int64_t id);
  // In-process ABORT: kill the running statement of task id now (the status is written by the
  // caller). Returns false if this executor is not running it.
  bool Cancel(int64_t id);
  bool IsRunning(int64_t id);
  // Shutdown: kills every running statement; those tasks end EXECUTION_FAILED with `reason`
  // (unless an ABORT already made them CANCELLED). Returns how many were running.
  int CancelAll(const std::string& reason);

 private:
  struct Running;
  void Watch(Running& run);

  TaskStore& store_;
  SqlRunner& runner_;
  ReanalyzeFn reanalyze_;
  GuardFn guard_;
  ExecutorOptions options_;
  std::mutex mu_;
  std::map<int64_t, std::shared_ptr<Running>> running_;
};

}  // namespace shadowproxy::tasks
