#include "plugins/tasks/task_store.h"

#include <cctype>

namespace shadowproxy::tasks {
namespace {

Status QueryError(const std::string& what) {
  return Status(errc::kSyntax, "SHADOW SYNC SHOW TASKS: " + what, "42000");
}

struct ColumnName {
  TaskColumn column;
  std::string_view name;
};
constexpr ColumnName kColumns[] = {
    {TaskColumn::kTaskId, "task_id"},        {TaskColumn::kTaskType, "task_type"},
    {TaskColumn::kConnection, "connection"}, {TaskColumn::kDatabase, "database"},
    {TaskColumn::kCreator, "creator"},       {TaskColumn::kCreatedAt, "created_at"},
    {TaskColumn::kStatus, "status"},
};

}  // namespace

std::string_view TaskColumnName(TaskColumn column) {
  for (const auto& c : kColumns)
    if (c.column == column) return c.name;
  return "?";
}

std::optional<TaskColumn> ParseTaskColumn(std::string_view name) {
  for (const auto& c : kColumns) {
    if (c.name.size() != name.size()) continue;
    bool same = true;
    for (size_t i = 0; i < name.size() && same; ++i)
      same = std::tolower(static_cast<unsigned char>(name[i])) == c.name[i];
    if (same) return c.column;
  }
  return std::nullopt;
}

std::string_view CompareOpText(CompareOp op) {
  switch (op) {
    case CompareOp::kEq:
      return "=";
    case CompareOp::kNe:
      return "!=";
    case CompareOp::kLike:
      return "LIKE";
    case CompareOp::kIn:
      return "IN";
    case CompareOp::kLt:
      return "<";
    case CompareOp::kLe:
      return "<=";
    case CompareOp::kGt:
      return ">";
    case CompareOp::kGe:
      return ">=";
  }
  return "?";
}

Status ValidateQuery(const TaskQuery& query) {
  using Op = CompareOp;
  for (const auto& cond : query.where) {
    const std::string name(TaskColumnName(cond.column));
    if (cond.values.empty()) return QueryError("no value for " + name);
    switch (cond.column) {
      case TaskColumn::kConnection:
      case TaskColumn::kDatabase:
      case TaskColumn::kCreator:
      case TaskColumn::kStatus:
        if (cond.op != Op::kEq && cond.op != Op::kNe && cond.op != Op::kLike && cond.op != Op::kIn)
          return QueryError("column " + name + " takes =, !=, LIKE or IN");
        if (cond.op != Op::kIn && cond.values.size() != 1)
          return QueryError("one value expected for " + name);
        break;
      case TaskColumn::kCreatedAt:
        if (cond.op != Op::kLt && cond.op != Op::kLe && cond.op != Op::kGt && cond.op != Op::kGe)
          return QueryError("column created_at takes <, <=, > or >=");
        if (cond.values.size() != 1) return QueryError("one time expected for created_at");
        break;
      case TaskColumn::kTaskId:
      case TaskColumn::kTaskType:
        return QueryError("column " + name + " cannot be used in WHERE");
    }
  }
  return Status::Ok();
}

bool SqlLike(std::string_view pattern, std::string_view text) {
  // Iterative matcher with backtracking on the last '%'.
  size_t p = 0, t = 0, star = std::string_view::npos, mark = 0;
  auto lower = [](char c) {
    return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  };
  while (t < text.size()) {
    if (p < pattern.size() && pattern[p] == '%') {
      star = p++;
      mark = t;
      continue;
    }
    if (p < pattern.size()) {
      char pc = pattern[p];
      size_t width = 1;
      bool any = pc == '_';
      if (pc == '\\' && p + 1 < pattern.size()) {
        pc = pattern[p + 1];
        width = 2;
        any = false;
      }
      if (any || lower(pc) == lower(text[t])) {
        p += width;
        ++t;
        continue;
      }
    }
    if (star == std::string_view::npos) return false;
    p = star + 1;
    t = ++mark;
  }
  while (p < pattern.size() && pattern[p] == '%') ++p;
  return p == pattern.size();
}

Result<Task> MutateTask(TaskStore& store, int64_t id, const std::function<Status(Task&)>& change) {
  for (int attempt = 0; attempt < 20; ++attempt) {
    auto loaded = store.GetTask(id);
    if (!loaded.ok()) return loaded.status();
    Task task = std::move(loaded).value();
    Status s = change(task);
    if (!s.ok()) return s;
    auto saved = store.SaveTask(task);
    if (!saved.ok()) return saved.status();
    if (*saved) return task;
  }
  return Status(errc::kInternal, "task " + std::to_string(id) + " keeps changing; try again");
}

}  // namespace shadowproxy::tasks
