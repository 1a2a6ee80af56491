#include "base/metrics.h"

#include <prometheus/family.h>

#include <array>
#include <atomic>

namespace shadowproxy::metrics {
namespace {

using prometheus::BuildCounter;
using prometheus::BuildGauge;
using prometheus::BuildHistogram;
using prometheus::Counter;
using prometheus::Family;
using prometheus::Gauge;
using prometheus::Histogram;

struct Metrics {
  std::shared_ptr<prometheus::Registry> registry = std::make_shared<prometheus::Registry>();

  Family<Gauge>& client_connections = BuildGauge()
                                          .Name("shadowproxy_client_connections")
                                          .Help("Client sessions open now.")
                                          .Register(*registry);
  Family<Counter>& client_connections_total =
      BuildCounter()
          .Name("shadowproxy_client_connections_total")
          .Help(
              "Client connections by outcome (accepted, auth_failed, rejected) and whether "
              "they switched to TLS.")
          .Register(*registry);
  Family<Counter>& tls_handshakes_total =
      BuildCounter()
          .Name("shadowproxy_tls_handshakes_total")
          .Help("TLS handshakes with clients, by result: ok, failed.")
          .Register(*registry);
  Family<Counter>& commands_total = BuildCounter()
                                        .Name("shadowproxy_commands_total")
                                        .Help("Client commands received, by command.")
                                        .Register(*registry);
  Family<Histogram>& command_duration =
      BuildHistogram()
          .Name("shadowproxy_command_duration_seconds")
          .Help("Time from a client command to the end of its answer, by command.")
          .Register(*registry);
  Family<Gauge>& backend_connections =
      BuildGauge()
          .Name("shadowproxy_backend_connections")
          .Help("Backend connections open now, by cluster and server.")
          .Register(*registry);
  Family<Counter>& backend_errors_total =
      BuildCounter()
          .Name("shadowproxy_backend_errors_total")
          .Help("Failed connects to a backend and lost backend connections, by cluster and server.")
          .Register(*registry);
  Family<Counter>& bytes_total = BuildCounter()
                                     .Name("shadowproxy_bytes_total")
                                     .Help("Bytes relayed, by direction.")
                                     .Register(*registry);
  Family<Counter>& ss_statements_total =
      BuildCounter()
          .Name("shadowproxy_shadow_sync_statements_total")
          .Help("SHADOW SYNC statements answered, by statement and result.")
          .Register(*registry);
  Family<Gauge>& ss_tasks = BuildGauge()
                                .Name("shadowproxy_shadow_sync_tasks")
                                .Help("Shadow sync tasks by status.")
                                .Register(*registry);
  Family<Histogram>& ss_analysis_duration =
      BuildHistogram()
          .Name("shadowproxy_shadow_sync_analysis_duration_seconds")
          .Help("Time an analysis took.")
          .Register(*registry);
  Family<Counter>& ss_ddl_total =
      BuildCounter()
          .Name("shadowproxy_shadow_sync_ddl_total")
          .Help("Shadow DDL statements by result: succeeded, failed, skipped.")
          .Register(*registry);
  Family<Counter>& ss_follow_total =
      BuildCounter()
          .Name("shadowproxy_shadow_sync_follow_total")
          .Help(
              "Followed DDL (shadow_sync.follow_ddl): tasks made, DDL ignored, tasks that failed.")
          .Register(*registry);
  Family<Counter>& routing_total =
      BuildCounter()
          .Name("shadowproxy_shadow_routing_statements_total")
          .Help(
              "Statements of shadow sessions (shadow_routing): rewritten to shadow tables, "
              "refused with ERR 7040, passed as they are because every table is shared.")
          .Register(*registry);
  Family<Histogram>& ss_ddl_duration = BuildHistogram()
                                           .Name("shadowproxy_shadow_sync_ddl_duration_seconds")
                                           .Help("Time one shadow DDL statement took.")
                                           .Register(*registry);

  Counter& bytes_c2b = bytes_total.Add({{"direction", "client_to_backend"}});
  Counter& bytes_b2c = bytes_total.Add({{"direction", "backend_to_client"}});
  Histogram& analysis = ss_analysis_duration.Add({}, AnalysisBuckets());
  Histogram& ddl = ss_ddl_duration.Add({}, DdlBuckets());

  // Per command byte, created on first use; afterwards the hot path never takes a lock.
  std::array<std::atomic<Counter*>, 256> commands{};
  std::array<std::atomic<Histogram*>, 256> durations{};

  Metrics() {
    for (const char* r : {"accepted", "auth_failed", "rejected"})
      for (const char* tls : {"yes", "no"})
        client_connections_total.Add({{"result", r}, {"tls", tls}});
    for (const char* r : {"ok", "failed"}) tls_handshakes_total.Add({{"result", r}});
    for (const char* r : {"succeeded", "failed", "skipped"}) ss_ddl_total.Add({{"result", r}});
    for (const char* r : {"task", "ignored", "error"}) ss_follow_total.Add({{"result", r}});
    for (const char* r : {"rewritten", "refused", "passed_shared"})
      routing_total.Add({{"result", r}});
    client_connections.Add({});
  }
};

Metrics& M() {
  static Metrics* m = new Metrics();  // never destroyed: metrics outlive every thread using them
  return *m;
}

}  // namespace

std::shared_ptr<prometheus::Registry> Registry() { return M().registry; }

const prometheus::Histogram::BucketBoundaries& CommandBuckets() {
  static const prometheus::Histogram::BucketBoundaries b = {
      0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
      0.05,   0.1,     0.25,   0.5,   1,      2.5,   5,    10};
  return b;
}

const prometheus::Histogram::BucketBoundaries& DdlBuckets() {
  static const prometheus::Histogram::BucketBoundaries b = {0.01, 0.05, 0.1, 0.5, 1,    5,   10,
                                                            30,   60,   300, 600, 1800, 3600};
  return b;
}

const prometheus::Histogram::BucketBoundaries& AnalysisBuckets() {
  static const prometheus::Histogram::BucketBoundaries b = {
      0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600};
  return b;
}

prometheus::Gauge& ClientConnections() { return M().client_connections.Add({}); }

prometheus::Counter& ClientConnectionsTotal(std::string_view result, bool tls) {
  return M().client_connections_total.Add(
      {{"result", std::string(result)}, {"tls", tls ? "yes" : "no"}});
}

prometheus::Counter& TlsHandshakesTotal(bool ok) {
  return M().tls_handshakes_total.Add({{"result", ok ? "ok" : "failed"}});
}

prometheus::Counter& CommandsTotal(std::string_view command) {
  return M().commands_total.Add({{"command", std::string(command)}});
}
prometheus::Counter& CommandsTotal(uint8_t command_byte, std::string_view name) {
  auto& slot = M().commands[command_byte];
  Counter* c = slot.load(std::memory_order_acquire);
  if (c == nullptr) {
    c = &CommandsTotal(name);  // Add() returns the existing series if any
    slot.store(c, std::memory_order_release);
  }
  return *c;
}

prometheus::Histogram& CommandDuration(std::string_view command) {
  return M().command_duration.Add({{"command", std::string(command)}}, CommandBuckets());
}
prometheus::Histogram& CommandDuration(uint8_t command_byte, std::string_view name) {
  auto& slot = M().durations[command_byte];
  Histogram* h = slot.load(std::memory_order_acquire);
  if (h == nullptr) {
    h = &CommandDuration(name);
    slot.store(h, std::memory_order_release);
  }
  return *h;
}

prometheus::Gauge& BackendConnections(std::string_view cluster, std::string_view server) {
  return M().backend_connections.Add(
      {{"cluster", std::string(cluster)}, {"server", std::string(server)}});
}

prometheus::Counter& BackendErrorsTotal(std::string_view cluster, std::string_view server) {
  return M().backend_errors_total.Add(
      {{"cluster", std::string(cluster)}, {"server", std::string(server)}});
}

prometheus::Counter& BytesClientToBackend() { return M().bytes_c2b; }
prometheus::Counter& BytesBackendToClient() { return M().bytes_b2c; }

prometheus::Counter& ShadowSyncStatementsTotal(std::string_view statement,
                                               std::string_view result) {
  return M().ss_statements_total.Add(
      {{"statement", std::string(statement)}, {"result", std::string(result)}});
}

prometheus::Gauge& ShadowSyncTasks(std::string_view status) {
  return M().ss_tasks.Add({{"status", std::string(status)}});
}

prometheus::Histogram& ShadowSyncAnalysisDuration() { return M().analysis; }

prometheus::Counter& ShadowSyncDdlTotal(std::string_view result) {
  return M().ss_ddl_total.Add({{"result", std::string(result)}});
}

prometheus::Histogram& ShadowSyncDdlDuration() { return M().ddl; }

prometheus::Counter& ShadowRoutingStatementsTotal(std::string_view result) {
  return M().routing_total.Add({{"result", std::string(result)}});
}

prometheus::Counter& ShadowSyncFollowTotal(std::string_view result) {
  return M().ss_follow_total.Add({{"result", std::string(result)}});
}

}  // namespace shadowproxy::metrics
