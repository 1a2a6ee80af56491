// Command phase of a session: the relay (see session.h). The handshake is in session_auth.cc.
#include "proxy/session.h"

#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "base/log.h"
#include "base/metrics.h"
#include "protocol/auth.h"
#include "protocol/capabilities.h"
#include "protocol/command.h"
#include "protocol/packet.h"
#include "protocol/packets.h"
#include "proxy/answer.h"
#include "proxy/auth.h"
#include "proxy/server.h"
#include "proxy/session_internal.h"

namespace shadowproxy::proxy {

namespace p = protocol;

namespace {

constexpr size_t kReadSize = 16 * 1024;
constexpr size_t kHighWater = 1024 * 1024;  // stop reading a side whose output is this full
constexpr size_t kMaxPipelined = 256;
constexpr size_t kQuickPeek = 64;   // bytes of a COM_QUERY looked at first
constexpr size_t kLongPeek = 4096;  // ... when the first bytes are white space / comments
constexpr size_t kMaxLocalQuery = 1 << 20;

}  // namespace

size_t PeekAt(evbuffer* buf, size_t offset, uint8_t* out, size_t n) {
  evbuffer_ptr pos;
  if (evbuffer_ptr_set(buf, &pos, offset, EVBUFFER_PTR_SET) != 0) return 0;
  ev_ssize_t got = evbuffer_copyout_from(buf, &pos, out, n);
  return got < 0 ? 0 : static_cast<size_t>(got);
}

namespace {

bool IsIdentChar(uint8_t c) { return std::isalnum(c) || c == '_' || c == '$' || c >= 0x80; }

// "USE db" / "use `d``b`;" as the whole query text → the database name.
bool ParseUse(std::string_view text, std::string* db) {
  size_t i = 0;
  auto skip_ws = [&] {
    while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
  };
  skip_ws();
  if (text.size() < i + 4 || strncasecmp(text.data() + i, "use", 3) != 0 ||
      !std::isspace(static_cast<unsigned char>(text[i + 3])))
    return false;
  i += 3;
  skip_ws();
  std::string name;
  if (i < text.size() && text[i] == '`') {
    ++i;
    for (;;) {
      if (i >= text.size()) return false;
      if (text[i] == '`') {
        if (i + 1 < text.size() && text[i + 1] == '`') {
          name.push_back('`');
          i += 2;
          continue;
        }
        ++i;
        break;
      }
      name.push_back(text[i++]);
    }
  } else {
    while (i < text.size() && IsIdentChar(static_cast<uint8_t>(text[i]))) name.push_back(text[i++]);
  }
  skip_ws();
  if (i < text.size() && text[i] == ';') ++i;
  skip_ws();
  if (i != text.size() || name.empty()) return false;
  *db = std::move(name);
  return true;
}

}  // namespace

bool ParseUseForTest(std::string_view text, std::string* db) { return ParseUse(text, db); }

Session::Session(LoopContext* ctx, int fd, std::string peer_host)
    : ctx_(ctx), cfd_(fd), peer_host_(std::move(peer_host)) {
  event_assign(&cr_, ctx->base(), cfd_, EV_READ | EV_PERSIST, &Session::OnClientRead, this);
  event_assign(&cw_, ctx->base(), cfd_, EV_WRITE | EV_PERSIST, &Session::OnClientWrite, this);
  c2b_ = evbuffer_new();
  b2c_ = evbuffer_new();
}

Session::~Session() = default;  // everything was released by Close()

Session* Session::Start(LoopContext* ctx, int fd, std::string peer_host) {
  auto* s = new Session(ctx, fd, std::move(peer_host));
  ctx->Add(s);
  metrics::ClientConnections().Increment();
  s->BeginHandshake();
  return s;
}

void Session::SetEvent(event* ev, bool* on, bool want) {
  if (want == *on) return;
  *on = want;
  if (want)
    event_add(ev, nullptr);
  else
    event_del(ev);
}

ssize_t Session::ReadInto(evbuffer* buf, int fd) {
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
  return (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) ? -1 : -2;
}

void Session::UpdateClientReadInterest() {
  SetEvent(&cr_, &cr_on_,
           !closed_ && !close_after_flush_ && evbuffer_get_length(c2b_) < kHighWater);
}

void Session::UpdateBackendReadInterest() {
  if (!backend_events_) return;
  size_t out = hs_ ? 0 : evbuffer_get_length(b2c_);
  SetEvent(&br_, &br_on_, !closed_ && !close_after_flush_ && out < kHighWater);
}

void Session::FlushToBackend() {
  if (closed_ || c_ready_ == 0 || bfd_ < 0 || !backend_events_) return;
  int n = evbuffer_write_atmost(c2b_, bfd_, static_cast<ev_ssize_t>(c_ready_));
  if (n > 0) {
    c_ready_ -= static_cast<size_t>(n);
  } else if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
    BackendLost(std::string("write failed: ") + std::strerror(errno));
    return;
  }
  SetEvent(&bw_, &bw_on_, c_ready_ > 0);
  UpdateClientReadInterest();
}

void Session::FlushToClient() {
  if (closed_) return;
  if (b_ready_ > 0) {
    int n = evbuffer_write_atmost(b2c_, cfd_, static_cast<ev_ssize_t>(b_ready_));
    if (n > 0) {
      b_ready_ -= static_cast<size_t>(n);
    } else if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
      Close("client write failed", false);
      return;
    }
  }
  if (close_after_flush_ && b_ready_ == 0) {
    Close(close_reason_, false);
    return;
  }
  SetEvent(&cw_, &cw_on_, b_ready_ > 0);
  UpdateBackendReadInterest();
}

void Session::OnClientRead(evutil_socket_t, short, void* arg) {
  auto* s = static_cast<Session*>(arg);
  ssize_t n = s->ReadInto(s->c2b_, s->cfd_);
  if (n == -1) return;
  if (n <= 0) {
    // EOF in the middle of a packet is a protocol violation (WARN); between packets it is not.
    bool partial = s->c_stream_ > 0 || evbuffer_get_length(s->c2b_) > s->c_ready_;
    if (n == 0 && partial)
      s->Close("client closed the connection in the middle of a packet", true);
    else
      s->Close(n == 0 ? "client closed the connection" : "client read error", false);
    return;
  }
  s->ctx_->stats().bytes_c2b += static_cast<uint64_t>(n);
  if (s->hs_) {
    s->HandshakeClientInput();
    return;
  }
  s->ParseClient();
  s->FlushToBackend();
  if (s->b_ready_ > 0) s->FlushToClient();
}

void Session::OnClientWrite(evutil_socket_t, short, void* arg) {
  static_cast<Session*>(arg)->FlushToClient();
}

void Session::OnBackendRead(evutil_socket_t, short, void* arg) {
  auto* s = static_cast<Session*>(arg);
  evbuffer* in = s->hs_ ? s->hs_->bin : s->b2c_;
  ssize_t n = s->ReadInto(in, s->bfd_);
  if (n == -1) return;
  if (n <= 0) {
    s->BackendLost(n == 0 ? "connection closed by the server" : std::strerror(errno));
    return;
  }
  s->ctx_->stats().bytes_b2c += static_cast<uint64_t>(n);
  if (s->hs_) {
    s->HandshakeBackendInput();
    return;
  }
  s->ParseBackend();
  s->FlushToClient();
  if (!s->closed_ && evbuffer_get_length(s->c2b_) > s->c_ready_) {
    s->ParseClient();  // completed responses may unblock pipelined or held commands
    s->FlushToBackend();
    if (s->b_ready_ > 0) s->FlushToClient();
  }
}

void Session::OnBackendWrite(evutil_socket_t, short, void* arg) {
  auto* s = static_cast<Session*>(arg);
  if (s->hs_) {
    s->FlushHandshakeBackend();
    return;
  }
  s->FlushToBackend();
  if (!s->closed_ && s->c_ready_ == 0) {
    s->ParseClient();  // a held SHADOW SYNC may wait for earlier bytes to leave
    s->FlushToBackend();
  }
}

void Session::Push(uint8_t command, Kind kind, bool track) {
  if (pending_head_ == pending_.size()) {
    pending_.clear();
    pending_head_ = 0;
  }
  pending_.push_back({command, kind, static_cast<uint8_t>(track ? kTrackValue : 0), NowNs()});
  if (PendingCount() == 1) {
    head_started_ = false;
    if (kind == Kind::kRelay) tracker_.Start(command, client_caps_, ext_caps_);
  }
}

// Client → backend: walks the client's packets (headers and first bytes only), marks the bytes
// that may go to the backend (c_ready_), and takes SHADOW SYNC statements out of the stream.
void Session::ParseClient() {
  uint8_t peek[p::kHeaderSize + kQuickPeek];
  while (!closed_) {
    size_t total = evbuffer_get_length(c2b_);
    size_t avail = total - c_ready_;
    if (c_stream_ > 0) {
      size_t n = std::min(avail, c_stream_);
      c_ready_ += n;
      c_stream_ -= n;
      if (c_stream_ > 0) return;
      continue;
    }
    if (avail < p::kHeaderSize || held_) return;
    size_t got = PeekAt(c2b_, c_ready_, peek, std::min(avail, sizeof(peek)));
    p::PacketHeader h = p::DecodeHeader(peek);
    bool continues = h.length == p::kMaxPayload;
    if (cmode_ == ClientMode::kContinuation) {
      if (!continues) cmode_ = cmode_after_cont_;
      c_stream_ = p::kHeaderSize + h.length;
      continue;
    }
    if (cmode_ == ClientMode::kData) {  // LOAD DATA LOCAL INFILE content or auth data
      if (infile_ && h.length == 0) {
        infile_ = false;
        cmode_ = ClientMode::kCommand;
      }
      if (continues) {
        cmode_after_cont_ = cmode_;
        cmode_ = ClientMode::kContinuation;
      }
      c_stream_ = p::kHeaderSize + h.length;
      continue;
    }
    // A command.
    if (h.length == 0) {
      Close("protocol violation: empty command packet", true);
      return;
    }
    if (got < p::kHeaderSize + 1) return;
    if (draining_ && PendingCount() == 0) {
      Close("shutting down", false);
      return;
    }
    if (PendingCount() >= kMaxPipelined) return;  // resumes as responses complete
    const uint8_t* payload = peek + p::kHeaderSize;
    size_t have = got - p::kHeaderSize;
    bool relay = false;
    for (;;) {
      size_t need = 0;
      if (OnClientCommand(payload, have, h.length, &need)) {
        relay = true;
        break;
      }
      if (closed_ || held_) return;
      if (need == 0) break;  // answered locally and taken out of the stream
      if (avail < p::kHeaderSize + need) return;
      std::string& buf = ctx_->loop().scratch();
      buf.resize(need);
      PeekAt(c2b_, c_ready_ + p::kHeaderSize, reinterpret_cast<uint8_t*>(buf.data()), need);
      payload = reinterpret_cast<const uint8_t*>(buf.data());
      have = need;
    }
    if (!relay) continue;
    if (c_stream_override_) {  // the command was rewritten (COM_CHANGE_USER)
      c_stream_ = c_stream_override_;
      c_stream_override_ = 0;
      continue;
    }
    if (continues) {
      cmode_after_cont_ = cmode_;
      cmode_ = ClientMode::kContinuation;
    }
    c_stream_ = p::kHeaderSize + h.length;
  }
}

// Looks at a command whose first `have` payload bytes are at `payload`. Returns true when the
// packet is to be relayed (pending entry pushed). Returns false with *need > have when more
// payload bytes are needed, or with *need = 0 when the packet was consumed / the session closed.
bool Session::OnClientCommand(const uint8_t* payload, size_t have, uint32_t length, size_t* need) {
  uint8_t cmd = payload[0];
  *need = 0;
  switch (cmd) {
    case p::COM_QUIT: {
      // Tell the backend too (else it counts an aborted connection), best effort.
      FlushToBackend();
      if (!closed_ && bfd_ >= 0 && c_ready_ == 0) {
        static const char kQuit[] = {1, 0, 0, 0, p::COM_QUIT};
        ssize_t n = send(bfd_, kQuit, sizeof(kQuit), MSG_NOSIGNAL | MSG_DONTWAIT);
        (void)n;
      }
      Close("client quit", false);
      return false;
    }
    case p::COM_QUERY:
    case p::COM_STMT_PREPARE: {
      bool qattr = cmd == p::COM_QUERY && (client_caps_ & p::CLIENT_QUERY_ATTRIBUTES);
      size_t want = std::min<size_t>(length, qattr ? kLongPeek : kQuickPeek);
      if (have < want) {
        *need = want;
        return false;
      }
      std::span<const uint8_t> head(payload, have);
      bool shadow = cmd == p::COM_QUERY
                        ? p::IsShadowSyncQuery(head, qattr)
                        : p::IsShadowSyncText(std::string_view(
                              reinterpret_cast<const char*>(payload + 1), have - 1));
      if (!shadow && have < length && have < kLongPeek && length > 1) {
        // White space or a comment first: look further before deciding.
        uint8_t c = payload[1];
        if (std::isspace(c) || c == '/' || c == '-' || c == '#') {
          *need = std::min<size_t>(length, kLongPeek);
          return false;
        }
      }
      if (shadow) {
        if (length > kMaxLocalQuery) {
          Close("SHADOW SYNC statement too long", true);
          return false;
        }
        if (have < length) {
          *need = length;
          return false;
        }
        ReplaceCurrentPacket(length, {});
        std::string_view text(reinterpret_cast<const char*>(payload + 1), length - 1);
        if (qattr) {
          auto t = p::QueryText(std::span<const uint8_t>(payload, length), true);
          if (t.ok()) text = t.value();
        }
        if (cmd == p::COM_QUERY) {
          local_query_ = std::make_unique<std::string>(text);
          held_ = true;
          Push(cmd, Kind::kShadow, false);
          if (PendingCount() == 1) RunLocalHead();
        } else {
          AnswerLocally(cmd, p::EncodeErr(1295, "HY000",
                                          "SHADOW SYNC statements cannot be prepared: send them "
                                          "as plain queries"));
        }
        return false;
      }
      bool track = false;
      if (cmd == p::COM_QUERY && !qattr && !tracked_ && length <= 512 && length >= 5 &&
          (payload[1] | 0x20) == 'u') {
        if (have < length) {
          *need = length;
          return false;
        }
        std::string db;
        if (ParseUse(std::string_view(reinterpret_cast<const char*>(payload + 1), length - 1),
                     &db)) {
          tracked_ = std::make_unique<Tracked>(Tracked{user_, std::move(db)});
          track = true;
        }
      }
      Push(cmd, Kind::kRelay, track);
      return true;
    }
    case p::COM_INIT_DB: {
      bool track = false;
      if (!tracked_ && length <= 1024) {
        if (have < length) {
          *need = length;
          return false;
        }
        tracked_ = std::make_unique<Tracked>(
            Tracked{user_, std::string(reinterpret_cast<const char*>(payload + 1), length - 1)});
        track = true;
      }
      Push(cmd, Kind::kRelay, track);
      return true;
    }
    case p::COM_CHANGE_USER: {
      if (have < length) {
        if (length >= (1 << 16)) {
          Close("oversized COM_CHANGE_USER", true);
          return false;
        }
        *need = length;
        return false;
      }
      auto cu = p::DecodeChangeUser(std::span<const uint8_t>(payload, have), client_caps_);
      if (!cu.ok()) {
        Close("malformed COM_CHANGE_USER: " + cu.status().message(), true);
        return false;
      }
      return ChangeUser(std::move(cu.value()), length);
    }
    default:
      if (p::CommandName(cmd) == "unknown") {
        // The relay could not tell where the backend's answer ends: a protocol violation.
        char hex[8];
        std::snprintf(hex, sizeof(hex), "0x%02X", cmd);
        Close(std::string("protocol violation: unknown command byte ") + hex, true);
        return false;
      }
      if (p::ExpectsResponse(cmd))
        Push(cmd, Kind::kRelay, false);
      else
        ctx_->RecordCommand(cmd, 0);
      return true;
  }
}

// Backend → client: walks the server's packets with the ResponseTracker of the head command.
void Session::ParseBackend() {
  uint8_t peek[p::kHeaderSize + p::ResponseTracker::kPeekBytes];
  while (!closed_) {
    size_t total = evbuffer_get_length(b2c_);
    size_t avail = total - b_ready_;
    if (b_stream_ > 0) {
      size_t n = std::min(avail, b_stream_);
      b_ready_ += n;
      b_stream_ -= n;
      if (b_stream_ > 0) return;
      if (complete_after_stream_) {
        complete_after_stream_ = false;
        CompleteHead();
      }
      continue;
    }
    if (avail < p::kHeaderSize) return;
    size_t got = PeekAt(b2c_, b_ready_, peek, std::min(avail, sizeof(peek)));
    p::PacketHeader h = p::DecodeHeader(peek);
    size_t want = std::min<size_t>(h.length, p::ResponseTracker::kPeekBytes);
    if (got < p::kHeaderSize + want) return;
    b_stream_ = p::kHeaderSize + h.length;
    last_b_seq_ = h.seq;
    if (probe_ && PendingCount() > 0 && Head().kind == Kind::kShadow) {
      b_stream_ = 0;  // the answer to the proxy's own SELECT DATABASE(): never reaches the client
      if (avail < p::kHeaderSize + h.length) return;
      OnProbePacket(h.length);
      if (closed_) return;
      continue;
    }
    if (PendingCount() == 0 || Head().kind != Kind::kRelay) continue;  // unsolicited: relay it
    const uint8_t* payload = peek + p::kHeaderSize;
    if ((Head().track & kTrackProxyAuth) && payload[0] == p::kAuthSwitchHeader) {
      // The backend wants a fresh scramble for a COM_CHANGE_USER the proxy authenticated:
      // answer it here; the client never sees it.
      if (avail < p::kHeaderSize + h.length) {
        b_stream_ = 0;
        return;
      }
      b_stream_ = 0;
      AnswerBackendAuthSwitch(h.seq, h.length);
      if (closed_) return;
      continue;
    }
    if (!head_started_) {
      head_started_ = true;
      head_ok_ = h.length >= 7 && payload[0] == p::kOkHeader;
    }
    switch (tracker_.OnPacket(h.length, payload, want)) {
      case p::TrackerResult::kNeedMore:
        break;
      case p::TrackerResult::kDone:
        complete_after_stream_ = true;
        break;
      case p::TrackerResult::kLocalInfileRequest:
        cmode_ = ClientMode::kData;
        infile_ = true;
        break;
      case p::TrackerResult::kProtocolError:
        Close("unexpected packet from backend " + BackendName() + " for " +
                  std::string(p::CommandName(Head().command)),
              true);
        return;
    }
  }
}

// The head command has its answer: the next becomes the head. An emptied queue is reset, and a
// draining session closes once what it owes the client is written.
void Session::PopHead() {
  ++pending_head_;
  if (PendingCount() > 0) return;
  pending_.clear();
  pending_head_ = 0;
  if (draining_) {
    close_reason_ = "shutting down";
    close_after_flush_ = true;
  }
}

void Session::CompleteHead() {
  Pending done = Head();
  PopHead();
  ctx_->RecordCommand(done.command, NowNs() - done.start_ns);
  if (done.command == p::COM_CHANGE_USER) cmode_ = ClientMode::kCommand;
  if ((done.track & kTrackValue) && tracked_) {
    if (!tracker_.error()) {
      if (done.command == p::COM_CHANGE_USER) {
        user_ = tracked_->user;
        user_cfg_ = config_->FindUser(user_);
      }
      database_ = tracked_->database;
    }
    tracked_.reset();
  }
  if (tracker_.has_status_flags())
    status_flags_ =
        tracker_.status_flags() & (p::SERVER_STATUS_IN_TRANS | p::SERVER_STATUS_AUTOCOMMIT |
                                   p::SERVER_STATUS_IN_TRANS_READONLY);
  head_started_ = false;
  if (PendingCount() == 0) return;
  if (Head().kind == Kind::kRelay)
    tracker_.Start(Head().command, client_caps_, ext_caps_);
  else
    RunLocalHead();
}

std::string Session::BackendName() const {
  return cluster_ && server_ < cluster_->servers.size() ? cluster_->servers[server_].ToString()
                                                        : std::string("?");
}

void Session::BackendLost(const std::string& why) {
  if (closed_) return;
  if (cluster_) metrics::BackendErrorsTotal(cluster_->name, BackendName()).Increment();
  if (hs_) {
    log::Warn("relay", "backend ", BackendName(), " lost during the handshake of a client from ",
              peer_host_, ": ", why);
    CloseBackend();
    hs_->auth.OnBackendUnavailable("lost connection to '" + BackendName() + "': " + why);
    PumpAuth();
    return;
  }
  bool outstanding = PendingCount() > 0 && (Head().kind == Kind::kRelay || probe_);
  log::Warn("relay", "session ", connection_id_, " (user '", user_, "' from ", peer_host_,
            "): lost backend ", BackendName(), ": ", why);
  if (outstanding && b_stream_ == 0) {
    // The rest of the response never comes: end it with an error the client understands.
    evbuffer_drain(b2c_, evbuffer_get_length(b2c_) - b_ready_);
    uint8_t seq = head_started_ ? static_cast<uint8_t>(last_b_seq_ + 1) : 1;
    std::string out = FramePacket(seq, p::EncodeErr(2013, "HY000",
                                                    "Lost connection to backend server '" +
                                                        BackendName() + "' during query"));
    evbuffer_add(b2c_, out.data(), out.size());
    b_ready_ += out.size();
  }
  CloseBackend();
  close_reason_ = "backend lost";
  close_after_flush_ = true;
  FlushToClient();  // one attempt; closes when all was written
  if (!closed_) Close("backend lost", false);
}

void Session::CloseBackend() {
  if (backend_events_) {
    SetEvent(&br_, &br_on_, false);
    SetEvent(&bw_, &bw_on_, false);
    backend_events_ = false;
  }
  if (bfd_ >= 0) {
    close(bfd_);
    bfd_ = -1;
    if (cluster_) metrics::BackendConnections(cluster_->name, BackendName()).Decrement();
  }
}

void Session::Drain() {
  draining_ = true;
  if (hs_ || PendingCount() == 0) Close("shutting down", false);
}

void Session::Abort() { Close("shutting down", false); }

void Session::Close(const std::string& why, bool warn) {
  if (closed_) return;
  closed_ = true;
  if (warn)
    log::Warn("relay", "closing session ", connection_id_, " from ", peer_host_,
              user_.empty() ? "" : " (user '" + user_ + "')", ": ", why);
  else
    log::Debug("relay", "closing session ", connection_id_, " from ", peer_host_, ": ", why);
  SetEvent(&cr_, &cr_on_, false);
  SetEvent(&cw_, &cw_on_, false);
  CloseBackend();
  if (cfd_ >= 0) {
    close(cfd_);
    cfd_ = -1;
  }
  hs_.reset();
  evbuffer_free(c2b_);
  evbuffer_free(b2c_);
  c2b_ = b2c_ = nullptr;
  tracked_.reset();
  local_query_.reset();
  ctx_->Remove(this);
  ctx_->server()->Release();
  metrics::ClientConnections().Decrement();
  if (!plugin_running_) ctx_->loop().Post([this] { delete this; });
}

}  // namespace shadowproxy::proxy
