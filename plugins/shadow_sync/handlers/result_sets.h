// Pieces of answers several handlers share: the analysis rows, the task_id/status row, cells for
// optional times and texts, and what to analyse as the service takes it.
#pragma once

#include <optional>
#include <string>

#include "plugins/plugin.h"
#include "plugins/shadow_sync/ast.h"
#include "plugins/tasks/task_service.h"

namespace shadowproxy::shadow_sync {

using Cell = std::optional<std::string>;

Cell TimeCell(const std::optional<TimePoint>& t);
Cell TextCell(const std::string& text);  // "" -> NULL

// analysis_id, source_table, shadow_table, result, skipped, statements: one row per table.
plugins::ResultSetAnswer AnalysisRows(const tasks::Analysis& analysis);
// task_id, status [, process].
plugins::ResultSetAnswer TaskIdStatus(const tasks::Task& task, bool with_process);

// The statement's table selection and naming on the session's database.
tasks::AnalysisSpec ToSpec(const plugins::SessionContext& session, const TableSelection& target,
                           const NamingChoice& naming);

}  // namespace shadowproxy::shadow_sync
