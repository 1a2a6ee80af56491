// AuthMachine fed packets: a fake backend greeting, client login packets, backend answers.
#include "proxy/auth.h"

#include <gtest/gtest.h>

#include <thread>

#include "protocol/auth.h"
#include "protocol/capabilities.h"
#include "protocol/handshake.h"
#include "protocol/packet.h"
#include "protocol/packets.h"
#include "tests/rsa_test_keys.h"

namespace shadowproxy::proxy {
namespace {

namespace p = protocol;
using State = AuthMachine::State;

constexpr uint32_t kClientCaps = p::CLIENT_PROTOCOL_41 | p::CLIENT_SECURE_CONNECTION |
                                 p::CLIENT_PLUGIN_AUTH | p::CLIENT_CONNECT_WITH_DB |
                                 p::CLIENT_TRANSACTIONS | p::CLIENT_MULTI_RESULTS |
                                 p::CLIENT_DEPRECATE_EOF;

std::span<const uint8_t> B(const std::string& s) { return p::AsBytes(s); }

struct Packet {
  uint8_t seq;
  std::string payload;
};
Packet Unframe(const std::string& bytes) {
  auto h = p::DecodeHeader(reinterpret_cast<const uint8_t*>(bytes.data()));
  EXPECT_EQ(h.length + p::kHeaderSize, bytes.size());
  return {h.seq, bytes.substr(p::kHeaderSize)};
}

std::string Greeting(const std::string& scramble, uint32_t id = 77) {
  p::Greeting g;
  g.server_version = "10.11.19-MariaDB";
  g.connection_id = id;
  g.auth_plugin_data = scramble;
  g.capabilities = kClientCaps | p::CLIENT_SSL | p::CLIENT_COMPRESS | p::CLIENT_LOCAL_FILES;
  g.charset = 45;
  g.status_flags = p::SERVER_STATUS_AUTOCOMMIT;
  g.auth_plugin_name = std::string(p::kNativePasswordPlugin);
  return p::EncodeGreeting(g);
}

std::string Login(const std::string& user, const std::string& password, const std::string& scramble,
                  std::string plugin = "mysql_native_password", const std::string& db = "") {
  p::HandshakeResponse r;
  r.capabilities = kClientCaps;
  r.max_packet = 1 << 24;
  r.charset = 45;
  r.username = user;
  r.auth_response = plugin == p::kNativePasswordPlugin ? p::NativeScramble(password, scramble)
                                                       : std::string(32, 'x');
  r.auth_plugin_name = std::move(plugin);
  r.database = db;
  return p::EncodeHandshakeResponse(r);
}

ConfigPtr MakeConfig(bool passthrough = true) {
  auto c = std::make_shared<Config>();
  c->listen.passthrough_auth = passthrough;
  for (const char* name : {"local", "other"}) {
    ClusterConfig cluster;
    cluster.name = name;
    cluster.servers.push_back({"127.0.0.1", 3306});
    cluster.tls.mode = BackendTlsMode::kDisabled;  // the TLS tests at the end turn it on
    c->clusters.push_back(cluster);
  }
  UserConfig app;
  app.name = "app";
  app.password = "app-secret";
  app.has_password = true;
  app.cluster = "local";
  app.backend_user = "app_be";
  app.backend_password = "be-secret";
  app.roles = {"dev"};
  c->users.push_back(app);
  UserConfig hashed = app;
  hashed.name = "hashed";
  hashed.password.clear();
  hashed.password_hash = p::FormatPasswordHash(p::Stage2FromPassword("h-pw"));
  c->users.push_back(hashed);
  UserConfig far = app;
  far.name = "far";
  far.cluster = "other";
  c->users.push_back(far);
  UserConfig roles_only;
  roles_only.name = "bob";
  roles_only.cluster = "local";
  roles_only.roles = {"dba"};
  c->users.push_back(roles_only);
  return c;
}

const std::string kScramble = "abcdefghijklmnopqrst";
const std::string kOk = p::EncodeOk(0, 0, p::SERVER_STATUS_AUTOCOMMIT, 0);

TEST(AuthMachine, GreetsWithBackendGreetingMinusSslAndCompression) {
  AuthMachine m(MakeConfig(), "10.0.0.9", "local");
  m.OnBackendGreeting(B(Greeting(kScramble)));
  auto out = m.TakeOutput();
  ASSERT_EQ(out.size(), 1u);
  ASSERT_TRUE(out[0].to_client);
  auto pkt = Unframe(out[0].bytes);
  EXPECT_EQ(pkt.seq, 0);
  auto g = p::DecodeGreeting(B(pkt.payload));
  ASSERT_TRUE(g.ok());
  EXPECT_EQ(g->auth_plugin_data, kScramble);
  EXPECT_EQ(g->server_version, "10.11.19-MariaDB");
  EXPECT_EQ(g->connection_id, 77u);
  EXPECT_EQ(g->capabilities & (p::CLIENT_SSL | p::CLIENT_COMPRESS), 0u);
  EXPECT_NE(g->capabilities & p::CLIENT_LOCAL_FILES, 0u);
  EXPECT_EQ(m.state(), State::kWaitClientResponse);
}

TEST(AuthMachine, PassThroughRelaysUnchangedUntilBackendOk) {
  AuthMachine m(MakeConfig(), "h", "local");
  m.OnBackendGreeting(B(Greeting(kScramble)));
  m.TakeOutput();
  std::string login = Login("carol", "pw", kScramble, "mysql_native_password", "shop");
  m.OnClientPacket(1, B(login));
  auto out = m.TakeOutput();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_FALSE(out[0].to_client);
  EXPECT_EQ(out[0].bytes, protocol::FramePacket(1, login));
  EXPECT_EQ(m.state(), State::kPassthrough);
  // An auth switch from the backend goes to the client, the answer back, then OK.
  std::string sw = p::EncodeAuthSwitchRequest({"mysql_native_password", kScramble + '\0'});
  m.OnBackendPacket(2, B(sw));
  out = m.TakeOutput();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_TRUE(out[0].to_client);
  EXPECT_EQ(out[0].bytes, protocol::FramePacket(2, sw));
  m.OnClientPacket(3, B(std::string(20, 'z')));
  out = m.TakeOutput();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_FALSE(out[0].to_client);
  m.OnBackendPacket(4, B(kOk));
  out = m.TakeOutput();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].bytes, protocol::FramePacket(4, kOk));
  EXPECT_EQ(m.state(), State::kDone);
  EXPECT_EQ(m.user_name(), "carol");
  EXPECT_EQ(m.database(), "shop");
  EXPECT_EQ(m.user_config(), nullptr);
}

TEST(AuthMachine, PassThroughBackendErrIsAuthFailure) {
  AuthMachine m(MakeConfig(), "h", "local");
  m.OnBackendGreeting(B(Greeting(kScramble)));
  m.OnClientPacket(1, B(Login("bob", "bad", kScramble)));
  EXPECT_EQ(m.state(), State::kPassthrough);
  m.TakeOutput();
  std::string err = p::EncodeErr(1045, "28000", "Access denied for user 'bob'@'h'");
  m.OnBackendPacket(2, B(err));
  auto out = m.TakeOutput();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].bytes, protocol::FramePacket(2, err));
  EXPECT_EQ(m.state(), State::kFailed);
  EXPECT_TRUE(m.auth_failed());
  EXPECT_NE(m.user_config(), nullptr);  // bob has roles only: pass-through with roles
}

TEST(AuthMachine, ConfiguredUserVerifiedThenLogsInWithBackendCredentials) {
  AuthMachine m(MakeConfig(), "h", "local");
  m.OnBackendGreeting(B(Greeting(kScramble)));
  m.TakeOutput();
  m.OnClientPacket(1, B(Login("app", "app-secret", kScramble, "mysql_native_password", "db1")));
  auto out = m.TakeOutput();
  ASSERT_EQ(out.size(), 1u);
  ASSERT_FALSE(out[0].to_client);
  auto pkt = Unframe(out[0].bytes);
  EXPECT_EQ(pkt.seq, 1);
  auto r = p::DecodeHandshakeResponse(B(pkt.payload));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->username, "app_be");
  EXPECT_EQ(r->auth_response, p::NativeScramble("be-secret", kScramble));
  EXPECT_EQ(r->auth_plugin_name, "mysql_native_password");
  EXPECT_EQ(r->database, "db1");
  EXPECT_EQ(m.state(), State::kWaitBackendLogin);
  m.OnBackendPacket(2, B(kOk));
  out = m.TakeOutput();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_TRUE(out[0].to_client);
  EXPECT_EQ(Unframe(out[0].bytes).seq, 2);
  EXPECT_EQ(m.state(), State::kDone);
  ASSERT_NE(m.user_config(), nullptr);
  EXPECT_EQ(m.user_config()->roles, std::vector<std::string>{"dev"});
}

TEST(AuthMachine, ConfiguredUserWrongPasswordIs1045FromTheProxy) {
  AuthMachine m(MakeConfig(), "10.1.2.3", "local");
  m.OnBackendGreeting(B(Greeting(kScramble)));
  m.TakeOutput();
  m.OnClientPacket(1, B(Login("app", "nope", kScramble)));
  auto out = m.TakeOutput();
  ASSERT_EQ(out.size(), 1u);
  ASSERT_TRUE(out[0].to_client);
  auto pkt = Unframe(out[0].bytes);
  EXPECT_EQ(pkt.seq, 2);
  auto err = p::DecodeErr(B(pkt.payload));
  ASSERT_TRUE(err.ok());
  EXPECT_EQ(err->code, 1045);
  EXPECT_EQ(err->sqlstate, "28000");
  EXPECT_EQ(err->message, "Access denied for user 'app'@'10.1.2.3' (using password: YES)");
  EXPECT_EQ(m.state(), State::kFailed);
  EXPECT_TRUE(m.auth_failed());
}

TEST(AuthMachine, EmptyPasswordSaysUsingPasswordNo) {
  AuthMachine m(MakeConfig(), "h", "local");
  m.OnBackendGreeting(B(Greeting(kScramble)));
  m.TakeOutput();
  m.OnClientPacket(1, B(Login("app", "", kScramble)));
  auto err = p::DecodeErr(B(Unframe(m.TakeOutput().at(0).bytes).payload));
  ASSERT_TRUE(err.ok());
  EXPECT_NE(err->message.find("(using password: NO)"), std::string::npos);
}

TEST(AuthMachine, PasswordHashIsAccepted) {
  AuthMachine m(MakeConfig(), "h", "local");
  m.OnBackendGreeting(B(Greeting(kScramble)));
  m.TakeOutput();
  m.OnClientPacket(1, B(Login("hashed", "h-pw", kScramble)));
  EXPECT_EQ(m.state(), State::kWaitBackendLogin);
}

TEST(AuthMachine, CachingSha2ClientIsSwitchedToNativePassword) {
  AuthMachine m(MakeConfig(), "h", "local");
  m.OnBackendGreeting(B(Greeting(kScramble)));
  m.TakeOutput();
  m.OnClientPacket(1, B(Login("app", "app-secret", kScramble, "caching_sha2_password")));
  auto out = m.TakeOutput();
  ASSERT_EQ(out.size(), 1u);
  ASSERT_TRUE(out[0].to_client);
  auto pkt = Unframe(out[0].bytes);
  EXPECT_EQ(pkt.seq, 2);
  auto sw = p::DecodeAuthSwitchRequest(B(pkt.payload));
  ASSERT_TRUE(sw.ok());
  EXPECT_EQ(sw->plugin, "mysql_native_password");
  EXPECT_EQ(sw->data.substr(0, 20), kScramble);
  EXPECT_EQ(m.state(), State::kWaitClientSwitch);
  m.OnClientPacket(3, B(p::NativeScramble("app-secret", kScramble)));
  EXPECT_EQ(m.state(), State::kWaitBackendLogin);
  m.TakeOutput();
  m.OnBackendPacket(2, B(kOk));
  out = m.TakeOutput();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(Unframe(out[0].bytes).seq, 4);
  EXPECT_EQ(m.state(), State::kDone);
}

TEST(AuthMachine, BackendAuthSwitchDuringProxyLoginIsAnswered) {
  AuthMachine m(MakeConfig(), "h", "local");
  m.OnBackendGreeting(B(Greeting(kScramble)));
  m.OnClientPacket(1, B(Login("app", "app-secret", kScramble)));
  m.TakeOutput();
  const std::string fresh = "ZYXWVUTSRQPONMLKJIHG";
  m.OnBackendPacket(2, B(p::EncodeAuthSwitchRequest({"mysql_native_password", fresh + '\0'})));
  auto out = m.TakeOutput();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_FALSE(out[0].to_client);
  auto pkt = Unframe(out[0].bytes);
  EXPECT_EQ(pkt.seq, 3);
  EXPECT_EQ(pkt.payload, p::NativeScramble("be-secret", fresh));
  m.OnBackendPacket(4, B(kOk));
  EXPECT_EQ(Unframe(m.TakeOutput().at(0).bytes).seq, 2);  // the client's numbering
}

TEST(AuthMachine, OnlyConfiguredUsersWithoutPassthrough) {
  AuthMachine m(MakeConfig(false), "h", "local");
  m.OnBackendGreeting(B(Greeting(kScramble)));
  m.TakeOutput();
  m.OnClientPacket(1, B(Login("carol", "pw", kScramble)));
  auto out = m.TakeOutput();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_TRUE(out[0].to_client);
  EXPECT_EQ(p::DecodeErr(B(Unframe(out[0].bytes).payload))->code, 1045);
  EXPECT_EQ(m.state(), State::kFailed);
}

TEST(AuthMachine, ConfiguredUserOfAnotherClusterRedials) {
  AuthMachine m(MakeConfig(), "h", "local");
  m.OnBackendGreeting(B(Greeting(kScramble)));
  m.TakeOutput();
  m.OnClientPacket(1, B(Login("far", "app-secret", kScramble)));
  EXPECT_EQ(m.state(), State::kNeedOtherCluster);
  EXPECT_EQ(m.cluster(), "other");
  EXPECT_TRUE(m.TakeOutput().empty());
  const std::string other = "0123456789abcdefghij";
  m.OnBackendGreeting(B(Greeting(other, 99)));
  auto out = m.TakeOutput();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_FALSE(out[0].to_client);
  auto r = p::DecodeHandshakeResponse(B(Unframe(out[0].bytes).payload));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->auth_response, p::NativeScramble("be-secret", other));
}

TEST(AuthMachine, PassThroughUserOfAnotherClusterGetsThatServersScramble) {
  auto cfg = std::const_pointer_cast<Config>(MakeConfig());
  UserConfig dave;
  dave.name = "dave";
  dave.cluster = "other";
  cfg->users.push_back(dave);
  AuthMachine m(cfg, "h", "local");
  m.OnBackendGreeting(B(Greeting(kScramble)));
  m.TakeOutput();
  m.OnClientPacket(1, B(Login("dave", "pw", kScramble)));
  EXPECT_EQ(m.state(), State::kNeedOtherCluster);
  EXPECT_EQ(m.cluster(), "other");
  const std::string other = "0123456789abcdefghij";
  m.OnBackendGreeting(B(Greeting(other, 99)));
  auto out = m.TakeOutput();
  ASSERT_EQ(out.size(), 1u);
  ASSERT_TRUE(out[0].to_client);
  auto pkt = Unframe(out[0].bytes);
  EXPECT_EQ(pkt.seq, 2);
  auto sw = p::DecodeAuthSwitchRequest(B(pkt.payload));
  ASSERT_TRUE(sw.ok());
  EXPECT_EQ(sw->data.substr(0, 20), other);
  std::string answer = p::NativeScramble("pw", other);
  m.OnClientPacket(3, B(answer));
  out = m.TakeOutput();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_FALSE(out[0].to_client);
  pkt = Unframe(out[0].bytes);
  EXPECT_EQ(pkt.seq, 1);
  auto r = p::DecodeHandshakeResponse(B(pkt.payload));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->username, "dave");
  EXPECT_EQ(r->auth_response, answer);
  m.OnBackendPacket(2, B(kOk));
  out = m.TakeOutput();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(Unframe(out[0].bytes).seq, 4);  // renumbered for the client
  EXPECT_EQ(m.state(), State::kDone);
}

TEST(AuthMachine, ProtocolViolationsFail) {
  {
    AuthMachine m(MakeConfig(), "h", "local");
    m.OnBackendGreeting(B(Greeting(kScramble)));
    m.OnClientPacket(5, B(Login("app", "app-secret", kScramble)));
    EXPECT_EQ(m.state(), State::kFailed);
    EXPECT_FALSE(m.auth_failed());
  }
  {
    AuthMachine m(MakeConfig(), "h", "local");
    m.OnBackendGreeting(B(Greeting(kScramble)));
    m.OnClientPacket(1, B(std::string("\x01\x02\x03", 3)));
    EXPECT_EQ(m.state(), State::kFailed);
  }
  {
    AuthMachine m(MakeConfig(), "h", "local");
    m.OnBackendGreeting(B(p::EncodeErr(1040, "HY000", "Too many connections")));
    EXPECT_EQ(m.state(), State::kFailed);
    auto out = m.TakeOutput();
    ASSERT_EQ(out.size(), 1u);
    auto pkt = Unframe(out[0].bytes);
    EXPECT_EQ(pkt.seq, 0);  // replaces the greeting
    EXPECT_EQ(p::DecodeErr(B(pkt.payload))->code, 7030);
  }
  {
    AuthMachine m(MakeConfig(), "h", "local");
    m.OnBackendUnavailable("refused");
    EXPECT_EQ(m.state(), State::kFailed);
    EXPECT_EQ(Unframe(m.TakeOutput().at(0).bytes).seq, 0);
  }
}

// --- TLS -----------------------------------------------------------------------------------------

std::string SslRequest() {
  p::HandshakeResponse r;
  r.capabilities = kClientCaps | p::CLIENT_SSL;
  r.max_packet = 1 << 24;
  r.charset = 45;
  return p::EncodeSslRequest(r);
}

ConfigPtr TlsConfig(bool require, BackendTlsMode backend) {
  auto c = std::make_shared<Config>(*MakeConfig());
  c->listen.tls.enabled = true;
  c->listen.tls.require = require;
  for (auto& cluster : c->clusters) cluster.tls.mode = backend;
  return c;
}

TEST(AuthMachine, OffersTlsAndSwitchesOnSslRequest) {
  AuthMachine m(TlsConfig(false, BackendTlsMode::kDisabled), "h", "local");
  m.OnBackendGreeting(B(Greeting(kScramble)));
  auto out = m.TakeOutput();
  auto g = p::DecodeGreeting(B(Unframe(out[0].bytes).payload));
  ASSERT_TRUE(g.ok());
  EXPECT_NE(g->capabilities & p::CLIENT_SSL, 0u);
  EXPECT_EQ(g->capabilities & p::CLIENT_COMPRESS, 0u);
  m.OnClientPacket(1, B(SslRequest()));
  out = m.TakeOutput();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_TRUE(out[0].to_client && out[0].start_tls && out[0].bytes.empty());
  EXPECT_EQ(m.state(), State::kWaitClientTls);
  m.OnClientTlsEstablished();
  EXPECT_EQ(m.state(), State::kWaitClientResponse);
  // Over TLS the login is packet 2; the OK to the client follows it.
  m.OnClientPacket(2, B(Login("app", "app-secret", kScramble)));
  out = m.TakeOutput();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(Unframe(out[0].bytes).seq, 1);  // to the backend, in plaintext
  m.OnBackendPacket(2, B(kOk));
  out = m.TakeOutput();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(Unframe(out[0].bytes).seq, 3);
  EXPECT_TRUE(m.client_tls());
  EXPECT_FALSE(m.backend_tls());
}

TEST(AuthMachine, RequireRefusesPlaintextWith3159) {
  AuthMachine m(TlsConfig(true, BackendTlsMode::kDisabled), "h", "local");
  m.OnBackendGreeting(B(Greeting(kScramble)));
  m.TakeOutput();
  m.OnClientPacket(1, B(Login("app", "app-secret", kScramble)));
  auto out = m.TakeOutput();
  ASSERT_EQ(out.size(), 1u);
  auto err = p::DecodeErr(B(Unframe(out[0].bytes).payload));
  ASSERT_TRUE(err.ok());
  EXPECT_EQ(err->code, 3159);
  EXPECT_EQ(m.state(), State::kFailed);
}

TEST(AuthMachine, SslRequestWithoutListenTlsIsABadHandshake) {
  AuthMachine m(MakeConfig(), "h", "local");
  m.OnBackendGreeting(B(Greeting(kScramble)));
  m.TakeOutput();
  m.OnClientPacket(1, B(SslRequest()));
  auto out = m.TakeOutput();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_FALSE(out[0].start_tls);
  EXPECT_EQ(p::DecodeErr(B(Unframe(out[0].bytes).payload))->code, 1043);
}

TEST(AuthMachine, ConfiguredUserLogsInToTheBackendOverTls) {
  AuthMachine m(TlsConfig(false, BackendTlsMode::kPreferred), "h", "local");
  m.OnBackendGreeting(B(Greeting(kScramble)));  // offers CLIENT_SSL
  m.TakeOutput();
  m.OnClientPacket(1, B(Login("app", "app-secret", kScramble)));
  auto out = m.TakeOutput();
  ASSERT_EQ(out.size(), 3u);
  auto req = Unframe(out[0].bytes);
  EXPECT_EQ(req.seq, 1);
  EXPECT_TRUE(p::IsSslRequest(B(req.payload)));
  EXPECT_TRUE(!out[1].to_client && out[1].start_tls);
  auto login = Unframe(out[2].bytes);
  EXPECT_EQ(login.seq, 2);
  auto r = p::DecodeHandshakeResponse(B(login.payload));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->username, "app_be");
  EXPECT_NE(r->capabilities & p::CLIENT_SSL, 0u);
  m.OnBackendPacket(3, B(kOk));
  out = m.TakeOutput();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(Unframe(out[0].bytes).seq, 2);  // answers the client's packet 1
  EXPECT_TRUE(m.backend_tls());
}

TEST(AuthMachine, PassThroughRenumbersAcrossTlsOnOneSide) {
  // The client switched to TLS, the backend link did not: client packet n is backend n - 1.
  AuthMachine m(TlsConfig(false, BackendTlsMode::kDisabled), "h", "local");
  m.OnBackendGreeting(B(Greeting(kScramble)));
  m.TakeOutput();
  m.OnClientPacket(1, B(SslRequest()));
  m.TakeOutput();
  m.OnClientTlsEstablished();
  p::HandshakeResponse r;
  r.capabilities = kClientCaps | p::CLIENT_SSL;
  r.max_packet = 1 << 24;
  r.username = "carol";
  r.auth_response = p::NativeScramble("pw", kScramble);
  r.auth_plugin_name = std::string(p::kNativePasswordPlugin);
  m.OnClientPacket(2, B(p::EncodeHandshakeResponse(r)));
  auto out = m.TakeOutput();
  ASSERT_EQ(out.size(), 1u);
  auto login = Unframe(out[0].bytes);
  EXPECT_EQ(login.seq, 1);
  auto relayed = p::DecodeHandshakeResponse(B(login.payload));
  ASSERT_TRUE(relayed.ok());
  EXPECT_EQ(relayed->capabilities & p::CLIENT_SSL, 0u);  // describes our plaintext link
  EXPECT_EQ(relayed->auth_response, r.auth_response);
  std::string sw = p::EncodeAuthSwitchRequest({"mysql_native_password", kScramble + '\0'});
  m.OnBackendPacket(2, B(sw));
  out = m.TakeOutput();
  EXPECT_EQ(Unframe(out[0].bytes).seq, 3);
  m.OnClientPacket(4, B(std::string(20, 'z')));
  out = m.TakeOutput();
  EXPECT_EQ(Unframe(out[0].bytes).seq, 3);
}

TEST(AuthMachine, RequiredBackendTlsWithoutServerTlsIsUnavailable) {
  AuthMachine m(TlsConfig(false, BackendTlsMode::kRequired), "h", "local");
  p::Greeting g = *p::DecodeGreeting(B(Greeting(kScramble)));
  g.capabilities &= ~p::CLIENT_SSL;
  m.OnBackendGreeting(B(p::EncodeGreeting(g)));
  m.TakeOutput();
  m.OnClientPacket(1, B(Login("carol", "pw", kScramble)));
  auto out = m.TakeOutput();
  ASSERT_EQ(out.size(), 1u);
  auto err = p::DecodeErr(B(Unframe(out[0].bytes).payload));
  ASSERT_TRUE(err.ok());
  EXPECT_EQ(err->code, 7030);
  EXPECT_NE(err->message.find("TLS"), std::string::npos);
}

// ---- caching_sha2_password for configured users ----

std::string Sha2Login(const std::string& user, const std::string& password,
                      const std::string& scramble) {
  p::HandshakeResponse r;
  r.capabilities = kClientCaps;
  r.max_packet = 1 << 24;
  r.charset = 45;
  r.username = user;
  r.auth_response = p::CachingSha2Scramble(password, scramble);
  r.auth_plugin_name = std::string(p::kCachingSha2Plugin);
  return p::EncodeHandshakeResponse(r);
}

// Published MySQL 8 authentication_string of "hashcat" (see tests/protocol/auth_test.cc), hex.
const std::string kHashcatSha2Hash =
    "0x24412430303524F9CC98CE08892924F50A213B6BC571A2C11778C5"
    "625479393559393965414D45316477456B484F41316E64484742577A2E3162785353526B7554584647562F";

// MakeConfig() plus caching_sha2_password users; RSA keys unless `rsa` is false.
std::shared_ptr<Config> Sha2Config(bool rsa = true) {
  auto c = std::const_pointer_cast<Config>(MakeConfig());
  if (rsa) c->listen.rsa_key = *p::RsaPrivateKey::FromPem(testing::kFirstRsaPrivatePem);
  UserConfig sha = c->users.front();  // "app": password app-secret, backend app_be / be-secret
  sha.name = "sha";
  sha.password = "sha-secret";
  sha.auth_plugin = std::string(p::kCachingSha2Plugin);
  c->users.push_back(sha);
  UserConfig plain = sha;  // clear password, no auth_plugin: the client's choice
  plain.name = "plain";
  plain.auth_plugin.clear();
  c->users.push_back(plain);
  UserConfig hashed = sha;  // a MySQL 8 hash: caching_sha2_password only
  hashed.name = "sha_hash";
  hashed.password.clear();
  hashed.password_hash = kHashcatSha2Hash;
  hashed.auth_plugin.clear();
  c->users.push_back(hashed);
  UserConfig nopw = sha;
  nopw.name = "nopw";
  nopw.password.clear();
  c->users.push_back(nopw);
  return c;
}

ConfigPtr WithListenTls(const ConfigPtr& config) {
  auto c = std::make_shared<Config>(*config);
  c->listen.tls.enabled = true;
  return c;
}

// Client packets and the machine's answers, checked for direction and sequence id.
class Sha2Flow {
 public:
  // `tls`: the client sends an SSLRequest (packet 1) and switches to TLS first; its login is
  // then packet 2 and every sequence id after it one more than without TLS.
  explicit Sha2Flow(ConfigPtr config, bool tls = false)
      : m_(tls ? WithListenTls(config) : config, "10.0.0.7", "local") {
    m_.OnBackendGreeting(B(Greeting(kScramble)));
    m_.TakeOutput();
    if (!tls) return;
    m_.OnClientPacket(1, B(SslRequest()));
    auto out = m_.TakeOutput();
    EXPECT_TRUE(out.size() == 1 && out[0].to_client && out[0].start_tls);
    m_.OnClientTlsEstablished();
    EXPECT_TRUE(m_.client_tls());
  }
  AuthMachine& m() { return m_; }
  // Sends a client packet; returns the single packet the machine answers the client with.
  Packet Client(uint8_t seq, const std::string& payload) {
    m_.OnClientPacket(seq, B(payload));
    auto out = m_.TakeOutput();
    EXPECT_EQ(out.size(), 1u);
    if (out.size() != 1) return {0, ""};
    EXPECT_TRUE(out[0].to_client);
    return Unframe(out[0].bytes);
  }
  // Sends a client packet after which the machine logs in to the backend; answers OK and
  // returns the OK's sequence id towards the client.
  uint8_t ClientThenBackendOk(uint8_t seq, const std::string& payload,
                              std::vector<Packet>* to_client = nullptr) {
    m_.OnClientPacket(seq, B(payload));
    auto out = m_.TakeOutput();
    EXPECT_FALSE(out.empty());
    if (out.empty()) return 0;
    for (size_t i = 0; i + 1 < out.size(); ++i) {
      EXPECT_TRUE(out[i].to_client);
      if (to_client) to_client->push_back(Unframe(out[i].bytes));
    }
    EXPECT_FALSE(out.back().to_client);
    auto login = p::DecodeHandshakeResponse(B(Unframe(out.back().bytes).payload));
    EXPECT_TRUE(login.ok());
    if (login.ok()) {
      EXPECT_EQ(login->username, "app_be");
      EXPECT_EQ(login->auth_response, p::NativeScramble("be-secret", kScramble));
    }
    EXPECT_EQ(m_.state(), State::kWaitBackendLogin);
    m_.OnBackendPacket(2, B(kOk));
    out = m_.TakeOutput();
    EXPECT_EQ(out.size(), 1u);
    EXPECT_EQ(m_.state(), State::kDone);
    if (out.size() != 1) return 0;
    Packet ok = Unframe(out[0].bytes);
    EXPECT_EQ(ok.payload, kOk);
    return ok.seq;
  }

 private:
  AuthMachine m_;
};

std::string MoreData(char c) { return p::EncodeAuthMoreData(std::string(1, c)); }

void ExpectAccessDenied(const Packet& pkt, uint8_t seq, AuthMachine& m,
                        std::string_view text = "Access denied for user") {
  EXPECT_EQ(pkt.seq, seq);
  auto err = p::DecodeErr(B(pkt.payload));
  ASSERT_TRUE(err.ok());
  EXPECT_EQ(err->code, 1045);
  EXPECT_EQ(err->sqlstate, "28000");
  EXPECT_NE(err->message.find(text), std::string::npos) << err->message;
  EXPECT_EQ(m.state(), State::kFailed);
  EXPECT_TRUE(m.auth_failed());
}

class AuthMachineSha2 : public ::testing::Test {
 protected:
  void SetUp() override { Sha2AuthCache::Global().Clear(); }
  void TearDown() override { Sha2AuthCache::Global().Clear(); }
};

TEST_F(AuthMachineSha2, FullAuthOverRsaThenFastAuth) {
  auto cfg = Sha2Config();
  {
    Sha2Flow f(cfg);
    // Nothing cached: perform full authentication (0x04), the client asks for the key (0x02).
    Packet more = f.Client(1, Sha2Login("sha", "sha-secret", kScramble));
    EXPECT_EQ(more.seq, 2);
    EXPECT_EQ(more.payload, MoreData(p::kSha2PerformFullAuth));
    Packet key = f.Client(3, std::string(1, p::kSha2RequestPublicKey));
    EXPECT_EQ(key.seq, 4);
    ASSERT_TRUE(p::IsAuthMoreData(B(key.payload)));
    std::string pem = key.payload.substr(1);
    EXPECT_EQ(pem, testing::kFirstRsaPublicPem);
    auto cipher = p::EncryptSha2Password(pem, "sha-secret", kScramble);
    ASSERT_TRUE(cipher.ok());
    EXPECT_EQ(f.ClientThenBackendOk(5, *cipher), 6);
    EXPECT_EQ(f.m().user_name(), "sha");
  }
  {
    // Cached now: the fast authentication, 0x03, then the backend's OK after it.
    Sha2Flow f(cfg);
    std::vector<Packet> sent;
    EXPECT_EQ(f.ClientThenBackendOk(1, Sha2Login("sha", "sha-secret", kScramble), &sent), 3);
    ASSERT_EQ(sent.size(), 1u);
    EXPECT_EQ(sent[0].seq, 2);
    EXPECT_EQ(sent[0].payload, MoreData(p::kSha2FastAuthOk));
  }
}

TEST_F(AuthMachineSha2, ClientWithTheKeyAlreadySendsTheCiphertextDirectly) {
  Sha2Flow f(Sha2Config());
  EXPECT_EQ(f.Client(1, Sha2Login("sha", "sha-secret", kScramble)).seq, 2);
  auto cipher = p::EncryptSha2Password(testing::kFirstRsaPublicPem, "sha-secret", kScramble);
  EXPECT_EQ(f.ClientThenBackendOk(3, *cipher), 4);
}

TEST_F(AuthMachineSha2, FullAuthOverTlsTakesTheClearPassword) {
  auto cfg = Sha2Config(/*rsa=*/false);
  {
    Sha2Flow f(cfg, /*tls=*/true);
    Packet more = f.Client(2, Sha2Login("sha", "sha-secret", kScramble));
    EXPECT_EQ(more.seq, 3);
    EXPECT_EQ(more.payload, MoreData(p::kSha2PerformFullAuth));
    EXPECT_EQ(f.ClientThenBackendOk(4, std::string("sha-secret") + '\0'), 5);
  }
  {
    Sha2Flow f(cfg);  // fast authentication needs neither TLS nor keys
    EXPECT_EQ(f.ClientThenBackendOk(1, Sha2Login("sha", "sha-secret", kScramble)), 3);
  }
}

TEST_F(AuthMachineSha2, WithoutTlsOrRsaKeysTheFullAuthIsRefusedWithAHint) {
  Sha2Flow f(Sha2Config(/*rsa=*/false));
  EXPECT_EQ(f.Client(1, Sha2Login("sha", "sha-secret", kScramble)).payload,
            MoreData(p::kSha2PerformFullAuth));
  Packet err = f.Client(3, std::string(1, p::kSha2RequestPublicKey));
  ExpectAccessDenied(err, 4, f.m(), "requires a TLS connection");
}

TEST_F(AuthMachineSha2, WrongPasswordOverRsaIsRefused) {
  Sha2Flow f(Sha2Config());
  f.Client(1, Sha2Login("sha", "wrong", kScramble));
  f.Client(3, std::string(1, p::kSha2RequestPublicKey));
  auto cipher = p::EncryptSha2Password(testing::kFirstRsaPublicPem, "wrong", kScramble);
  ExpectAccessDenied(f.Client(5, *cipher), 6, f.m(), "(using password: YES)");
  EXPECT_FALSE(Sha2AuthCache::Global().Find(Sha2AuthCache::KeyFor(*Sha2Config()->FindUser("sha"))));
}

TEST_F(AuthMachineSha2, GarbageCiphertextIsRefused) {
  Sha2Flow f(Sha2Config());
  f.Client(1, Sha2Login("sha", "sha-secret", kScramble));
  ExpectAccessDenied(f.Client(3, std::string(256, 'x')), 4, f.m());
}

TEST_F(AuthMachineSha2, WrongPasswordOverTlsIsRefused) {
  Sha2Flow f(Sha2Config(false), true);
  f.Client(2, Sha2Login("sha", "wrong", kScramble));
  ExpectAccessDenied(f.Client(4, std::string("wrong") + '\0'), 5, f.m());
}

TEST_F(AuthMachineSha2, WrongPasswordWhenCachedFallsBackToTheFullAuth) {
  auto cfg = Sha2Config(false);
  Sha2AuthCache::Global().Add(Sha2AuthCache::KeyFor(*cfg->FindUser("sha")),
                              p::Sha2Stage2FromPassword("sha-secret"));
  Sha2Flow f(cfg, true);
  // The scramble does not match the cached entry: 0x04, as the server does.
  EXPECT_EQ(f.Client(2, Sha2Login("sha", "wrong", kScramble)).payload,
            MoreData(p::kSha2PerformFullAuth));
  ExpectAccessDenied(f.Client(4, std::string("wrong") + '\0'), 5, f.m());
}

TEST_F(AuthMachineSha2, NativeAnswerIsSwitchedToCachingSha2) {
  auto cfg = Sha2Config(false);
  Sha2Flow f(cfg, true);
  // users[].auth_plugin says caching_sha2_password; the client answered native.
  Packet sw = f.Client(2, Login("sha", "sha-secret", kScramble));
  EXPECT_EQ(sw.seq, 3);
  auto req = p::DecodeAuthSwitchRequest(B(sw.payload));
  ASSERT_TRUE(req.ok());
  EXPECT_EQ(req->plugin, "caching_sha2_password");
  EXPECT_EQ(req->data, kScramble + '\0');
  Packet more = f.Client(4, p::CachingSha2Scramble("sha-secret", kScramble));
  EXPECT_EQ(more.seq, 5);
  EXPECT_EQ(more.payload, MoreData(p::kSha2PerformFullAuth));
  EXPECT_EQ(f.ClientThenBackendOk(6, std::string("sha-secret") + '\0'), 7);

  // Cached: after the switch the fast path answers 0x03, then OK.
  Sha2Flow g(cfg);
  EXPECT_EQ(g.Client(1, Login("sha", "sha-secret", kScramble)).seq, 2);
  std::vector<Packet> sent;
  EXPECT_EQ(g.ClientThenBackendOk(3, p::CachingSha2Scramble("sha-secret", kScramble), &sent), 5);
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].seq, 4);
  EXPECT_EQ(sent[0].payload, MoreData(p::kSha2FastAuthOk));

  // PyMySQL 1.0 hashes the switch data with its trailing NUL: accepted after a switch.
  Sha2Flow h(cfg);
  h.Client(1, Login("sha", "sha-secret", kScramble));
  EXPECT_EQ(h.ClientThenBackendOk(3, p::CachingSha2Scramble("sha-secret", kScramble + '\0')), 5);
}

TEST_F(AuthMachineSha2, ClearPasswordUserFollowsTheClientWhenAFullAuthIsPossible) {
  // auth_plugin "", clear password: caching_sha2_password as the client answered (RSA keys).
  Sha2Flow f(Sha2Config());
  EXPECT_EQ(f.Client(1, Sha2Login("plain", "sha-secret", kScramble)).payload,
            MoreData(p::kSha2PerformFullAuth));
  // ... and native when that is what the client answered.
  Sha2Flow g(Sha2Config());
  EXPECT_EQ(g.ClientThenBackendOk(1, Login("plain", "sha-secret", kScramble)), 2);
  // Without TLS and keys a full authentication could not happen: switched to native.
  Sha2Flow h(Sha2Config(false));
  auto req = p::DecodeAuthSwitchRequest(
      B(h.Client(1, Sha2Login("plain", "sha-secret", kScramble)).payload));
  ASSERT_TRUE(req.ok());
  EXPECT_EQ(req->plugin, "mysql_native_password");
}

TEST_F(AuthMachineSha2, NativeHashUsersAreSwitchedToNativeEvenWithKeys) {
  Sha2Flow f(Sha2Config(), true);
  Packet sw = f.Client(2, Sha2Login("hashed", "h-pw", kScramble));
  auto req = p::DecodeAuthSwitchRequest(B(sw.payload));
  ASSERT_TRUE(req.ok());
  EXPECT_EQ(req->plugin, "mysql_native_password");
  EXPECT_EQ(f.ClientThenBackendOk(4, p::NativeScramble("h-pw", kScramble)), 5);
}

TEST_F(AuthMachineSha2, Mysql8HashUserVerifiesTheFullAuthAgainstTheHash) {
  auto cfg = Sha2Config();
  const UserConfig* hashed = cfg->FindUser("sha_hash");
  ASSERT_NE(hashed, nullptr);
  {
    Sha2Flow f(cfg);
    // Native answer: this credential verifies caching_sha2_password only, so switched.
    auto req =
        p::DecodeAuthSwitchRequest(B(f.Client(1, Login("sha_hash", "hashcat", kScramble)).payload));
    ASSERT_TRUE(req.ok());
    EXPECT_EQ(req->plugin, "caching_sha2_password");
    f.Client(3, p::CachingSha2Scramble("hashcat", kScramble));
    f.Client(5, std::string(1, p::kSha2RequestPublicKey));
    auto cipher = p::EncryptSha2Password(testing::kFirstRsaPublicPem, "hashcat", kScramble);
    EXPECT_EQ(f.ClientThenBackendOk(7, *cipher), 8);
  }
  {
    Sha2Flow f(cfg);
    EXPECT_EQ(f.ClientThenBackendOk(1, Sha2Login("sha_hash", "hashcat", kScramble)), 3);
  }
  {
    Sha2Flow f(cfg, true);
    f.Client(2, Sha2Login("sha_hash", "hashcat!", kScramble));
    ExpectAccessDenied(f.Client(4, std::string("hashcat!") + '\0'), 5, f.m());
  }
  // The native verification of such a user can never succeed.
  EXPECT_FALSE(
      VerifyConfiguredUser(*hashed, kScramble, p::NativeScramble("hashcat", kScramble)).ok());
}

TEST_F(AuthMachineSha2, AccountWithoutPasswordTakesOnlyTheEmptyAnswer) {
  auto cfg = Sha2Config();
  {
    Sha2Flow f(cfg);
    std::vector<Packet> sent;
    EXPECT_EQ(f.ClientThenBackendOk(1, Sha2Login("nopw", "", kScramble), &sent), 2);
    EXPECT_TRUE(sent.empty());  // no fast-auth byte
  }
  {
    Sha2Flow f(cfg);
    ExpectAccessDenied(f.Client(1, Sha2Login("nopw", "x", kScramble)), 2, f.m());
  }
  {
    Sha2Flow f(cfg);
    ExpectAccessDenied(f.Client(1, Sha2Login("sha", "", kScramble)), 2, f.m(),
                       "(using password: NO)");
  }
}

TEST_F(AuthMachineSha2, ChangedPasswordInANewConfigMissesTheCache) {
  auto cfg = Sha2Config();
  Sha2AuthCache::Global().Add(Sha2AuthCache::KeyFor(*cfg->FindUser("sha")),
                              p::Sha2Stage2FromPassword("sha-secret"));
  auto reloaded = Sha2Config();
  for (auto& u : reloaded->users)
    if (u.name == "sha") u.password = "new-secret";
  // The old password's cache entry is not this credential's: full authentication, refused.
  Sha2Flow f(reloaded, true);
  EXPECT_EQ(f.Client(2, Sha2Login("sha", "sha-secret", kScramble)).payload,
            MoreData(p::kSha2PerformFullAuth));
  ExpectAccessDenied(f.Client(4, std::string("sha-secret") + '\0'), 5, f.m());
}

TEST_F(AuthMachineSha2, OtherClusterUserRedialsAfterTheFastAuth) {
  auto cfg = Sha2Config();
  UserConfig far = *cfg->FindUser("sha");
  far.name = "sha_far";
  far.cluster = "other";
  cfg->users.push_back(far);
  Sha2AuthCache::Global().Add(Sha2AuthCache::KeyFor(far), p::Sha2Stage2FromPassword("sha-secret"));
  AuthMachine m(cfg, "h", "local");
  m.OnBackendGreeting(B(Greeting(kScramble)));
  m.TakeOutput();
  m.OnClientPacket(1, B(Sha2Login("sha_far", "sha-secret", kScramble)));
  auto out = m.TakeOutput();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(Unframe(out[0].bytes).payload, MoreData(p::kSha2FastAuthOk));
  EXPECT_EQ(m.state(), State::kNeedOtherCluster);
  const std::string other = "0123456789abcdefghij";
  m.OnBackendGreeting(B(Greeting(other, 99)));
  out = m.TakeOutput();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_FALSE(out[0].to_client);
  m.OnBackendPacket(2, B(kOk));
  out = m.TakeOutput();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(Unframe(out[0].bytes).seq, 3);
}

TEST(Sha2AuthCache, ConcurrentUse) {
  Sha2AuthCache cache;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&cache, t] {
      for (int i = 0; i < 2000; ++i) {
        std::string key = "u";  // appended: "u" + std::to_string() trips GCC bug 105329
        key += std::to_string(i % 50);
        cache.Add(key, std::string(32, static_cast<char>('a' + t)));
        auto v = cache.Find(key);
        ASSERT_TRUE(v.has_value());
        EXPECT_EQ(v->size(), 32u);
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_TRUE(cache.Find("u7").has_value());
  EXPECT_FALSE(cache.Find("nobody").has_value());
}

}  // namespace
}  // namespace shadowproxy::proxy
