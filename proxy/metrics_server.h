// The HTTP endpoint of the metrics port (docs/metrics.md), on metrics.address:metrics.port via
// prometheus-cpp's Exposer (civetweb): GET /metrics (base/metrics.h's registry in the
// Prometheus text format), GET /healthz (200 "ok" while the process is up) and GET /readyz
// (200 or 503 with a JSON body of ReadinessReport). Port 0 = off.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>

#include "base/config.h"
#include "base/status.h"
#include "proxy/health.h"

namespace prometheus {
class Exposer;
}
struct CivetCallbacks;
struct mg_connection;

namespace shadowproxy::proxy {

class MetricsServer {
 public:
  MetricsServer();
  ~MetricsServer();  // stops the server
  MetricsServer(const MetricsServer&) = delete;
  MetricsServer& operator=(const MetricsServer&) = delete;

  // Starts serving (a no-op returning OK when cfg.port is 0). Fails with a Status naming the
  // address when it cannot listen (e.g. the port is taken). Calling Start twice restarts. One
  // MetricsServer serves at a time in a process (the HTTP hook finds it through a global).
  Status Start(const MetricsConfig& cfg);
  void Stop();

  // What GET /readyz reports; called on an HTTP thread, so it may block briefly. Until it is
  // set, /readyz answers 503 with {"listen": "not listening yet"}.
  void SetReadiness(std::function<ReadinessReport()> check);

  bool running() const { return exposer_ != nullptr; }
  // The port actually listened on (0 when not running).
  uint16_t port() const { return port_; }

 private:
  static int OnBeginRequest(mg_connection* conn);
  ReadinessReport Readiness();

  std::unique_ptr<CivetCallbacks> callbacks_;
  std::unique_ptr<prometheus::Exposer> exposer_;
  uint16_t port_ = 0;
  std::mutex mu_;
  std::function<ReadinessReport()> readiness_;
};

}  // namespace shadowproxy::proxy
