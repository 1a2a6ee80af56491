// Connection phase of a session: dial the backend, then run the AuthMachine with whole packets
// until the client is authenticated (or refused). See auth.h for the two authentication paths.
#include <strings.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "base/log.h"
#include "base/metrics.h"
#include "protocol/handshake.h"
#include "protocol/packet.h"
#include "proxy/session.h"
#include "proxy/session_internal.h"

namespace shadowproxy::proxy {

namespace p = protocol;

namespace {
constexpr int kHandshakeTimeoutSec = 10;
constexpr uint32_t kMaxClientAuthPacket = 64 * 1024;
constexpr uint32_t kMaxBackendAuthPacket = 1024 * 1024;

// Takes one whole packet out of buf into *payload. 1: got one; 0: need more; -1: too big.
int TakePacket(evbuffer* buf, uint32_t max, uint8_t* seq, std::string* payload) {
  size_t avail = evbuffer_get_length(buf);
  if (avail < p::kHeaderSize) return 0;
  uint8_t hdr[p::kHeaderSize];
  evbuffer_copyout(buf, hdr, sizeof(hdr));
  p::PacketHeader h = p::DecodeHeader(hdr);
  if (h.length > max) return -1;
  if (avail < p::kHeaderSize + h.length) return 0;
  evbuffer_drain(buf, p::kHeaderSize);
  payload->resize(h.length);
  if (h.length) evbuffer_remove(buf, payload->data(), h.length);
  *seq = h.seq;
  return 1;
}

// Everything in buf, which is left empty (the bytes that go to the TLS stream's BIO).
std::string TakeAll(evbuffer* buf) {
  std::string out(evbuffer_get_length(buf), '\0');
  if (!out.empty()) evbuffer_remove(buf, out.data(), out.size());
  return out;
}

std::span<const uint8_t> Bytes(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}
}  // namespace

void Session::BeginHandshake() {
  ConfigPtr config = ctx_->host()->config();
  if (config->clusters.empty()) {
    Close("no cluster configured", true);
    return;
  }
  const ClusterConfig* first = &config->clusters.front();
  hs_ = std::make_unique<Handshake>(config, peer_host_, first->name);
  hs_->tls = ctx_->host()->tls();
  hs_->timer = evtimer_new(ctx_->base(), &Session::OnHandshakeTimeout, this);
  timeval tv{kHandshakeTimeoutSec, 0};
  evtimer_add(hs_->timer, &tv);
  SetEventWanted(&cr_, &cr_on_, true);
  Dial(first);
}

void Session::OnHandshakeTimeout(evutil_socket_t, short, void* arg) {
  static_cast<Session*>(arg)->Close("authentication did not finish in time", true);
}

void Session::Dial(const ClusterConfig* cluster) {
  link_.set_cluster(cluster);
  hs_->dialer = std::make_unique<BackendDialer>(
      ctx_->base(), cluster,
      [this](int fd, size_t server, const std::string& error) { OnDialed(fd, server, error); });
  hs_->dialer->Start();
}

void Session::OnDialed(int fd, size_t server, const std::string& error) {
  if (closed_ || !hs_) {
    if (fd >= 0) close(fd);
    return;
  }
  if (fd < 0) {
    const std::string& cluster = link_.cluster()->name;
    log::Warn("relay", {{"client", peer_host_}, {"cluster", cluster}}, "no backend of cluster '",
              cluster, "' for a client from ", peer_host_, ": ", error);
    hs_->auth.OnBackendUnavailable("no server of cluster '" + cluster + "' answers (" + error +
                                   ")");
    PumpAuth();
    return;
  }
  link_.Open(ctx_->base(), fd, link_.cluster(), server, &Session::OnBackendRead,
             &Session::OnBackendWrite, this);
  hs_->got_greeting = false;
}

void Session::HandshakeClientInput() {
  std::string payload;
  while (!closed_ && hs_) {
    auto st = hs_->auth.state();
    bool expects = st == AuthMachine::State::kWaitClientResponse ||
                   st == AuthMachine::State::kWaitClientSwitch ||
                   st == AuthMachine::State::kPassthrough;
    if (!expects) {
      if (evbuffer_get_length(c2b_) > kMaxClientAuthPacket)
        Close("client sent too much data before authentication", true);
      return;
    }
    uint8_t seq = 0;
    int r = TakePacket(c2b_, kMaxClientAuthPacket, &seq, &payload);
    if (r < 0) {
      Close("oversized packet from the client during authentication", true);
      return;
    }
    if (r == 0) return;
    hs_->auth.OnClientPacket(seq, Bytes(payload));
    PumpAuth();
  }
}

void Session::HandshakeBackendInput() {
  std::string payload;
  while (!closed_ && hs_ && link_.open()) {
    uint8_t seq = 0;
    int r = TakePacket(hs_->bin, kMaxBackendAuthPacket, &seq, &payload);
    if (r < 0) {
      BackendLost("oversized packet during authentication");
      return;
    }
    if (r == 0) return;
    if (!hs_->got_greeting) {
      hs_->got_greeting = true;
      hs_->auth.OnBackendGreeting(Bytes(payload));
    } else {
      hs_->auth.OnBackendPacket(seq, Bytes(payload));
    }
    PumpAuth();
    // Client bytes that arrived before the machine could take them (e.g. sent before the
    // greeting) are looked at now, or nothing would ever wake us for them.
    if (!closed_ && hs_ && evbuffer_get_length(c2b_) > 0) HandshakeClientInput();
  }
}

void Session::FlushHandshakeBackend() {
  if (!hs_ || !link_.open()) return;
  size_t len = evbuffer_get_length(hs_->bout);
  // (Over TLS a write also drives the handshake, with or without bytes.)
  if ((len > 0 || link_.tls()) && link_.Write(hs_->bout, len) == -2) {
    BackendLost("write failed: " + link_.error());
    return;
  }
  link_.WantWrite(evbuffer_get_length(hs_->bout) > 0);
}

void Session::HandshakeBackendLost(const std::string& why) {
  log::Warn("relay", {{"client", peer_host_}}, "backend ", link_.name(),
            " lost during the handshake of a client from ", peer_host_, ": ", why);
  link_.Close();
  hs_->auth.OnBackendUnavailable("lost connection to '" + link_.name() + "': " + why);
  PumpAuth();
}

void Session::PumpAuth() {
  for (auto& pkt : hs_->auth.TakeOutput()) {
    if (pkt.start_tls) {
      if (pkt.to_client)
        StartClientTls();
      else
        StartBackendTls();
      if (closed_) return;
      continue;
    }
    if (pkt.to_client) {
      evbuffer_add(b2c_, pkt.bytes.data(), pkt.bytes.size());
      b_ready_ += pkt.bytes.size();
    } else {
      evbuffer_add(hs_->bout, pkt.bytes.data(), pkt.bytes.size());
    }
  }
  FlushHandshakeBackend();
  if (closed_) return;
  switch (hs_->auth.state()) {
    case AuthMachine::State::kDone:
      FinishHandshake();
      return;
    case AuthMachine::State::kFailed: {
      const auto& a = hs_->auth;
      metrics::ClientConnectionsTotal(a.auth_failed() ? "auth_failed" : "rejected", a.client_tls())
          .Increment();
      log::Warn("relay", {{"client", peer_host_}, {"user", a.user_name()}}, "client from ",
                peer_host_, a.user_name().empty() ? "" : " (user '" + a.user_name() + "')",
                " refused: ", a.failure());
      close_reason_ = "authentication failed";
      close_after_flush_ = true;
      SetEventWanted(&cr_, &cr_on_, false);
      FlushToClient();
      return;
    }
    case AuthMachine::State::kNeedOtherCluster: {
      const ClusterConfig* c = hs_->config->FindCluster(hs_->auth.cluster());
      link_.Close();
      evbuffer_drain(hs_->bin, evbuffer_get_length(hs_->bin));
      evbuffer_drain(hs_->bout, evbuffer_get_length(hs_->bout));
      if (!c) {
        hs_->auth.OnBackendUnavailable("unknown cluster '" + hs_->auth.cluster() + "'");
        PumpAuth();
        return;
      }
      Dial(c);
      break;
    }
    default:
      break;
  }
  FlushToClient();
}

void Session::StartClientTls() {
  // What the client sent after its SSLRequest (the ClientHello, often) is TLS already.
  std::string early = TakeAll(c2b_);
  bool have_early = !early.empty();
  ctls_ = std::make_unique<tls::Stream>(hs_->tls->listen, cfd_, tls::Stream::Role::kAccept);
  ctls_->set_pending_in(std::move(early));
  if (have_early) event_active(&cr_, EV_READ, 0);
}

void Session::StartBackendTls() {
  const ClusterConfig* c = link_.cluster();
  const tls::Context& ctx = hs_->tls->ForCluster(c->name);
  if (!ctx) {  // the machine asks only when the cluster's mode allows TLS
    BackendLost("no TLS context for cluster '" + c->name + "'");
    return;
  }
  std::string plain = TakeAll(hs_->bout);  // our SSLRequest
  link_.StartTls(ctx, std::move(plain), c->tls.mode == BackendTlsMode::kVerifyIdentity);
}

void Session::FinishHandshake() {
  const AuthMachine& a = hs_->auth;
  RelaySession rs;
  rs.config = hs_->config;
  rs.cluster = link_.cluster();
  rs.server = link_.server();
  rs.peer_host = peer_host_;
  rs.user = a.user_name();
  rs.user_config = a.user_config();
  rs.database = a.database();
  rs.client_caps = a.client_capabilities();
  rs.ext_caps = a.mariadb_ext_capabilities();
  rs.connection_id = a.connection_id();
  rs.dialect = sql::Dialect::FromServerVersion(a.server_version());
  rs.status_flags = a.server_status();
  rs.plugin = ctx_->host()->plugin();
  if (plugins::DdlFollower* f = rs.plugin ? rs.plugin->follower() : nullptr)
    rs.follower = f->Follows(rs.cluster ? rs.cluster->name : "") ? f : nullptr;
  if (plugins::ShadowRouter* r = rs.plugin ? rs.plugin->router() : nullptr;
      r != nullptr && r->Enabled()) {
    // Shadow routing is on (docs/shadow_routing.md): how the session is marked. A session
    // marked at connect on a cluster no rule matches gets the router too, which refuses every
    // table it names (fail closed); unmarked ones there are relayed as without the feature.
    const ShadowRoutingOptions options = r->Options();
    const bool routed = r->Routes(rs.cluster ? rs.cluster->name : "");
    rs.shadow = rs.user_config != nullptr && rs.user_config->shadow;
    if (!rs.shadow && !options.connect_attribute.empty()) {
      auto value = protocol::ConnectAttribute(a.connect_attrs(), options.connect_attribute);
      rs.shadow = value && (*value == "1" || strcasecmp(value->c_str(), "true") == 0);
    }
    if (routed || rs.shadow) {
      rs.router = r;
      rs.statement_marks = routed && options.statement_comments;
    }
  }
  if (rs.router != nullptr) {
    EventLoop* loop = &ctx_->loop();
    rs.route_done = [this, loop](plugins::Routed routed) {
      loop->Post([this, routed = std::move(routed)]() mutable { OnRouted(std::move(routed)); });
    };
  }
  a.scramble().copy(rs.scramble.data(), rs.scramble.size());
  a.backend_scramble().copy(rs.backend_scramble.data(), rs.backend_scramble.size());
  log::Debug("relay", {{"session", rs.connection_id}, {"client", peer_host_}, {"user", rs.user}},
             "session ", rs.connection_id, ": user '", rs.user, "' from ", peer_host_, " on ",
             link_.name());
  relay_.Start(std::move(rs));
  if (size_t n = evbuffer_get_length(hs_->bout)) {  // not yet written: goes first
    evbuffer_prepend_buffer(c2b_, hs_->bout);
    c_ready_ += n;
  }
  evbuffer_add_buffer(b2c_, hs_->bin);  // anything the backend sent after its OK
  hs_.reset();
  metrics::ClientConnectionsTotal("accepted", ctls_ != nullptr).Increment();
  ClientInput();
  if (!closed_) BackendInput();
}

}  // namespace shadowproxy::proxy
