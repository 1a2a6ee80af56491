#include "proxy/metrics_server.h"

#include <CivetServer.h>
#include <civetweb.h>
#include <prometheus/exposer.h>

#include <atomic>
#include <cstring>
#include <exception>
#include <string>
#include <string_view>

#include "base/log.h"
#include "base/metrics.h"

namespace shadowproxy::proxy {
namespace {

// civetweb's begin_request hook gets only the connection, and the Exposer keeps its CivetServer
// (whose user data would have been the place) to itself: the serving instance is found here.
std::atomic<MetricsServer*> g_serving{nullptr};

int Reply(mg_connection* conn, int code, const char* reason, const char* type,
          const std::string& body, bool head, const char* extra_headers = "") {
  mg_printf(conn,
            "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
            "Cache-Control: no-store\r\nConnection: close\r\n%s\r\n",
            code, reason, type, body.size(), extra_headers);
  if (!head) mg_write(conn, body.data(), body.size());
  return code;
}

}  // namespace

MetricsServer::MetricsServer() = default;
MetricsServer::~MetricsServer() { Stop(); }

void MetricsServer::SetReadiness(std::function<ReadinessReport()> check) {
  std::lock_guard<std::mutex> lock(mu_);
  readiness_ = std::move(check);
}

ReadinessReport MetricsServer::Readiness() {
  std::function<ReadinessReport()> check;
  {
    std::lock_guard<std::mutex> lock(mu_);
    check = readiness_;
  }
  if (check) return check();
  ReadinessReport starting;
  starting.checks.emplace_back("listen", "not listening yet");
  return starting;
}

// /healthz and /readyz are answered here, before civetweb looks for a handler; everything else
// (/metrics, 404s) goes on to the Exposer.
int MetricsServer::OnBeginRequest(mg_connection* conn) {
  const mg_request_info* ri = mg_get_request_info(conn);
  if (ri == nullptr || ri->local_uri == nullptr) return 0;
  const std::string_view uri = ri->local_uri;
  if (uri != "/healthz" && uri != "/readyz") return 0;
  MetricsServer* self = g_serving.load();
  if (self == nullptr) return 0;
  const std::string_view method = ri->request_method ? ri->request_method : "";
  const bool head = method == "HEAD";
  if (method != "GET" && !head)
    return Reply(conn, 405, "Method Not Allowed", "text/plain", "GET or HEAD\n", false,
                 "Allow: GET, HEAD\r\n");
  if (uri == "/healthz") return Reply(conn, 200, "OK", "text/plain", "ok\n", head);
  ReadinessReport report = self->Readiness();
  const std::string body = report.Json() + "\n";
  return report.ready ? Reply(conn, 200, "OK", "application/json", body, head)
                      : Reply(conn, 503, "Service Unavailable", "application/json", body, head);
}

Status MetricsServer::Start(const MetricsConfig& cfg) {
  Stop();
  if (cfg.port == 0) return Status::Ok();
  const bool v6 = cfg.address.find(':') != std::string::npos;
  const std::string where =
      (v6 ? "[" + cfg.address + "]" : cfg.address) + ":" + std::to_string(cfg.port);
  callbacks_ = std::make_unique<CivetCallbacks>();
  callbacks_->begin_request = &MetricsServer::OnBeginRequest;
  g_serving.store(this);
  try {
    // Two serving threads: a /readyz waiting on a slow backend login does not hold up a scrape.
    auto exposer = std::make_unique<prometheus::Exposer>(where, 2, callbacks_.get());
    exposer->RegisterCollectable(metrics::Registry());
    auto ports = exposer->GetListeningPorts();
    port_ = ports.empty() ? cfg.port : static_cast<uint16_t>(ports.front());
    exposer_ = std::move(exposer);
  } catch (const std::exception& e) {
    g_serving.store(nullptr);
    return Status(errc::kInternal, "metrics: cannot listen on " + where +
                                       " (port in use or address not local): " + e.what());
  }
  log::Info("metrics", "serving /metrics, /healthz and /readyz on ", where);
  return Status::Ok();
}

void MetricsServer::Stop() {
  exposer_.reset();  // joins the HTTP threads: no request is inside OnBeginRequest after this
  MetricsServer* self = this;
  g_serving.compare_exchange_strong(self, nullptr);
  port_ = 0;
}

}  // namespace shadowproxy::proxy
