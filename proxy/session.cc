// Command phase of a session: the I/O adapter around RelayMachine (see session.h). The
// connection phase is in session_auth.cc.
#include "proxy/session.h"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "base/log.h"
#include "base/metrics.h"
#include "proxy/session_internal.h"

namespace shadowproxy::proxy {

namespace {

constexpr size_t kHighWater = 1024 * 1024;  // stop reading a side whose buffer is this full

// The undecided bytes of one direction: everything after its `ready` front.
class EvWindow : public ByteWindow {
 public:
  EvWindow(evbuffer* buf, size_t ready) : buf_(buf), ready_(ready) {}
  size_t size() const override { return evbuffer_get_length(buf_) - ready_; }
  size_t Peek(size_t offset, uint8_t* out, size_t n) const override {
    return PeekAt(buf_, ready_ + offset, out, n);
  }

 private:
  evbuffer* buf_;
  size_t ready_;
};

// Removes n bytes at `at` (evbuffers only drain from the front).
void CutOut(evbuffer* buf, size_t at, size_t n) {
  if (at == 0) {
    evbuffer_drain(buf, n);
    return;
  }
  evbuffer* front = evbuffer_new();
  evbuffer_remove_buffer(buf, front, at);
  evbuffer_drain(buf, n);
  evbuffer_prepend_buffer(buf, front);
  evbuffer_free(front);
}

// Inserts bytes at `at`.
void InsertAt(evbuffer* buf, size_t at, const std::string& bytes) {
  if (at == evbuffer_get_length(buf)) {
    evbuffer_add(buf, bytes.data(), bytes.size());
    return;
  }
  evbuffer* front = evbuffer_new();
  evbuffer_remove_buffer(buf, front, at);
  evbuffer_prepend(buf, bytes.data(), bytes.size());
  evbuffer_prepend_buffer(buf, front);
  evbuffer_free(front);
}

// One per loop thread: the machines' actions and scratch (keeps idle sessions small).
thread_local RelayMachine::Actions t_actions;
thread_local std::string t_scratch;

}  // namespace

size_t PeekAt(evbuffer* buf, size_t offset, uint8_t* out, size_t n) {
  evbuffer_ptr pos;
  if (evbuffer_ptr_set(buf, &pos, offset, EVBUFFER_PTR_SET) != 0) return 0;
  ev_ssize_t got = evbuffer_copyout_from(buf, &pos, out, n);
  return got < 0 ? 0 : static_cast<size_t>(got);
}

Session::Session(LoopContext* ctx, int fd, std::string peer_host)
    : ctx_(ctx), cfd_(fd), peer_host_(std::move(peer_host)), relay_(&t_scratch) {
  event_assign(&cr_, ctx->base(), cfd_, EV_READ | EV_PERSIST, &Session::OnClientRead, this);
  event_assign(&cw_, ctx->base(), cfd_, EV_WRITE | EV_PERSIST, &Session::OnClientWrite, this);
  c2b_ = evbuffer_new();
  b2c_ = evbuffer_new();
}

Session::~Session() = default;  // everything was released by Close()

Session* Session::Start(LoopContext* ctx, int fd, std::string peer_host) {
  auto* s = new Session(ctx, fd, std::move(peer_host));
  ctx->sessions().Add(s);
  metrics::ClientConnections().Increment();
  s->BeginHandshake();
  return s;
}

void Session::UpdateClientReadInterest() {
  bool was_on = cr_on_;
  SetEventWanted(&cr_, &cr_on_,
                 !closed_ && !close_after_flush_ && evbuffer_get_length(c2b_) < kHighWater);
  // Decrypted bytes held by TLS get no socket event.
  if (cr_on_ && !was_on && ctls_ && ctls_->has_buffered()) event_active(&cr_, EV_READ, 0);
}

ssize_t Session::ReadClient() {
  if (!ctls_) return ReadSocket(cfd_, c2b_);
  ssize_t n = ctls_->Read(c2b_);
  c_read_wants_write_ = n == -1 && ctls_->wants_write();
  if (c_read_wants_write_) SetEventWanted(&cw_, &cw_on_, true);
  if (ctls_->TakeEstablished()) {
    metrics::TlsHandshakesTotal(true).Increment();
    log::Debug("relay", "client from ", peer_host_, ": ", ctls_->version());
    if (hs_) hs_->auth.OnClientTlsEstablished();
  } else if (n == -2 && !ctls_->established()) {
    metrics::TlsHandshakesTotal(false).Increment();
    Close("TLS handshake failed: " + ctls_->error(), true);
    return -2;
  }
  if (n > 0 && cr_on_ && ctls_->has_buffered()) event_active(&cr_, EV_READ, 0);
  return n;
}

void Session::UpdateBackendReadInterest() {
  if (!link_.open()) return;
  size_t out = hs_ ? 0 : evbuffer_get_length(b2c_);
  link_.WantRead(!closed_ && !close_after_flush_ && out < kHighWater);
}

void Session::FlushToBackend() {
  if (closed_ || c_ready_ == 0 || !link_.open()) return;
  ssize_t n = link_.Write(c2b_, c_ready_);
  if (n > 0) {
    c_ready_ -= static_cast<size_t>(n);
  } else if (n == -2) {
    BackendLost("write failed: " + link_.error());
    return;
  }
  link_.WantWrite(c_ready_ > 0);
  UpdateClientReadInterest();
}

void Session::FlushToClient() {
  if (closed_) return;
  if (b_ready_ > 0) {
    ssize_t n;
    if (ctls_) {
      n = ctls_->Write(b2c_, b_ready_);
    } else {
      n = evbuffer_write_atmost(b2c_, cfd_, static_cast<ev_ssize_t>(b_ready_));
      if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) n = -2;
    }
    if (n > 0) {
      b_ready_ -= static_cast<size_t>(n);
    } else if (n == -2) {
      Close(ctls_ ? "client write failed: " + ctls_->error() : "client write failed", false);
      return;
    }
  }
  if (close_after_flush_ && b_ready_ == 0) {
    Close(close_reason_, false);
    return;
  }
  SetEventWanted(&cw_, &cw_on_, b_ready_ > 0 || c_read_wants_write_);
  UpdateBackendReadInterest();
}

void Session::OnClientRead(evutil_socket_t, short, void* arg) {
  auto* s = static_cast<Session*>(arg);
  ssize_t n = s->ReadClient();
  if (n == -1 || s->closed_) return;
  if (n <= 0) {
    if (s->hs_) {
      s->Close(n == 0 ? "client closed the connection" : "client read error", false);
      return;
    }
    s->relay_.OnClientClosed(EvWindow(s->c2b_, s->c_ready_), n < 0, &t_actions);
    s->Apply();
    return;
  }
  s->ctx_->stats().bytes_c2b += static_cast<uint64_t>(n);
  if (s->hs_) {
    s->HandshakeClientInput();
    return;
  }
  s->ClientInput();
}

void Session::OnClientWrite(evutil_socket_t fd, short what, void* arg) {
  auto* s = static_cast<Session*>(arg);
  if (s->c_read_wants_write_) {
    s->c_read_wants_write_ = false;
    OnClientRead(fd, what, arg);
    if (s->closed_) return;
  }
  s->FlushToClient();
}

void Session::OnBackendRead(evutil_socket_t, short, void* arg) {
  auto* s = static_cast<Session*>(arg);
  evbuffer* in = s->hs_ ? s->hs_->bin : s->b2c_;
  ssize_t n = s->link_.Read(in);
  if (n != -2 && s->link_.TakeWriteReady()) {  // TLS to the backend is up: what waits goes
    OnBackendWrite(-1, 0, arg);
    if (s->closed_) return;
  }
  if (n == -1) return;
  if (n <= 0) {
    s->BackendLost(n == 0 ? "connection closed by the server" : s->link_.error());
    return;
  }
  s->ctx_->stats().bytes_b2c += static_cast<uint64_t>(n);
  if (s->hs_) {
    s->HandshakeBackendInput();
    return;
  }
  s->BackendInput();
}

void Session::OnBackendWrite(evutil_socket_t, short, void* arg) {
  auto* s = static_cast<Session*>(arg);
  if (s->hs_)
    s->FlushHandshakeBackend();
  else
    s->FlushToBackend();
}

void Session::ClientInput() {
  relay_.OnClientBytes(EvWindow(c2b_, c_ready_), NowNs(), &t_actions);
  Apply();
  FlushToBackend();
  FlushToClient();
}

void Session::BackendInput() {
  relay_.OnBackendBytes(EvWindow(b2c_, b_ready_), NowNs(), &t_actions);
  Apply();
  FlushToClient();
  // A completed response may let pipelined or held client commands go.
  if (!closed_ && evbuffer_get_length(c2b_) > c_ready_) {
    relay_.OnClientBytes(EvWindow(c2b_, c_ready_), NowNs(), &t_actions);
    Apply();
  }
  FlushToBackend();
  FlushToClient();
}

// Does what the machine said, in order.
void Session::Apply() {
  RelayMachine::Actions& actions = t_actions;
  for (size_t i = 0; i < actions.size() && !closed_; ++i) {
    RelayAction& a = actions[i];
    const bool from_client = a.side == Side::kClient;
    switch (a.kind) {
      case RelayAction::Kind::kForward:
        (from_client ? c_ready_ : b_ready_) += a.n;
        break;
      case RelayAction::Kind::kDiscard:
        if (from_client)
          CutOut(c2b_, c_ready_, a.n);
        else
          CutOut(b2c_, b_ready_, a.n);
        break;
      case RelayAction::Kind::kSend:  // `side` is where the bytes go
        if (from_client) {
          InsertAt(b2c_, b_ready_, a.bytes);
          b_ready_ += a.bytes.size();
        } else {
          InsertAt(c2b_, c_ready_, a.bytes);
          c_ready_ += a.bytes.size();
        }
        break;
      case RelayAction::Kind::kRunStatement:
        RunStatement(std::move(a.bytes));
        break;
      case RelayAction::Kind::kAwaitRoute:
        statement_running_ = true;  // the router's answer will be posted to this session
        break;
      case RelayAction::Kind::kCommandDone:
        ctx_->RecordCommand(a.command, static_cast<int64_t>(a.n));
        break;
      case RelayAction::Kind::kClose:
        if (a.warn)
          log::Warn("relay", {{"session", relay_.session().connection_id}, {"client", peer_host_}},
                    "closing session ", relay_.session().connection_id, " from ", peer_host_,
                    relay_.session().user.empty() ? "" : " (user '" + relay_.session().user + "')",
                    ": ", a.bytes);
        if (!a.flush) {
          actions.clear();
          Close(a.bytes, false);
          return;
        }
        // What is owed goes out first: the client's last packets to the backend (best
        // effort, e.g. COM_QUIT), everything to the client; then the close.
        close_reason_ = std::move(a.bytes);
        close_after_flush_ = true;
        SetEventWanted(&cr_, &cr_on_, false);
        if (link_.open()) {
          link_.WantRead(false);
          if (c_ready_ > 0) link_.Write(c2b_, c_ready_);
          link_.Close();
        }
        break;
    }
  }
  actions.clear();
}

void Session::RunStatement(std::string query) {
  statement_running_ = true;
  ctx_->host()->RunStatement(
      &ctx_->loop(), relay_.Context(), std::move(query),
      [this](plugins::Answer answer) { OnStatementAnswer(std::move(answer)); });
}

void Session::OnStatementAnswer(plugins::Answer answer) {
  if (!AnswerArrived()) return;
  relay_.OnAnswer(answer, NowNs(), &t_actions);
  AfterAnswer();
}

void Session::OnRouted(plugins::Routed routed) {
  if (!AnswerArrived()) return;
  relay_.OnRouted(routed, NowNs(), &t_actions);
  AfterAnswer();
}

bool Session::AnswerArrived() {
  statement_running_ = false;
  if (closed_) {  // Close() left the deletion to the answer
    delete this;
    return false;
  }
  return true;
}

void Session::AfterAnswer() {
  Apply();
  FlushToBackend();
  FlushToClient();
  if (closed_) return;
  ClientInput();  // commands held behind the statement
}

void Session::BackendLost(const std::string& why) {
  if (closed_) return;
  if (link_.cluster()) metrics::BackendErrorsTotal(link_.cluster()->name, link_.name()).Increment();
  if (hs_) {
    HandshakeBackendLost(why);
    return;
  }
  relay_.OnBackendClosed(EvWindow(b2c_, b_ready_), why, &t_actions);
  Apply();
  link_.Close();
  FlushToClient();  // closes once the client has all it is owed
}

void Session::Drain() {
  if (hs_) {
    Close("shutting down", false);
    return;
  }
  relay_.Drain(&t_actions);
  Apply();
  FlushToBackend();
  FlushToClient();
}

void Session::Abort() { Close("shutting down", false); }

void Session::Close(const std::string& why, bool warn) {
  if (closed_) return;
  closed_ = true;
  const RelaySession& rs = relay_.session();
  if (warn)
    log::Warn("relay", {{"session", rs.connection_id}, {"client", peer_host_}}, "closing session ",
              rs.connection_id, " from ", peer_host_,
              rs.user.empty() ? "" : " (user '" + rs.user + "')", ": ", why);
  else
    log::Debug("relay", {{"session", rs.connection_id}, {"client", peer_host_}}, "closing session ",
               rs.connection_id, " from ", peer_host_, ": ", why);
  SetEventWanted(&cr_, &cr_on_, false);
  SetEventWanted(&cw_, &cw_on_, false);
  link_.Close();
  if (ctls_) {
    ctls_->Shutdown();
    ctls_.reset();
  }
  if (cfd_ >= 0) {
    close(cfd_);
    cfd_ = -1;
  }
  hs_.reset();
  evbuffer_free(c2b_);
  evbuffer_free(b2c_);
  c2b_ = b2c_ = nullptr;
  ctx_->sessions().Remove(this);
  ctx_->host()->Release();
  metrics::ClientConnections().Decrement();
  if (!statement_running_) ctx_->loop().Post([this] { delete this; });
}

}  // namespace shadowproxy::proxy
