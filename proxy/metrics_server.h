// The /metrics HTTP endpoint (SPEC.md §7): serves base/metrics.h's registry in the Prometheus
// text format on metrics.address:metrics.port via prometheus-cpp's Exposer. Port 0 = off.
#pragma once

#include <cstdint>
#include <memory>

#include "base/config.h"
#include "base/status.h"

namespace prometheus {
class Exposer;
}

namespace shadowproxy::proxy {

class MetricsServer {
 public:
  MetricsServer();
  ~MetricsServer();  // stops the server
  MetricsServer(const MetricsServer&) = delete;
  MetricsServer& operator=(const MetricsServer&) = delete;

  // Starts serving (a no-op returning OK when cfg.port is 0). Fails with a Status naming the
  // address when it cannot listen (e.g. the port is taken). Calling Start twice restarts.
  Status Start(const MetricsConfig& cfg);
  void Stop();

  bool running() const { return exposer_ != nullptr; }
  // The port actually listened on (0 when not running).
  uint16_t port() const { return port_; }

 private:
  std::unique_ptr<prometheus::Exposer> exposer_;
  uint16_t port_ = 0;
};

}  // namespace shadowproxy::proxy
