// The SHADOW SYNC front the proxy calls: parses the query (parser.h), dispatches the statement
// to its handler (handlers.h) and counts it in shadowproxy_shadow_sync_statements_total
// {statement, result} ("invalid" for a query that does not parse; result "error" for any ERR).
// Handle() is thread-safe: the proxy calls it from worker threads.
#pragma once

#include <memory>

#include "base/config.h"
#include "plugins/plugin.h"
#include "plugins/shadow_sync/handlers.h"

namespace shadowproxy::shadow_sync {

// With the default handlers: HELP answers, the other statements are "not available yet".
std::unique_ptr<plugins::StatementPlugin> MakeShadowSyncPlugin(ConfigPtr config);

// With the task center's handlers (must be thread-safe; shared by all worker threads).
std::unique_ptr<plugins::StatementPlugin> MakeShadowSyncPlugin(
    ConfigPtr config, std::shared_ptr<StatementHandlers> handlers);

}  // namespace shadowproxy::shadow_sync
