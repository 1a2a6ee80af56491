// An in-memory TaskStore for unit tests: same semantics as the metadb store (versions, claims,
// leases, filters), one mutex, a settable clock for leases and the list window.
#pragma once

#include <functional>
#include <map>
#include <mutex>

#include "plugins/tasks/task_store.h"

namespace shadowproxy::tasks {

class MemoryTaskStore : public TaskStore {
 public:
  explicit MemoryTaskStore(std::function<TimePoint()> clock = Now) : clock_(std::move(clock)) {}

  Result<int64_t> CreateAnalysis(const Analysis& analysis) override;
  Result<Analysis> GetAnalysis(int64_t id) override;
  Result<int> SetSkipped(int64_t analysis_id, const std::vector<std::string>& tables,
                         bool skipped) override;
  Status CreateTask(Task& task) override;
  Result<Task> GetTask(int64_t id, unsigned parts = kWhole) override;
  Result<TaskStatus> GetStatus(int64_t id) override;
  Result<bool> SaveTask(Task& task) override;
  Status UpdateStatement(int64_t task_id, const TaskStatement& statement) override;
  Result<int64_t> AppendLog(int64_t task_id, const TaskLog& line) override;
  Result<std::vector<TaskSummary>> ListTasks(const TaskQuery& query) override;
  Result<std::vector<Task>> ListLiveTasks() override;
  Result<std::map<TaskStatus, int64_t>> CountByStatus() override;
  Result<bool> Claim(int64_t id, const std::string& owner, Duration lease) override;
  Result<bool> RenewLease(int64_t id, const std::string& owner, Duration lease) override;
  Result<bool> ReleaseClaim(int64_t id, const std::string& owner) override;
  Result<std::vector<int64_t>> ListInterrupted(const std::string& instance,
                                               const std::string& current_owner) override;

  // Test hook: every call fails with ERR 7030 while set.
  void SetUnavailable(bool down) {
    std::lock_guard<std::mutex> lock(mu_);
    down_ = down;
  }

 private:
  Status CheckUp() const;
  std::function<TimePoint()> clock_;
  std::mutex mu_;
  bool down_ = false;
  int64_t next_analysis_ = 1, next_task_ = 1, next_log_ = 1;
  std::map<int64_t, Analysis> analyses_;
  std::map<int64_t, Task> tasks_;
};

}  // namespace shadowproxy::tasks
