// Commands the proxy answers or rewrites itself, in order with the relayed ones: SHADOW SYNC
// statements (plugin on the worker pool), refused prepares, COM_CHANGE_USER of configured users.
#include <sys/socket.h>

#include "base/log.h"
#include "protocol/auth.h"
#include "protocol/handshake.h"
#include "protocol/packet.h"
#include "protocol/packets.h"
#include "protocol/resultset.h"
#include "proxy/answer.h"
#include "proxy/auth.h"
#include "proxy/server.h"
#include "proxy/session.h"
#include "proxy/session_internal.h"

namespace shadowproxy::proxy {

namespace p = protocol;

// Replaces the client packet being parsed (at c_ready_, `length` payload bytes) with
// `replacement` (whole packets; may be empty).
void Session::ReplaceCurrentPacket(uint32_t length, std::string_view replacement) {
  evbuffer* front = evbuffer_new();
  evbuffer_remove_buffer(c2b_, front, c_ready_);
  evbuffer_drain(c2b_, p::kHeaderSize + length);
  if (!replacement.empty()) evbuffer_prepend(c2b_, replacement.data(), replacement.size());
  evbuffer_prepend_buffer(c2b_, front);
  evbuffer_free(front);
}

std::string Session::CutBackendPacket(uint32_t length) {
  std::string payload(length, '\0');
  PeekAt(b2c_, b_ready_ + p::kHeaderSize, reinterpret_cast<uint8_t*>(payload.data()), length);
  evbuffer* front = evbuffer_new();
  evbuffer_remove_buffer(b2c_, front, b_ready_);
  evbuffer_drain(b2c_, p::kHeaderSize + length);
  evbuffer_prepend_buffer(b2c_, front);
  evbuffer_free(front);
  return payload;
}

void Session::InsertForBackend(std::string_view packets) {
  evbuffer* ahead = evbuffer_new();
  evbuffer_remove_buffer(c2b_, ahead, c_ready_);
  evbuffer_prepend(c2b_, packets.data(), packets.size());
  evbuffer_prepend_buffer(c2b_, ahead);
  evbuffer_free(ahead);
  c_ready_ += packets.size();
  FlushToBackend();
}

// The current command (already taken out of the stream) gets `err_payload` from the proxy, in
// order with the responses still outstanding.
void Session::AnswerLocally(uint8_t command, std::string err_payload) {
  local_query_ = std::make_unique<std::string>(std::move(err_payload));
  held_ = true;
  Push(command, Kind::kLocalErr, false);
  if (PendingCount() == 1) RunLocalHead();
}

// COM_CHANGE_USER (SPEC.md §3: authenticated as at connect). Configured users with a password are
// verified by the proxy against the connection's scramble and logged in to the backend with
// their backend credentials; everyone else is relayed and authenticated by the backend.
bool Session::ChangeUser(p::ChangeUser cu, uint32_t length) {
  const UserConfig* target = config_->FindUser(cu.username);
  auto deny = [&](std::string message) {
    ReplaceCurrentPacket(length, {});
    AnswerLocally(p::COM_CHANGE_USER, p::EncodeErr(1045, "28000", message));
    log::Warn("relay", "session ", connection_id_, ": COM_CHANGE_USER to '", cu.username,
              "' refused: ", message);
    return false;
  };
  std::string denied = "Access denied for user '" + cu.username + "'@'" + peer_host_ +
                       "' (using password: " + (cu.auth_response.empty() ? "NO" : "YES") + ")";
  if (target && target->has_password) {
    if (!cu.auth_plugin_name.empty() && cu.auth_plugin_name != p::kNativePasswordPlugin)
      return deny("Access denied for user '" + cu.username +
                  "': COM_CHANGE_USER through the proxy needs mysql_native_password");
    std::string stage2 = p::Stage2FromPassword(target->password);
    if (!target->password_hash.empty()) {
      auto h = p::ParsePasswordHash(target->password_hash);
      stage2 = h.ok() ? h.value() : std::string(p::kSha1Length, '\0');
    }
    std::string_view scramble(scramble_.data(), scramble_.size());
    if (!p::VerifyNativeScramble(cu.auth_response, scramble, stage2)) return deny(denied);
    if (!cluster_ || target->cluster != cluster_->name)
      return deny("Access denied for user '" + cu.username + "': it belongs to cluster '" +
                  target->cluster + "', this connection to '" + (cluster_ ? cluster_->name : "") +
                  "'");
    p::ChangeUser mine = cu;
    mine.username = target->backend_user.empty() ? target->name : target->backend_user;
    mine.auth_response =
        p::NativeScramble(target->backend_password,
                          std::string_view(backend_scramble_.data(), backend_scramble_.size()));
    mine.auth_plugin_name = std::string(p::kNativePasswordPlugin);
    std::string packet = FramePacket(0, p::EncodeChangeUser(mine, client_caps_));
    log::Debug("relay", "session ", connection_id_, ": COM_CHANGE_USER to '", cu.username,
               "' verified by the proxy; backend user '", mine.username, "'");
    ReplaceCurrentPacket(length, packet);
    length = static_cast<uint32_t>(packet.size() - p::kHeaderSize);
  } else if (!config_->listen.passthrough_auth) {
    return deny(denied);
  }
  // Tracked even when another change is pending: the newest one wins.
  tracked_ = std::make_unique<Tracked>(Tracked{cu.username, cu.database});
  bool track = true;
  // The backend may answer with an auth switch: the client's next packets are auth data.
  cmode_ = ClientMode::kData;
  Push(p::COM_CHANGE_USER, Kind::kRelay, track);
  if (target && target->has_password) pending_.back().track |= kTrackProxyAuth;
  c_stream_override_ = p::kHeaderSize + length;
  return true;
}

void Session::AnswerBackendAuthSwitch(uint8_t seq, uint32_t length) {
  std::string payload = CutBackendPacket(length);
  auto sw = p::DecodeAuthSwitchRequest(p::AsBytes(payload));
  const UserConfig* target = tracked_ ? config_->FindUser(tracked_->user) : nullptr;
  if (!sw.ok() || sw->plugin != p::kNativePasswordPlugin || !target) {
    BackendLost("backend asked for an unsupported auth exchange during COM_CHANGE_USER");
    return;
  }
  InsertForBackend(FramePacket(
      static_cast<uint8_t>(seq + 1),
      p::NativeScramble(target->backend_password, sw->data.substr(0, p::kScrambleLength))));
}

// The head of the queue is answered by the proxy itself.
void Session::RunLocalHead() {
  Pending& head = Head();
  if (head.kind == Kind::kLocalErr) {  // local_query_ holds the ERR payload
    std::string out = FramePacket(1, *local_query_);
    evbuffer_add(b2c_, out.data(), out.size());
    b_ready_ += out.size();
    local_query_.reset();
    ctx_->RecordCommand(head.command, 0);
    PopHead();
    held_ = false;
    return;  // the caller goes on parsing / flushing
  }
  // A SHADOW SYNC statement: first ask the backend which database the session is in, so the
  // default `db` is right whatever changed it (USE in a multi-statement query, a procedure...).
  if (!probe_ && bfd_ >= 0 && backend_events_) {
    StartDatabaseProbe();
    return;
  }
  RunPlugin();
}

void Session::StartDatabaseProbe() {
  // LIMIT 1 overrides a client's sql_select_limit=0, which would leave no row to read.
  static constexpr std::string_view kProbe = "SELECT DATABASE() LIMIT 1";
  probe_ = std::make_unique<std::vector<std::string>>();
  tracker_.Start(p::COM_QUERY, client_caps_, ext_caps_);
  InsertForBackend(
      FramePacket(0, p::EncodeQuery(kProbe, (client_caps_ & p::CLIENT_QUERY_ATTRIBUTES) != 0)));
}

// One packet of the probe's response, whole at b_ready_: taken out of the client's stream.
void Session::OnProbePacket(uint32_t length) {
  probe_->push_back(CutBackendPacket(length));
  const std::string& payload = probe_->back();
  switch (tracker_.OnPacket(p::AsBytes(payload))) {
    case p::TrackerResult::kNeedMore:
      return;
    case p::TrackerResult::kDone:
      break;
    default:
      Close("unexpected packet from backend " + BackendName() + " for SELECT DATABASE()", true);
      return;
  }
  auto value = p::DecodeSingleValue(*probe_, client_caps_, ext_caps_);
  if (value.ok()) {
    database_ = value->value_or("");  // NULL: no database selected
  } else {
    log::Warn("relay", "session ", connection_id_, ": could not read the current database (",
              value.status().message(), "); using the last one seen ('", database_, "')");
  }
  probe_.reset();
  RunPlugin();
}

void Session::RunPlugin() {
  plugins::SessionContext sc;
  sc.user = user_;
  if (user_cfg_) sc.roles = user_cfg_->roles;
  sc.cluster = cluster_ ? cluster_->name : "";
  sc.database = database_;
  sc.client_host = peer_host_;
  sc.connection_id = connection_id_;
  std::string query = std::move(*local_query_);
  local_query_.reset();
  plugin_running_ = true;
  Server* server = ctx_->server();
  ++server->plugin_jobs;
  EventLoop* loop = &ctx_->loop();
  plugins::StatementPlugin* plugin = server->plugin();
  server->workers().Submit([this, loop, plugin, sc = std::move(sc), query = std::move(query)] {
    plugins::Answer answer = plugin->Handle(sc, query);
    loop->Post([this, answer = std::move(answer)]() mutable { OnPluginAnswer(std::move(answer)); });
  });
}

void Session::OnPluginAnswer(plugins::Answer answer) {
  plugin_running_ = false;
  --ctx_->server()->plugin_jobs;
  if (closed_) {
    delete this;
    return;
  }
  std::string out;
  EncodeAnswer(answer, client_caps_, status_flags_, &out, ext_caps_);
  evbuffer_add(b2c_, out.data(), out.size());
  b_ready_ += out.size();
  ctx_->RecordCommand(p::COM_QUERY, NowNs() - Head().start_ns);
  PopHead();
  held_ = false;
  FlushToClient();
  if (closed_) return;
  ParseClient();
  FlushToBackend();
  FlushToClient();
}

}  // namespace shadowproxy::proxy
