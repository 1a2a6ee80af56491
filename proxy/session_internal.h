// Session state that only exists during the connection phase (freed once authenticated, to keep
// idle sessions small). Shared by session.cc and session_auth.cc only.
#pragma once

#include <event2/buffer.h>
#include <event2/event.h>

#include <memory>
#include <string>

#include "proxy/auth.h"
#include "proxy/backend_dialer.h"

namespace shadowproxy::proxy {

struct Handshake {
  Handshake(ConfigPtr config, std::string host, std::string cluster)
      : auth(std::move(config), std::move(host), std::move(cluster)) {}
  ~Handshake() {
    dialer.reset();
    if (timer) event_free(timer);
    evbuffer_free(bin);
    evbuffer_free(bout);
  }
  Handshake(const Handshake&) = delete;
  Handshake& operator=(const Handshake&) = delete;

  AuthMachine auth;
  evbuffer* bin = evbuffer_new();   // from the backend
  evbuffer* bout = evbuffer_new();  // to the backend
  event* timer = nullptr;
  std::unique_ptr<BackendDialer> dialer;
  bool got_greeting = false;
};

// Copies up to n bytes at `offset` of buf into out; returns how many.
size_t PeekAt(evbuffer* buf, size_t offset, uint8_t* out, size_t n);

// For unit tests: the USE statement recogniser of the relay.
bool ParseUseForTest(std::string_view text, std::string* db);

}  // namespace shadowproxy::proxy
