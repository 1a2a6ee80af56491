#include "proxy/auth.h"

#include <cstring>

#include "protocol/auth.h"
#include "protocol/capabilities.h"
#include "protocol/packet.h"
#include "protocol/packets.h"

namespace shadowproxy::proxy {

namespace p = protocol;

Status VerifyConfiguredUser(const UserConfig& user, std::string_view scramble,
                            std::string_view response) {
  std::string stage2;
  if (p::LooksLikeSha2PasswordHash(user.password_hash)) {
    return Status(1045, "user '" + user.name + "' has a caching_sha2_password hash");
  }
  if (!user.password_hash.empty()) {
    auto h = p::ParsePasswordHash(user.password_hash);  // the config loader checked its form
    if (!h.ok()) return Status(1045, "bad password_hash for user '" + user.name + "'");
    stage2 = std::move(h.value());
  } else {
    stage2 = p::Stage2FromPassword(user.password);
  }
  if (!p::VerifyNativeScramble(response, scramble, stage2))
    return Status(1045, "wrong password for user '" + user.name + "'");
  return Status::Ok();
}

std::string AccessDeniedMessage(std::string_view user, std::string_view host, bool using_password) {
  return "Access denied for user '" + std::string(user) + "'@'" + std::string(host) +
         "' (using password: " + (using_password ? "YES" : "NO") + ")";
}

Result<std::string> AnswerBackendSwitch(const UserConfig& user, std::span<const uint8_t> payload) {
  auto sw = p::DecodeAuthSwitchRequest(payload);
  if (!sw.ok()) return Status(1045, "unreadable AuthSwitchRequest: " + sw.status().message());
  if (sw->plugin != p::kNativePasswordPlugin)
    return Status(1045, "backend auth plugin not supported: " + sw->plugin);
  return p::NativeScramble(user.backend_password, sw->data.substr(0, p::kScrambleLength));
}

std::string_view ChooseClientPlugin(const UserConfig& user, std::string_view client_plugin,
                                    bool full_auth_possible) {
  if (!user.auth_plugin.empty()) return user.auth_plugin;  // the loader checked it fits
  if (p::LooksLikeSha2PasswordHash(user.password_hash)) return p::kCachingSha2Plugin;
  if (!user.password_hash.empty()) return p::kNativePasswordPlugin;  // "*<40 hex>"
  // A clear password verifies both; caching_sha2_password only where its full authentication
  // can happen, else the client would be refused where native would work.
  if (client_plugin == p::kCachingSha2Plugin && full_auth_possible) return p::kCachingSha2Plugin;
  return p::kNativePasswordPlugin;
}

Sha2AuthCache& Sha2AuthCache::Global() {
  static Sha2AuthCache cache;
  return cache;
}

std::string Sha2AuthCache::KeyFor(const UserConfig& user) {
  std::string credential = user.password;
  credential.push_back('\0');
  credential += user.password_hash;
  return user.name + '\0' + p::Sha256(credential);
}

std::optional<std::string> Sha2AuthCache::Find(const std::string& key) const {
  std::lock_guard lock(mu_);
  auto it = entries_.find(key);
  if (it == entries_.end()) return std::nullopt;
  return it->second;
}

void Sha2AuthCache::Add(const std::string& key, std::string stage2) {
  std::lock_guard lock(mu_);
  if (entries_.size() >= kMaxEntries) entries_.clear();
  entries_[key] = std::move(stage2);
}

void Sha2AuthCache::Clear() {
  std::lock_guard lock(mu_);
  entries_.clear();
}

AuthMachine::AuthMachine(ConfigPtr config, std::string client_host, std::string link_cluster)
    : config_(std::move(config)),
      client_host_(std::move(client_host)),
      link_cluster_(std::move(link_cluster)) {}

uint32_t AuthMachine::TrimCapabilities(uint32_t backend_caps) {
  // No compression; nothing MySQL 8 adds that changes framing. TLS is the proxy's own
  // (listen.tls), offered by the caller.
  return backend_caps & ~(p::CLIENT_SSL | p::CLIENT_COMPRESS |
                          p::CLIENT_ZSTD_COMPRESSION_ALGORITHM | p::CLIENT_SSL_VERIFY_SERVER_CERT);
}

void AuthMachine::SendClient(uint8_t seq, std::string_view payload) {
  out_.push_back({true, p::FramePacket(seq, payload)});
  client_next_seq_ = static_cast<uint8_t>(seq + 1);
}

void AuthMachine::SendBackend(uint8_t seq, std::string_view payload) {
  out_.push_back({false, p::FramePacket(seq, payload)});
}

void AuthMachine::FailWith(uint16_t code, std::string_view sqlstate, const std::string& message,
                           const std::string& log_reason) {
  // Before the greeting the ERR replaces it (seq 0); afterwards it follows the client's last
  // packet and whatever we sent since (AuthMoreData).
  uint8_t seq = client_greeted_ ? client_next_seq_ : 0;
  SendClient(seq, p::EncodeErr(code, sqlstate, message));
  failure_ = log_reason;
  state_ = State::kFailed;
}

void AuthMachine::AccessDenied(bool using_password) {
  auth_failed_ = true;
  FailWith(1045, "28000", AccessDeniedMessage(response_.username, client_host_, using_password),
           "access denied for user '" + response_.username + "'");
}

void AuthMachine::OnBackendUnavailable(const std::string& why) {
  if (state_ == State::kDone || state_ == State::kFailed) return;
  FailWith(7030, "HY000", "Backend unavailable: " + why, "backend unavailable: " + why);
}

void AuthMachine::OnClientTlsEstablished() {
  if (state_ == State::kWaitClientTls) state_ = State::kWaitClientResponse;
}

namespace {
void SetCapability(uint32_t* caps, uint32_t flag, bool on) {
  *caps = on ? *caps | flag : *caps & ~flag;
}
}  // namespace

uint8_t AuthMachine::StartBackendLogin(const p::HandshakeResponse& login) {
  const ClusterConfig* c = config_->FindCluster(backend_cluster_);
  BackendTlsMode mode = c ? c->tls.mode : BackendTlsMode::kDisabled;
  bool offered = (backend_caps_ & p::CLIENT_SSL) != 0;
  backend_tls_ = false;
  if (mode == BackendTlsMode::kDisabled || (mode == BackendTlsMode::kPreferred && !offered))
    return 1;
  if (!offered) {
    FailWith(7030, "HY000",
             "Backend unavailable: the servers of cluster '" + backend_cluster_ +
                 "' do not offer TLS, which clusters[].tls.mode requires",
             "backend of cluster '" + backend_cluster_ + "' does not offer TLS");
    return 0;
  }
  SendBackend(1, p::EncodeSslRequest(login));
  out_.push_back({false, "", true});
  backend_tls_ = true;
  return 2;
}

void AuthMachine::OnBackendGreeting(std::span<const uint8_t> payload) {
  if (state_ != State::kWaitBackendGreeting && state_ != State::kNeedOtherCluster) return;
  if (!payload.empty() && payload[0] == p::kErrHeader) {  // e.g. "Too many connections"
    auto err = p::DecodeErr(payload);
    FailWith(7030, "HY000",
             "Backend unavailable: " + (err.ok() ? err->message : std::string("error")),
             "backend refused the connection");
    return;
  }
  auto g = p::DecodeGreeting(payload);
  if (!g.ok()) {
    FailWith(7030, "HY000", "Backend unavailable: unreadable greeting",
             "unreadable backend greeting: " + g.status().message());
    return;
  }
  backend_caps_ = g->capabilities;
  if (state_ == State::kNeedOtherCluster) {
    backend_cluster_ = cluster_;
    backend_scramble_ = g->auth_plugin_data;
    if (passthrough_redial_) {
      redial_plugin_ =
          g->auth_plugin_name.empty() ? std::string(p::kNativePasswordPlugin) : g->auth_plugin_name;
      SendClient(static_cast<uint8_t>(client_seq_ + 1),
                 p::EncodeAuthSwitchRequest({redial_plugin_, backend_scramble_ + '\0'}));
      state_ = State::kWaitClientSwitch;
      return;
    }
    LoginToBackend();
    return;
  }
  backend_cluster_ = link_cluster_;
  greeting_ = std::move(g.value());
  greeting_.capabilities =
      TrimCapabilities(greeting_.capabilities) | (config_->listen.tls.enabled ? p::CLIENT_SSL : 0);
  backend_scramble_ = greeting_.auth_plugin_data;
  SendClient(0, p::EncodeGreeting(greeting_));
  client_greeted_ = true;
  state_ = State::kWaitClientResponse;
}

void AuthMachine::OnClientPacket(uint8_t seq, std::span<const uint8_t> payload) {
  switch (state_) {
    case State::kWaitClientResponse: {
      client_seq_ = seq;
      client_next_seq_ = static_cast<uint8_t>(seq + 1);
      if (seq != (client_tls_ ? 2 : 1)) {
        FailWith(1043, "08S01", "Bad handshake",
                 "bad handshake: sequence id " + std::to_string(seq));
        return;
      }
      if (p::IsSslRequest(payload)) {
        if (client_tls_ || !config_->listen.tls.enabled) {
          FailWith(1043, "08S01", "Bad handshake",
                   client_tls_ ? "a second SSLRequest" : "SSLRequest, but TLS was not offered");
          return;
        }
        client_tls_ = true;
        state_ = State::kWaitClientTls;
        out_.push_back({true, "", true});
        return;
      }
      if (config_->listen.tls.require && !client_tls_) {
        FailWith(3159, "HY000",
                 "Connections using insecure transport are prohibited while "
                 "--require_secure_transport=ON.",
                 "client did not switch to TLS (listen.tls.require)");
        return;
      }
      auto r = p::DecodeHandshakeResponse(payload);
      if (!r.ok()) {
        FailWith(1043, "08S01", "Bad handshake", "bad handshake: " + r.status().message());
        return;
      }
      response_ = std::move(r.value());
      user_ = config_->FindUser(response_.username);
      if (user_ && user_->has_password) {
        cluster_ = user_->cluster;
        std::string_view answered = (!(response_.capabilities & p::CLIENT_PLUGIN_AUTH) ||
                                     response_.auth_plugin_name.empty())
                                        ? p::kNativePasswordPlugin
                                        : std::string_view(response_.auth_plugin_name);
        std::string_view plugin = ChooseClientPlugin(*user_, answered, Sha2FullAuthPossible());
        if (plugin != answered) {
          // E.g. MySQL 8 clients answering with caching_sha2_password for a user the proxy
          // verifies with native (or the reverse): switch them, with the same scramble.
          std::string data = greeting_.auth_plugin_data;
          data.push_back('\0');
          SendClient(static_cast<uint8_t>(seq + 1),
                     p::EncodeAuthSwitchRequest({std::string(plugin), data}));
          sha2_step_ = plugin == p::kCachingSha2Plugin ? Sha2Step::kScramble : Sha2Step::kNone;
          state_ = State::kWaitClientSwitch;
          return;
        }
        if (plugin == p::kCachingSha2Plugin) {
          Sha2Scramble(response_.auth_response);
        } else {
          VerifyConfigured(response_.auth_response);
        }
        return;
      }
      if (!config_->listen.passthrough_auth) {
        AccessDenied(!response_.auth_response.empty());
        return;
      }
      cluster_ = user_ ? user_->cluster
                       : (config_->clusters.empty() ? "" : config_->clusters.front().name);
      if (cluster_ != link_cluster_) {
        // The client answered the first cluster's scramble: re-dial the user's cluster, then
        // hand the client that server's scramble with an AuthSwitchRequest.
        passthrough_redial_ = true;
        state_ = State::kNeedOtherCluster;
        return;
      }
      uint8_t bseq = StartBackendLogin(response_);
      if (bseq == 0) return;
      // Relayed as the client wrote it, but for CLIENT_SSL, which describes our link.
      std::string login(reinterpret_cast<const char*>(payload.data()), payload.size());
      login[1] = static_cast<char>(backend_tls_ ? login[1] | (p::CLIENT_SSL >> 8)
                                                : login[1] & ~(p::CLIENT_SSL >> 8));
      SendBackend(bseq, login);
      seq_shift_ = static_cast<uint8_t>(seq - bseq);
      state_ = State::kPassthrough;
      return;
    }
    case State::kWaitClientSwitch: {
      client_seq_ = seq;
      client_next_seq_ = static_cast<uint8_t>(seq + 1);
      std::string_view data(reinterpret_cast<const char*>(payload.data()), payload.size());
      if (sha2_step_ == Sha2Step::kScramble) {
        Sha2Scramble(data);
        return;
      }
      if (sha2_step_ != Sha2Step::kNone) {
        Sha2FullAuthPacket(data);
        return;
      }
      if (passthrough_redial_) {
        p::HandshakeResponse r = response_;
        r.auth_response.assign(reinterpret_cast<const char*>(payload.data()), payload.size());
        r.auth_plugin_name = redial_plugin_;
        r.capabilities |= p::CLIENT_PLUGIN_AUTH;
        uint8_t bseq = StartBackendLogin(r);
        if (bseq == 0) return;
        SetCapability(&r.capabilities, p::CLIENT_SSL, backend_tls_);
        SendBackend(bseq, p::EncodeHandshakeResponse(r));
        seq_shift_ = static_cast<uint8_t>(seq - bseq);  // client numbering = backend's + shift
        state_ = State::kPassthrough;
        return;
      }
      VerifyConfigured(data);
      return;
    }
    case State::kPassthrough:
      client_seq_ = seq;
      SendBackend(static_cast<uint8_t>(seq - seq_shift_),
                  std::string_view(reinterpret_cast<const char*>(payload.data()), payload.size()));
      return;
    default:
      // Nothing is expected from the client now: a protocol violation.
      client_seq_ = seq;
      FailWith(1043, "08S01", "Bad handshake", "unexpected client packet during authentication");
      return;
  }
}

void AuthMachine::VerifyConfigured(std::string_view response) {
  if (!VerifyConfiguredUser(*user_, greeting_.auth_plugin_data, response).ok()) {
    AccessDenied(!response.empty());
    return;
  }
  Authenticated();
}

bool AuthMachine::Sha2FullAuthPossible() const {
  return client_tls_ || config_->listen.rsa_key != nullptr;
}

void AuthMachine::Sha2Scramble(std::string_view response) {
  bool after_switch = sha2_step_ == Sha2Step::kScramble;
  sha2_step_ = Sha2Step::kNone;
  // An account without password: only the empty answer, and no fast-auth byte (as the server).
  bool no_password = user_->password_hash.empty() && user_->password.empty();
  bool empty = response.empty() || response == std::string_view("\0", 1);
  if (no_password || empty) {
    if (no_password && empty) {
      Authenticated();
    } else {
      AccessDenied(!empty);
    }
    return;
  }
  std::string_view nonce =
      std::string_view(greeting_.auth_plugin_data).substr(0, p::kScrambleLength);
  auto stage2 = Sha2AuthCache::Global().Find(Sha2AuthCache::KeyFor(*user_));
  if (stage2) {
    bool ok = p::VerifyCachingSha2Scramble(response, nonce, *stage2);
    // PyMySQL 1.0 hashes the NUL that ends the AuthSwitchRequest data into its answer.
    if (!ok && after_switch) {
      ok = p::VerifyCachingSha2Scramble(response, std::string(nonce) + '\0', *stage2);
    }
    if (ok) {
      SendClient(client_next_seq_, p::EncodeAuthMoreData(std::string(1, p::kSha2FastAuthOk)));
      Authenticated();
      return;
    }
  }
  // Not cached, or the scramble does not match (e.g. another password than the cached one): the
  // full authentication decides, as in the server.
  SendClient(client_next_seq_, p::EncodeAuthMoreData(std::string(1, p::kSha2PerformFullAuth)));
  sha2_step_ = Sha2Step::kFullAuth;
  state_ = State::kWaitClientSwitch;
}

void AuthMachine::Sha2FullAuthPacket(std::string_view payload) {
  if (client_tls_ && sha2_step_ == Sha2Step::kFullAuth) {
    // The clear password, NUL-terminated.
    if (!payload.empty() && payload.back() == '\0') payload.remove_suffix(1);
    Sha2VerifyClear(payload);
    return;
  }
  const auto& key = config_->listen.rsa_key;
  if (!key) {
    Sha2NeedsTls();
    return;
  }
  if (sha2_step_ == Sha2Step::kFullAuth && payload.size() == 1 &&
      payload[0] == p::kSha2RequestPublicKey) {
    SendClient(client_next_seq_, p::EncodeAuthMoreData(key->public_pem()));
    sha2_step_ = Sha2Step::kRsaPassword;
    return;
  }
  // The RSA-encrypted password (after our public key, or with a key the client already had).
  auto password =
      p::DecryptSha2Password(*key, payload, std::string_view(greeting_.auth_plugin_data));
  if (!password.ok()) {
    AccessDenied(true);
    failure_ += ": " + password.status().message();
    return;
  }
  Sha2VerifyClear(*password);
}

void AuthMachine::Sha2VerifyClear(std::string_view password) {
  sha2_step_ = Sha2Step::kNone;
  bool ok = false;
  if (p::LooksLikeSha2PasswordHash(user_->password_hash)) {
    auto hash = p::ParseSha2PasswordHash(user_->password_hash);  // the loader checked its form
    ok = hash.ok() && p::VerifySha2PasswordHash(*hash, password);
  } else if (user_->password_hash.empty()) {
    // Digests, so the comparison takes the same time whatever the lengths.
    ok = p::SecretsEqual(p::Sha256(password), p::Sha256(user_->password));
  }
  if (!ok) {
    AccessDenied(!password.empty());
    return;
  }
  Sha2AuthCache::Global().Add(Sha2AuthCache::KeyFor(*user_), p::Sha2Stage2FromPassword(password));
  Authenticated();
}

void AuthMachine::Sha2NeedsTls() {
  auth_failed_ = true;
  FailWith(1045, "28000",
           AccessDeniedMessage(response_.username, client_host_, true) +
               ": caching_sha2_password needs a full authentication, which requires a TLS "
               "connection (this proxy has no RSA key pair configured)",
           "caching_sha2_password full authentication of '" + response_.username +
               "' without TLS and without RSA keys");
}

void AuthMachine::Authenticated() {
  if (cluster_ != link_cluster_) {
    state_ = State::kNeedOtherCluster;
    return;
  }
  LoginToBackend();
}

void AuthMachine::LoginToBackend() {
  p::HandshakeResponse r = response_;
  r.username = user_->backend_user.empty() ? user_->name : user_->backend_user;
  r.auth_response = p::NativeScramble(user_->backend_password, backend_scramble_);
  r.auth_plugin_name = std::string(p::kNativePasswordPlugin);
  r.capabilities |= p::CLIENT_PLUGIN_AUTH | p::CLIENT_SECURE_CONNECTION;
  r.capabilities &= backend_caps_ | p::CLIENT_PLUGIN_AUTH | p::CLIENT_SECURE_CONNECTION;
  uint8_t bseq = StartBackendLogin(r);
  if (bseq == 0) return;
  SetCapability(&r.capabilities, p::CLIENT_SSL, backend_tls_);
  SendBackend(bseq, p::EncodeHandshakeResponse(r));
  state_ = State::kWaitBackendLogin;
}

void AuthMachine::OnBackendPacket(uint8_t seq, std::span<const uint8_t> payload) {
  if (payload.empty()) {
    // (7030, not 2013: a client-side code in an ERR from the server reads as malformed.)
    FailWith(7030, "HY000", "Backend unavailable: lost connection during authentication",
             "empty backend packet during authentication");
    return;
  }
  uint8_t first = payload[0];
  if (state_ == State::kPassthrough) {
    out_.push_back({true, p::FramePacket(static_cast<uint8_t>(seq + seq_shift_), payload)});
    if (first == p::kOkHeader) {
      state_ = State::kDone;
    } else if (first == p::kErrHeader) {
      auto err = p::DecodeErr(payload);
      auth_failed_ = err.ok() && err->code == 1045;
      failure_ = "backend refused user '" + response_.username +
                 "': " + (err.ok() ? err->message : std::string("ERR"));
      state_ = State::kFailed;
    }
    return;
  }
  if (state_ != State::kWaitBackendLogin) {
    FailWith(7030, "HY000", "Backend unavailable: unexpected packet during authentication",
             "unexpected backend packet during authentication");
    return;
  }
  uint8_t to_client = client_next_seq_;
  if (first == p::kOkHeader) {
    SendClient(to_client,
               std::string_view(reinterpret_cast<const char*>(payload.data()), payload.size()));
    state_ = State::kDone;
  } else if (first == p::kErrHeader) {
    auto err = p::DecodeErr(payload);
    auth_failed_ = true;
    SendClient(to_client,
               std::string_view(reinterpret_cast<const char*>(payload.data()), payload.size()));
    failure_ = "backend login of '" + user_->name + "' as '" +
               (user_->backend_user.empty() ? user_->name : user_->backend_user) +
               "' failed: " + (err.ok() ? err->message : std::string("ERR"));
    state_ = State::kFailed;
  } else if (first == p::kAuthSwitchHeader) {
    auto reply = AnswerBackendSwitch(*user_, payload);
    if (!reply.ok()) {
      FailWith(1045, "28000",
               "Backend account for user '" + user_->name + "' uses an unsupported auth plugin",
               reply.status().message());
      auth_failed_ = true;
      return;
    }
    SendBackend(static_cast<uint8_t>(seq + 1), reply.value());
  } else if (first == p::kAuthMoreDataHeader && payload.size() == 2 && payload[1] == 3) {
    // caching_sha2_password fast-auth success; the OK follows.
  } else {
    FailWith(1045, "28000",
             "Backend login for user '" + user_->name + "' needs an unsupported auth exchange",
             "unsupported backend auth exchange");
    auth_failed_ = true;
  }
}

}  // namespace shadowproxy::proxy
