// The SHADOW SYNC plugin used when the build has no plugins/shadow_sync: answers every statement
// with a clear error instead of relaying it to the backend.
#pragma once

#include <memory>

#include "plugins/plugin.h"

namespace shadowproxy::proxy {

std::unique_ptr<plugins::StatementPlugin> MakeFallbackPlugin();

}  // namespace shadowproxy::proxy
