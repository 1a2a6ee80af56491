#include "proxy/backend_dialer.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <mutex>
#include <unordered_map>

#include "base/log.h"
#include "base/metrics.h"

namespace shadowproxy::proxy {
namespace {

std::mutex g_down_mu;
std::unordered_map<std::string, std::chrono::steady_clock::time_point> g_down;  // until
constexpr auto kDownFor = std::chrono::seconds(5);

// Resolves host:port; numeric addresses never block, names use getaddrinfo (rare).
bool Resolve(const ServerAddress& s, sockaddr_storage* out, socklen_t* len) {
  std::memset(out, 0, sizeof(*out));
  auto* v4 = reinterpret_cast<sockaddr_in*>(out);
  if (inet_pton(AF_INET, s.host.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(s.port);
    *len = sizeof(sockaddr_in);
    return true;
  }
  auto* v6 = reinterpret_cast<sockaddr_in6*>(out);
  if (inet_pton(AF_INET6, s.host.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(s.port);
    *len = sizeof(sockaddr_in6);
    return true;
  }
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  if (getaddrinfo(s.host.c_str(), std::to_string(s.port).c_str(), &hints, &res) != 0 || !res)
    return false;
  std::memcpy(out, res->ai_addr, res->ai_addrlen);
  *len = res->ai_addrlen;
  freeaddrinfo(res);
  return true;
}

}  // namespace

void NoteServerDown(const ServerAddress& server) {
  std::lock_guard<std::mutex> lock(g_down_mu);
  g_down[server.ToString()] = std::chrono::steady_clock::now() + kDownFor;
}

void NoteServerUp(const ServerAddress& server) {
  std::lock_guard<std::mutex> lock(g_down_mu);
  if (!g_down.empty()) g_down.erase(server.ToString());
}

bool ServerRecentlyDown(const ServerAddress& server) {
  std::lock_guard<std::mutex> lock(g_down_mu);
  if (g_down.empty()) return false;
  auto it = g_down.find(server.ToString());
  return it != g_down.end() && it->second > std::chrono::steady_clock::now();
}

BackendDialer::BackendDialer(event_base* base, const ClusterConfig* cluster, Done done)
    : base_(base), cluster_(cluster), done_(std::move(done)) {}

BackendDialer::~BackendDialer() { CloseAttempt(); }

void BackendDialer::CloseAttempt() {
  if (ev_) {
    event_free(ev_);
    ev_ = nullptr;
  }
  if (fd_ >= 0) {
    close(fd_);
    fd_ = -1;
  }
}

void BackendDialer::Start() {
  // Servers that failed recently go last (still tried: they may be back).
  order_.clear();
  for (size_t i = 0; i < cluster_->servers.size(); ++i)
    if (!ServerRecentlyDown(cluster_->servers[i])) order_.push_back(i);
  for (size_t i = 0; i < cluster_->servers.size(); ++i)
    if (ServerRecentlyDown(cluster_->servers[i])) order_.push_back(i);
  next_ = 0;
  // Defer the first attempt so `done` never runs inside Start().
  ev_ = event_new(base_, -1, 0, &BackendDialer::OnEvent, this);
  timeval now{0, 0};
  event_add(ev_, &now);
}

void BackendDialer::TryNext() {
  CloseAttempt();
  while (next_ < order_.size()) {
    current_ = order_[next_++];
    const ServerAddress& s = cluster_->servers[current_];
    sockaddr_storage addr;
    socklen_t len;
    if (!Resolve(s, &addr, &len)) {
      Fail("cannot resolve host");
      continue;
    }
    fd_ = socket(addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd_ < 0) {
      Fail(std::strerror(errno));
      continue;
    }
    int one = 1;
    setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    int rc = connect(fd_, reinterpret_cast<sockaddr*>(&addr), len);
    if (rc == 0 || errno == EINPROGRESS) {
      ev_ = event_new(base_, fd_, EV_WRITE, &BackendDialer::OnEvent, this);
      auto ms = cluster_->connect_timeout.count();
      if (ms <= 0) ms = 5000;
      timeval tv{static_cast<time_t>(ms / 1000), static_cast<suseconds_t>((ms % 1000) * 1000)};
      event_add(ev_, &tv);
      return;
    }
    Fail(std::strerror(errno));
  }
  Finish(-1, errors_.empty() ? "cluster '" + cluster_->name + "' has no servers" : errors_);
}

void BackendDialer::Fail(const std::string& why) {
  const ServerAddress& s = cluster_->servers[current_];
  NoteServerDown(s);
  metrics::BackendErrorsTotal(cluster_->name, s.ToString()).Increment();
  log::Warn("backend", {{"cluster", cluster_->name}}, "cannot connect to ", s.ToString(),
            " (cluster ", cluster_->name, "): ", why);
  if (!errors_.empty()) errors_ += "; ";
  errors_ += '\'';  // appended: "'" + s.ToString() trips GCC 12's -Wrestrict (GCC bug 105329)
  errors_ += s.ToString();
  errors_ += "': ";
  errors_ += why;
  CloseAttempt();
}

void BackendDialer::OnEvent(evutil_socket_t, short what, void* arg) {
  auto* self = static_cast<BackendDialer*>(arg);
  if (self->fd_ < 0) {  // the deferred start
    self->TryNext();
    return;
  }
  if (what & EV_TIMEOUT) {
    self->Fail("connect timeout");
    self->TryNext();
    return;
  }
  int err = 0;
  socklen_t len = sizeof(err);
  getsockopt(self->fd_, SOL_SOCKET, SO_ERROR, &err, &len);
  if (err != 0) {
    self->Fail(std::strerror(err));
    self->TryNext();
    return;
  }
  NoteServerUp(self->cluster_->servers[self->current_]);
  int fd = self->fd_;
  self->fd_ = -1;
  event_free(self->ev_);
  self->ev_ = nullptr;
  self->Finish(fd, "");
}

void BackendDialer::Finish(int fd, const std::string& error) {
  auto done = std::move(done_);
  done(fd, current_, error);  // may destroy *this
}

}  // namespace shadowproxy::proxy
