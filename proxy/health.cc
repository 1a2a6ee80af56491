#include "proxy/health.h"

#include <algorithm>
#include <thread>

#include "base/json.h"
#include "base/mysql_conn.h"

namespace shadowproxy::proxy {

std::string ReadinessReport::Json() const {
  std::string out = ready ? "{\"ready\":true,\"checks\":{" : "{\"ready\":false,\"checks\":{";
  bool first = true;
  for (const auto& [name, result] : checks) {
    if (!first) out += ',';
    first = false;
    json::AppendString(&out, name);
    out += ':';
    json::AppendString(&out, result);
  }
  return out + "}}";
}

ReadinessChecker::ReadinessChecker(std::function<ConfigPtr()> config,
                                   std::function<std::optional<std::string>()> listening,
                                   LoginFn login)
    : config_(std::move(config)),
      listening_(std::move(listening)),
      login_(login ? std::move(login) : LoginFn(&ReadinessChecker::Login)) {}

Status ReadinessChecker::Login(const ClusterConfig& cluster, const std::string& database) {
  // A complete login, not a bare TCP connect: MySQL counts connections dropped before the
  // handshake against max_connect_errors and ends up blocking the proxy's host.
  sql::ClusterConnInfo info = sql::ClusterConnInfo::FromConfig(cluster);
  info.connect_timeout = std::min<Duration>(cluster.connect_timeout, kReadinessTimeout);
  info.io_timeout = kReadinessTimeout;
  if (!database.empty()) info.label = "metadb";
  auto conn = sql::MysqlConn::Connect(info, database);
  if (!conn.ok()) return conn.status();
  return Status::Ok();
}

ReadinessReport ReadinessChecker::Check() {
  std::lock_guard<std::mutex> lock(mu_);
  const auto now = std::chrono::steady_clock::now();
  if (last_ && now - last_at_ < kReadinessMaxAge) return *last_;
  last_ = Run();
  last_at_ = std::chrono::steady_clock::now();
  return *last_;
}

ReadinessReport ReadinessChecker::Run() {
  ReadinessReport report;
  ConfigPtr cfg = config_();
  std::optional<std::string> not_listening = listening_();
  report.checks.emplace_back("listen", not_listening.value_or("ok"));

  // One thread per login, so the round takes as long as the slowest check, not their sum.
  struct Probe {
    const ClusterConfig* cluster;
    std::string database;
    Status result;
  };
  std::vector<Probe> probes;
  for (const auto& c : cfg->clusters) probes.push_back({&c, "", Status::Ok()});
  const ClusterConfig* metadb = cfg->FindCluster(cfg->metadb.cluster);
  if (metadb) probes.push_back({metadb, cfg->metadb.database, Status::Ok()});
  std::vector<std::thread> threads;
  for (auto& p : probes)
    threads.emplace_back([this, &p] { p.result = login_(*p.cluster, p.database); });
  for (auto& t : threads) t.join();

  for (const auto& p : probes) {
    std::string name = p.database.empty() ? "cluster:" + p.cluster->name : "metadb";
    report.checks.emplace_back(std::move(name), p.result.ok() ? "ok" : p.result.message());
  }
  if (!metadb)
    report.checks.emplace_back("metadb", "cluster '" + cfg->metadb.cluster + "' not configured");
  report.ready = std::all_of(report.checks.begin(), report.checks.end(),
                             [](const auto& c) { return c.second == "ok"; });
  return report;
}

}  // namespace shadowproxy::proxy
