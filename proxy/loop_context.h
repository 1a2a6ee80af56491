// What one event loop owns besides its libevent base: its sessions, its counters, and the way
// back to the server (SessionHost). Sessions include this, never server.h.
#pragma once

#include <event2/event.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "base/config.h"
#include "plugins/plugin.h"
#include "proxy/event_loop.h"
#include "proxy/tls.h"

struct evconnlistener;

namespace shadowproxy::proxy {

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

// The sessions of one loop, linked through a node each session carries (no allocation).
class SessionList {
 public:
  class Node {
   private:
    friend class SessionList;
    Node* prev_ = nullptr;
    Node* next_ = nullptr;
  };
  void Add(Node* n);
  void Remove(Node* n);
  // Calls fn(node) for each; fn may remove the node it is given.
  void ForEach(const std::function<void(Node*)>& fn);

 private:
  Node* head_ = nullptr;
};

// What a session needs from the server (implemented by Server).
class SessionHost {
 public:
  virtual ~SessionHost() = default;
  virtual ConfigPtr config() = 0;
  // The TLS contexts of that config (listen.tls, clusters[].tls).
  virtual tls::ContextsPtr tls() = 0;
  // A session ended (connection accounting).
  virtual void Release() = 0;
  // What answers SHADOW SYNC (lives as long as the host).
  virtual const plugins::StatementPlugin* plugin() const = 0;
  // Runs a SHADOW SYNC statement on the worker pool; `done` runs on `loop` with the answer.
  virtual void RunStatement(EventLoop* loop, plugins::SessionContext context, std::string query,
                            std::function<void(plugins::Answer)> done) = 0;
};

class LoopContext {
 public:
  LoopContext(SessionHost* host, int index) : host_(host), loop_(index) {}
  ~LoopContext();

  SessionHost* host() const { return host_; }
  EventLoop& loop() { return loop_; }
  event_base* base() const { return loop_.base(); }
  LoopStats& stats() { return stats_; }
  SessionList& sessions() { return sessions_; }
  void RecordCommand(uint8_t command, int64_t duration_ns);
  void FlushStats();

  // Owned by the loop, set up by the server.
  evconnlistener* listener = nullptr;
  event* flush_timer = nullptr;

 private:
  SessionHost* host_;
  EventLoop loop_;
  SessionList sessions_;
  LoopStats stats_;
};

// Nanoseconds on the monotonic clock.
int64_t NowNs();

}  // namespace shadowproxy::proxy
