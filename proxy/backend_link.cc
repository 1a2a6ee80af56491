#include "proxy/backend_link.h"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

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
  want_write_ = false;
  metrics::BackendConnections(cluster_->name, name()).Increment();
  WantRead(true);
}

void BackendLink::StartTls(const tls::Context& ctx, std::string plain, bool verify_name) {
  tls_ = std::make_unique<tls::Stream>(ctx, fd_, tls::Stream::Role::kConnect);
  tls_->set_pending_out(std::move(plain));
  tls_->SetPeerName(cluster_->servers[server_].host, verify_name);
  want_write_ = true;  // the SSLRequest and the ClientHello
  UpdateEvents();
}

void BackendLink::UpdateEvents() {
  if (fd_ < 0) return;
  bool handshaking = tls_ && !tls_->established();
  bool read = want_read_ || handshaking;
  bool write = want_write_;
  if (tls_ && tls_->wants_read()) write = false;  // it waits for the server, not the socket
  if (tls_ && tls_->wants_write()) write = true;
  bool was_reading = reading_;
  SetEventWanted(&read_, &reading_, read);
  SetEventWanted(&write_, &writing_, write);
  // Records OpenSSL holds already get no socket event: wake the reader for them.
  if (reading_ && !was_reading && tls_ && tls_->has_buffered()) event_active(&read_, EV_READ, 0);
}

void BackendLink::Close() {
  if (fd_ < 0) return;
  SetEventWanted(&read_, &reading_, false);
  SetEventWanted(&write_, &writing_, false);
  want_read_ = want_write_ = write_ready_ = false;
  if (tls_) {
    tls_->Shutdown();
    tls_.reset();
  }
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

ssize_t BackendLink::Read(evbuffer* buf) {
  if (!tls_) {
    ssize_t n = ReadSocket(fd_, buf);
    if (n == -2) error_ = std::strerror(errno);
    return n;
  }
  bool was_established = tls_->established();
  bool write_waited = want_write_ && tls_->wants_read();
  ssize_t n = tls_->Read(buf);
  if (n == -2) error_ = "TLS: " + tls_->error();
  if (tls_->established() && (!was_established || write_waited)) write_ready_ = true;
  UpdateEvents();
  if (n > 0 && reading_ && tls_->has_buffered()) event_active(&read_, EV_READ, 0);
  return n;
}

ssize_t BackendLink::Write(evbuffer* buf, size_t n) {
  if (!tls_) {
    int w = evbuffer_write_atmost(buf, fd_, static_cast<ev_ssize_t>(n));
    if (w >= 0) return w;
    if (WouldBlock()) return -1;
    error_ = std::strerror(errno);
    return -2;
  }
  ssize_t w = tls_->Write(buf, n);
  if (w == -2) error_ = "TLS: " + tls_->error();
  UpdateEvents();
  return w;
}

}  // namespace shadowproxy::proxy
