// The command-phase relay as a pure state machine (DESIGN.md §2 "The relay machine"): fed the
// bytes each side sent, it decides what becomes of them and says so as actions — forward these
// bytes, cut these out, send this locally made packet, run this SHADOW SYNC statement, close.
// No sockets, no libevent, no clock: the session (session.cc) is the I/O adapter that does what
// the actions say, and tests/proxy/relay_test.cc feeds it recorded conversations.
//
// Only packet headers and the first bytes of client commands and server packets are looked at;
// protocol::ResponseTracker is the one place that knows where a response ends.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/config.h"
#include "base/sql_lexer.h"
#include "plugins/ddl_follower.h"
#include "plugins/plugin.h"
#include "plugins/shadow_router.h"
#include "protocol/response_tracker.h"

namespace shadowproxy::proxy {

enum class Side : uint8_t { kClient, kBackend };

// The bytes one side sent that the machine has not yet decided on, oldest first. The adapter
// implements it over its input buffer (the bytes stay there: forwarding is zero-copy).
class ByteWindow {
 public:
  virtual ~ByteWindow() = default;
  virtual size_t size() const = 0;
  // Copies up to n bytes starting `offset` bytes into the window; returns how many.
  virtual size_t Peek(size_t offset, uint8_t* out, size_t n) const = 0;
};

// What the adapter must do, in order. Forward and Discard consume the undecided bytes of `side`
// from the front; Send queues locally made bytes towards `side` after everything forwarded or
// sent to it before.
struct RelayAction {
  enum class Kind : uint8_t {
    kForward,       // pass the next `n` bytes from `side` to the other side
    kDiscard,       // drop the next `n` bytes from `side` (answered or rewritten by the proxy)
    kSend,          // send `bytes` (whole packets) to `side`
    kRunStatement,  // run `bytes` (a SHADOW SYNC statement) with Context(); then OnAnswer()
    kCommandDone,   // `command` finished after `n` ns (metrics)
    kAwaitRoute,    // the router answers later through RelaySession::route_done; then OnRouted()
    kClose,         // close the session: after the client got what was sent when `flush`
  };
  Kind kind = Kind::kForward;
  Side side = Side::kClient;
  uint8_t command = 0;
  bool flush = false;
  bool warn = false;  // kClose: the reason is worth a WARN (protocol violation, lost backend)
  size_t n = 0;
  std::string bytes;  // kSend: packets; kRunStatement: the statement; kClose: the reason
};

// What the machine knows of its session once the connection phase is over.
struct RelaySession {
  ConfigPtr config;
  const ClusterConfig* cluster = nullptr;  // of the backend link (owned by config)
  size_t server = 0;                       // index of the link's server in cluster->servers
  std::string peer_host;
  std::string user;
  const UserConfig* user_config = nullptr;  // null for pass-through users
  std::string database;
  uint32_t client_caps = 0;
  uint32_t ext_caps = 0;  // negotiated MariaDB extended capabilities
  uint32_t connection_id = 0;
  // How the backend reads SQL (from its greeting's version): decides what is intercepted.
  sql::Dialect dialect;
  // The backend's status flags at login (SERVER_STATUS_NO_BACKSLASH_ESCAPES, AUTOCOMMIT).
  uint16_t status_flags = 2;
  std::array<char, 20> scramble{};          // the one the client was greeted with
  std::array<char, 20> backend_scramble{};  // the backend link's (differs after a re-dial)
  // What answers SHADOW SYNC; asked whether a statement needs the current database (null: it
  // always does).
  const plugins::StatementPlugin* plugin = nullptr;
  // Offered every relayed query when shadow_sync.follow_ddl follows this cluster (null: off).
  plugins::DdlFollower* follower = nullptr;
  // Shadow routing (docs/shadow_routing.md): null when no rule matches the cluster — then the
  // relay is exactly what it was without it. `shadow`: marked at connect (users[].shadow, the
  // connect attribute); `statement_marks`: queries are looked at for a sqlcommenter mark.
  plugins::ShadowRouter* router = nullptr;
  bool shadow = false;
  bool statement_marks = false;
  // What the router calls when it answers later (posts to the session's loop, which calls
  // OnRouted()).
  std::function<void(plugins::Routed)> route_done;
};

class RelayMachine {
 public:
  // Phases of a session. The connection phase (kHandshake) belongs to AuthMachine (auth.h);
  // Start() moves to kCommand.
  enum class Phase : uint8_t {
    kHandshake,
    kCommand,           // idle: nothing outstanding
    kAwaitingResponse,  // the head command is answered by the backend
    kLocalAnswer,       // the head command is answered by the proxy (plugin, probe, local ERR)
    kDraining,          // SIGTERM: closes once what is outstanding is answered
    kClosed,
  };

  using Actions = std::vector<RelayAction>;

  // `scratch`: where the first bytes of the packet being decided are copied (one per event
  // loop keeps idle sessions small); must outlive the machine.
  explicit RelayMachine(std::string* scratch);
  RelayMachine(const RelayMachine&) = delete;
  RelayMachine& operator=(const RelayMachine&) = delete;

  // Authenticated: the command phase begins.
  void Start(RelaySession session);

  // Each call appends what to do to *out, in order, and consumes input only through it.
  // `now_ns` is any monotonic clock, for command durations.
  void OnClientBytes(const ByteWindow& in, int64_t now_ns, Actions* out);
  void OnBackendBytes(const ByteWindow& in, int64_t now_ns, Actions* out);
  // The statement of the last kRunStatement was answered.
  void OnAnswer(const plugins::Answer& answer, int64_t now_ns, Actions* out);
  // The router answered the statement of the last kAwaitRoute.
  void OnRouted(const plugins::Routed& routed, int64_t now_ns, Actions* out);
  // Whether the session is a shadow session now (marked at connect or by SET SESSION SHADOW).
  bool shadow() const { return shadow_; }
  // EOF or an error on a side. `in` holds its undecided bytes (a partial packet at most).
  void OnClientClosed(const ByteWindow& in, bool error, Actions* out);
  void OnBackendClosed(const ByteWindow& in, const std::string& why, Actions* out);
  // SIGTERM: close now if idle, else once the outstanding commands are answered.
  void Drain(Actions* out);

  Phase phase() const;
  bool closed() const { return closed_; }
  // "host:port" of the backend link, for messages.
  std::string BackendName() const;
  const RelaySession& session() const { return s_; }
  // What a SHADOW SYNC statement runs with (valid while a kRunStatement is outstanding).
  plugins::SessionContext Context() const;
  // The backend's reading of SQL with the session's current NO_BACKSLASH_ESCAPES.
  sql::Dialect SqlDialect() const;
  size_t outstanding() const { return pending_.size() - head_; }

 private:
  enum class ClientMode : uint8_t {
    kCommand,       // the next client packet is a command
    kInfile,        // LOAD DATA LOCAL INFILE content, until an empty packet
    kAuthData,      // auth exchange of a relayed COM_CHANGE_USER, until its response ends
    kContinuation,  // the next packet continues a 16 MiB one; then back to `after_cont_`
  };
  enum class Kind : uint8_t { kRelay, kShadow, kLocalErr, kRoute };
  struct Pending {
    uint8_t command;
    Kind kind;
    bool track;       // changes user / database (tracked_) on success
    bool proxy_auth;  // COM_CHANGE_USER authenticated by the proxy: answer the backend's switch
    int64_t start_ns;
    std::shared_ptr<const plugins::FollowedQuery> follow = {};  // DDL the follower read in it
    bool shadow_prepare = false;  // a COM_STMT_PREPARE the router rewrote
  };
  struct Tracked {  // what a pending USE / INIT_DB / CHANGE_USER changes when it succeeds
    std::string user;
    std::string database;
  };

  // Client side.
  void ParseClient(const ByteWindow& in, int64_t now_ns);
  // One command packet of `length` payload bytes at c_pos_. Returns false to stop parsing (more
  // bytes needed, or the session closed).
  bool OnCommand(const ByteWindow& in, uint32_t length, int64_t now_ns);
  bool OnQuery(const ByteWindow& in, uint8_t cmd, uint32_t length, int64_t now_ns);
  bool OnChangeUser(const ByteWindow& in, uint32_t length, int64_t now_ns);
  // Shadow routing: the query at c_pos_ goes to the router (true), or was refused.
  bool RouteQuery(const ByteWindow& in, uint8_t cmd, uint32_t length, bool qattr, int64_t now_ns);
  // COM_STMT_EXECUTE in a shadow session of a statement not prepared through the router: ERR.
  bool RefuseUnroutedExecute(const ByteWindow& in, uint32_t length, int64_t now_ns);
  void AskRouter();  // the head is kRoute
  std::string_view RoutedText(uint8_t cmd, bool qattr) const;
  void ApplyRouted(const plugins::Routed& routed, int64_t now_ns);
  // Copies the first `want` payload bytes of the packet at c_pos_ into scratch_; false if they
  // have not all arrived.
  bool Have(const ByteWindow& in, size_t want);
  void ConsumeClient(RelayAction::Kind kind, size_t n);
  void RelayPacket(uint32_t length);
  void AnswerLocally(uint8_t command, std::string err_payload, int64_t now_ns);

  // Backend side.
  void ParseBackend(const ByteWindow& in, int64_t now_ns);
  void ConsumeBackend(RelayAction::Kind kind, size_t n);
  void OnProbePacket(std::string payload, int64_t now_ns);
  void RunHeadStatement();  // kRunStatement with the head's text
  void AnswerBackendAuthSwitch(uint8_t seq, const std::string& payload);
  void CutShort(const ByteWindow& in, const std::string& why);

  // Followed DDL (plugins/ddl_follower.h): what the follower reads in the packet in scratch(),
  // and the backend's answer to it.
  std::shared_ptr<const plugins::FollowedQuery> FollowRead(uint8_t cmd, uint32_t length,
                                                           bool qattr);
  std::shared_ptr<const plugins::FollowedQuery> FollowPrepared(uint8_t cmd);
  void FollowAnswered(const Pending& done);

  // The pending queue.
  void Push(uint8_t command, Kind kind, bool track, int64_t now_ns);
  void CompleteHead(int64_t now_ns);
  void PopHead();
  void Advance(int64_t now_ns);
  Pending& Head() { return pending_[head_]; }
  const Pending& Head() const { return pending_[head_]; }

  void Emit(RelayAction::Kind kind, Side side, size_t n);
  void Send(Side to, std::string bytes);
  void CommandDone(uint8_t command, int64_t duration_ns);
  void Close(std::string why, bool warn, bool flush);

  RelaySession s_;
  bool started_ = false;
  bool closed_ = false;
  bool draining_ = false;
  bool held_ = false;  // a locally answered command blocks further client commands

  ClientMode cmode_ = ClientMode::kCommand;
  ClientMode after_cont_ = ClientMode::kCommand;
  size_t c_stream_ = 0;  // bytes of the current client packet still to forward
  size_t c_pos_ = 0;     // bytes of the client window decided during this call

  size_t b_stream_ = 0;          // bytes of the current backend packet still to forward
  size_t b_pos_ = 0;             // bytes of the backend window decided during this call
  bool probing_ = false;         // the head SHADOW SYNC statement waits for SELECT DATABASE()
  bool complete_after_ = false;  // ... and the head command is answered once they are
  // The session's status as the last response left it (IN_TRANS, AUTOCOMMIT,
  // NO_BACKSLASH_ESCAPES, ...): the proxy's own answers carry it too.
  uint16_t status_flags_ = 2;

  std::vector<Pending> pending_;
  size_t head_ = 0;
  protocol::ResponseTracker tracker_;
  std::unique_ptr<Tracked> tracked_;
  struct Local {         // while a command is answered by the proxy (idle sessions keep a null)
    std::string text;    // the SHADOW SYNC statement, the ERR payload, the statement to route
    std::string prefix;  // kRoute: the payload bytes before the text (command, query attributes)
    std::vector<std::string> probe;  // the SELECT DATABASE() answer so far
  };
  std::unique_ptr<Local> local_;
  struct FollowedPrepared {  // a prepared statement that holds DDL the follower read
    uint32_t id = 0;
    std::shared_ptr<const plugins::FollowedQuery> query = {};
  };
  std::vector<FollowedPrepared> followed_prepared_;
  bool shadow_ = false;                    // a shadow session now
  std::vector<uint32_t> shadow_prepared_;  // statement ids the router rewrote at prepare time
  std::string& scratch() { return *scratch_; }
  const std::string& scratch_ref() const { return *scratch_; }
  std::string* scratch_;
  Actions* out_ = nullptr;  // of the current call
};

// For unit tests: the USE statement recogniser of the relay.
bool ParseUseForTest(std::string_view text, std::string* db);

}  // namespace shadowproxy::proxy
