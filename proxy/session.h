// One client session and its backend link, owned by one event loop for life (DESIGN.md §2): the
// I/O adapter of the relay. During the connection phase it runs AuthMachine (auth.h) with whole
// packets; in the command phase it hands the bytes each side sent to RelayMachine
// (relay_machine.h) and does what the machine says. Bytes stay in one evbuffer per direction:
// its front `ready` bytes are decided and on their way out, the rest is the machine's window.
#pragma once

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/event_struct.h>

#include <memory>
#include <string>

#include "base/config.h"
#include "proxy/backend_link.h"
#include "proxy/loop_context.h"
#include "proxy/relay_machine.h"
#include "proxy/tls.h"

namespace shadowproxy::proxy {

struct Handshake;

class Session : public SessionList::Node {
 public:
  // Takes ownership of `fd` (connected, non-blocking) and starts the handshake.
  static Session* Start(LoopContext* ctx, int fd, std::string peer_host);

  // SIGTERM: close now if idle, else once the in-flight statement finished.
  void Drain();
  // Shutdown: close now, whatever state.
  void Abort();

 private:
  Session(LoopContext* ctx, int fd, std::string peer_host);
  ~Session();

  static void OnClientRead(evutil_socket_t, short, void* arg);
  static void OnClientWrite(evutil_socket_t, short, void* arg);
  static void OnBackendRead(evutil_socket_t, short, void* arg);
  static void OnBackendWrite(evutil_socket_t, short, void* arg);
  static void OnHandshakeTimeout(evutil_socket_t, short, void* arg);

  // Connection phase (session_auth.cc).
  void BeginHandshake();
  void Dial(const ClusterConfig* cluster);
  void OnDialed(int fd, size_t server, const std::string& error);
  void HandshakeClientInput();
  void HandshakeBackendInput();
  void HandshakeBackendLost(const std::string& why);
  void PumpAuth();
  void FlushHandshakeBackend();
  void FinishHandshake();
  void StartClientTls();
  void StartBackendTls();

  // Command phase (session.cc): feed the machine, then do what it said.
  ssize_t ReadClient();  // ReadSocket's contract, over TLS once the client switched
  void ClientInput();
  void BackendInput();
  void Apply();
  void RunStatement(std::string query);
  void OnStatementAnswer(plugins::Answer answer);
  void OnRouted(plugins::Routed routed);  // the router's later answer (on this loop)
  // A posted answer (statement or route) reached the session: false when it closed meanwhile
  // and is deleted now. AfterAnswer() does what the machine then said and reads on.
  bool AnswerArrived();
  void AfterAnswer();
  void BackendLost(const std::string& why);
  void FlushToBackend();
  void FlushToClient();
  void UpdateClientReadInterest();
  void UpdateBackendReadInterest();
  void Close(const std::string& why, bool warn);

  LoopContext* ctx_;
  int cfd_;
  event cr_, cw_;
  bool cr_on_ = false, cw_on_ = false;
  bool closed_ = false;
  bool close_after_flush_ = false;   // the machine said close once the client has its bytes
  bool statement_running_ = false;   // a SHADOW SYNC answer will be posted to this session
  bool c_read_wants_write_ = false;  // TLS: reading the client waits for the socket to drain
  BackendLink link_;
  evbuffer* c2b_ = nullptr;  // client input; its front c_ready_ bytes go to the backend
  evbuffer* b2c_ = nullptr;  // backend input; its front b_ready_ bytes go to the client
  size_t c_ready_ = 0;
  size_t b_ready_ = 0;
  std::string peer_host_;
  std::string close_reason_;
  RelayMachine relay_;
  std::unique_ptr<Handshake> hs_;
  std::unique_ptr<tls::Stream> ctls_;  // the client switched to TLS
};

}  // namespace shadowproxy::proxy
