// The TaskStore contract, run against the in-memory fake (unit) and the metadb store
// (integration, real MariaDB). Each binary defines MakeContractStore().
#pragma once

#include <memory>

#include "plugins/tasks/task_store.h"

namespace shadowproxy::tasks {
// A fresh, empty store.
std::unique_ptr<TaskStore> MakeContractStore();
}  // namespace shadowproxy::tasks
