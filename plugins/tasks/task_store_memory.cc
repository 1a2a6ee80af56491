#include "plugins/tasks/task_store_memory.h"

#include <algorithm>

namespace shadowproxy::tasks {
namespace {

Status UnknownTask(int64_t id) {
  return Status(errc::kUnknownId, "unknown task " + std::to_string(id));
}

std::string ColumnValue(const TaskSummary& t, TaskColumn column) {
  switch (column) {
    case TaskColumn::kConnection:
      return t.cluster;
    case TaskColumn::kDatabase:
      return t.database;
    case TaskColumn::kCreator:
      return t.creator;
    case TaskColumn::kStatus:
      return ToString(t.status);
    default:
      return "";
  }
}

bool Matches(const TaskSummary& t, const TaskCondition& c) {
  using Op = CompareOp;
  if (c.column == TaskColumn::kCreatedAt) {
    const TimePoint v = c.value_time;
    switch (c.op) {
      case Op::kLt:
        return t.created_at < v;
      case Op::kLe:
        return t.created_at <= v;
      case Op::kGt:
        return t.created_at > v;
      case Op::kGe:
        return t.created_at >= v;
      default:
        return false;
    }
  }
  std::string value = ColumnValue(t, c.column);
  switch (c.op) {
    case Op::kEq:
      return value == c.values[0];
    case Op::kNe:
      return value != c.values[0];
    case Op::kLike:
      return SqlLike(c.values[0], value);
    case Op::kIn:
      return std::find(c.values.begin(), c.values.end(), value) != c.values.end();
    default:
      return false;
  }
}

// Compares by the ORDER BY column; ties by task id in the same direction.
// -1, 0 or 1: a against b on one column, ascending.
int Compare(const TaskSummary& a, const TaskSummary& b, TaskColumn col) {
  switch (col) {
    case TaskColumn::kCreatedAt:
      return a.created_at < b.created_at ? -1 : (b.created_at < a.created_at ? 1 : 0);
    case TaskColumn::kTaskId:
      return a.id < b.id ? -1 : (b.id < a.id ? 1 : 0);
    case TaskColumn::kTaskType:
      return 0;  // one type
    default: {
      std::string ka = ColumnValue(a, col), kb = ColumnValue(b, col);
      return ka < kb ? -1 : (kb < ka ? 1 : 0);
    }
  }
}

bool Before(const TaskSummary& a, const TaskSummary& b, const std::vector<TaskSortKey>& order) {
  static const std::vector<TaskSortKey> kDefault = {{TaskColumn::kCreatedAt, true}};
  const auto& keys = order.empty() ? kDefault : order;
  for (const auto& key : keys)
    if (int cmp = Compare(a, b, key.column); cmp != 0) return key.descending ? cmp > 0 : cmp < 0;
  int cmp = Compare(a, b, TaskColumn::kTaskId);
  return keys.back().descending ? cmp > 0 : cmp < 0;
}

}  // namespace

Status MemoryTaskStore::CheckUp() const {
  if (down_) return Status(errc::kUnavailable, "metadb unavailable (memory: switched off)");
  return Status::Ok();
}

Result<int64_t> MemoryTaskStore::CreateAnalysis(const Analysis& analysis) {
  std::lock_guard<std::mutex> lock(mu_);
  if (Status s = CheckUp(); !s.ok()) return s;
  Analysis a = analysis;
  a.id = next_analysis_++;
  analyses_[a.id] = a;
  return a.id;
}

Result<Analysis> MemoryTaskStore::GetAnalysis(int64_t id) {
  std::lock_guard<std::mutex> lock(mu_);
  if (Status s = CheckUp(); !s.ok()) return s;
  auto it = analyses_.find(id);
  if (it == analyses_.end())
    return Status(errc::kUnknownId, "unknown analysis " + std::to_string(id));
  return it->second;
}

Result<int> MemoryTaskStore::SetSkipped(int64_t analysis_id, const std::vector<std::string>& tables,
                                        bool skipped) {
  std::lock_guard<std::mutex> lock(mu_);
  if (Status s = CheckUp(); !s.ok()) return s;
  auto it = analyses_.find(analysis_id);
  if (it == analyses_.end())
    return Status(errc::kUnknownId, "unknown analysis " + std::to_string(analysis_id));
  Analysis& a = it->second;
  if (a.submitted)
    return Status(errc::kAlreadySubmitted,
                  "analysis " + std::to_string(analysis_id) + " is already submitted");
  for (const auto& name : tables) {
    bool found = std::any_of(a.tables.begin(), a.tables.end(),
                             [&](const AnalysisTable& t) { return t.source == name; });
    if (!found)
      return Status(errc::kNotFound,
                    "table '" + name + "' is not in analysis " + std::to_string(analysis_id));
  }
  int changed = 0;
  for (auto& t : a.tables) {
    if (std::find(tables.begin(), tables.end(), t.source) == tables.end()) continue;
    if (t.skipped != skipped) {
      t.skipped = skipped;
      ++changed;
    }
  }
  return changed;
}

Status MemoryTaskStore::CreateTask(Task& task) {
  std::lock_guard<std::mutex> lock(mu_);
  if (Status s = CheckUp(); !s.ok()) return s;
  if (task.analysis_id != 0) {
    auto it = analyses_.find(task.analysis_id);
    if (it != analyses_.end()) {
      if (it->second.submitted)
        return Status(errc::kAlreadySubmitted,
                      "analysis " + std::to_string(task.analysis_id) + " is already submitted");
      it->second.submitted = true;
    }
  }
  task.id = next_task_++;
  task.version = 1;
  for (auto& l : task.logs)
    if (l.id == 0) l.id = next_log_++;
  tasks_[task.id] = task;
  return Status::Ok();
}

Result<Task> MemoryTaskStore::GetTask(int64_t id, unsigned /*parts: all are at hand*/) {
  std::lock_guard<std::mutex> lock(mu_);
  if (Status s = CheckUp(); !s.ok()) return s;
  auto it = tasks_.find(id);
  if (it == tasks_.end()) return UnknownTask(id);
  return it->second;
}

Result<TaskStatus> MemoryTaskStore::GetStatus(int64_t id) {
  std::lock_guard<std::mutex> lock(mu_);
  if (Status s = CheckUp(); !s.ok()) return s;
  auto it = tasks_.find(id);
  if (it == tasks_.end()) return UnknownTask(id);
  return it->second.status;
}

Result<bool> MemoryTaskStore::SaveTask(Task& task) {
  std::lock_guard<std::mutex> lock(mu_);
  if (Status s = CheckUp(); !s.ok()) return s;
  auto it = tasks_.find(task.id);
  if (it == tasks_.end()) return UnknownTask(task.id);
  Task& stored = it->second;
  if (stored.version != task.version) return false;
  for (auto& l : task.logs)
    if (l.id == 0) l.id = next_log_++;
  // Statements and logs appended directly since the load stay as stored; the rest is replaced.
  std::vector<TaskStatement> statements = stored.statements;
  std::vector<TaskLog> logs = stored.logs;
  for (const auto& l : task.logs) {
    bool have =
        std::any_of(logs.begin(), logs.end(), [&](const TaskLog& x) { return x.id == l.id; });
    if (!have) logs.push_back(l);
  }
  std::sort(logs.begin(), logs.end(),
            [](const TaskLog& a, const TaskLog& b) { return a.id < b.id; });
  std::string owner = stored.owner;
  auto lease = stored.lease_until;
  ++task.version;
  stored = task;
  stored.statements = std::move(statements);
  stored.logs = std::move(logs);
  stored.owner = owner;
  stored.lease_until = lease;
  task.statements = stored.statements;
  task.logs = stored.logs;
  return true;
}

Status MemoryTaskStore::UpdateStatement(int64_t task_id, const TaskStatement& statement) {
  std::lock_guard<std::mutex> lock(mu_);
  if (Status s = CheckUp(); !s.ok()) return s;
  auto it = tasks_.find(task_id);
  if (it == tasks_.end()) return UnknownTask(task_id);
  for (auto& st : it->second.statements)
    if (st.seq == statement.seq) {
      st.state = statement.state;
      st.error = statement.error;
      return Status::Ok();
    }
  return Status(errc::kInternal, "task " + std::to_string(task_id) + " has no statement " +
                                     std::to_string(statement.seq));
}

Result<int64_t> MemoryTaskStore::AppendLog(int64_t task_id, const TaskLog& line) {
  std::lock_guard<std::mutex> lock(mu_);
  if (Status s = CheckUp(); !s.ok()) return s;
  auto it = tasks_.find(task_id);
  if (it == tasks_.end()) return UnknownTask(task_id);
  TaskLog l = line;
  l.id = next_log_++;
  it->second.logs.push_back(l);
  return l.id;
}

Result<std::vector<TaskSummary>> MemoryTaskStore::ListTasks(const TaskQuery& query) {
  if (Status s = ValidateQuery(query); !s.ok()) return s;
  std::lock_guard<std::mutex> lock(mu_);
  if (Status s = CheckUp(); !s.ok()) return s;
  std::vector<TaskSummary> out;
  for (const auto& [id, t] : tasks_) {
    TaskSummary sum{t.id,         t.cluster, t.database, t.creator,
                    t.created_at, t.status,  t.process,  t.process_nodes};
    if (query.created_since && t.created_at < *query.created_since) continue;
    bool ok = std::all_of(query.where.begin(), query.where.end(),
                          [&](const TaskCondition& c) { return Matches(sum, c); });
    if (ok) out.push_back(sum);
  }
  std::sort(out.begin(), out.end(),
            [&](const TaskSummary& a, const TaskSummary& b) { return Before(a, b, query.order); });
  size_t from = std::min<size_t>(out.size(), query.offset);
  size_t to = query.limit ? std::min<size_t>(out.size(), from + *query.limit) : out.size();
  return std::vector<TaskSummary>(out.begin() + static_cast<long>(from),
                                  out.begin() + static_cast<long>(to));
}

Result<std::vector<Task>> MemoryTaskStore::ListLiveTasks() {
  std::lock_guard<std::mutex> lock(mu_);
  if (Status s = CheckUp(); !s.ok()) return s;
  std::vector<Task> out;
  for (const auto& [id, t] : tasks_) {
    if (IsFinal(t.status)) continue;
    Task head = t;
    head.tables.clear();
    head.statements.clear();
    head.steps.clear();
    head.logs.clear();
    out.push_back(std::move(head));
  }
  return out;
}

Result<std::map<TaskStatus, int64_t>> MemoryTaskStore::CountByStatus() {
  std::lock_guard<std::mutex> lock(mu_);
  if (Status s = CheckUp(); !s.ok()) return s;
  std::map<TaskStatus, int64_t> out;
  for (const auto& [id, t] : tasks_) ++out[t.status];
  return out;
}

Result<bool> MemoryTaskStore::Claim(int64_t id, const std::string& owner, Duration lease) {
  std::lock_guard<std::mutex> lock(mu_);
  if (Status s = CheckUp(); !s.ok()) return s;
  auto it = tasks_.find(id);
  if (it == tasks_.end()) return false;
  Task& t = it->second;
  TimePoint now = clock_();
  if (t.status != TaskStatus::kWaitForExecution) return false;
  if (!t.owner.empty() && t.lease_until && *t.lease_until >= now) return false;
  t.owner = owner;
  t.lease_until = now + lease;
  return true;
}

Result<bool> MemoryTaskStore::RenewLease(int64_t id, const std::string& owner, Duration lease) {
  std::lock_guard<std::mutex> lock(mu_);
  if (Status s = CheckUp(); !s.ok()) return s;
  auto it = tasks_.find(id);
  if (it == tasks_.end() || it->second.owner != owner) return false;
  it->second.lease_until = clock_() + lease;
  return true;
}

Result<bool> MemoryTaskStore::ReleaseClaim(int64_t id, const std::string& owner) {
  std::lock_guard<std::mutex> lock(mu_);
  if (Status s = CheckUp(); !s.ok()) return s;
  auto it = tasks_.find(id);
  if (it == tasks_.end() || it->second.owner != owner ||
      it->second.status != TaskStatus::kWaitForExecution)
    return false;
  it->second.owner.clear();
  it->second.lease_until.reset();
  return true;
}

Result<std::vector<int64_t>> MemoryTaskStore::ListInterrupted(const std::string& instance,
                                                              const std::string& current_owner) {
  std::lock_guard<std::mutex> lock(mu_);
  if (Status s = CheckUp(); !s.ok()) return s;
  TimePoint now = clock_();
  std::vector<int64_t> out;
  for (const auto& [id, t] : tasks_) {
    if (t.status != TaskStatus::kExecuting) continue;
    bool lapsed = !t.lease_until || *t.lease_until < now;
    bool earlier_me = t.owner.rfind(instance + "#", 0) == 0 && t.owner != current_owner;
    if (lapsed || earlier_me) out.push_back(id);
  }
  return out;
}

}  // namespace shadowproxy::tasks
