// AuthMachine fed packets: a fake backend greeting, client login packets, backend answers.
#include "proxy/auth.h"

#include <gtest/gtest.h>

#include "protocol/auth.h"
#include "protocol/capabilities.h"
#include "protocol/handshake.h"
#include "protocol/packet.h"
#include "protocol/packets.h"

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

}  // namespace
}  // namespace shadowproxy::proxy
