// MysqlTaskStore: the task half (tasks, statements, steps, logs, claims, the task list).
#include <algorithm>
#include <bit>

#include "plugins/tasks/sql_build.h"
#include "plugins/tasks/task_store_mysql.h"

namespace shadowproxy::tasks {
namespace {

using namespace sqlbuild;  // NOLINT: internal helpers of this store

// The tasks table's column for a task-list column.
const char* ColumnFor(TaskColumn c) {
  switch (c) {
    case TaskColumn::kConnection:
      return "cluster";
    case TaskColumn::kDatabase:
      return "db_name";
    case TaskColumn::kCreator:
      return "creator";
    case TaskColumn::kStatus:
      return "status";
    case TaskColumn::kCreatedAt:
      return "created_at";
    case TaskColumn::kTaskType:
      return "task_type";
    case TaskColumn::kTaskId:
      return "id";
  }
  return "id";
}

constexpr char kTaskColumns[] =
    "id, cluster, db_name, creator, created_at, status, execution_mode, execute_at, "
    "error_strategy, remarks, process, process_nodes, allow_self_approval, current_node, prefix, "
    "suffix, analysis_id, owner, lease_until, approved_at, started_at, finished_at, version";

}  // namespace

Status MysqlTaskStore::InsertSteps(sql::MysqlConn& link, const Task& task) {
  InsertBatch rows(link, "INSERT INTO task_steps VALUES ");
  for (const auto& st : task.steps) {
    Sql& q = rows.row();
    q.N(task.id) << ",";
    q.N(st.seq) << ",";
    q.Q(st.node) << ",";
    q.Q(st.status) << ",";
    q.Q(st.op) << ",";
    q.T(st.at) << ",";
    q.Q(st.comment);
    if (Status s = rows.Add(); !s.ok()) return s;
  }
  return rows.Flush();
}

Status MysqlTaskStore::InsertLogs(sql::MysqlConn& link, Task& task) {
  std::vector<TaskLog*> fresh;
  for (auto& l : task.logs)
    if (l.id == 0) fresh.push_back(&l);
  InsertBatch rows(link, "INSERT INTO task_logs (task_id, at, level, message) VALUES ");
  size_t numbered = 0;
  auto number = [&] {  // the rows of one INSERT ... VALUES get consecutive ids
    const size_t n = rows.TakeSent();
    for (size_t k = 0; k < n; ++k)
      fresh[numbered + k]->id = rows.first_id() + static_cast<int64_t>(k);
    numbered += n;
  };
  for (TaskLog* l : fresh) {
    Sql& q = rows.row();
    q.N(task.id) << ",";
    q.T(l->at) << ",";
    q.Q(ToString(l->level)) << ",";
    q.Q(l->message);
    if (Status s = rows.Add(); !s.ok()) return s;
    number();
  }
  if (Status s = rows.Flush(); !s.ok()) return s;
  number();
  return Status::Ok();
}

Status MysqlTaskStore::CreateTask(Task& task) {
  return pool_.Run([&](sql::MysqlConn& link) -> Status {
    Task t;
    Status s = InTransaction(link, [&]() -> Status {
      t = task;  // from scratch on a retry
      if (t.analysis_id != 0) {
        if (Status e = link.Execute("UPDATE analyses SET submitted=1 WHERE id=" +
                                    std::to_string(t.analysis_id) + " AND submitted=0");
            !e.ok())
          return e;
        if (link.affected_rows() != 1)
          return Status(errc::kAlreadySubmitted,
                        "analysis " + std::to_string(t.analysis_id) + " is already submitted");
      }
      Sql q(link);
      q << "INSERT INTO tasks (" << std::string_view(kTaskColumns).substr(4)
        << ", task_type) VALUES (";
      q.Q(t.cluster) << ",";
      q.Q(t.database) << ",";
      q.Q(t.creator) << ",";
      q.T(t.created_at) << ",";
      q.Q(ToString(t.status)) << ",";
      q.Q(ToString(t.execution_mode)) << ",";
      q.T(t.execute_at) << ",";
      q.Q(ToString(t.error_strategy)) << ",";
      q.Q(t.remarks) << ",";
      q.Q(t.process) << ",";
      q.Q(EncodeNodes(t.process_nodes)) << ",";
      q.N(t.allow_self_approval) << ",";
      q.N(t.current_node) << ",";
      q.Q(t.naming.prefix) << ",";
      q.Q(t.naming.suffix) << ",";
      q.N(t.analysis_id) << ",NULL,NULL,";
      q.T(t.approved_at) << ",";
      q.T(t.started_at) << ",";
      q.T(t.finished_at) << ",1,";
      q.Q(kTaskType) << ")";
      if (Status e = link.Execute(q.str()); !e.ok()) return e;
      t.id = static_cast<int64_t>(link.insert_id());
      InsertBatch tables(link, "INSERT INTO task_tables VALUES ");
      int seq = 0;
      for (const auto& tt : t.tables) {
        Sql& r = tables.row();
        r.N(t.id) << ",";
        r.N(++seq) << ",";
        r.Q(tt.source) << ",";
        r.Q(tt.shadow) << ",";
        r.Q(ToString(tt.result)) << ",";
        r.N(tt.skipped);
        if (Status e = tables.Add(); !e.ok()) return e;
      }
      if (Status e = tables.Flush(); !e.ok()) return e;
      InsertBatch statements(link, "INSERT INTO task_statements VALUES ");
      for (const auto& st : t.statements) {
        Sql& r = statements.row();
        r.N(t.id) << ",";
        r.N(st.seq) << ",";
        r.Q(st.table) << ",";
        r.Q(st.sql) << ",";
        r.Q(ToString(st.state)) << ",";
        r.Q(st.error);
        if (Status e = statements.Add(); !e.ok()) return e;
      }
      if (Status e = statements.Flush(); !e.ok()) return e;
      if (Status e = InsertSteps(link, t); !e.ok()) return e;
      return InsertLogs(link, t);
    });
    if (!s.ok()) return s;
    t.version = 1;
    task = std::move(t);
    return Status::Ok();
  });
}

// A row of SELECT kTaskColumns: the task's own fields.
static Task TaskFromRow(const sql::Row& r) {
  Task t;
  t.id = Int(r[0]);
  t.cluster = Str(r[1]);
  t.database = Str(r[2]);
  t.creator = Str(r[3]);
  t.created_at = Time(r[4]).value_or(TimePoint{});
  t.status = ParseTaskStatus(Str(r[5])).value_or(TaskStatus::kExecutionFailed);
  t.execution_mode = ParseExecutionMode(Str(r[6])).value_or(ExecutionMode::kManual);
  t.execute_at = Time(r[7]);
  t.error_strategy = ParseErrorStrategy(Str(r[8])).value_or(ErrorStrategy::kAbort);
  t.remarks = Str(r[9]);
  t.process = Str(r[10]);
  t.process_nodes = DecodeNodes(Str(r[11])).value_or(std::vector<ApprovalNode>{});
  t.allow_self_approval = Int(r[12]) != 0;
  t.current_node = static_cast<int>(Int(r[13]));
  t.naming = Naming{Str(r[14]), Str(r[15])};
  t.analysis_id = Int(r[16]);
  t.owner = Str(r[17]);
  t.lease_until = Time(r[18]);
  t.approved_at = Time(r[19]);
  t.started_at = Time(r[20]);
  t.finished_at = Time(r[21]);
  t.version = Int(r[22]);
  return t;
}

Result<Task> MysqlTaskStore::LoadTask(sql::MysqlConn& link, int64_t id, unsigned parts) {
  // The task and the lists asked for, in one round trip and one snapshot (a SaveTask landing
  // in between cannot mix two versions).
  const std::string ids = std::to_string(id);
  std::string q = std::string("START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY;SELECT ") +
                  kTaskColumns + " FROM tasks WHERE id=" + ids;
  if (parts & kTables)
    q += ";SELECT source_table, shadow_table, result, skipped FROM task_tables WHERE task_id=" +
         ids + " ORDER BY seq";
  if (parts & kStatements)
    q += ";SELECT seq, source_table, sql_text, state, error FROM task_statements WHERE task_id=" +
         ids + " ORDER BY seq";
  if (parts & kSteps)
    q += ";SELECT seq, node, status, operator, at, comment FROM task_steps WHERE task_id=" + ids +
         " ORDER BY seq";
  if (parts & kLogs)
    q += ";SELECT id, at, level, message FROM task_logs WHERE task_id=" + ids + " ORDER BY id";
  q += ";COMMIT";
  auto r = link.QueryMulti(q);
  if (!r.error.ok()) return r.error;  // a transaction left open closes the connection
  const size_t lists = static_cast<size_t>(std::popcount(parts & kWhole));
  if (r.results.size() != 3 + lists)
    return Status(errc::kInternal, "metadb: short answer loading a task");
  if (r.results[1].empty()) return UnknownTask(id);
  size_t next = 2;
  const sql::Rows kNone;
  auto list = [&](unsigned part) -> const sql::Rows& {
    return (parts & part) ? r.results[next++] : kNone;
  };
  Task t = TaskFromRow(r.results[1][0]);
  for (const auto& x : list(kTables))
    t.tables.push_back(TaskTable{Str(x[0]), Str(x[1]),
                                 ParseTableResult(Str(x[2])).value_or(TableResult::kNoAction),
                                 Int(x[3]) != 0});
  for (const auto& x : list(kStatements))
    t.statements.push_back(TaskStatement{
        static_cast<int>(Int(x[0])), Str(x[1]), Str(x[2]),
        ParseStatementState(Str(x[3])).value_or(StatementState::kPending), Str(x[4])});
  for (const auto& x : list(kSteps))
    t.steps.push_back(ProcessStep{static_cast<int>(Int(x[0])), Str(x[1]), Str(x[2]), Str(x[3]),
                                  Time(x[4]), Str(x[5])});
  for (const auto& x : list(kLogs))
    t.logs.push_back(TaskLog{Int(x[0]), Time(x[1]).value_or(TimePoint{}),
                             ParseLogLevel(Str(x[2])).value_or(LogLevel::kInfo), Str(x[3])});
  return t;
}

Result<Task> MysqlTaskStore::GetTask(int64_t id, unsigned parts) {
  return pool_.Run([&](sql::MysqlConn& link) -> Result<Task> {
    auto t = LoadTask(link, id, parts);
    if (!t.ok()) return t.status();
    return t;
  });
}

Result<TaskStatus> MysqlTaskStore::GetStatus(int64_t id) {
  return pool_.Run([&](sql::MysqlConn& link) -> Result<TaskStatus> {
    auto rows = link.Query("SELECT status FROM tasks WHERE id=" + std::to_string(id));
    if (!rows.ok()) return rows.status();
    if (rows->empty()) return UnknownTask(id);
    return ParseTaskStatus(Str((*rows)[0][0])).value_or(TaskStatus::kExecutionFailed);
  });
}

Result<bool> MysqlTaskStore::SaveTask(Task& task) {
  return pool_.Run([&](sql::MysqlConn& link) -> Result<bool> {
    Task t;
    bool won = false;
    Status s = InTransaction(link, [&]() -> Status {
      t = task;  // from scratch on a retry
      Sql q(link);
      q << "UPDATE tasks SET status=";
      q.Q(ToString(t.status)) << ", execute_at=";
      q.T(t.execute_at) << ", current_node=";
      q.N(t.current_node) << ", approved_at=";
      q.T(t.approved_at) << ", started_at=";
      q.T(t.started_at) << ", finished_at=";
      q.T(t.finished_at) << ", version=version+1 WHERE id=";
      q.N(t.id) << " AND version=";
      q.N(t.version);
      if (Status e = link.Execute(q.str()); !e.ok()) return e;
      if (link.affected_rows() != 1) {
        auto exists = link.Query("SELECT 1 FROM tasks WHERE id=" + std::to_string(t.id));
        if (!exists.ok()) return exists.status();
        if (exists->empty()) return UnknownTask(t.id);
        return Status(errc::kBadStatus, "conflict");  // rolled back; reported as `false`
      }
      if (Status e = link.Execute("DELETE FROM task_steps WHERE task_id=" + std::to_string(t.id));
          !e.ok())
        return e;
      if (Status e = InsertSteps(link, t); !e.ok()) return e;
      if (Status e = InsertLogs(link, t); !e.ok()) return e;
      won = true;
      return Status::Ok();
    });
    if (!s.ok()) {
      if (s.code() == errc::kBadStatus && s.message() == "conflict") return false;
      return s;
    }
    ++t.version;
    task = std::move(t);
    return won;
  });
}

Status MysqlTaskStore::UpdateStatement(int64_t task_id, const TaskStatement& st) {
  return pool_.RunOnce([&](sql::MysqlConn& link) -> Status {
    Sql q(link);
    q << "UPDATE task_statements SET state=";
    q.Q(ToString(st.state)) << ", error=";
    q.Q(st.error) << " WHERE task_id=";
    q.N(task_id) << " AND seq=";
    q.N(st.seq);
    return link.Execute(q.str());
  });
}

Result<int64_t> MysqlTaskStore::AppendLog(int64_t task_id, const TaskLog& line) {
  return pool_.RunOnce([&](sql::MysqlConn& link) -> Result<int64_t> {
    Sql q(link);
    q << "INSERT INTO task_logs (task_id, at, level, message) VALUES (";
    q.N(task_id) << ",";
    q.T(line.at) << ",";
    q.Q(ToString(line.level)) << ",";
    q.Q(line.message) << ")";
    if (Status s = link.Execute(q.str()); !s.ok()) return s;
    return static_cast<int64_t>(link.insert_id());
  });
}

Result<std::vector<TaskSummary>> MysqlTaskStore::ListTasks(const TaskQuery& query) {
  if (Status s = ValidateQuery(query); !s.ok()) return s;
  return pool_.Run([&](sql::MysqlConn& link) -> Result<std::vector<TaskSummary>> {
    Sql q(link);
    q << "SELECT id, cluster, db_name, creator, created_at, status, process, process_nodes FROM "
         "tasks WHERE 1=1";
    if (query.created_since) {
      q << " AND created_at >= ";
      q.T(*query.created_since);
    }
    for (const auto& c : query.where) {
      // SQL's operators are the task list's, except != (<> is the standard spelling).
      q << " AND " << ColumnFor(c.column) << " "
        << (c.op == CompareOp::kNe ? "<>" : CompareOpText(c.op)) << " ";
      if (c.op == CompareOp::kIn) {
        q << "(";
        for (size_t i = 0; i < c.values.size(); ++i) {
          if (i) q << ",";
          q.Q(c.values[i]);
        }
        q << ")";
      } else if (c.column == TaskColumn::kCreatedAt) {
        q.T(c.value_time);
      } else {
        q.Q(c.values[0]);
      }
    }
    if (query.order.empty()) {
      q << " ORDER BY created_at DESC, id DESC";
    } else {
      q << " ORDER BY ";
      for (const auto& key : query.order)
        q << ColumnFor(key.column) << (key.descending ? " DESC, " : " ASC, ");
      q << "id" << (query.order.back().descending ? " DESC" : " ASC");
    }
    if (query.limit || query.offset) {
      q << " LIMIT ";
      q.N(static_cast<int64_t>(
          std::min<uint64_t>(query.limit.value_or(UINT64_MAX >> 2), INT64_MAX)));
      q << " OFFSET ";
      q.N(static_cast<int64_t>(std::min<uint64_t>(query.offset, INT64_MAX)));
    }
    auto rows = link.Query(q.str());
    if (!rows.ok()) return rows.status();
    std::vector<TaskSummary> out;
    for (const auto& r : *rows)
      out.push_back(
          TaskSummary{Int(r[0]), Str(r[1]), Str(r[2]), Str(r[3]), Time(r[4]).value_or(TimePoint{}),
                      ParseTaskStatus(Str(r[5])).value_or(TaskStatus::kExecutionFailed), Str(r[6]),
                      DecodeNodes(Str(r[7])).value_or(std::vector<ApprovalNode>{})});
    return out;
  });
}

Result<std::vector<Task>> MysqlTaskStore::ListLiveTasks() {
  return pool_.Run([&](sql::MysqlConn& link) -> Result<std::vector<Task>> {
    auto rows = link.Query(std::string("SELECT ") + kTaskColumns +
                           " FROM tasks WHERE status IN ('WAIT_FOR_APPROVAL', "
                           "'WAIT_FOR_EXECUTION', 'EXECUTING') ORDER BY id");
    if (!rows.ok()) return rows.status();
    std::vector<Task> out;
    for (const auto& r : *rows) out.push_back(TaskFromRow(r));
    return out;
  });
}

Result<std::map<TaskStatus, int64_t>> MysqlTaskStore::CountByStatus() {
  return pool_.Run([&](sql::MysqlConn& link) -> Result<std::map<TaskStatus, int64_t>> {
    auto rows = link.Query("SELECT status, COUNT(*) FROM tasks GROUP BY status");
    if (!rows.ok()) return rows.status();
    std::map<TaskStatus, int64_t> out;
    for (const auto& r : *rows)
      if (auto s = ParseTaskStatus(Str(r[0]))) out[*s] = Int(r[1]);
    return out;
  });
}

Result<bool> MysqlTaskStore::Claim(int64_t id, const std::string& owner, Duration lease) {
  return pool_.RunOnce([&](sql::MysqlConn& link) -> Result<bool> {
    Sql q(link);
    q << "UPDATE tasks SET owner=";
    q.Q(owner) << ", lease_until=NOW(3) + INTERVAL ";
    q.N(lease.count()) << "000 MICROSECOND WHERE id=";
    q.N(id) << " AND status='WAIT_FOR_EXECUTION' AND (owner IS NULL OR lease_until IS NULL OR "
               "lease_until < NOW(3))";
    if (Status s = link.Execute(q.str()); !s.ok()) return s;
    return link.affected_rows() == 1;
  });
}

Result<bool> MysqlTaskStore::RenewLease(int64_t id, const std::string& owner, Duration lease) {
  return pool_.RunOnce([&](sql::MysqlConn& link) -> Result<bool> {
    Sql q(link);
    q << "UPDATE tasks SET lease_until=NOW(3) + INTERVAL ";
    q.N(lease.count()) << "000 MICROSECOND WHERE id=";
    q.N(id) << " AND owner=";
    q.Q(owner);
    if (Status s = link.Execute(q.str()); !s.ok()) return s;
    // affected_rows is 0 when the value did not change (same millisecond): check ownership.
    if (link.affected_rows() == 1) return true;
    Sql c(link);
    c << "SELECT 1 FROM tasks WHERE id=";
    c.N(id) << " AND owner=";
    c.Q(owner);
    auto rows = link.Query(c.str());
    if (!rows.ok()) return rows.status();
    return !rows->empty();
  });
}

Result<bool> MysqlTaskStore::ReleaseClaim(int64_t id, const std::string& owner) {
  return pool_.RunOnce([&](sql::MysqlConn& link) -> Result<bool> {
    Sql q(link);
    q << "UPDATE tasks SET owner=NULL, lease_until=NULL WHERE id=";
    q.N(id) << " AND status='WAIT_FOR_EXECUTION' AND owner=";
    q.Q(owner);
    if (Status s = link.Execute(q.str()); !s.ok()) return s;
    return link.affected_rows() == 1;
  });
}

Result<std::vector<int64_t>> MysqlTaskStore::ListInterrupted(const std::string& instance,
                                                             const std::string& current_owner) {
  return pool_.Run([&](sql::MysqlConn& link) -> Result<std::vector<int64_t>> {
    Sql q(link);
    q << "SELECT id FROM tasks WHERE status='EXECUTING' AND (lease_until IS NULL OR lease_until < "
         "NOW(3) OR (LEFT(owner, ";
    q.N(static_cast<int64_t>(instance.size() + 1)) << ") = ";
    q.Q(instance + "#") << " AND owner <> ";
    q.Q(current_owner) << ")) ORDER BY id";
    auto rows = link.Query(q.str());
    if (!rows.ok()) return rows.status();
    std::vector<int64_t> out;
    for (const auto& r : *rows) out.push_back(Int(r[0]));
    return out;
  });
}

}  // namespace shadowproxy::tasks
