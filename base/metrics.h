// The process-wide Prometheus registry and one typed accessor per metric of SPEC.md §7.
// Families are created once; accessors return references that stay valid for the life of the
// process, so hot paths look a metric up once and keep the reference.
#pragma once

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace shadowproxy::metrics {

// The registry every metric lives in (what the /metrics endpoint serves).
std::shared_ptr<prometheus::Registry> Registry();

// Histogram buckets, in seconds.
const prometheus::Histogram::BucketBoundaries& CommandBuckets();   // 100µs .. 10s
const prometheus::Histogram::BucketBoundaries& DdlBuckets();       // 10ms .. 1h
const prometheus::Histogram::BucketBoundaries& AnalysisBuckets();  // 10ms .. 10min

// shadowproxy_client_connections (gauge): client sessions open now.
prometheus::Gauge& ClientConnections();
// shadowproxy_client_connections_total{result="accepted"|"auth_failed"|"rejected",
// tls="yes"|"no"}.
prometheus::Counter& ClientConnectionsTotal(std::string_view result, bool tls);
// shadowproxy_tls_handshakes_total{result="ok"|"failed"}: TLS handshakes with clients.
prometheus::Counter& TlsHandshakesTotal(bool ok);
// shadowproxy_commands_total{command}. The byte overload caches the series per command byte
// (a lock-free table lookup after the first call); `name` is the label for that byte
// (protocol::CommandName), used on the first call only.
prometheus::Counter& CommandsTotal(std::string_view command);
prometheus::Counter& CommandsTotal(uint8_t command_byte, std::string_view name);
// shadowproxy_command_duration_seconds{command}.
prometheus::Histogram& CommandDuration(std::string_view command);
prometheus::Histogram& CommandDuration(uint8_t command_byte, std::string_view name);
// shadowproxy_backend_connections{cluster,server} (gauge).
prometheus::Gauge& BackendConnections(std::string_view cluster, std::string_view server);
// shadowproxy_backend_errors_total{cluster,server}.
prometheus::Counter& BackendErrorsTotal(std::string_view cluster, std::string_view server);
// shadowproxy_bytes_total{direction="client_to_backend"|"backend_to_client"}.
prometheus::Counter& BytesClientToBackend();
prometheus::Counter& BytesBackendToClient();
// shadowproxy_shadow_sync_statements_total{statement, result="ok"|"error"}.
prometheus::Counter& ShadowSyncStatementsTotal(std::string_view statement, std::string_view result);
// shadowproxy_shadow_sync_tasks{status} (gauge).
prometheus::Gauge& ShadowSyncTasks(std::string_view status);
// shadowproxy_shadow_sync_analysis_duration_seconds.
prometheus::Histogram& ShadowSyncAnalysisDuration();
// shadowproxy_shadow_sync_ddl_total{result="succeeded"|"failed"|"skipped"}.
prometheus::Counter& ShadowSyncDdlTotal(std::string_view result);
// shadowproxy_shadow_sync_ddl_duration_seconds.
prometheus::Histogram& ShadowSyncDdlDuration();
// shadowproxy_shadow_sync_follow_total{result="task"|"ignored"|"error"} (docs/follow_ddl.md).
prometheus::Counter& ShadowSyncFollowTotal(std::string_view result);
// shadowproxy_shadow_routing_statements_total{result="rewritten"|"refused"|"passed_shared"}
// (docs/shadow_routing.md).
prometheus::Counter& ShadowRoutingStatementsTotal(std::string_view result);

}  // namespace shadowproxy::metrics
