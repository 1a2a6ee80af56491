#include "base/metrics.h"

#include <gtest/gtest.h>
#include <prometheus/text_serializer.h>

#include <string>

namespace shadowproxy::metrics {
namespace {

std::string Scrape() {
  prometheus::TextSerializer serializer;
  return serializer.Serialize(Registry()->Collect());
}

bool HasLine(const std::string& text, const std::string& line) {
  size_t pos = 0;
  while ((pos = text.find(line, pos)) != std::string::npos) {
    bool starts = pos == 0 || text[pos - 1] == '\n';
    bool ends = pos + line.size() == text.size() || text[pos + line.size()] == '\n';
    if (starts && ends) return true;
    pos += line.size();
  }
  return false;
}

TEST(MetricsTest, EveryFamilyHasItsNameAndType) {
  ClientConnections().Increment();
  ClientConnectionsTotal("accepted", false).Increment();
  TlsHandshakesTotal(true).Increment();
  CommandsTotal(uint8_t{0x03}, "query").Increment();
  CommandDuration(uint8_t{0x03}, "query").Observe(0.002);
  BackendConnections("local", "127.0.0.1:3306").Set(2);
  BackendErrorsTotal("local", "127.0.0.1:3306").Increment();
  BytesClientToBackend().Increment(100);
  BytesBackendToClient().Increment(250);
  ShadowSyncStatementsTotal("analyze", "ok").Increment();
  ShadowSyncTasks("WAIT_FOR_APPROVAL").Set(3);
  ShadowSyncAnalysisDuration().Observe(1.5);
  ShadowSyncDdlTotal("succeeded").Increment();
  ShadowSyncDdlDuration().Observe(0.2);

  const std::string text = Scrape();
  struct Want {
    const char* name;
    const char* type;
  };
  for (const Want& w : {Want{"shadowproxy_client_connections", "gauge"},
                        Want{"shadowproxy_client_connections_total", "counter"},
                        Want{"shadowproxy_tls_handshakes_total", "counter"},
                        Want{"shadowproxy_commands_total", "counter"},
                        Want{"shadowproxy_command_duration_seconds", "histogram"},
                        Want{"shadowproxy_backend_connections", "gauge"},
                        Want{"shadowproxy_backend_errors_total", "counter"},
                        Want{"shadowproxy_bytes_total", "counter"},
                        Want{"shadowproxy_shadow_sync_statements_total", "counter"},
                        Want{"shadowproxy_shadow_sync_tasks", "gauge"},
                        Want{"shadowproxy_shadow_sync_analysis_duration_seconds", "histogram"},
                        Want{"shadowproxy_shadow_sync_ddl_total", "counter"},
                        Want{"shadowproxy_shadow_sync_ddl_duration_seconds", "histogram"}}) {
    EXPECT_TRUE(HasLine(text, std::string("# TYPE ") + w.name + " " + w.type)) << w.name << " in\n"
                                                                               << text;
  }
  EXPECT_TRUE(HasLine(text, "shadowproxy_client_connections 1")) << text;
  EXPECT_TRUE(
      HasLine(text, "shadowproxy_client_connections_total{result=\"accepted\",tls=\"no\"} 1"));
  // The other outcomes exist from the start, at zero, so rate() works before the first one.
  EXPECT_TRUE(
      HasLine(text, "shadowproxy_client_connections_total{result=\"auth_failed\",tls=\"no\"} 0"));
  EXPECT_TRUE(
      HasLine(text, "shadowproxy_client_connections_total{result=\"rejected\",tls=\"no\"} 0"));
  EXPECT_TRUE(
      HasLine(text, "shadowproxy_client_connections_total{result=\"accepted\",tls=\"yes\"} 0"));
  EXPECT_TRUE(HasLine(text, "shadowproxy_tls_handshakes_total{result=\"ok\"} 1"));
  EXPECT_TRUE(HasLine(text, "shadowproxy_tls_handshakes_total{result=\"failed\"} 0"));
  EXPECT_TRUE(HasLine(text, "shadowproxy_commands_total{command=\"query\"} 1"));
  EXPECT_TRUE(HasLine(text, "shadowproxy_command_duration_seconds_count{command=\"query\"} 1"));
  EXPECT_TRUE(HasLine(
      text, "shadowproxy_command_duration_seconds_bucket{command=\"query\",le=\"0.0025\"} 1"));
  EXPECT_TRUE(HasLine(
      text, "shadowproxy_command_duration_seconds_bucket{command=\"query\",le=\"0.001\"} 0"));
  EXPECT_TRUE(HasLine(
      text, "shadowproxy_backend_connections{cluster=\"local\",server=\"127.0.0.1:3306\"} 2"));
  EXPECT_TRUE(HasLine(
      text, "shadowproxy_backend_errors_total{cluster=\"local\",server=\"127.0.0.1:3306\"} 1"));
  EXPECT_TRUE(HasLine(text, "shadowproxy_bytes_total{direction=\"client_to_backend\"} 100"));
  EXPECT_TRUE(HasLine(text, "shadowproxy_bytes_total{direction=\"backend_to_client\"} 250"));
  EXPECT_TRUE(HasLine(
      text, "shadowproxy_shadow_sync_statements_total{result=\"ok\",statement=\"analyze\"} 1"))
      << text;
  EXPECT_TRUE(HasLine(text, "shadowproxy_shadow_sync_tasks{status=\"WAIT_FOR_APPROVAL\"} 3"));
  EXPECT_TRUE(HasLine(text, "shadowproxy_shadow_sync_analysis_duration_seconds_count 1"));
  EXPECT_TRUE(
      HasLine(text, "shadowproxy_shadow_sync_analysis_duration_seconds_bucket{le=\"600\"} 1"));
  EXPECT_TRUE(HasLine(text, "shadowproxy_shadow_sync_ddl_total{result=\"succeeded\"} 1"));
  EXPECT_TRUE(HasLine(text, "shadowproxy_shadow_sync_ddl_total{result=\"failed\"} 0"));
  EXPECT_TRUE(HasLine(text, "shadowproxy_shadow_sync_ddl_total{result=\"skipped\"} 0"));
  EXPECT_TRUE(HasLine(text, "shadowproxy_shadow_sync_ddl_duration_seconds_bucket{le=\"3600\"} 1"));
}

TEST(MetricsTest, AccessorsReturnTheSameSeries) {
  EXPECT_EQ(&CommandsTotal(uint8_t{0x17}, "stmt_execute"), &CommandsTotal("stmt_execute"));
  EXPECT_EQ(&CommandDuration(uint8_t{0x17}, "stmt_execute"), &CommandDuration("stmt_execute"));
  EXPECT_EQ(&BackendConnections("a", "h:1"), &BackendConnections("a", "h:1"));
  EXPECT_NE(&BackendConnections("a", "h:1"), &BackendConnections("a", "h:2"));
  // Bytes with the same label share one series.
  EXPECT_EQ(&CommandsTotal(uint8_t{0xf0}, "unknown"), &CommandsTotal(uint8_t{0xf1}, "unknown"));
  double before = CommandsTotal("stmt_execute").Value();
  CommandsTotal(uint8_t{0x17}, "stmt_execute").Increment();
  EXPECT_EQ(CommandsTotal("stmt_execute").Value(), before + 1);
}

TEST(MetricsTest, BucketsCoverTheSpecifiedRanges) {
  EXPECT_DOUBLE_EQ(CommandBuckets().front(), 0.0001);
  EXPECT_DOUBLE_EQ(CommandBuckets().back(), 10);
  EXPECT_DOUBLE_EQ(DdlBuckets().front(), 0.01);
  EXPECT_DOUBLE_EQ(DdlBuckets().back(), 3600);
  EXPECT_DOUBLE_EQ(AnalysisBuckets().front(), 0.01);
  EXPECT_DOUBLE_EQ(AnalysisBuckets().back(), 600);
  for (const auto* b : {&CommandBuckets(), &DdlBuckets(), &AnalysisBuckets()})
    for (size_t i = 1; i < b->size(); ++i) EXPECT_LT((*b)[i - 1], (*b)[i]);
}

}  // namespace
}  // namespace shadowproxy::metrics
