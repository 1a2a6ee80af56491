#include "proxy/backend_link.h"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

#include "base/metrics.h"

namespace shadowproxy::proxy {

namespace {
constexpr size_t kReadSize = 16 * 1024;
bool WouldBlock() { return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR; }
}  // namespace

ssize_t ReadSocket(int fd, evbuffer* buf) {
  evbuffer_iovec v;
  if (evbuffer_reserve_space(buf, kReadSize, &v, 1) < 1) return -2;
  ssize_t n = recv(fd, v.iov_base, v.iov_len, 0);
  if (n > 0) {
    v.iov_len = static_cast<size_t>(n);
    evbuffer_commit_space(buf, &v, 1);
    return n;
  }
  if (evbuffer_get_length(buf) == 0) evbuffer_drain(buf, 0);  // drop the reserved chain
  if (n == 0) return 0;
  return WouldBlock() ? -1 : -2;
}

void BackendLink::Open(event_base* base, int fd, const ClusterConfig* cluster, size_t server,
                       event_callback_fn on_read, event_callback_fn on_write, void* arg) {
  Close();
  fd_ = fd;
  cluster_ = cluster;
  server_ = server;
  event_assign(&read_, base, fd_, EV_READ | EV_PERSIST, on_read, arg);
  event_assign(&write_, base, fd_, EV_WRITE | EV_PERSIST, on_write, arg);
  reading_ = writing_ = false;
  metrics::BackendConnections(cluster_->name, name()).Increment();
  WantRead(true);
}

void BackendLink::Close() {
  if (fd_ < 0) return;
  WantRead(false);
  WantWrite(false);
  close(fd_);
  fd_ = -1;
  metrics::BackendConnections(cluster_->name, name()).Decrement();
}

std::string BackendLink::name() const {
  return cluster_ && server_ < cluster_->servers.size() ? cluster_->servers[server_].ToString()
                                                        : std::string("?");
}

void SetEventWanted(event* ev, bool* on, bool want) {
  if (want == *on) return;
  *on = want;
  if (want)
    event_add(ev, nullptr);
  else
    event_del(ev);
}

ssize_t BackendLink::Read(evbuffer* buf) { return ReadSocket(fd_, buf); }

ssize_t BackendLink::Write(evbuffer* buf, size_t n) {
  int w = evbuffer_write_atmost(buf, fd_, static_cast<ev_ssize_t>(n));
  if (w >= 0) return w;
  return WouldBlock() ? -1 : -2;
}

}  // namespace shadowproxy::proxy
