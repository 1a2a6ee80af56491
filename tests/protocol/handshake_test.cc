// Greeting / HandshakeResponse41 / SSLRequest / AuthSwitchRequest codecs against real MariaDB
// 10.11 bytes, real client bytes (mariadb CLI, PyMySQL) and a hand-written MySQL 8 greeting.
#include "protocol/handshake.h"

#include <gtest/gtest.h>

#include "protocol/auth.h"
#include "protocol/capabilities.h"
#include "protocol/packet.h"
#include "protocol/packets.h"
#include "tests/protocol/golden_clients.h"
#include "tests/protocol/golden_mariadb.h"

namespace shadowproxy::protocol {
namespace {

std::string_view PayloadOf(std::string_view packet) { return packet.substr(kHeaderSize); }

TEST(Greeting, MariaDb1011RoundTripsByteExactly) {
  std::string_view payload = PayloadOf(golden::kClassicGreeting);
  Result<Greeting> g = DecodeGreeting(AsBytes(payload));
  ASSERT_TRUE(g.ok()) << g.status().ToString();
  EXPECT_EQ(g->protocol_version, 10);
  EXPECT_EQ(g->server_version, "5.5.5-10.11.19-MariaDB-0+deb12u1");
  EXPECT_EQ(g->auth_plugin_data.size(), 20u);
  EXPECT_EQ(g->auth_plugin_data.find('\0'), std::string::npos);
  EXPECT_EQ(g->auth_plugin_name, "mysql_native_password");
  EXPECT_FALSE(g->capabilities & CLIENT_MYSQL);  // MariaDB
  EXPECT_TRUE(g->capabilities & CLIENT_PROTOCOL_41);
  EXPECT_TRUE(g->capabilities & CLIENT_PLUGIN_AUTH);
  EXPECT_TRUE(g->capabilities & CLIENT_DEPRECATE_EOF);
  EXPECT_FALSE(g->capabilities & CLIENT_SSL);
  EXPECT_EQ(g->status_flags, SERVER_STATUS_AUTOCOMMIT);
  EXPECT_TRUE(g->mariadb_ext_capabilities & MARIADB_CLIENT_STMT_BULK_OPERATIONS);
  EXPECT_TRUE(g->mariadb_ext_capabilities & MARIADB_CLIENT_PROGRESS);
  EXPECT_EQ(EncodeGreeting(*g), payload);
}

TEST(Greeting, Mysql8RoundTripsByteExactly) {
  std::string_view payload = golden::kMysql8Greeting;
  Result<Greeting> g = DecodeGreeting(AsBytes(payload));
  ASSERT_TRUE(g.ok()) << g.status().ToString();
  EXPECT_EQ(g->server_version, "8.0.36");
  EXPECT_EQ(g->connection_id, 28u);
  EXPECT_EQ(g->capabilities, 0xDFFFFFFFu);
  EXPECT_TRUE(g->capabilities & CLIENT_MYSQL);
  EXPECT_EQ(g->charset, 255);
  EXPECT_EQ(g->auth_plugin_data.size(), 20u);
  EXPECT_EQ(g->auth_plugin_name, "caching_sha2_password");
  EXPECT_EQ(g->mariadb_ext_capabilities, 0u);
  EXPECT_EQ(EncodeGreeting(*g), payload);
}

TEST(Greeting, EncodeDecodeOwnGreeting) {
  Greeting g;
  g.server_version = "5.5.5-10.11.19-MariaDB-shadowproxy";
  g.connection_id = 0x01020304;
  g.auth_plugin_data = GenerateScramble();
  g.capabilities = CLIENT_LONG_PASSWORD | CLIENT_PROTOCOL_41 | CLIENT_SECURE_CONNECTION |
                   CLIENT_PLUGIN_AUTH | CLIENT_DEPRECATE_EOF | CLIENT_TRANSACTIONS;
  g.capabilities &= ~CLIENT_MYSQL;
  g.charset = 45;
  g.status_flags = SERVER_STATUS_AUTOCOMMIT;
  g.auth_plugin_name = "mysql_native_password";
  g.mariadb_ext_capabilities = MARIADB_CLIENT_STMT_BULK_OPERATIONS;
  std::string bytes = EncodeGreeting(g);
  Result<Greeting> d = DecodeGreeting(AsBytes(bytes));
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->server_version, g.server_version);
  EXPECT_EQ(d->connection_id, g.connection_id);
  EXPECT_EQ(d->auth_plugin_data, g.auth_plugin_data);
  EXPECT_EQ(d->capabilities, g.capabilities);
  EXPECT_EQ(d->charset, g.charset);
  EXPECT_EQ(d->status_flags, g.status_flags);
  EXPECT_EQ(d->auth_plugin_name, g.auth_plugin_name);
  EXPECT_EQ(d->mariadb_ext_capabilities, g.mariadb_ext_capabilities);
  EXPECT_EQ(EncodeGreeting(*d), bytes);
}

TEST(Greeting, TruncatedAtEveryLengthFailsCleanly) {
  std::string_view payload = PayloadOf(golden::kClassicGreeting);
  const size_t short_form = 1 + 33 + 4 + 8 + 1 + 2;  // ends after the lower capability word
  const size_t scramble_end = short_form + 16 + 13;  // + charset..reserved + scramble part 2
  for (size_t n = 0; n < payload.size(); ++n) {
    Result<Greeting> g = DecodeGreeting(AsBytes(payload.substr(0, n)));
    // A cut plugin name still decodes (old servers omit its NUL); everything else must fail.
    EXPECT_EQ(g.ok(), n == short_form || n >= scramble_end) << n;
    if (g.ok()) {
      Result<Greeting> again = DecodeGreeting(AsBytes(EncodeGreeting(*g)));
      EXPECT_TRUE(again.ok()) << n;
    }
  }
}

TEST(Greeting, RejectsOtherProtocolsAndErr) {
  std::string err = EncodeErr(1130, "HY000", "Host is not allowed");
  EXPECT_FALSE(DecodeGreeting(AsBytes(err)).ok());
  std::string v9(
      "\x09"
      "4.0\0",
      5);
  EXPECT_FALSE(DecodeGreeting(AsBytes(v9)).ok());
}

TEST(HandshakeResponse, ConnectAttribute) {
  const std::string raw = std::string(
      "\x03_os\x05Linux\x06shadow\x01"
      "1",
      19);
  EXPECT_EQ(ConnectAttribute(raw, "shadow"), "1");
  EXPECT_EQ(ConnectAttribute(raw, "_os"), "Linux");
  EXPECT_EQ(ConnectAttribute(raw, "Shadow"), std::nullopt);
  EXPECT_EQ(ConnectAttribute(raw.substr(0, 18), "shadow"), std::nullopt);  // cut short
  EXPECT_EQ(ConnectAttribute("", "shadow"), std::nullopt);
}

TEST(HandshakeResponse, MariadbCliResponse) {
  Result<Greeting> g = DecodeGreeting(AsBytes(PayloadOf(golden::kClassicGreeting)));
  ASSERT_TRUE(g.ok());
  std::string_view payload = PayloadOf(golden::kMariadbCliResponse);
  Result<HandshakeResponse> r = DecodeHandshakeResponse(AsBytes(payload));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->username, "bob");
  EXPECT_EQ(r->database, "somedb");
  EXPECT_EQ(r->auth_plugin_name, "mysql_native_password");
  EXPECT_TRUE(r->capabilities & CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA);
  EXPECT_NE(r->connect_attrs.find("_client_name"), std::string::npos);
  EXPECT_EQ(ConnectAttribute(r->connect_attrs, "_client_name"), "libmariadb");
  EXPECT_EQ(ConnectAttribute(r->connect_attrs, "shadow"), std::nullopt);
  // The real client's scramble verifies against PASSWORD('secret').
  std::string stage2 = *ParsePasswordHash("*14E65567ABDB5135D0CFD9A70B3032C179A49EE7");
  EXPECT_TRUE(VerifyNativeScramble(r->auth_response, g->auth_plugin_data, stage2));
  EXPECT_EQ(NativeScramble("secret", g->auth_plugin_data), r->auth_response);
  EXPECT_EQ(EncodeHandshakeResponse(*r), payload);
  EXPECT_FALSE(IsSslRequest(AsBytes(payload)));
}

TEST(HandshakeResponse, PyMysqlResponse) {
  Result<Greeting> g = DecodeGreeting(AsBytes(PayloadOf(golden::kClassicGreeting)));
  std::string_view payload = PayloadOf(golden::kPyMysqlResponse);
  Result<HandshakeResponse> r = DecodeHandshakeResponse(AsBytes(payload));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->username, "bob");
  EXPECT_EQ(r->database, "somedb");
  EXPECT_EQ(r->charset, 45);
  EXPECT_EQ(r->max_packet, 0xFFFFFFu);
  EXPECT_EQ(NativeScramble("secret", g->auth_plugin_data), r->auth_response);
  EXPECT_EQ(EncodeHandshakeResponse(*r), payload);
}

HandshakeResponse SampleResponse(uint32_t caps) {
  HandshakeResponse h;
  h.capabilities = caps | CLIENT_PROTOCOL_41;
  h.max_packet = 16 << 20;
  h.charset = 45;
  h.username = "alice";
  h.auth_response = NativeScramble("pw", "01234567890123456789");
  if (caps & CLIENT_CONNECT_WITH_DB) h.database = "app";
  if (caps & CLIENT_PLUGIN_AUTH) h.auth_plugin_name = "mysql_native_password";
  if (caps & CLIENT_CONNECT_ATTRS)
    h.connect_attrs = std::string(
        "\x04_pid\x03"
        "123",
        9);
  h.mariadb_ext_capabilities = 0x1C;
  return h;
}

TEST(HandshakeResponse, EveryAuthFormRoundTripsAndTruncationFails) {
  const uint32_t forms[] = {
      CLIENT_SECURE_CONNECTION,
      CLIENT_SECURE_CONNECTION | CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA | CLIENT_PLUGIN_AUTH,
      CLIENT_SECURE_CONNECTION | CLIENT_CONNECT_WITH_DB | CLIENT_PLUGIN_AUTH | CLIENT_CONNECT_ATTRS,
      CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA | CLIENT_CONNECT_WITH_DB | CLIENT_PLUGIN_AUTH |
          CLIENT_CONNECT_ATTRS,
      CLIENT_CONNECT_WITH_DB,  // NUL-terminated auth response (old form)
  };
  for (uint32_t caps : forms) {
    SCOPED_TRACE(caps);
    HandshakeResponse h = SampleResponse(caps);
    if (caps == CLIENT_CONNECT_WITH_DB) h.auth_response = "plain";  // no NUL inside
    std::string bytes = EncodeHandshakeResponse(h);
    Result<HandshakeResponse> d = DecodeHandshakeResponse(AsBytes(bytes));
    ASSERT_TRUE(d.ok()) << d.status().ToString();
    EXPECT_EQ(d->capabilities, h.capabilities);
    EXPECT_EQ(d->max_packet, h.max_packet);
    EXPECT_EQ(d->charset, h.charset);
    EXPECT_EQ(d->username, h.username);
    EXPECT_EQ(d->auth_response, h.auth_response);
    EXPECT_EQ(d->database, h.database);
    EXPECT_EQ(d->auth_plugin_name, h.auth_plugin_name);
    EXPECT_EQ(d->connect_attrs, h.connect_attrs);
    EXPECT_EQ(d->mariadb_ext_capabilities, h.mariadb_ext_capabilities);
    EXPECT_EQ(EncodeHandshakeResponse(*d), bytes);
    // Truncated inside the fixed part, the user name or the auth response: error.
    size_t auth_end = 32 + h.username.size() + 1 + 1 + h.auth_response.size();
    for (size_t n = 0; n < bytes.size(); ++n) {
      Result<HandshakeResponse> t = DecodeHandshakeResponse(AsBytes(bytes.substr(0, n)));
      if (n < auth_end && caps != CLIENT_CONNECT_WITH_DB) {
        EXPECT_FALSE(t.ok()) << n;
      }
    }
  }
}

TEST(HandshakeResponse, RejectsPre41) {
  HandshakeResponse h = SampleResponse(CLIENT_SECURE_CONNECTION);
  std::string bytes = EncodeHandshakeResponse(h);
  bytes[1] = static_cast<char>(bytes[1] & ~(CLIENT_PROTOCOL_41 >> 8));
  EXPECT_FALSE(DecodeHandshakeResponse(AsBytes(bytes)).ok());
}

TEST(HandshakeResponse, SslRequest) {
  HandshakeResponse h = SampleResponse(CLIENT_SECURE_CONNECTION | CLIENT_SSL);
  std::string full = EncodeHandshakeResponse(h);
  std::string ssl = full.substr(0, 32);
  EXPECT_TRUE(IsSslRequest(AsBytes(ssl)));
  EXPECT_FALSE(IsSslRequest(AsBytes(full)));
  EXPECT_FALSE(IsSslRequest(AsBytes(ssl.substr(0, 31))));
  std::string no_ssl = EncodeHandshakeResponse(SampleResponse(CLIENT_SECURE_CONNECTION));
  EXPECT_FALSE(IsSslRequest(AsBytes(no_ssl.substr(0, 32))));
}

TEST(AuthSwitch, RoundTripAndClassification) {
  AuthSwitchRequest a{"mysql_native_password", "abcdefghijklmnopqrst" + std::string(1, '\0')};
  std::string bytes = EncodeAuthSwitchRequest(a);
  EXPECT_EQ(static_cast<uint8_t>(bytes[0]), 0xFE);
  EXPECT_TRUE(IsAuthSwitchRequest(AsBytes(bytes)));
  EXPECT_FALSE(IsAuthMoreData(AsBytes(bytes)));
  Result<AuthSwitchRequest> d = DecodeAuthSwitchRequest(AsBytes(bytes));
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->plugin, a.plugin);
  EXPECT_EQ(d->data, a.data);
  for (size_t n = 0; n < bytes.size(); ++n) {
    Result<AuthSwitchRequest> t = DecodeAuthSwitchRequest(AsBytes(bytes.substr(0, n)));
    EXPECT_EQ(t.ok(), n > 0) << n;
  }
  std::string more = EncodeAuthMoreData("\x03");
  EXPECT_TRUE(IsAuthMoreData(AsBytes(more)));
  EXPECT_FALSE(IsAuthSwitchRequest(AsBytes(more)));
  EXPECT_FALSE(IsAuthMoreData({}));
}

}  // namespace
}  // namespace shadowproxy::protocol
