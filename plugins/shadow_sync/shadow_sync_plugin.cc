#include "plugins/shadow_sync/shadow_sync_plugin.h"

#include <array>
#include <utility>

#include "base/log.h"
#include "base/metrics.h"
#include "plugins/shadow_sync/parser.h"

namespace shadowproxy::shadow_sync {
namespace {

// Holds only immutable state after construction, so concurrent Handle() calls are safe as long
// as the handlers are (the parser is a pure function; prometheus counters are atomic).
class ShadowSyncPlugin : public plugins::StatementPlugin {
 public:
  ShadowSyncPlugin(ConfigPtr config, std::shared_ptr<StatementHandlers> handlers)
      : config_(std::move(config)), handlers_(std::move(handlers)) {
    // shadowproxy_shadow_sync_statements_total: every series exists from the start (at 0), and
    // Handle() needs no registry lookup. The last slot is for queries that did not parse.
    const auto& names = AllStatementNames();
    for (size_t i = 0; i <= names.size(); ++i) {
      const std::string_view name = i < names.size() ? names[i] : kInvalidStatementName;
      counters_[i] = {&metrics::ShadowSyncStatementsTotal(name, "ok"),
                      &metrics::ShadowSyncStatementsTotal(name, "error")};
    }
  }

  Answer Handle(const SessionContext& session, std::string_view query) override {
    auto parsed = ParseStatement(query);
    if (!parsed.ok()) {
      counters_.back().error->Increment();
      log::Debug("shadow_sync", "user ", session.user, ": ", parsed.status().ToString());
      return parsed.status();
    }
    Answer answer = Dispatch(*handlers_, session, *parsed);
    const auto* st = std::get_if<Status>(&answer);
    const Counters& c = counters_[parsed->index()];
    (st != nullptr && !st->ok() ? c.error : c.ok)->Increment();
    return answer;
  }

 private:
  struct Counters {
    prometheus::Counter* ok = nullptr;
    prometheus::Counter* error = nullptr;
  };

  ConfigPtr config_;
  std::shared_ptr<StatementHandlers> handlers_;
  std::array<Counters, std::variant_size_v<Statement> + 1> counters_;
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
