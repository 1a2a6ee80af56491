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
    {"set_session_shadow", "SET SESSION SHADOW"},
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

}  // namespace shadowproxy::shadow_sync

namespace shadowproxy::shadow_sync {
namespace {

std::string IdentList(const std::vector<std::string>& names) {
  std::string out;
  for (size_t i = 0; i < names.size(); ++i) {
    if (i) out += ", ";
    out += QuoteIdentifier(names[i]);
  }
  return out;
}

std::string Selection(const TableSelection& sel) {
  std::string out;
  if (sel.database) out += " DATABASE " + QuoteIdentifier(*sel.database);
  out += sel.all_tables ? " ALL TABLES" : " TABLES " + IdentList(sel.tables);
  return out;
}

std::string NamingSql(const NamingChoice& n) {
  if (n && !n->prefix.empty()) return " PREFIX " + QuoteString(n->prefix);
  if (n && !n->suffix.empty()) return " SUFFIX " + QuoteString(n->suffix);
  return "";
}

std::string Options(const ExecutionOptions& o) {
  std::string out;
  switch (o.mode) {
    case ExecutionMode::kImmediate:
      out += " EXECUTE IMMEDIATELY";
      break;
    case ExecutionMode::kAt:
      out += " EXECUTE AT " + QuoteString(o.execute_at ? FormatTime(*o.execute_at) : "");
      break;
    case ExecutionMode::kManual:
      out += " EXECUTE MANUALLY";
      break;
  }
  out += o.error_strategy == ErrorStrategy::kAbort ? " ON ERROR ABORT" : " ON ERROR CONTINUE";
  if (!o.remarks.empty()) out += " COMMENT " + QuoteString(o.remarks);
  return out;
}

std::string Comment(const std::optional<std::string>& c) {
  return c ? " COMMENT " + QuoteString(*c) : "";
}

struct SqlVisitor {
  std::string operator()(const AnalyzeStmt& s) {
    return "ANALYZE" + Selection(s.target) + NamingSql(s.naming);
  }
  std::string operator()(const ShowAnalysisStmt& s) {
    return "SHOW ANALYSIS " + std::to_string(s.analysis_id) +
           (s.table ? " TABLE " + QuoteIdentifier(*s.table) : "");
  }
  std::string operator()(const SkipStmt& s) {
    return "SKIP " + std::to_string(s.analysis_id) + " TABLES " + IdentList(s.tables);
  }
  std::string operator()(const UnskipStmt& s) {
    return "UNSKIP " + std::to_string(s.analysis_id) + " TABLES " + IdentList(s.tables);
  }
  std::string operator()(const PreviewStmt& s) {
    return "PREVIEW " + std::to_string(s.analysis_id);
  }
  std::string operator()(const SubmitStmt& s) {
    return "SUBMIT " + std::to_string(s.analysis_id) + Options(s.options);
  }
  std::string operator()(const CreateTaskStmt& s) {
    std::string out = "CREATE TASK" + Selection(s.target) + NamingSql(s.naming);
    if (!s.skip_tables.empty()) out += " SKIP TABLES " + IdentList(s.skip_tables);
    return out + Options(s.options);
  }
  std::string operator()(const ShowTasksStmt& s) {
    std::string out = s.all ? "SHOW ALL TASKS" : "SHOW TASKS";
    for (size_t i = 0; i < s.filters.size(); ++i) {
      const TaskCondition& f = s.filters[i];
      out += i ? " AND " : " WHERE ";
      out += std::string(TaskColumnName(f.column)) + " " + std::string(CompareOpText(f.op)) + " ";
      if (f.op == CompareOp::kIn) out += "(";
      for (size_t j = 0; j < f.values.size(); ++j)
        out += (j ? ", " : "") + QuoteString(f.values[j]);
      if (f.op == CompareOp::kIn) out += ")";
    }
    for (size_t i = 0; i < s.order.size(); ++i) {
      out += i ? ", " : " ORDER BY ";
      out += std::string(TaskColumnName(s.order[i].column)) +
             (s.order[i].descending ? " DESC" : " ASC");
    }
    if (s.limit) out += " LIMIT " + std::to_string(*s.limit);
    // The grammar has no OFFSET without LIMIT; a hand-built one gets the largest limit.
    if (s.offset && !s.limit) out += " LIMIT 18446744073709551615";
    if (s.offset) out += " OFFSET " + std::to_string(*s.offset);
    return out;
  }
  std::string operator()(const ShowTaskStmt& s) {
    std::string out = "SHOW TASK " + std::to_string(s.task_id);
    switch (s.view) {
      case TaskView::kInfo:
        break;
      case TaskView::kTables:
        out += " TABLES";
        break;
      case TaskView::kSql:
        out += " SQL";
        break;
      case TaskView::kProcess:
        out += " PROCESS";
        break;
      case TaskView::kLogs:
        out += " LOGS";
        if (s.alert_only) out += " ALERT";
        if (s.like) out += " LIKE " + QuoteString(*s.like);
        break;
    }
    return out;
  }
  std::string operator()(const ApproveStmt& s) {
    return "APPROVE " + std::to_string(s.task_id) + Comment(s.comment);
  }
  std::string operator()(const RejectStmt& s) {
    return "REJECT " + std::to_string(s.task_id) + Comment(s.comment);
  }
  std::string operator()(const AbortStmt& s) { return "ABORT " + std::to_string(s.task_id); }
  std::string operator()(const ExecuteStmt& s) { return "EXECUTE " + std::to_string(s.task_id); }
  std::string operator()(const RetryStmt& s) { return "RETRY " + std::to_string(s.task_id); }
  std::string operator()(const HelpStmt&) { return "HELP"; }
  std::string operator()(const SetSessionShadowStmt& s) {
    return std::string("SET SESSION SHADOW = ") + (s.on ? "ON" : "OFF");
  }
};

}  // namespace

std::string ToSql(const Statement& statement) {
  return "SHADOW SYNC " + std::visit(SqlVisitor{}, statement);
}

}  // namespace shadowproxy::shadow_sync
