// A session's connection to one backend server once dialled: the socket, its two events and the
// shadowproxy_backend_connections gauge. Raw bytes only; what they mean is the relay machine's.
#pragma once

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/event_struct.h>

#include <cstddef>
#include <memory>
#include <string>

#include "base/config.h"
#include "proxy/tls.h"

namespace shadowproxy::proxy {

// Adds or deletes a persistent event as `want` changes; *on remembers which it is.
void SetEventWanted(event* ev, bool* on, bool want);

class BackendLink {
 public:
  BackendLink() = default;
  ~BackendLink() { Close(); }
  BackendLink(const BackendLink&) = delete;
  BackendLink& operator=(const BackendLink&) = delete;

  // Takes `fd` (connected, non-blocking) to server `server` of `cluster`; the callbacks get
  // `arg`. Starts reading.
  void Open(event_base* base, int fd, const ClusterConfig* cluster, size_t server,
            event_callback_fn on_read, event_callback_fn on_write, void* arg);
  void Close();

  bool open() const { return fd_ >= 0; }
  const ClusterConfig* cluster() const { return cluster_; }
  size_t server() const { return server_; }
  // "host:port", or "?" before a server was chosen.
  std::string name() const;

  // What the session wants; the events follow, and a TLS handshake in progress adds its own.
  void WantRead(bool want) {
    want_read_ = want;
    UpdateEvents();
  }
  void WantWrite(bool want) {
    want_write_ = want;
    UpdateEvents();
  }

  // One recv into buf: bytes read, 0 on EOF, -1 would block, -2 error (error() says why).
  ssize_t Read(evbuffer* buf);
  // Writes up to n front bytes of buf: bytes written, -1 would block, -2 error (error()).
  ssize_t Write(evbuffer* buf, size_t n);
  const std::string& error() const { return error_; }

  // Switches the link to TLS: `plain` (our SSLRequest) goes out first, then the handshake,
  // which Read and Write drive. `verify_name`: the certificate must name the server's host.
  void StartTls(const tls::Context& ctx, std::string plain, bool verify_name);
  bool tls() const { return tls_ != nullptr; }
  // True once after a Read let writes go again (handshake done): flush what waits.
  bool TakeWriteReady() {
    bool r = write_ready_;
    write_ready_ = false;
    return r;
  }

  // Before a dial: the cluster being dialled (names it in messages and metrics).
  void set_cluster(const ClusterConfig* cluster) { cluster_ = cluster; }

 private:
  int fd_ = -1;
  const ClusterConfig* cluster_ = nullptr;
  size_t server_ = 0;
  void UpdateEvents();

  event read_, write_;
  bool reading_ = false, writing_ = false;
  bool want_read_ = false, want_write_ = false;
  bool write_ready_ = false;
  std::unique_ptr<tls::Stream> tls_;
  std::string error_;
};

// One recv of at most 16 KiB from fd into buf (shared by both sides of a session).
ssize_t ReadSocket(int fd, evbuffer* buf);

}  // namespace shadowproxy::proxy
