#include "proxy/health.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <memory>
#include <string>

#include "proxy/config_loader.h"
#include "proxy/metrics_server.h"

namespace shadowproxy::proxy {
namespace {

ConfigPtr TwoClusters() {
  auto r = LoadConfigFromString(
      "clusters:\n"
      "  - {name: main, servers: [\"127.0.0.1:1\"]}\n"
      "  - {name: other, servers: [\"127.0.0.1:2\"]}\n"
      "metadb: {cluster: other, database: meta}\n",
      "conf.yaml");
  EXPECT_TRUE(r.ok()) << r.status().message();
  return std::make_shared<const Config>(std::move(r).value());
}

TEST(ReadinessTest, ReportsEveryCheckAndWhichFailed) {
  ConfigPtr cfg = TwoClusters();
  std::atomic<int> logins{0};
  bool other_up = false;
  ReadinessChecker checker([&] { return cfg; }, [] { return std::optional<std::string>(); },
                           [&](const ClusterConfig& c, const std::string& db) {
                             ++logins;
                             if (c.name == "other" && !other_up)
                               return Status(errc::kUnavailable, "connect failed: \"quoted\"");
                             EXPECT_TRUE(db.empty() || db == "meta");
                             return Status::Ok();
                           });
  ReadinessReport down = checker.Check();
  EXPECT_FALSE(down.ready);
  EXPECT_EQ(down.Json(),
            "{\"ready\":false,\"checks\":{\"listen\":\"ok\",\"cluster:main\":\"ok\","
            "\"cluster:other\":\"connect failed: \\\"quoted\\\"\",\"metadb\":\"connect failed: "
            "\\\"quoted\\\"\"}}");
  EXPECT_EQ(logins.load(), 3);
  other_up = true;
  // A report is reused for a second: a burst of probes costs one round of logins.
  EXPECT_FALSE(checker.Check().ready);
  EXPECT_EQ(logins.load(), 3);
}

TEST(ReadinessTest, AllGoodIsReadyAndListeningIsACheck) {
  ConfigPtr cfg = TwoClusters();
  std::optional<std::string> listening;
  auto ok = [](const ClusterConfig&, const std::string&) { return Status::Ok(); };
  ReadinessChecker up([&] { return cfg; }, [&] { return listening; }, ok);
  ReadinessReport r = up.Check();
  EXPECT_TRUE(r.ready);
  EXPECT_EQ(r.Json(),
            "{\"ready\":true,\"checks\":{\"listen\":\"ok\",\"cluster:main\":\"ok\","
            "\"cluster:other\":\"ok\",\"metadb\":\"ok\"}}");
  listening = "shutting down";
  ReadinessChecker draining([&] { return cfg; }, [&] { return listening; }, ok);
  r = draining.Check();
  EXPECT_FALSE(r.ready);
  EXPECT_EQ(r.checks[0], (std::pair<std::string, std::string>{"listen", "shutting down"}));
}

TEST(ReadinessTest, TheRealLoginNamesTheServerItCouldNotReach) {
  // A port nobody listens on: bind one, then close it.
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)), 0);
  socklen_t len = sizeof(a);
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  const uint16_t port = ntohs(a.sin_port);
  close(fd);
  ClusterConfig c;
  c.name = "main";
  c.servers.push_back(ServerAddress{"127.0.0.1", port});
  Status s = ReadinessChecker::Login(c, "");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("127.0.0.1:" + std::to_string(port)), std::string::npos)
      << s.message();
}

// ---- the HTTP side: /healthz, /readyz and /metrics on one port ----

uint16_t FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a));
  socklen_t len = sizeof(a);
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  close(fd);
  return ntohs(a.sin_port);
}

// The whole response to one request (the server closes the connection after it).
std::string Http(uint16_t port, const std::string& method, const std::string& path) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) != 0) {
    close(fd);
    return "";
  }
  const std::string req =
      method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
  (void)!write(fd, req.data(), req.size());
  std::string out;
  char buf[4096];
  for (ssize_t n; (n = read(fd, buf, sizeof(buf))) > 0;) out.append(buf, static_cast<size_t>(n));
  close(fd);
  return out;
}

TEST(MetricsServerTest, ServesHealthReadinessAndMetrics) {
  MetricsServer server;
  MetricsConfig cfg;
  cfg.port = FreePort();
  ASSERT_TRUE(server.Start(cfg).ok());

  std::string health = Http(server.port(), "GET", "/healthz");
  EXPECT_EQ(health.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << health;
  EXPECT_NE(health.find("\r\n\r\nok\n"), std::string::npos) << health;

  std::string starting = Http(server.port(), "GET", "/readyz");
  EXPECT_EQ(starting.rfind("HTTP/1.1 503 ", 0), 0u) << starting;
  EXPECT_NE(starting.find("{\"ready\":false,\"checks\":{\"listen\":\"not listening yet\"}}"),
            std::string::npos)
      << starting;

  bool ready = true;
  server.SetReadiness([&] {
    ReadinessReport r;
    r.ready = ready;
    r.checks.emplace_back("listen", ready ? "ok" : "shutting down");
    return r;
  });
  std::string up = Http(server.port(), "GET", "/readyz");
  EXPECT_EQ(up.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << up;
  EXPECT_NE(up.find("Content-Type: application/json"), std::string::npos) << up;
  EXPECT_NE(up.find("{\"ready\":true,\"checks\":{\"listen\":\"ok\"}}"), std::string::npos) << up;
  ready = false;
  EXPECT_EQ(Http(server.port(), "GET", "/readyz").rfind("HTTP/1.1 503 ", 0), 0u);

  std::string head = Http(server.port(), "HEAD", "/healthz");
  EXPECT_EQ(head.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << head;
  EXPECT_EQ(head.find("\r\n\r\nok"), std::string::npos) << head;
  EXPECT_EQ(Http(server.port(), "POST", "/healthz").rfind("HTTP/1.1 405 ", 0), 0u);

  std::string metrics = Http(server.port(), "GET", "/metrics");
  EXPECT_EQ(metrics.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << metrics.substr(0, 200);
  EXPECT_NE(metrics.find("# TYPE shadowproxy_client_connections gauge"), std::string::npos);
  EXPECT_EQ(Http(server.port(), "GET", "/nothing").rfind("HTTP/1.1 404 ", 0), 0u);
  server.Stop();
  EXPECT_EQ(Http(cfg.port, "GET", "/healthz"), "");
}

}  // namespace
}  // namespace shadowproxy::proxy
