#include "plugins/shadow_sync/shadow_sync_plugin.h"

#include <utility>

#include "base/log.h"
#include "plugins/shadow_sync/parser.h"

namespace shadowproxy::shadow_sync {
namespace {

// Holds only immutable state after construction, so concurrent Handle() calls are safe as long
// as the handlers are (the parser is a pure function).
class ShadowSyncPlugin : public plugins::StatementPlugin {
 public:
  ShadowSyncPlugin(ConfigPtr config, std::shared_ptr<StatementHandlers> handlers)
      : config_(std::move(config)), handlers_(std::move(handlers)) {}

  Answer Handle(const SessionContext& session, std::string_view query) override {
    auto parsed = ParseStatement(query);
    if (!parsed.ok()) {
      log::Debug("shadow_sync", "user ", session.user, ": ", parsed.status().ToString());
      return parsed.status();
    }
    return Dispatch(*handlers_, session, *parsed);
  }

 private:
  ConfigPtr config_;
  std::shared_ptr<StatementHandlers> handlers_;
};

}  // namespace

std::unique_ptr<plugins::StatementPlugin> MakeShadowSyncPlugin(ConfigPtr config) {
  return MakeShadowSyncPlugin(std::move(config), std::make_shared<DefaultStatementHandlers>());
}

std::unique_ptr<plugins::StatementPlugin> MakeShadowSyncPlugin(
    ConfigPtr config, std::shared_ptr<StatementHandlers> handlers) {
  if (!handlers) handlers = std::make_shared<DefaultStatementHandlers>();
  return std::make_unique<ShadowSyncPlugin>(std::move(config), std::move(handlers));
}

}  // namespace shadowproxy::shadow_sync
