#include "plugins/shadow_sync/ast.h"

#include <array>
#include <type_traits>

namespace shadowproxy::shadow_sync {
namespace {

struct Names {
  std::string_view label;
  std::string_view keyword;
};

// Indexed like the Statement variant's alternatives.
constexpr std::array<Names, std::variant_size_v<Statement>> kNames = {{
    {"analyze", "ANALYZE"},
    {"show_analysis", "SHOW ANALYSIS"},
    {"skip", "SKIP"},
    {"unskip", "UNSKIP"},
    {"preview", "PREVIEW"},
    {"submit", "SUBMIT"},
    {"create_task", "CREATE TASK"},
    {"show_tasks", "SHOW TASKS"},
    {"show_task", "SHOW TASK"},
    {"approve", "APPROVE"},
    {"reject", "REJECT"},
    {"abort", "ABORT"},
    {"execute", "EXECUTE"},
    {"retry", "RETRY"},
    {"help", "HELP"},
}};

}  // namespace

std::string_view StatementName(const Statement& statement) {
  return kNames[statement.index()].label;
}

std::string_view StatementKeyword(const Statement& statement) {
  return kNames[statement.index()].keyword;
}

const std::vector<std::string_view>& AllStatementNames() {
  static const std::vector<std::string_view> names = [] {
    std::vector<std::string_view> v;
    for (const auto& n : kNames) v.push_back(n.label);
    return v;
  }();
  return names;
}

std::string_view TaskColumnName(TaskColumn column) {
  switch (column) {
    case TaskColumn::kTaskId:
      return "task_id";
    case TaskColumn::kTaskType:
      return "task_type";
    case TaskColumn::kConnection:
      return "connection";
    case TaskColumn::kDatabase:
      return "database";
    case TaskColumn::kCreator:
      return "creator";
    case TaskColumn::kCreatedAt:
      return "created_at";
    case TaskColumn::kStatus:
      return "status";
  }
  return "?";
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

}  // namespace shadowproxy::shadow_sync
