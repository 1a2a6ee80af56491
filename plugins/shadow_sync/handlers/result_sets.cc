#include "plugins/shadow_sync/handlers/result_sets.h"

namespace shadowproxy::shadow_sync {

Cell TimeCell(const std::optional<TimePoint>& t) { return t ? Cell(FormatTime(*t)) : std::nullopt; }

Cell TextCell(const std::string& text) { return text.empty() ? Cell() : Cell(text); }

plugins::ResultSetAnswer AnalysisRows(const tasks::Analysis& a) {
  plugins::ResultSetAnswer rs;
  rs.columns = {"analysis_id", "source_table", "shadow_table", "result", "skipped", "statements"};
  rs.rows.reserve(a.tables.size());
  const std::string id = std::to_string(a.id);
  for (const auto& t : a.tables)
    rs.rows.push_back({id, t.source, t.shadow, std::string(ToString(t.result)),
                       std::string(t.skipped ? "1" : "0"), std::to_string(t.statements.size())});
  return rs;
}

plugins::ResultSetAnswer TaskIdStatus(const tasks::Task& t, bool with_process) {
  plugins::ResultSetAnswer rs;
  rs.columns = {"task_id", "status"};
  rs.rows.push_back({std::to_string(t.id), std::string(ToString(t.status))});
  if (with_process) {
    rs.columns.push_back("process");
    rs.rows[0].push_back(t.process);
  }
  return rs;
}

tasks::AnalysisSpec ToSpec(const plugins::SessionContext& session, const TableSelection& target,
                           const NamingChoice& naming) {
  tasks::AnalysisSpec spec;
  spec.database = target.database.value_or(session.database);
  spec.all_tables = target.all_tables;
  spec.tables = target.tables;
  spec.naming = naming;
  return spec;
}

}  // namespace shadowproxy::shadow_sync
