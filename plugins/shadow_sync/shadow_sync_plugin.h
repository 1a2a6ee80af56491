// The SHADOW SYNC front the proxy calls: parses the query (parser.h), dispatches the statement
// to its handler (handlers.h) over the task service, and counts it in
// shadowproxy_shadow_sync_statements_total{statement, result} ("invalid" for a query that does
// not parse; result "error" for any ERR). It owns the one worker pool (shadow_sync.workers
// threads) that runs statements and task executions.
#pragma once

#include <memory>
#include <string>

#include "base/config.h"
#include "plugins/plugin.h"
#include "plugins/tasks/task_service.h"

namespace shadowproxy::shadow_sync {

// The proxy's plugin: the task runtime (metadb store, executor, scheduler) built from the
// config. `instance` identifies this proxy across restarts ("host:port").
std::unique_ptr<plugins::StatementPlugin> MakeShadowSyncPlugin(ConfigPtr config,
                                                               std::string instance);

// Over a service someone else runs (tests): statements only, on a pool of shadow_sync.workers.
std::unique_ptr<plugins::StatementPlugin> MakeShadowSyncPlugin(ConfigPtr config,
                                                               tasks::TaskService& service);

// The task service a plugin made by MakeShadowSyncPlugin runs on (the web console is a second
// front on it); nullptr for any other plugin. Valid while the plugin lives.
tasks::TaskService* ServiceOf(plugins::StatementPlugin& plugin);

}  // namespace shadowproxy::shadow_sync
