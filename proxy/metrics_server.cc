#include "proxy/metrics_server.h"

#include <prometheus/exposer.h>

#include <exception>
#include <string>

#include "base/log.h"
#include "base/metrics.h"

namespace shadowproxy::proxy {

MetricsServer::MetricsServer() = default;
MetricsServer::~MetricsServer() { Stop(); }

Status MetricsServer::Start(const MetricsConfig& cfg) {
  Stop();
  if (cfg.port == 0) return Status::Ok();
  const bool v6 = cfg.address.find(':') != std::string::npos;
  const std::string where =
      (v6 ? "[" + cfg.address + "]" : cfg.address) + ":" + std::to_string(cfg.port);
  try {
    // One serving thread is plenty for a scrape every few seconds.
    auto exposer = std::make_unique<prometheus::Exposer>(where, 1);
    exposer->RegisterCollectable(metrics::Registry());
    auto ports = exposer->GetListeningPorts();
    port_ = ports.empty() ? cfg.port : static_cast<uint16_t>(ports.front());
    exposer_ = std::move(exposer);
  } catch (const std::exception& e) {
    return Status(errc::kInternal, "metrics: cannot listen on " + where +
                                       " (port in use or address not local): " + e.what());
  }
  log::Info("metrics", "serving /metrics on ", where);
  return Status::Ok();
}

void MetricsServer::Stop() {
  exposer_.reset();
  port_ = 0;
}

}  // namespace shadowproxy::proxy
