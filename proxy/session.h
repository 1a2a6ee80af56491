// One client session and its backend link, owned by one event loop for life (DESIGN.md §2).
// Handshake: AuthMachine (auth.h) fed whole packets. Command phase: bytes move between the two
// sockets in evbuffers; only packet headers and the first bytes of commands / response packets
// are looked at, to find SHADOW SYNC queries and to know when a response is complete.
#pragma once

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/event_struct.h>

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "base/config.h"
#include "plugins/plugin.h"
#include "protocol/command.h"
#include "protocol/response_tracker.h"

namespace shadowproxy::proxy {

class LoopContext;
struct Handshake;

class Session {
 public:
  // Takes ownership of `fd` (connected, non-blocking) and starts the handshake.
  static Session* Start(LoopContext* ctx, int fd, std::string peer_host);

  // SIGTERM: close now if idle, else once the in-flight statement finished.
  void Drain();
  // Shutdown: close now, whatever state.
  void Abort();

  Session* prev_ = nullptr;  // LoopContext's intrusive list
  Session* next_ = nullptr;

 private:
  enum class ClientMode : uint8_t { kCommand, kData, kContinuation };
  enum class Kind : uint8_t { kRelay, kShadow, kLocalErr };
  static constexpr uint8_t kTrackValue = 1;      // changes database / user (tracked_) on success
  static constexpr uint8_t kTrackProxyAuth = 2;  // COM_CHANGE_USER authenticated by the proxy
  struct Pending {
    uint8_t command;
    Kind kind;
    uint8_t track;  // kTrack* bits
    int64_t start_ns;
  };

  Session(LoopContext* ctx, int fd, std::string peer_host);
  ~Session();

  static void OnClientRead(evutil_socket_t, short, void* arg);
  static void OnClientWrite(evutil_socket_t, short, void* arg);
  static void OnBackendRead(evutil_socket_t, short, void* arg);
  static void OnBackendWrite(evutil_socket_t, short, void* arg);
  static void OnHandshakeTimeout(evutil_socket_t, short, void* arg);

  // Handshake phase (session_auth.cc).
  void BeginHandshake();
  void Dial(const ClusterConfig* cluster);
  void OnDialed(int fd, size_t server, const std::string& error);
  void HandshakeClientInput();
  void HandshakeBackendInput();
  void PumpAuth();
  void FlushHandshakeBackend();
  void FinishHandshake();

  // Command phase (session.cc).
  void ParseClient();
  void ParseBackend();
  bool OnClientCommand(const uint8_t* payload, size_t have, uint32_t length, size_t* need);
  void OnResponsePacket(const uint8_t* payload, size_t have, uint32_t length);
  void PopHead();
  void CompleteHead();
  void AnswerBackendAuthSwitch(uint8_t seq, uint32_t length);
  void ReplaceCurrentPacket(uint32_t length, std::string_view replacement);
  // Takes the backend packet at b_ready_ (`length` payload bytes, all buffered) out of the
  // stream to the client; returns its payload.
  std::string CutBackendPacket(uint32_t length);
  // Queues whole packets for the backend after what is already due to it.
  void InsertForBackend(std::string_view packets);
  void AnswerLocally(uint8_t command, std::string err_payload);
  bool ChangeUser(protocol::ChangeUser cu, uint32_t length);
  void RunLocalHead();
  void RunPlugin();
  void StartDatabaseProbe();
  void OnProbePacket(uint32_t length);
  void OnPluginAnswer(plugins::Answer answer);
  void BackendLost(const std::string& why);

  // I/O helpers.
  // Reads once from fd into buf; returns bytes read, 0 on EOF, -1 on would-block, -2 on error.
  ssize_t ReadInto(evbuffer* buf, int fd);
  void FlushToBackend();
  void FlushToClient();
  void UpdateClientReadInterest();
  void UpdateBackendReadInterest();
  size_t PendingCount() const { return pending_.size() - pending_head_; }
  Pending& Head() { return pending_[pending_head_]; }
  void Push(uint8_t command, Kind kind, bool track);
  void SetEvent(event* ev, bool* on, bool want);
  void CloseBackend();
  void Close(const std::string& why, bool warn);
  std::string BackendName() const;

  LoopContext* ctx_;
  int cfd_;
  int bfd_ = -1;
  event cr_, cw_, br_, bw_;
  evbuffer* c2b_ = nullptr;  // client input; its front c_ready_ bytes go to the backend
  evbuffer* b2c_ = nullptr;  // backend input; its front b_ready_ bytes go to the client
  size_t c_ready_ = 0;
  size_t c_stream_ = 0;  // bytes of the current client packet still to pass through
  size_t c_stream_override_ = 0;
  size_t b_ready_ = 0;
  size_t b_stream_ = 0;
  ClientMode cmode_ = ClientMode::kCommand;
  ClientMode cmode_after_cont_ = ClientMode::kCommand;
  bool infile_ = false;  // client is sending LOAD DATA LOCAL INFILE content
  bool b_cont_ = false;  // next backend packet continues a 16 MiB one
  bool held_ = false;    // a local (SHADOW SYNC) command blocks further parsing
  bool plugin_running_ = false;
  bool closed_ = false;
  bool draining_ = false;
  bool complete_after_stream_ = false;
  bool head_started_ = false;  // a response packet for the head command was forwarded
  bool head_ok_ = false;       // its first packet was an OK
  bool close_after_flush_ = false;
  const char* close_reason_ = "";
  bool backend_events_ = false;  // br_/bw_ are assigned
  bool cr_on_ = false, br_on_ = false, cw_on_ = false, bw_on_ = false;
  uint8_t last_b_seq_ = 0;
  uint16_t status_flags_ = 2;  // SERVER_STATUS_AUTOCOMMIT until a response says otherwise
  std::vector<Pending> pending_;
  size_t pending_head_ = 0;
  protocol::ResponseTracker tracker_;

  ConfigPtr config_;
  const ClusterConfig* cluster_ = nullptr;
  size_t server_ = 0;
  const UserConfig* user_cfg_ = nullptr;
  uint32_t client_caps_ = 0;
  uint32_t ext_caps_ = 0;  // negotiated MariaDB extended capabilities
  uint32_t connection_id_ = 0;
  std::array<char, 20> scramble_{};          // the one the client was greeted with
  std::array<char, 20> backend_scramble_{};  // the backend link's (differs after a re-dial)
  std::string user_;
  std::string database_;
  std::string peer_host_;
  struct Tracked {  // what a pending USE / INIT_DB / CHANGE_USER changes when it succeeds
    std::string user;
    std::string database;
  };
  std::unique_ptr<Tracked> tracked_;
  std::unique_ptr<std::string> local_query_;  // the held SHADOW SYNC statement
  // While the proxy asks the backend for the session's current database (SELECT DATABASE())
  // before answering a SHADOW SYNC statement: the response packets so far.
  std::unique_ptr<std::vector<std::string>> probe_;
  std::unique_ptr<Handshake> hs_;
};

}  // namespace shadowproxy::proxy
