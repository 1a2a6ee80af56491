#include "plugins/tasks/task_store.h"

#include <cctype>

namespace shadowproxy::tasks {
namespace {

Status QueryError(const std::string& what) {
  return Status(errc::kSyntax, "SHADOW SYNC SHOW TASKS: " + what, "42000");
}

bool IsTextColumn(const std::string& c) {
  return c == "connection" || c == "database" || c == "creator" || c == "status";
}

}  // namespace

Status ValidateQuery(const TaskQuery& query) {
  using Op = TaskCondition::Op;
  for (const auto& cond : query.where) {
    if (cond.values.empty()) return QueryError("no value for " + cond.column);
    if (IsTextColumn(cond.column)) {
      if (cond.op != Op::kEq && cond.op != Op::kNe && cond.op != Op::kLike && cond.op != Op::kIn)
        return QueryError("column " + cond.column + " takes =, !=, LIKE or IN");
      if (cond.op != Op::kIn && cond.values.size() != 1)
        return QueryError("one value expected for " + cond.column);
    } else if (cond.column == "created_at") {
      if (cond.op != Op::kLt && cond.op != Op::kLe && cond.op != Op::kGt && cond.op != Op::kGe)
        return QueryError("column created_at takes <, <=, > or >=");
      if (cond.values.size() != 1 || !ParseTime(cond.values[0]))
        return QueryError("created_at needs a time 'YYYY-MM-DD HH:MM:SS'");
    } else {
      return QueryError("unknown column '" + cond.column + "' in WHERE");
    }
  }
  static const char* const kOrderable[] = {"task_id", "task_type",  "connection", "database",
                                           "creator", "created_at", "status"};
  for (const auto& key : query.order) {
    bool ok = false;
    for (const char* c : kOrderable) ok = ok || key.column == c;
    if (!ok) return QueryError("unknown column '" + key.column + "' in ORDER BY");
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
