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
#include "protocol/packet.h"
#include "protocol/packets.h"
#include "proxy/auth.h"
#include "proxy/session.h"

namespace shadowproxy::proxy {

void Server::OnFlushTimer(evutil_socket_t, short, void* arg) {
  static_cast<LoopContext*>(arg)->FlushStats();
}

void Server::OnAccept(evconnlistener*, evutil_socket_t fd, sockaddr* addr, int, void* arg) {
  auto* ctx = static_cast<LoopContext*>(arg);
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  char host[INET6_ADDRSTRLEN] = "?";
  if (addr->sa_family == AF_INET)
    inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(addr)->sin_addr, host, sizeof(host));
  else if (addr->sa_family == AF_INET6)
    inet_ntop(AF_INET6, &reinterpret_cast<sockaddr_in6*>(addr)->sin6_addr, host, sizeof(host));
  auto* server = static_cast<Server*>(ctx->host());
  if (server->draining() || !server->TryAdmit()) {
    // Best effort: the ERR replaces the greeting (seq 0).
    std::string err =
        protocol::FramePacket(0, protocol::EncodeErr(1040, "HY000", "Too many connections"));
    ssize_t n = send(fd, err.data(), err.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    (void)n;
    close(fd);
    metrics::ClientConnectionsTotal("rejected", false).Increment();
    log::Warn("relay", {{"client", host}}, "rejected connection from ", host,
              server->draining() ? ": shutting down" : ": max_connections reached");
    return;
  }
  Session::Start(ctx, fd, host);
}

// ---- Server ----

Server::Server(ConfigPtr config, std::unique_ptr<plugins::StatementPlugin> plugin)
    : config_(std::move(config)), plugin_(std::move(plugin)) {}

Server::~Server() { Stop(); }

ConfigPtr Server::config() {
  std::lock_guard<std::mutex> lock(config_mu_);
  return config_;
}

tls::ContextsPtr Server::tls() {
  std::lock_guard<std::mutex> lock(config_mu_);
  return tls_;
}

Status Server::Reload(ConfigPtr config) {
  auto contexts = tls::MakeContexts(*config);
  if (!contexts.ok()) return contexts.status();
  plugin_->Reload(config);
  std::lock_guard<std::mutex> lock(config_mu_);
  config_ = std::move(config);
  tls_ = std::move(contexts).value();
  return Status::Ok();
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

void Server::RunStatement(EventLoop* loop, plugins::SessionContext context, std::string query,
                          std::function<void(plugins::Answer)> done) {
  ++plugin_jobs;
  plugin_->Submit(
      std::move(context), std::move(query),
      [this, loop, done = std::move(done)](plugins::Answer answer) mutable {
        loop->Post([this, done = std::move(done), answer = std::move(answer)]() mutable {
          --plugin_jobs;
          done(std::move(answer));
        });
      });
}

Status Server::Start() {
  ConfigPtr cfg = config();
  auto contexts = tls::MakeContexts(*cfg);
  if (!contexts.ok()) return contexts.status();
  {
    std::lock_guard<std::mutex> lock(config_mu_);
    tls_ = std::move(contexts).value();
  }
  unsigned threads = cfg->listen.threads;
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());

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
    if (!ctx->loop().Init()) return Status(errc::kInternal, "cannot create an event loop");
    // One listener per loop on the same port: the kernel spreads connections (SO_REUSEPORT).
    ctx->listener = evconnlistener_new_bind(
        ctx->base(), &Server::OnAccept, ctx.get(),
        LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE | LEV_OPT_REUSEABLE_PORT | LEV_OPT_CLOSE_ON_EXEC,
        1024, reinterpret_cast<sockaddr*>(&addr), static_cast<int>(addr_len));
    if (!ctx->listener)
      return Status(errc::kInternal, "cannot listen on " + cfg->listen.address + ":" +
                                         std::to_string(cfg->listen.port) + ": " +
                                         std::strerror(errno));
    ctx->flush_timer = event_new(ctx->base(), -1, EV_PERSIST, &Server::OnFlushTimer, ctx.get());
    timeval one_second{1, 0};
    event_add(ctx->flush_timer, &one_second);
    loops_.push_back(std::move(ctx));
  }
  for (auto& ctx : loops_)
    if (!ctx->loop().Start()) return Status(errc::kInternal, "cannot start an event loop");
  std::string backends;
  for (const auto& c : cfg->clusters) {
    backends += (backends.empty() ? "" : ", ") + c.name + "=[";
    for (size_t i = 0; i < c.servers.size(); ++i) {
      if (i) backends += ' ';
      backends += c.servers[i].ToString();
    }
    backends += "]";
  }
  log::Info("relay", "listening on ", cfg->listen.address, ":", cfg->listen.port,
            cfg->listen.tls.enabled ? (cfg->listen.tls.require ? " (TLS required)" : " (TLS)") : "",
            " with ", threads, " event loop(s); backends: ", backends);
  return Status::Ok();
}

void Server::BeginShutdown() {
  if (draining_.exchange(true)) return;
  shutdown_deadline_ = std::chrono::steady_clock::now() + config()->listen.shutdown_grace;
  plugin_->BeginShutdown();
  for (auto& ctx : loops_) {
    LoopContext* c = ctx.get();
    c->loop().Post([c] {
      if (c->listener) {
        evconnlistener_free(c->listener);
        c->listener = nullptr;
      }
      c->sessions().ForEach([](SessionList::Node* n) { static_cast<Session*>(n)->Drain(); });
    });
  }
}

void Server::Stop() {
  if (stopped_) return;
  stopped_ = true;
  for (auto& ctx : loops_) {
    LoopContext* c = ctx.get();
    c->loop().Post([c] {
      c->sessions().ForEach([](SessionList::Node* n) { static_cast<Session*>(n)->Abort(); });
      c->FlushStats();
    });
  }
  for (auto& ctx : loops_) ctx->loop().Stop();
  // Running statements finish, their answers queueing up on the stopped loops; running task
  // executions get what is left of the grace, then are recorded as failed.
  plugin_->Stop(shutdown_deadline_.value_or(std::chrono::steady_clock::now() +
                                            config()->listen.shutdown_grace));
  loops_.clear();  // runs what was queued (deleting the sessions), then frees the loops
}

}  // namespace shadowproxy::proxy
