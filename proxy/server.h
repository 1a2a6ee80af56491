// The server: event loops with their listeners, the current config snapshot, the worker pool and
// the SHADOW SYNC plugin; start, SIGHUP reload and graceful shutdown (SPEC.md §1).
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
#include "proxy/worker_pool.h"

namespace shadowproxy::tasks {
class TaskCenterRuntime;
}  // namespace shadowproxy::tasks

namespace shadowproxy::proxy {

class Server;
class Session;

// Per-loop counters, added to the Prometheus registry once a second (keeps atomics off the hot
// path).
struct LoopStats {
  uint64_t bytes_c2b = 0;
  uint64_t bytes_b2c = 0;
  struct Command {
    uint64_t count = 0;
    double sum = 0;
    std::vector<double> buckets;  // per bucket boundary (+Inf last), not cumulative
  };
  std::vector<Command> commands = std::vector<Command>(256);
  bool any_command = false;
};

// Everything one loop owns. Sessions of this loop touch only this (and Server's thread-safe API).
class LoopContext {
 public:
  LoopContext(Server* server, int index) : server_(server), loop_(index) {}
  ~LoopContext();

  Server* server() const { return server_; }
  EventLoop& loop() { return loop_; }
  event_base* base() const { return loop_.base(); }
  LoopStats& stats() { return stats_; }
  void RecordCommand(uint8_t command, int64_t duration_ns);

  void Add(Session* s);
  void Remove(Session* s);
  Session* sessions() const { return head_; }

 private:
  friend class Server;
  static void OnAccept(evconnlistener*, evutil_socket_t fd, sockaddr* addr, int len, void* arg);
  static void OnFlushTimer(evutil_socket_t, short, void* arg);
  void FlushStats();

  Server* server_;
  EventLoop loop_;
  evconnlistener* listener_ = nullptr;
  event* flush_timer_ = nullptr;
  Session* head_ = nullptr;
  LoopStats stats_;
};

class Server {
 public:
  explicit Server(ConfigPtr config);
  ~Server();

  // Binds listen.address:port on every loop and starts the threads.
  Status Start();
  // SIGHUP: new sessions use `config` (users, shadow_sync.processes, log level).
  void Reload(ConfigPtr config);
  // SIGTERM: stop accepting and start no more task executions; idle sessions close now, busy
  // ones after their statement. Starts the shutdown_grace clock.
  void BeginShutdown();
  // When the shutdown_grace started by BeginShutdown() runs out (now if it was not called).
  std::chrono::steady_clock::time_point shutdown_deadline() const {
    return shutdown_deadline_.value_or(std::chrono::steady_clock::now());
  }
  // Stops the loops (closing what is left) and the workers; running task executions get what
  // is left of shutdown_grace (all of it without BeginShutdown).
  void Stop();

  ConfigPtr config();
  plugins::StatementPlugin* plugin() const { return plugin_.get(); }
  WorkerPool& workers() { return *workers_; }
  bool draining() const { return draining_.load(std::memory_order_relaxed); }
  int64_t session_count() const { return sessions_.load(); }

  // Connection accounting (thread-safe). Accept returns false over max_connections.
  bool TryAdmit();
  void Release();

  // Plugin answers run on these threads; in-flight ones count for shutdown.
  std::atomic<int> plugin_jobs{0};

 private:
  std::mutex config_mu_;
  ConfigPtr config_;
  std::vector<std::unique_ptr<LoopContext>> loops_;
  std::unique_ptr<WorkerPool> workers_;
  std::unique_ptr<plugins::StatementPlugin> plugin_;
  // The task center when linked (plugins/tasks); shared_ptr so this header needs no definition.
  std::shared_ptr<tasks::TaskCenterRuntime> task_center_;
  std::atomic<int64_t> sessions_{0};
  std::atomic<bool> draining_{false};
  bool stopped_ = false;
  std::optional<std::chrono::steady_clock::time_point> shutdown_deadline_;
};

// Nanoseconds on the monotonic clock.
int64_t NowNs();

}  // namespace shadowproxy::proxy
