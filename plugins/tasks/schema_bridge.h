// Connects the task center to the schema engine (plugins/schema): the analysis callback over
// schema::Analyze, and the ERR 7020 guard over schema::CheckTouchesOnlyShadows.
#pragma once

#include <functional>

#include "base/config.h"
#include "plugins/tasks/executor.h"
#include "plugins/tasks/task_service.h"

namespace shadowproxy::tasks {

// Analyses on the request's cluster (from the current config) with its admin account.
AnalyzeFn MakeSchemaAnalyzer(std::function<ConfigPtr()> config);
// Refuses (7020) a task whose statements touch anything but its own shadow tables.
GuardFn MakeShadowGuard();

}  // namespace shadowproxy::tasks
