// Session state that only exists during the connection phase (freed once authenticated, to keep
// idle sessions small). Shared by session.cc and session_auth.cc only.
#pragma once

#include <event2/buffer.h>
#include <event2/event.h>

#include <memory>
#include <string>

#include "proxy/auth.h"
#include "proxy/backend_dialer.h"
#include "proxy/tls.h"

namespace shadowproxy::proxy {

struct Handshake {
  Handshake(ConfigPtr cfg, std::string host, std::string cluster)
      : config(cfg), auth(std::move(cfg), std::move(host), std::move(cluster)) {}
  ~Handshake() {
    dialer.reset();
    if (timer) event_free(timer);
    evbuffer_free(bin);
    evbuffer_free(bout);
  }
  Handshake(const Handshake&) = delete;
  Handshake& operator=(const Handshake&) = delete;

  ConfigPtr config;      // the snapshot the session runs with
  tls::ContextsPtr tls;  // ... and its TLS contexts
  AuthMachine auth;
  evbuffer* bin = evbuffer_new();   // from the backend
  evbuffer* bout = evbuffer_new();  // to the backend
  event* timer = nullptr;
  std::unique_ptr<BackendDialer> dialer;
  bool got_greeting = false;
};

// Copies up to n bytes at `offset` of buf into out; returns how many.
size_t PeekAt(evbuffer* buf, size_t offset, uint8_t* out, size_t n);

}  // namespace shadowproxy::proxy
