#include "proxy/fallback_plugin.h"

namespace shadowproxy::proxy {
namespace {

class FallbackPlugin : public plugins::StatementPlugin {
 public:
  plugins::Answer Handle(const plugins::SessionContext&, std::string_view) override {
    return Status(errc::kInternal, "SHADOW SYNC statements are not available in this build");
  }
};

}  // namespace

std::unique_ptr<plugins::StatementPlugin> MakeFallbackPlugin() {
  return std::make_unique<FallbackPlugin>();
}

}  // namespace shadowproxy::proxy
