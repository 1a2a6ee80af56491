// The connection-phase state machine of a client session (SPEC.md §3 "Authentication"), fed
// packets, never sockets: the session passes in what the client and the backend send, and writes
// out what TakeOutput() returns. Two paths: pass-through (the backend authenticates; packets relay
// unchanged) and configured users (the proxy verifies mysql_native_password or
// caching_sha2_password itself, then logs in to the backend with the user's backend credentials).
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "base/config.h"
#include "base/status.h"
#include "protocol/handshake.h"

namespace shadowproxy::proxy {

struct AuthPacket {
  bool to_client = false;  // else to the backend
  std::string bytes;       // header + payload
  // No bytes: the connection to that side switches to TLS here (after the packets before it;
  // those after it travel over TLS). Towards the client: call OnClientTlsEstablished() once the
  // handshake is done.
  bool start_tls = false;
};

// The one verification of a configured user's mysql_native_password answer to `scramble`, for
// the connect path and COM_CHANGE_USER alike. Error 1045 when it does not match.
Status VerifyConfiguredUser(const UserConfig& user, std::string_view scramble,
                            std::string_view response);
// "Access denied for user 'u'@'host' (using password: YES)", the server's wording.
std::string AccessDeniedMessage(std::string_view user, std::string_view host, bool using_password);
// The proxy's answer to a backend AuthSwitchRequest while it logs `user` in with its backend
// credentials (connect or COM_CHANGE_USER); error for plugins other than mysql_native_password.
Result<std::string> AnswerBackendSwitch(const UserConfig& user, std::span<const uint8_t> payload);

// The plugin a configured user's client is asked to authenticate with (users[].auth_plugin, else
// the client's choice when the user's credential can verify it; docs/auth-caching-sha2.md).
// `full_auth_possible`: a caching_sha2_password full authentication can happen on this
// connection (it is TLS, or the proxy has an RSA key pair).
std::string_view ChooseClientPlugin(const UserConfig& user, std::string_view client_plugin,
                                    bool full_auth_possible);

// caching_sha2_password's cache of successful full authentications, process-wide like the
// server's: (user, configured credential) → SHA256(SHA256(password)), against which fast
// authentications are verified. The key includes a digest of the configured credential, so a
// reloaded config with another password never matches an old entry. Thread-safe (sessions run
// on several event-loop threads).
class Sha2AuthCache {
 public:
  static Sha2AuthCache& Global();
  static std::string KeyFor(const UserConfig& user);
  std::optional<std::string> Find(const std::string& key) const;
  void Add(const std::string& key, std::string stage2);
  void Clear();  // tests

 private:
  static constexpr size_t kMaxEntries = 100000;  // then start over (no eviction policy needed)
  mutable std::mutex mu_;
  std::unordered_map<std::string, std::string> entries_;
};

class AuthMachine {
 public:
  enum class State {
    kWaitBackendGreeting,  // the session dials a backend and calls OnBackendGreeting
    kWaitClientResponse,   // the client was greeted; waiting for its HandshakeResponse
    kWaitClientTls,        // the client sent an SSLRequest; the session runs the TLS handshake
    kWaitClientSwitch,     // we sent an AuthSwitchRequest or AuthMoreData (caching_sha2_password)
                           // and wait for the client's answer
    kPassthrough,          // relaying auth packets both ways until the backend's OK / ERR
    kNeedOtherCluster,     // configured user of another cluster: re-dial cluster(), then
                           // OnBackendGreeting again
    kWaitBackendLogin,     // logged in to the backend with the backend credentials
    kDone,                 // authenticated; the last output packet is the OK to the client
    kFailed,               // the last output packet (if any) is the ERR to the client
  };

  // `link_cluster` is the cluster of the backend whose greeting comes first.
  AuthMachine(ConfigPtr config, std::string client_host, std::string link_cluster);

  void OnBackendGreeting(std::span<const uint8_t> payload);
  void OnClientPacket(uint8_t seq, std::span<const uint8_t> payload);
  void OnBackendPacket(uint8_t seq, std::span<const uint8_t> payload);
  // The backend could not be reached / died during the handshake.
  void OnBackendUnavailable(const std::string& why);
  // The client's TLS handshake (asked for by a start_tls output) succeeded.
  void OnClientTlsEstablished();

  std::vector<AuthPacket> TakeOutput() { return std::move(out_); }
  State state() const { return state_; }

  // Results, meaningful once kDone (user_name also after a failure, for logs).
  const std::string& user_name() const { return response_.username; }
  const UserConfig* user_config() const { return user_; }  // null for unlisted users
  const std::string& cluster() const { return cluster_; }
  const std::string& database() const { return response_.database; }
  const std::string& connect_attrs() const { return response_.connect_attrs; }
  uint32_t client_capabilities() const { return response_.capabilities; }
  uint8_t charset() const { return response_.charset; }
  uint32_t mariadb_ext_capabilities() const { return response_.mariadb_ext_capabilities; }
  uint32_t connection_id() const { return greeting_.connection_id; }
  const std::string& server_version() const { return greeting_.server_version; }
  uint16_t server_status() const { return greeting_.status_flags; }
  const std::string& scramble() const { return greeting_.auth_plugin_data; }
  const std::string& backend_scramble() const { return backend_scramble_; }
  // True when the failure is wrong credentials (metrics result=auth_failed).
  bool auth_failed() const { return auth_failed_; }
  // The client switched to TLS; the backend link did.
  bool client_tls() const { return client_tls_; }
  bool backend_tls() const { return backend_tls_; }
  const std::string& failure() const { return failure_; }

  // Capabilities the proxy offers the client (the backend's minus what it cannot relay).
  static uint32_t TrimCapabilities(uint32_t backend_caps);

 private:
  void SendClient(uint8_t seq, std::string_view payload);
  void SendBackend(uint8_t seq, std::string_view payload);
  void FailWith(uint16_t code, std::string_view sqlstate, const std::string& message,
                const std::string& log_reason);
  void AccessDenied(bool using_password);
  void VerifyConfigured(std::string_view response);
  void Authenticated();  // the configured user is verified: on to the backend login
  void LoginToBackend();
  // Before the login packet goes to the backend: TLS to it as its cluster's tls.mode says.
  // Returns the sequence id of the login packet (1, or 2 after an SSLRequest); 0 if it failed.
  uint8_t StartBackendLogin(const protocol::HandshakeResponse& login);
  // caching_sha2_password (configured users).
  enum class Sha2Step : uint8_t {
    kNone,         // not in a caching_sha2_password exchange
    kScramble,     // we switched the client to it: its scramble comes next
    kFullAuth,     // we sent 0x04: clear password (TLS), public key request 0x02 or RSA
    kRsaPassword,  // we sent the public key: the RSA-encrypted password comes next
  };
  void Sha2Scramble(std::string_view response);
  void Sha2FullAuthPacket(std::string_view payload);
  void Sha2VerifyClear(std::string_view password);
  void Sha2NeedsTls();
  bool Sha2FullAuthPossible() const;

  ConfigPtr config_;
  std::string client_host_;
  std::string link_cluster_;
  State state_ = State::kWaitBackendGreeting;
  protocol::Greeting greeting_;  // what the client was greeted with (backend's scramble)
  protocol::HandshakeResponse response_;
  const UserConfig* user_ = nullptr;
  std::string cluster_;
  std::string backend_scramble_;  // scramble of the backend link we log in to
  std::string backend_cluster_;   // cluster of that link
  uint32_t backend_caps_ = 0;     // what its greeting offered
  uint8_t client_seq_ = 0;        // seq of the last packet from the client
  uint8_t client_next_seq_ = 0;   // seq of our next packet to the client (after client_seq_)
  Sha2Step sha2_step_ = Sha2Step::kNone;
  bool client_greeted_ = false;
  bool passthrough_redial_ = false;  // pass-through user of another cluster than the link's
  std::string redial_plugin_;
  uint8_t seq_shift_ = 0;  // pass-through after a re-dial: client seq = backend seq + shift
  bool auth_failed_ = false;
  bool client_tls_ = false;
  bool backend_tls_ = false;
  std::string failure_;
  std::vector<AuthPacket> out_;
};

}  // namespace shadowproxy::proxy
