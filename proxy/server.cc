#include "proxy/server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <thread>

#include "base/log.h"
#include "base/metrics.h"
#include "protocol/command.h"
#include "protocol/packets.h"
#include "proxy/auth.h"
#include "proxy/fallback_plugin.h"
#include "proxy/session.h"

#ifdef SHADOWPROXY_HAVE_SHADOW_SYNC
#include "plugins/shadow_sync/shadow_sync_plugin.h"
#endif
#ifdef SHADOWPROXY_HAVE_TASK_CENTER
#include "plugins/tasks/task_center_runtime.h"
#endif

namespace shadowproxy::proxy {

int64_t NowNs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

// ---- LoopContext ----

LoopContext::~LoopContext() {
  if (listener_) evconnlistener_free(listener_);
  if (flush_timer_) event_free(flush_timer_);
}

void LoopContext::Add(Session* s) {
  s->next_ = head_;
  if (head_) head_->prev_ = s;
  head_ = s;
}

void LoopContext::Remove(Session* s) {
  if (s->prev_)
    s->prev_->next_ = s->next_;
  else if (head_ == s)
    head_ = s->next_;
  if (s->next_) s->next_->prev_ = s->prev_;
  s->prev_ = s->next_ = nullptr;
}

void LoopContext::RecordCommand(uint8_t command, int64_t duration_ns) {
  auto& c = stats_.commands[command];
  const auto& bounds = metrics::CommandBuckets();
  if (c.buckets.empty()) c.buckets.assign(bounds.size() + 1, 0.0);
  double secs = static_cast<double>(duration_ns) / 1e9;
  size_t i = 0;
  while (i < bounds.size() && bounds[i] < secs) ++i;
  c.buckets[i] += 1;
  c.sum += secs;
  ++c.count;
  stats_.any_command = true;
}

void LoopContext::FlushStats() {
  if (stats_.bytes_c2b) metrics::BytesClientToBackend().Increment(stats_.bytes_c2b);
  if (stats_.bytes_b2c) metrics::BytesBackendToClient().Increment(stats_.bytes_b2c);
  stats_.bytes_c2b = stats_.bytes_b2c = 0;
  if (!stats_.any_command) return;
  for (size_t cmd = 0; cmd < stats_.commands.size(); ++cmd) {
    auto& c = stats_.commands[cmd];
    if (c.count == 0) continue;
    auto byte = static_cast<uint8_t>(cmd);
    std::string_view name = protocol::CommandName(byte);
    metrics::CommandsTotal(byte, name).Increment(static_cast<double>(c.count));
    metrics::CommandDuration(byte, name).ObserveMultiple(c.buckets, c.sum);
    c.count = 0;
    c.sum = 0;
    std::fill(c.buckets.begin(), c.buckets.end(), 0.0);
  }
  stats_.any_command = false;
}

void LoopContext::OnFlushTimer(evutil_socket_t, short, void* arg) {
  static_cast<LoopContext*>(arg)->FlushStats();
}

void LoopContext::OnAccept(evconnlistener*, evutil_socket_t fd, sockaddr* addr, int, void* arg) {
  auto* ctx = static_cast<LoopContext*>(arg);
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  char host[INET6_ADDRSTRLEN] = "?";
  if (addr->sa_family == AF_INET)
    inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(addr)->sin_addr, host, sizeof(host));
  else if (addr->sa_family == AF_INET6)
    inet_ntop(AF_INET6, &reinterpret_cast<sockaddr_in6*>(addr)->sin6_addr, host, sizeof(host));
  Server* server = ctx->server_;
  if (server->draining() || !server->TryAdmit()) {
    // Best effort: the ERR replaces the greeting (seq 0).
    std::string err = FramePacket(0, protocol::EncodeErr(1040, "HY000", "Too many connections"));
    ssize_t n = send(fd, err.data(), err.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    (void)n;
    close(fd);
    metrics::ClientConnectionsTotal("rejected").Increment();
    log::Warn("relay", "rejected connection from ", host,
              server->draining() ? ": shutting down" : ": max_connections reached");
    return;
  }
  Session::Start(ctx, fd, host);
}

// ---- Server ----

Server::Server(ConfigPtr config) : config_(std::move(config)) {}

Server::~Server() { Stop(); }

ConfigPtr Server::config() {
  std::lock_guard<std::mutex> lock(config_mu_);
  return config_;
}

void Server::Reload(ConfigPtr config) {
#ifdef SHADOWPROXY_HAVE_TASK_CENTER
  if (task_center_) task_center_->Reload(config);
#endif
  std::lock_guard<std::mutex> lock(config_mu_);
  config_ = std::move(config);
}

bool Server::TryAdmit() {
  int64_t max = config()->listen.max_connections;
  if (sessions_.fetch_add(1) + 1 > max) {
    sessions_.fetch_sub(1);
    return false;
  }
  return true;
}

void Server::Release() { sessions_.fetch_sub(1); }

Status Server::Start() {
  ConfigPtr cfg = config();
  unsigned threads = cfg->listen.threads;
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  workers_ = std::make_unique<WorkerPool>(std::max(1u, cfg->shadow_sync.workers));
#if defined(SHADOWPROXY_HAVE_TASK_CENTER)
  // The task center (metadb store, executor, scheduler) answers the SHADOW SYNC statements.
  task_center_ = tasks::TaskCenterRuntime::Start(
      cfg, cfg->listen.address + ":" + std::to_string(cfg->listen.port));
  if (task_center_) plugin_ = shadow_sync::MakeShadowSyncPlugin(cfg, task_center_->handlers());
#endif
#ifdef SHADOWPROXY_HAVE_SHADOW_SYNC
  if (!plugin_) plugin_ = shadow_sync::MakeShadowSyncPlugin(cfg);
#endif
  if (!plugin_) plugin_ = MakeFallbackPlugin();

  sockaddr_storage addr{};
  socklen_t addr_len = 0;
  auto* v4 = reinterpret_cast<sockaddr_in*>(&addr);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&addr);
  if (inet_pton(AF_INET, cfg->listen.address.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(cfg->listen.port);
    addr_len = sizeof(*v4);
  } else if (inet_pton(AF_INET6, cfg->listen.address.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(cfg->listen.port);
    addr_len = sizeof(*v6);
  } else {
    return Status(errc::kInternal, "listen.address: not an IP address: " + cfg->listen.address);
  }

  for (unsigned i = 0; i < threads; ++i) {
    auto ctx = std::make_unique<LoopContext>(this, static_cast<int>(i));
    if (!ctx->loop_.Init()) return Status(errc::kInternal, "cannot create an event loop");
    // One listener per loop on the same port: the kernel spreads connections (SO_REUSEPORT).
    ctx->listener_ = evconnlistener_new_bind(
        ctx->base(), &LoopContext::OnAccept, ctx.get(),
        LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE | LEV_OPT_REUSEABLE_PORT | LEV_OPT_CLOSE_ON_EXEC,
        1024, reinterpret_cast<sockaddr*>(&addr), static_cast<int>(addr_len));
    if (!ctx->listener_)
      return Status(errc::kInternal, "cannot listen on " + cfg->listen.address + ":" +
                                         std::to_string(cfg->listen.port) + ": " +
                                         std::strerror(errno));
    ctx->flush_timer_ =
        event_new(ctx->base(), -1, EV_PERSIST, &LoopContext::OnFlushTimer, ctx.get());
    timeval one_second{1, 0};
    event_add(ctx->flush_timer_, &one_second);
    loops_.push_back(std::move(ctx));
  }
  for (auto& ctx : loops_)
    if (!ctx->loop_.Start()) return Status(errc::kInternal, "cannot start an event loop");
  std::string backends;
  for (const auto& c : cfg->clusters) {
    backends += (backends.empty() ? "" : ", ") + c.name + "=[";
    for (size_t i = 0; i < c.servers.size(); ++i)
      backends += (i ? " " : "") + c.servers[i].ToString();
    backends += "]";
  }
  log::Info("relay", "listening on ", cfg->listen.address, ":", cfg->listen.port, " with ", threads,
            " event loop(s); backends: ", backends);
  return Status::Ok();
}

void Server::BeginShutdown() {
  if (draining_.exchange(true)) return;
  shutdown_deadline_ = std::chrono::steady_clock::now() + config()->listen.shutdown_grace;
#ifdef SHADOWPROXY_HAVE_TASK_CENTER
  if (task_center_) task_center_->StopScheduling();
#endif
  for (auto& ctx : loops_) {
    LoopContext* c = ctx.get();
    c->loop_.Post([c] {
      if (c->listener_) {
        evconnlistener_free(c->listener_);
        c->listener_ = nullptr;
      }
      for (Session* s = c->head_; s;) {
        Session* next = s->next_;
        s->Drain();
        s = next;
      }
    });
  }
}

void Server::Stop() {
  if (stopped_) return;
  stopped_ = true;
  for (auto& ctx : loops_) {
    LoopContext* c = ctx.get();
    c->loop_.Post([c] {
      for (Session* s = c->head_; s;) {
        Session* next = s->next_;
        s->Abort();
        s = next;
      }
      c->FlushStats();
    });
  }
  for (auto& ctx : loops_) ctx->loop_.Stop();
  workers_.reset();  // running statements finish; their answers queue up on the stopped loops
#ifdef SHADOWPROXY_HAVE_TASK_CENTER
  if (task_center_) {  // running executions finish (within the grace left) and record their state
    std::optional<Duration> left;
    if (shutdown_deadline_)
      left =
          std::max(Duration::zero(), std::chrono::duration_cast<Duration>(
                                         *shutdown_deadline_ - std::chrono::steady_clock::now()));
    task_center_->Stop(left);
  }
#endif
  loops_.clear();  // runs what was queued (deleting the sessions), then frees the loops
}

}  // namespace shadowproxy::proxy
