// The command-phase relay machine (see relay_machine.h).
#include "proxy/relay_machine.h"

#include <strings.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdio>

#include "base/log.h"
#include "protocol/auth.h"
#include "protocol/capabilities.h"
#include "protocol/command.h"
#include "protocol/handshake.h"
#include "protocol/packet.h"
#include "protocol/packets.h"
#include "protocol/resultset.h"
#include "proxy/answer.h"
#include "proxy/auth.h"

namespace shadowproxy::proxy {

namespace p = protocol;

namespace {

constexpr size_t kMaxPipelined = 256;
constexpr size_t kQuickPeek = 64;   // bytes of a COM_QUERY looked at first
constexpr size_t kLongPeek = 4096;  // ... when the first bytes are white space / comments
// The status flags a session keeps between responses (and puts on the proxy's own answers).
constexpr uint16_t kSessionStatus = p::SERVER_STATUS_IN_TRANS | p::SERVER_STATUS_AUTOCOMMIT |
                                    p::SERVER_STATUS_IN_TRANS_READONLY |
                                    p::SERVER_STATUS_NO_BACKSLASH_ESCAPES;
constexpr size_t kMaxLocalQuery = 1 << 20;
// Longer queries are not read for followed DDL (the whole text must be in before it is relayed).
constexpr size_t kMaxFollowedQuery = 1 << 20;
constexpr uint32_t kMaxChangeUser = 1 << 16;
// LIMIT 1 overrides a client's sql_select_limit=0, which would leave no row to read.
constexpr std::string_view kDatabaseProbe = "SELECT DATABASE() LIMIT 1";

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

std::string_view AsView(const std::array<char, 20>& a) { return {a.data(), a.size()}; }

// The statement id of a COM_STMT_EXECUTE / COM_STMT_CLOSE whose first 5 payload bytes are in
// `payload`.
uint32_t StatementId(const std::string& payload) {
  const auto* b = reinterpret_cast<const uint8_t*>(payload.data());
  return b[1] | (b[2] << 8) | (b[3] << 16) | (static_cast<uint32_t>(b[4]) << 24);
}

std::string PeekString(const ByteWindow& in, size_t offset, size_t n) {
  std::string out(n, '\0');
  if (n) in.Peek(offset, reinterpret_cast<uint8_t*>(out.data()), n);
  return out;
}

}  // namespace

bool ParseUseForTest(std::string_view text, std::string* db) { return ParseUse(text, db); }

RelayMachine::RelayMachine(std::string* scratch) : scratch_(scratch) {}

void RelayMachine::Start(RelaySession session) {
  s_ = std::move(session);
  shadow_ = s_.shadow && s_.router != nullptr;
  status_flags_ = s_.status_flags & kSessionStatus;
  started_ = true;
}

std::string RelayMachine::BackendName() const {
  return s_.cluster && s_.server < s_.cluster->servers.size()
             ? s_.cluster->servers[s_.server].ToString()
             : std::string("?");
}

RelayMachine::Phase RelayMachine::phase() const {
  if (closed_) return Phase::kClosed;
  if (!started_) return Phase::kHandshake;
  if (draining_) return Phase::kDraining;
  if (outstanding() == 0) return Phase::kCommand;
  return Head().kind == Kind::kRelay ? Phase::kAwaitingResponse : Phase::kLocalAnswer;
}

sql::Dialect RelayMachine::SqlDialect() const {
  sql::Dialect d = s_.dialect;
  d.backslash_escapes = (status_flags_ & p::SERVER_STATUS_NO_BACKSLASH_ESCAPES) == 0;
  return d;
}

plugins::SessionContext RelayMachine::Context() const {
  plugins::SessionContext sc;
  sc.user = s_.user;
  if (s_.user_config) sc.roles = s_.user_config->roles;
  sc.cluster = s_.cluster ? s_.cluster->name : "";
  sc.database = s_.database;
  sc.client_host = s_.peer_host;
  sc.connection_id = s_.connection_id;
  sc.dialect = SqlDialect();
  return sc;
}

// ---- actions ----

void RelayMachine::Emit(RelayAction::Kind kind, Side side, size_t n) {
  if (n == 0) return;
  if (!out_->empty() && out_->back().kind == kind && out_->back().side == side) {
    out_->back().n += n;  // consecutive forwards (or discards) of one side merge
    return;
  }
  RelayAction a;
  a.kind = kind;
  a.side = side;
  a.n = n;
  out_->push_back(std::move(a));
}

void RelayMachine::Send(Side to, std::string bytes) {
  RelayAction a;
  a.kind = RelayAction::Kind::kSend;
  a.side = to;
  a.bytes = std::move(bytes);
  out_->push_back(std::move(a));
}

void RelayMachine::Close(std::string why, bool warn, bool flush) {
  if (closed_) return;
  closed_ = true;
  RelayAction a;
  a.kind = RelayAction::Kind::kClose;
  a.flush = flush;
  a.warn = warn;
  a.bytes = std::move(why);
  out_->push_back(std::move(a));
}

void RelayMachine::CommandDone(uint8_t command, int64_t duration_ns) {
  RelayAction a;
  a.kind = RelayAction::Kind::kCommandDone;
  a.command = command;
  a.n = static_cast<size_t>(std::max<int64_t>(duration_ns, 0));
  out_->push_back(std::move(a));
}

// ---- the pending queue ----

void RelayMachine::Push(uint8_t command, Kind kind, bool track, int64_t now_ns) {
  if (head_ == pending_.size()) {
    pending_.clear();
    head_ = 0;
  }
  pending_.push_back({command, kind, track, false, now_ns});
  if (outstanding() == 1) Advance(now_ns);
}

// The head command has its answer: the next becomes the head. A draining session closes once
// nothing is outstanding.
void RelayMachine::PopHead() {
  ++head_;
  if (outstanding() > 0) return;
  pending_.clear();
  head_ = 0;
  if (draining_) Close("shutting down", false, true);
}

// A new head: arm the tracker for a relayed command, or answer a local one.
void RelayMachine::Advance(int64_t now_ns) {
  if (outstanding() == 0 || closed_) return;
  if (Head().kind == Kind::kRelay) {
    tracker_.Start(Head().command, s_.client_caps, s_.ext_caps);
    return;
  }
  if (Head().kind == Kind::kRoute) {
    AskRouter();
    return;
  }
  if (Head().kind == Kind::kLocalErr) {  // local_ holds the ERR payload
    Send(Side::kClient, p::FramePacket(1, local_->text));
    local_.reset();
    CommandDone(Head().command, 0);
    held_ = false;
    PopHead();
    Advance(now_ns);
    return;
  }
  // A SHADOW SYNC statement. If it uses the session's database, first ask the backend which
  // one it is in, so the default `db` is right whatever changed it (USE in a multi-statement
  // query, a procedure...).
  if (s_.plugin != nullptr && !s_.plugin->NeedsDatabase(local_->text, SqlDialect())) {
    RunHeadStatement();
    return;
  }
  probing_ = true;
  local_->probe.clear();
  tracker_.Start(p::COM_QUERY, s_.client_caps, s_.ext_caps);
  Send(Side::kBackend,
       p::FramePacket(
           0, p::EncodeQuery(kDatabaseProbe, (s_.client_caps & p::CLIENT_QUERY_ATTRIBUTES) != 0)));
}

void RelayMachine::CompleteHead(int64_t now_ns) {
  Pending done = Head();
  PopHead();
  CommandDone(done.command, now_ns - done.start_ns);
  if (done.command == p::COM_CHANGE_USER) cmode_ = ClientMode::kCommand;
  if (done.track && tracked_) {
    if (!tracker_.error()) {
      if (done.command == p::COM_CHANGE_USER) {
        s_.user = tracked_->user;
        s_.user_config = s_.config->FindUser(s_.user);
        // Every session of a shadow user is a shadow session; one that was stays one.
        if (s_.router != nullptr && s_.user_config != nullptr && s_.user_config->shadow)
          shadow_ = true;
      }
      s_.database = tracked_->database;
    }
    tracked_.reset();
  }
  if (tracker_.has_status_flags()) status_flags_ = tracker_.status_flags() & kSessionStatus;
  if (done.follow) FollowAnswered(done);
  if (done.shadow_prepare && !tracker_.error()) shadow_prepared_.push_back(tracker_.statement_id());
  if ((done.command == p::COM_CHANGE_USER || done.command == p::COM_RESET_CONNECTION) &&
      !tracker_.error()) {
    followed_prepared_.clear();  // the server closed every prepared statement
    shadow_prepared_.clear();
  }
  Advance(now_ns);
}

// ---- client → backend ----

void RelayMachine::OnClientBytes(const ByteWindow& in, int64_t now_ns, Actions* out) {
  out_ = out;
  if (!started_ || closed_) return;
  c_pos_ = 0;
  ParseClient(in, now_ns);
}

bool RelayMachine::Have(const ByteWindow& in, size_t want) {
  if (in.size() - c_pos_ < p::kHeaderSize + want) return false;
  scratch().resize(want);
  in.Peek(c_pos_ + p::kHeaderSize, reinterpret_cast<uint8_t*>(scratch().data()), want);
  return true;
}

void RelayMachine::ConsumeClient(RelayAction::Kind kind, size_t n) {
  Emit(kind, Side::kClient, n);
  c_pos_ += n;
}

// The current client packet (`length` payload bytes) is relayed as it is.
void RelayMachine::RelayPacket(uint32_t length) {
  if (length == p::kMaxPayload) {
    after_cont_ = cmode_;
    cmode_ = ClientMode::kContinuation;
  }
  c_stream_ = p::kHeaderSize + length;
}

void RelayMachine::ParseClient(const ByteWindow& in, int64_t now_ns) {
  while (!closed_) {
    size_t avail = in.size() - c_pos_;
    if (c_stream_ > 0) {
      size_t n = std::min(avail, c_stream_);
      if (n == 0) return;
      ConsumeClient(RelayAction::Kind::kForward, n);
      c_stream_ -= n;
      if (c_stream_ > 0) return;
      continue;
    }
    if (avail < p::kHeaderSize || held_) return;
    uint8_t hdr[p::kHeaderSize];
    in.Peek(c_pos_, hdr, sizeof(hdr));
    p::PacketHeader h = p::DecodeHeader(hdr);
    switch (cmode_) {
      case ClientMode::kContinuation:
        if (h.length != p::kMaxPayload) cmode_ = after_cont_;
        c_stream_ = p::kHeaderSize + h.length;
        continue;
      case ClientMode::kInfile:
        if (h.length == 0) cmode_ = ClientMode::kCommand;  // the end of the file
        RelayPacket(h.length);
        continue;
      case ClientMode::kAuthData:
        RelayPacket(h.length);
        continue;
      case ClientMode::kCommand:
        break;
    }
    if (h.length == 0) {
      Close("protocol violation: empty command packet", true, false);
      return;
    }
    if (draining_ && outstanding() == 0) {
      Close("shutting down", false, true);
      return;
    }
    if (outstanding() >= kMaxPipelined) return;  // resumes as responses complete
    if (!OnCommand(in, h.length, now_ns)) return;
  }
}

bool RelayMachine::OnCommand(const ByteWindow& in, uint32_t length, int64_t now_ns) {
  if (!Have(in, 1)) return false;
  const uint8_t cmd = static_cast<uint8_t>(scratch()[0]);
  switch (cmd) {
    case p::COM_QUIT:
      // Passed on (else the server counts an aborted connection), then the session ends.
      if (!Have(in, length)) return false;
      ConsumeClient(RelayAction::Kind::kForward, p::kHeaderSize + length);
      Close("client quit", false, true);
      return false;
    case p::COM_QUERY:
    case p::COM_STMT_PREPARE:
      return OnQuery(in, cmd, length, now_ns);
    case p::COM_INIT_DB: {
      bool track = false;
      if (!tracked_ && length <= 1024) {
        if (!Have(in, length)) return false;
        tracked_ = std::make_unique<Tracked>(Tracked{s_.user, scratch().substr(1)});
        track = true;
      }
      Push(cmd, Kind::kRelay, track, now_ns);
      RelayPacket(length);
      return true;
    }
    case p::COM_CHANGE_USER:
      return OnChangeUser(in, length, now_ns);
    default:
      if (p::CommandName(cmd) == "unknown") {
        // The relay could not tell where the backend's answer ends: a protocol violation.
        char hex[8];
        std::snprintf(hex, sizeof(hex), "0x%02X", cmd);
        Close(std::string("protocol violation: unknown command byte ") + hex, true, false);
        return false;
      }
      if (s_.router != nullptr && (cmd == p::COM_STMT_EXECUTE || cmd == p::COM_STMT_CLOSE) &&
          (shadow_ || !shadow_prepared_.empty())) {
        if (!Have(in, std::min<uint32_t>(length, 5))) return false;
        if (cmd == p::COM_STMT_EXECUTE && shadow_) return RefuseUnroutedExecute(in, length, now_ns);
        if (cmd == p::COM_STMT_CLOSE && scratch().size() >= 5) {
          const uint32_t id = StatementId(scratch());
          std::erase(shadow_prepared_, id);
        }
      }
      std::shared_ptr<const plugins::FollowedQuery> follow;
      if (!followed_prepared_.empty() && (cmd == p::COM_STMT_EXECUTE || cmd == p::COM_STMT_CLOSE)) {
        if (!Have(in, std::min<uint32_t>(length, 5))) return false;
        follow = FollowPrepared(cmd);
      }
      if (p::ExpectsResponse(cmd)) {
        Push(cmd, Kind::kRelay, false, now_ns);
        pending_.back().follow = std::move(follow);
      } else {
        CommandDone(cmd, 0);
      }
      RelayPacket(length);
      return true;
  }
}

bool RelayMachine::OnQuery(const ByteWindow& in, uint8_t cmd, uint32_t length, int64_t now_ns) {
  const bool qattr = cmd == p::COM_QUERY && (s_.client_caps & p::CLIENT_QUERY_ATTRIBUTES);
  size_t want = std::min<size_t>(length, qattr ? kLongPeek : kQuickPeek);
  // Lexed as the backend reads it; with only the first `want` bytes a SYNC at their very end
  // might go on, and is not taken.
  auto is_shadow = [&] {
    const bool complete = want >= length;
    // A client may set CLIENT_QUERY_ATTRIBUTES without the server offering it and then send no
    // attribute block (mysql2 3.x does): read it both ways (see RoutedText).
    return cmd == p::COM_QUERY
               ? p::IsShadowSyncQuery(p::AsBytes(scratch()), qattr, s_.dialect, complete) ||
                     (qattr &&
                      p::IsShadowSyncQuery(p::AsBytes(scratch()), false, s_.dialect, complete))
               : p::IsShadowSyncText(std::string_view(scratch()).substr(1), s_.dialect, complete);
  };
  if (!Have(in, want)) return false;
  bool shadow = is_shadow();
  if (!shadow && want < length && want < kLongPeek && length > 1) {
    // White space or a comment first: look further before deciding.
    uint8_t c = static_cast<uint8_t>(scratch()[1]);
    if (std::isspace(c) || c == '/' || c == '-' || c == '#') {
      want = std::min<size_t>(length, kLongPeek);
      if (!Have(in, want)) return false;
      shadow = is_shadow();
    }
  }
  if (shadow) {
    if (length > kMaxLocalQuery) {
      Close("SHADOW SYNC statement too long", true, false);
      return false;
    }
    if (!Have(in, length)) return false;
    ConsumeClient(RelayAction::Kind::kDiscard, p::kHeaderSize + length);
    if (cmd == p::COM_STMT_PREPARE) {
      AnswerLocally(cmd,
                    p::EncodeErr(1295, "HY000",
                                 "SHADOW SYNC statements cannot be prepared: send them as plain "
                                 "queries"),
                    now_ns);
      return true;
    }
    std::string_view text = std::string_view(scratch()).substr(1);
    if (qattr) {
      auto t = p::QueryText(p::AsBytes(scratch()), true);
      if (t.ok()) text = t.value();
    }
    local_ = std::make_unique<Local>();
    local_->text.assign(text);
    held_ = true;
    Push(cmd, Kind::kShadow, false, now_ns);
    return true;
  }
  if (s_.router != nullptr) {
    bool route = shadow_;
    if (!route && s_.statement_marks && length <= kMaxLocalQuery) {
      if (!Have(in, length)) return false;
      route = s_.router->HasMark(RoutedText(cmd, qattr), SqlDialect());
    }
    if (route) return RouteQuery(in, cmd, length, qattr, now_ns);
  }
  std::shared_ptr<const plugins::FollowedQuery> follow;
  if (s_.follower != nullptr) {
    if (length <= kMaxFollowedQuery && !Have(in, length)) return false;
    follow = FollowRead(cmd, length, qattr);
  }
  bool track = false;
  if (cmd == p::COM_QUERY && !qattr && !tracked_ && length <= 512 && length >= 5 &&
      (static_cast<uint8_t>(scratch()[1]) | 0x20) == 'u') {
    if (!Have(in, length)) return false;
    std::string db;
    if (ParseUse(std::string_view(scratch()).substr(1), &db)) {
      tracked_ = std::make_unique<Tracked>(Tracked{s_.user, std::move(db)});
      track = true;
    }
  }
  Push(cmd, Kind::kRelay, track, now_ns);
  pending_.back().follow = std::move(follow);
  RelayPacket(length);
  return true;
}

// ---- shadow routing ----

// The text of the COM_QUERY / COM_STMT_PREPARE in scratch(). A client may ask for
// CLIENT_QUERY_ATTRIBUTES that the server does not offer, and then sends no attribute block
// (mysql2 does): a block that does not read as an empty one is taken as absent. A misreading can
// only fail closed: a real block read as text starts with a NUL byte, which the rewriter refuses.
std::string_view RelayMachine::RoutedText(uint8_t cmd, bool qattr) const {
  if (cmd == p::COM_QUERY && qattr) {
    auto t = p::QueryText(p::AsBytes(scratch_ref()), true);
    if (t.ok()) return t.value();
  }
  return std::string_view(scratch_ref()).substr(1);
}

// The whole statement is taken out of the stream; what the router makes of it goes to the
// backend in its place (or an ERR 7040 to the client), in order with what is outstanding.
bool RelayMachine::RouteQuery(const ByteWindow& in, uint8_t cmd, uint32_t length, bool qattr,
                              int64_t now_ns) {
  if (length > kMaxLocalQuery) {
    // Not read, so never sent: the session ends (a 16 MiB statement would need the
    // continuation packets re-framed).
    Close("shadow routing: a statement over 1 MiB cannot be routed", true, false);
    return false;
  }
  if (!Have(in, length)) return false;
  ConsumeClient(RelayAction::Kind::kDiscard, p::kHeaderSize + length);
  std::string_view payload = scratch();
  std::string_view text = RoutedText(cmd, qattr);
  local_ = std::make_unique<Local>();
  local_->prefix.assign(payload.substr(0, text.data() - payload.data()));
  local_->text.assign(text);
  held_ = true;
  Push(cmd, Kind::kRoute, false, now_ns);
  return true;
}

bool RelayMachine::RefuseUnroutedExecute(const ByteWindow& in, uint32_t length, int64_t now_ns) {
  const uint32_t id = StatementId(scratch());
  if (std::find(shadow_prepared_.begin(), shadow_prepared_.end(), id) != shadow_prepared_.end()) {
    Push(p::COM_STMT_EXECUTE, Kind::kRelay, false, now_ns);
    RelayPacket(length);
    return true;
  }
  if (length > kMaxLocalQuery) {
    Close("shadow routing: COM_STMT_EXECUTE of a statement prepared outside shadow mode", true,
          false);
    return false;
  }
  if (!Have(in, length)) return false;
  ConsumeClient(RelayAction::Kind::kDiscard, p::kHeaderSize + length);
  log::Warn("routing", {{"session", s_.connection_id}, {"user", s_.user}}, "session ",
            s_.connection_id, " (user '", s_.user, "'): shadow routing: statement ", id,
            " was prepared outside shadow mode");
  AnswerLocally(p::COM_STMT_EXECUTE,
                p::EncodeErr(7040, "HY000",
                             "shadow routing: statement " + std::to_string(id) +
                                 " was prepared outside shadow mode; prepare it again"),
                now_ns);
  return true;
}

// The head is a statement to route: the router answers now (the usual case: the catalog is
// cached) or later through route_done.
void RelayMachine::AskRouter() {
  plugins::RouteRequest req;
  req.cluster = s_.cluster ? s_.cluster->name : "";
  req.database = s_.database;
  req.text = local_->text;
  req.dialect = SqlDialect();
  req.connection_id = s_.connection_id;
  req.user = s_.user;
  auto routed = s_.router->Route(req, s_.route_done);
  if (routed) {
    ApplyRouted(*routed, Head().start_ns);
    return;
  }
  RelayAction a;
  a.kind = RelayAction::Kind::kAwaitRoute;
  out_->push_back(std::move(a));
}

void RelayMachine::OnRouted(const plugins::Routed& routed, int64_t now_ns, Actions* out) {
  out_ = out;
  if (closed_ || outstanding() == 0 || Head().kind != Kind::kRoute) return;
  ApplyRouted(routed, now_ns);
}

void RelayMachine::ApplyRouted(const plugins::Routed& routed, int64_t now_ns) {
  std::string payload = routed.ok ? local_->prefix + routed.text : std::string();
  if (!routed.ok || payload.size() >= p::kMaxPayload) {
    // Answered like any local ERR, in order (the head: nothing is outstanding before it).
    local_->text = p::EncodeErr(
        7040, "HY000",
        routed.ok ? "shadow routing: the rewritten statement is too long" : routed.message);
    Head().kind = Kind::kLocalErr;
    Advance(now_ns);
    return;
  }
  const uint8_t cmd = Head().command;
  local_.reset();
  Head().kind = Kind::kRelay;
  Head().shadow_prepare = cmd == p::COM_STMT_PREPARE;
  std::string db;
  if (cmd == p::COM_QUERY && !tracked_ && routed.text.size() <= 512 && ParseUse(routed.text, &db)) {
    tracked_ = std::make_unique<Tracked>(Tracked{s_.user, std::move(db)});
    Head().track = true;
  }
  held_ = false;
  tracker_.Start(cmd, s_.client_caps, s_.ext_caps);
  Send(Side::kBackend, p::FramePacket(0, payload));
}

// ---- followed DDL ----

std::shared_ptr<const plugins::FollowedQuery> RelayMachine::FollowRead(uint8_t cmd, uint32_t length,
                                                                       bool qattr) {
  if (length > kMaxFollowedQuery) {
    log::Debug("relay", {{"session", s_.connection_id}}, "session ", s_.connection_id, ": a ",
               length, "-byte query is not read for followed DDL (over 1 MiB)");
    return nullptr;
  }
  std::string_view text = std::string_view(scratch()).substr(1);
  if (cmd == p::COM_QUERY && qattr) {
    auto t = p::QueryText(p::AsBytes(scratch()), true);
    if (!t.ok()) return nullptr;  // query attributes: not read
    text = t.value();
  }
  return s_.follower->Read(text, SqlDialect(), s_.connection_id);
}

// COM_STMT_EXECUTE / COM_STMT_CLOSE (first bytes in scratch()) of a statement that holds DDL.
std::shared_ptr<const plugins::FollowedQuery> RelayMachine::FollowPrepared(uint8_t cmd) {
  if (scratch().size() < 5) return nullptr;
  const uint32_t id = StatementId(scratch());
  auto it = std::find_if(followed_prepared_.begin(), followed_prepared_.end(),
                         [id](const FollowedPrepared& f) { return f.id == id; });
  if (it == followed_prepared_.end()) return nullptr;
  if (cmd == p::COM_STMT_CLOSE) {
    followed_prepared_.erase(it);
    return nullptr;
  }
  return it->query;
}

// The head command that held followed DDL is answered (the tracker still has its response).
void RelayMachine::FollowAnswered(const Pending& done) {
  const bool error = tracker_.error();
  if (done.command == p::COM_STMT_PREPARE) {  // followed when executed
    if (!error) followed_prepared_.push_back({tracker_.statement_id(), done.follow});
    return;
  }
  if (done.command != p::COM_QUERY && done.command != p::COM_STMT_EXECUTE) return;
  const uint32_t ok = tracker_.results() - (error && tracker_.results() > 0 ? 1 : 0);
  s_.follower->Answered(*done.follow, Context(), ok, error);
}

// COM_CHANGE_USER is authenticated as at connect (auth.h): configured users with a password by
// the proxy, which then logs in to the backend with their backend credentials; everyone else
// is relayed and authenticated by the backend.
bool RelayMachine::OnChangeUser(const ByteWindow& in, uint32_t length, int64_t now_ns) {
  if (length >= kMaxChangeUser) {
    Close("oversized COM_CHANGE_USER", true, false);
    return false;
  }
  if (!Have(in, length)) return false;
  auto cu = p::DecodeChangeUser(p::AsBytes(scratch()), s_.client_caps);
  if (!cu.ok()) {
    Close("malformed COM_CHANGE_USER: " + cu.status().message(), true, false);
    return false;
  }
  const UserConfig* target = s_.config->FindUser(cu->username);
  auto deny = [&](const std::string& message) {
    ConsumeClient(RelayAction::Kind::kDiscard, p::kHeaderSize + length);
    log::Warn("relay", {{"session", s_.connection_id}}, "session ", s_.connection_id,
              ": COM_CHANGE_USER to '", cu->username, "' refused: ", message);
    AnswerLocally(p::COM_CHANGE_USER, p::EncodeErr(1045, "28000", message), now_ns);
    return true;
  };
  const bool proxy_auth = target && target->has_password;
  if (proxy_auth) {
    if (!cu->auth_plugin_name.empty() && cu->auth_plugin_name != p::kNativePasswordPlugin)
      return deny("Access denied for user '" + cu->username +
                  "': COM_CHANGE_USER through the proxy needs mysql_native_password");
    Status verified = VerifyConfiguredUser(*target, AsView(s_.scramble), cu->auth_response);
    if (!verified.ok())
      return deny(AccessDeniedMessage(cu->username, s_.peer_host, !cu->auth_response.empty()));
    const std::string link_cluster = s_.cluster ? s_.cluster->name : "";
    if (target->cluster != link_cluster)
      return deny("Access denied for user '" + cu->username + "': it belongs to cluster '" +
                  target->cluster + "', this connection to '" + link_cluster + "'");
    p::ChangeUser mine = cu.value();
    mine.username = target->backend_user.empty() ? target->name : target->backend_user;
    mine.auth_response = p::NativeScramble(target->backend_password, AsView(s_.backend_scramble));
    mine.auth_plugin_name = std::string(p::kNativePasswordPlugin);
    log::Debug("relay", {{"session", s_.connection_id}}, "session ", s_.connection_id,
               ": COM_CHANGE_USER to '", cu->username, "' verified by the proxy; backend user '",
               mine.username, "'");
    ConsumeClient(RelayAction::Kind::kDiscard, p::kHeaderSize + length);
    Send(Side::kBackend, p::FramePacket(0, p::EncodeChangeUser(mine, s_.client_caps)));
  } else if (!s_.config->listen.passthrough_auth) {
    return deny(AccessDeniedMessage(cu->username, s_.peer_host, !cu->auth_response.empty()));
  } else {
    c_stream_ = p::kHeaderSize + length;  // relayed as it is
  }
  // Tracked even when another change is pending: the newest one wins.
  tracked_ = std::make_unique<Tracked>(Tracked{cu->username, cu->database});
  Push(p::COM_CHANGE_USER, Kind::kRelay, true, now_ns);
  pending_.back().proxy_auth = proxy_auth;
  // The backend may answer with an auth switch: the client's next packets are auth data.
  cmode_ = ClientMode::kAuthData;
  return true;
}

// The current command (already taken out of the stream) gets `err_payload` from the proxy, in
// order with the responses still outstanding.
void RelayMachine::AnswerLocally(uint8_t command, std::string err_payload, int64_t now_ns) {
  local_ = std::make_unique<Local>();
  local_->text = std::move(err_payload);
  held_ = true;
  Push(command, Kind::kLocalErr, false, now_ns);
}

// ---- backend → client ----

void RelayMachine::OnBackendBytes(const ByteWindow& in, int64_t now_ns, Actions* out) {
  out_ = out;
  if (!started_ || closed_) return;
  b_pos_ = 0;
  ParseBackend(in, now_ns);
}

void RelayMachine::ConsumeBackend(RelayAction::Kind kind, size_t n) {
  Emit(kind, Side::kBackend, n);
  b_pos_ += n;
}

void RelayMachine::ParseBackend(const ByteWindow& in, int64_t now_ns) {
  uint8_t peek[p::kHeaderSize + p::ResponseTracker::kPeekBytes];
  while (!closed_) {
    size_t avail = in.size() - b_pos_;
    if (b_stream_ > 0) {
      size_t n = std::min(avail, b_stream_);
      if (n == 0) return;
      ConsumeBackend(RelayAction::Kind::kForward, n);
      b_stream_ -= n;
      if (b_stream_ > 0) return;
      if (complete_after_) {
        complete_after_ = false;
        CompleteHead(now_ns);
      }
      continue;
    }
    if (avail < p::kHeaderSize) return;
    size_t got = in.Peek(b_pos_, peek, std::min(avail, sizeof(peek)));
    p::PacketHeader h = p::DecodeHeader(peek);
    size_t want = std::min<size_t>(h.length, p::ResponseTracker::kPeekBytes);
    if (got < p::kHeaderSize + want) return;
    const bool whole = avail >= p::kHeaderSize + h.length;
    if (outstanding() > 0 && Head().kind == Kind::kShadow && probing_) {
      // The answer to the proxy's own SELECT DATABASE(): it never reaches the client.
      if (!whole) return;
      std::string payload = PeekString(in, b_pos_ + p::kHeaderSize, h.length);
      ConsumeBackend(RelayAction::Kind::kDiscard, p::kHeaderSize + h.length);
      OnProbePacket(std::move(payload), now_ns);
      continue;
    }
    if (outstanding() == 0 || Head().kind != Kind::kRelay) {
      // Unsolicited (e.g. the ERR a server sends before it closes an idle connection): relayed
      // as it is, as an L4 relay would.
      b_stream_ = p::kHeaderSize + h.length;
      continue;
    }
    const uint8_t* payload = peek + p::kHeaderSize;
    if (Head().proxy_auth && h.length > 0 && payload[0] == p::kAuthSwitchHeader) {
      // The backend wants a fresh scramble for a COM_CHANGE_USER the proxy authenticated:
      // answered here; the client never sees it.
      if (!whole) return;
      std::string sw = PeekString(in, b_pos_ + p::kHeaderSize, h.length);
      ConsumeBackend(RelayAction::Kind::kDiscard, p::kHeaderSize + h.length);
      AnswerBackendAuthSwitch(h.seq, sw);
      continue;
    }
    switch (tracker_.OnPacket(h.length, payload, want)) {
      case p::TrackerResult::kNeedMore:
        break;
      case p::TrackerResult::kDone:
        complete_after_ = true;
        break;
      case p::TrackerResult::kLocalInfileRequest:
        cmode_ = ClientMode::kInfile;
        break;
      case p::TrackerResult::kProtocolError:
        // Not forwarded: the client gets what came before, then one well-formed ERR.
        CutShort(in, "unexpected packet from backend " + BackendName() + " for " +
                         std::string(p::CommandName(Head().command)));
        return;
    }
    b_stream_ = p::kHeaderSize + h.length;
  }
}

void RelayMachine::OnProbePacket(std::string payload, int64_t now_ns) {
  std::vector<std::string>& probe = local_->probe;
  probe.push_back(std::move(payload));
  switch (tracker_.OnPacket(p::AsBytes(probe.back()))) {
    case p::TrackerResult::kNeedMore:
      return;
    case p::TrackerResult::kDone:
      break;
    default:
      probing_ = false;
      Close("unexpected packet from backend " + BackendName() + " for SELECT DATABASE()", true,
            false);
      return;
  }
  probing_ = false;
  auto value = p::DecodeSingleValue(probe, s_.client_caps, s_.ext_caps);
  if (value.ok()) {
    s_.database = value->value_or("");  // NULL: no database selected
  } else {
    log::Warn("relay", {{"session", s_.connection_id}}, "session ", s_.connection_id,
              ": could not read the current database (", value.status().message(),
              "); using the last one seen ('", s_.database, "')");
  }
  (void)now_ns;
  RunHeadStatement();
}

void RelayMachine::RunHeadStatement() {
  RelayAction a;
  a.kind = RelayAction::Kind::kRunStatement;
  a.bytes = std::move(local_->text);
  local_.reset();
  out_->push_back(std::move(a));
}

void RelayMachine::OnAnswer(const plugins::Answer& answer, int64_t now_ns, Actions* out) {
  out_ = out;
  if (closed_ || outstanding() == 0 || Head().kind != Kind::kShadow) return;
  if (const auto* ok = std::get_if<plugins::OkAnswer>(&answer); ok && ok->shadow_session)
    shadow_ = *ok->shadow_session && s_.router != nullptr;
  std::string packets;
  EncodeAnswer(answer, s_.client_caps, status_flags_, &packets, s_.ext_caps);
  Send(Side::kClient, std::move(packets));
  CommandDone(p::COM_QUERY, now_ns - Head().start_ns);
  held_ = false;
  PopHead();
  Advance(now_ns);
}

void RelayMachine::AnswerBackendAuthSwitch(uint8_t seq, const std::string& payload) {
  const UserConfig* target = tracked_ ? s_.config->FindUser(tracked_->user) : nullptr;
  auto reply = target ? AnswerBackendSwitch(*target, p::AsBytes(payload))
                      : Result<std::string>(Status(1045, "no user to answer for"));
  if (!reply.ok()) {
    Close("backend asked for an unsupported auth exchange during COM_CHANGE_USER: " +
              reply.status().message(),
          true, true);
    return;
  }
  Send(Side::kBackend, p::FramePacket(static_cast<uint8_t>(seq + 1), reply.value()));
}

// The rule for a dying backend: the client gets every whole packet the server sent, then the
// close, which it reports as 2013 (CR_SERVER_LOST) itself, exactly as without the proxy. No ERR
// is made up: 2013 is a client-side code, and Connector/C 3.3.9+ (the mariadb CLI, mysqlclient)
// takes an ERR carrying one from the server for a malformed packet (2027); a server-range code
// would turn a lost connection into a statement error that drivers do not see as a disconnect.
// Bytes of a packet not yet started for the client are dropped; one started is left cut short.
void RelayMachine::CutShort(const ByteWindow& in, const std::string& why) {
  if (b_stream_ == 0) ConsumeBackend(RelayAction::Kind::kDiscard, in.size() - b_pos_);
  Close(why, true, true);
}

void RelayMachine::OnBackendClosed(const ByteWindow& in, const std::string& why, Actions* out) {
  out_ = out;
  if (closed_) return;
  b_pos_ = 0;
  CutShort(in, "lost backend " + BackendName() + ": " + why);
}

void RelayMachine::OnClientClosed(const ByteWindow& in, bool error, Actions* out) {
  out_ = out;
  if (closed_) return;
  // EOF in the middle of a packet is a protocol violation (WARN); between packets it is not.
  bool partial = c_stream_ > 0 || in.size() > 0;
  if (error)
    Close("client read error", false, false);
  else if (partial)
    Close("client closed the connection in the middle of a packet", true, false);
  else
    Close("client closed the connection", false, false);
}

void RelayMachine::Drain(Actions* out) {
  out_ = out;
  draining_ = true;
  if (outstanding() == 0) Close("shutting down", false, true);
}

}  // namespace shadowproxy::proxy
