// Readiness for GET /readyz: is the client port listening, does each cluster answer a login, is
// the metadb reachable. The checks run on the HTTP server's thread that asks (never on an event
// loop), each bounded by a short timeout, in parallel, and a result is reused for a second so a
// burst of probes costs one round of logins.
#pragma once

#include <chrono>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/config.h"
#include "base/status.h"

namespace shadowproxy::proxy {

struct ReadinessReport {
  bool ready = false;
  // (check, "ok" or why not), in order: listen, cluster:<name> for each cluster, metadb.
  std::vector<std::pair<std::string, std::string>> checks;

  // {"ready":false,"checks":{"listen":"ok","cluster:main":"...","metadb":"ok"}}
  std::string Json() const;
};

// The longest a single check may take to connect (or to wait for a reply); a cluster's shorter
// connect_timeout wins.
inline constexpr std::chrono::seconds kReadinessTimeout{2};
// How long a report is reused.
inline constexpr std::chrono::milliseconds kReadinessMaxAge{1000};

class ReadinessChecker {
 public:
  // How a login to a cluster (a metadb when `database` is not empty) is tried: OK or why not.
  // The default logs in with the cluster's admin account (sql::MysqlConn).
  using LoginFn = std::function<Status(const ClusterConfig&, const std::string& database)>;

  // `config`: the configuration in force. `listening`: std::nullopt when the client port is
  // listening and accepting, else why not ("shutting down").
  ReadinessChecker(std::function<ConfigPtr()> config,
                   std::function<std::optional<std::string>()> listening, LoginFn login = {});

  ReadinessReport Check();

  // The default LoginFn.
  static Status Login(const ClusterConfig& cluster, const std::string& database);

 private:
  ReadinessReport Run();

  std::function<ConfigPtr()> config_;
  std::function<std::optional<std::string>()> listening_;
  LoginFn login_;
  std::mutex mu_;  // one round at a time; the others wait for it and share its report
  std::optional<ReadinessReport> last_;
  std::chrono::steady_clock::time_point last_at_{};
};

}  // namespace shadowproxy::proxy
