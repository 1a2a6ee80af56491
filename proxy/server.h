// The server: event loops with their listeners, the current config snapshot and the statement
// plugin it is given (plugins/plugin.h is all it knows of it); start, SIGHUP reload and
// graceful shutdown (SPEC.md §1).
#pragma once

#include <event2/listener.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "base/config.h"
#include "base/status.h"
#include "plugins/plugin.h"
#include "proxy/event_loop.h"
#include "proxy/loop_context.h"

namespace shadowproxy::proxy {

class Server : public SessionHost {
 public:
  // `plugin` answers what the proxy intercepts (SHADOW SYNC); it follows the server's lifecycle.
  Server(ConfigPtr config, std::unique_ptr<plugins::StatementPlugin> plugin);
  ~Server();

  // Reads the TLS files, binds listen.address:port on every loop and starts the threads.
  Status Start();
  // SIGHUP: new sessions use `config` (users, shadow_sync.processes, log level, TLS
  // certificates read again). Refused, the old config staying, when a TLS file is bad.
  Status Reload(ConfigPtr config);
  // SIGTERM: stop accepting and start no more task executions; idle sessions close now, busy
  // ones after their statement. Starts the shutdown_grace clock.
  void BeginShutdown();
  // When the shutdown_grace started by BeginShutdown() runs out (now if it was not called).
  std::chrono::steady_clock::time_point shutdown_deadline() const {
    return shutdown_deadline_.value_or(std::chrono::steady_clock::now());
  }
  // Stops the loops (closing what is left) and the plugin; its running work (task executions)
  // gets what is left of shutdown_grace (all of it without BeginShutdown).
  void Stop();

  ConfigPtr config() override;
  tls::ContextsPtr tls() override;
  void Release() override;
  const plugins::StatementPlugin* plugin() const override { return plugin_.get(); }
  void RunStatement(EventLoop* loop, plugins::SessionContext context, std::string query,
                    std::function<void(plugins::Answer)> done) override;
  bool draining() const { return draining_.load(std::memory_order_relaxed); }
  int64_t session_count() const { return sessions_.load(); }

  // Connection accounting (thread-safe). False over max_connections.
  bool TryAdmit();

  // Plugin statements running or whose answer is still queued for a loop.
  std::atomic<int> plugin_jobs{0};

 private:
  static void OnAccept(evconnlistener*, evutil_socket_t fd, sockaddr* addr, int len, void* arg);
  static void OnFlushTimer(evutil_socket_t, short, void* arg);

  std::mutex config_mu_;
  ConfigPtr config_;
  tls::ContextsPtr tls_;
  std::vector<std::unique_ptr<LoopContext>> loops_;
  std::unique_ptr<plugins::StatementPlugin> plugin_;
  std::atomic<int64_t> sessions_{0};
  std::atomic<bool> draining_{false};
  bool stopped_ = false;
  std::optional<std::chrono::steady_clock::time_point> shutdown_deadline_;
};

}  // namespace shadowproxy::proxy
