// Command names, ExpectsResponse, COM_CHANGE_USER codec, QueryText and IsShadowSyncQuery.
#include "protocol/command.h"

#include <gtest/gtest.h>

#include "protocol/auth.h"
#include "protocol/capabilities.h"
#include "protocol/packets.h"

namespace shadowproxy::protocol {
namespace {

TEST(Command, Names) {
  EXPECT_EQ(CommandName(COM_QUERY), "query");
  EXPECT_EQ(CommandName(COM_QUIT), "quit");
  EXPECT_EQ(CommandName(COM_INIT_DB), "init_db");
  EXPECT_EQ(CommandName(COM_STMT_EXECUTE), "stmt_execute");
  EXPECT_EQ(CommandName(COM_STMT_SEND_LONG_DATA), "stmt_send_long_data");
  EXPECT_EQ(CommandName(COM_STMT_FETCH), "stmt_fetch");
  EXPECT_EQ(CommandName(COM_RESET_CONNECTION), "reset_connection");
  EXPECT_EQ(CommandName(COM_BINLOG_DUMP_GTID), "binlog_dump_gtid");
  EXPECT_EQ(CommandName(COM_STMT_BULK_EXECUTE), "stmt_bulk_execute");
  EXPECT_EQ(CommandName(0x20), "unknown");
  EXPECT_EQ(CommandName(0xFF), "unknown");
  for (int c = 0; c < 256; ++c) {
    std::string_view n = CommandName(static_cast<uint8_t>(c));
    EXPECT_FALSE(n.empty());
    for (char ch : n) EXPECT_TRUE((ch >= 'a' && ch <= 'z') || ch == '_') << n;
  }
}

TEST(Command, ExpectsResponse) {
  EXPECT_FALSE(ExpectsResponse(COM_QUIT));
  EXPECT_FALSE(ExpectsResponse(COM_STMT_CLOSE));
  EXPECT_FALSE(ExpectsResponse(COM_STMT_SEND_LONG_DATA));
  for (uint8_t c : {COM_QUERY, COM_PING, COM_STMT_EXECUTE, COM_STMT_PREPARE, COM_STMT_RESET,
                    COM_STMT_FETCH, COM_CHANGE_USER, COM_INIT_DB, COM_FIELD_LIST}) {
    EXPECT_TRUE(ExpectsResponse(c)) << CommandName(c);
  }
}

TEST(ChangeUser, RoundTripAndTruncation) {
  const uint32_t caps_list[] = {
      CLIENT_PROTOCOL_41 | CLIENT_SECURE_CONNECTION | CLIENT_PLUGIN_AUTH | CLIENT_CONNECT_ATTRS,
      CLIENT_PROTOCOL_41 | CLIENT_SECURE_CONNECTION | CLIENT_PLUGIN_AUTH,
      CLIENT_PROTOCOL_41 | CLIENT_SECURE_CONNECTION,
  };
  for (uint32_t caps : caps_list) {
    ChangeUser c;
    c.username = "bob";
    c.auth_response = NativeScramble("secret", "abcdefghijklmnopqrst");
    c.database = "app";
    c.charset = 45;
    if (caps & CLIENT_PLUGIN_AUTH) c.auth_plugin_name = "mysql_native_password";
    if (caps & CLIENT_CONNECT_ATTRS) c.connect_attrs = std::string("\x03_os\x05Linux", 10);
    std::string bytes = EncodeChangeUser(c, caps);
    EXPECT_EQ(bytes[0], COM_CHANGE_USER);
    Result<ChangeUser> d = DecodeChangeUser(AsBytes(bytes), caps);
    ASSERT_TRUE(d.ok()) << d.status().ToString();
    EXPECT_EQ(d->username, "bob");
    EXPECT_EQ(d->auth_response, c.auth_response);
    EXPECT_EQ(d->database, "app");
    EXPECT_EQ(d->charset, 45);
    EXPECT_EQ(d->auth_plugin_name, c.auth_plugin_name);
    EXPECT_EQ(d->connect_attrs, c.connect_attrs);
    EXPECT_EQ(EncodeChangeUser(*d, caps), bytes);
    size_t auth_end = 1 + 4 + 1 + c.auth_response.size();
    for (size_t n = 0; n < bytes.size(); ++n) {
      Result<ChangeUser> t = DecodeChangeUser(AsBytes(bytes.substr(0, n)), caps);
      if (n < auth_end) {
        EXPECT_FALSE(t.ok()) << n;
      }
    }
  }
  EXPECT_FALSE(DecodeChangeUser(AsBytes(std::string("\x03select", 7)), 0).ok());
}

std::string Query(std::string_view sql) {
  std::string payload(1, '\x03');  // appended: a concatenation trips GCC bug 105329 at -O3
  payload += sql;
  return payload;
}

TEST(ShadowSync, Table) {
  struct Case {
    std::string_view sql;
    bool expect;
  };
  const Case cases[] = {
      {"SHADOW SYNC", true},
      {"shadow sync", true},
      {"ShAdOw SyNc TABLE t", true},
      {"SHADOW SYNC;", true},
      {"SHADOW SYNC(", true},
      {"SHADOW  \t\r\n SYNC analyse", true},
      {"   \n\tSHADOW SYNC", true},
      {"-- comment\nSHADOW SYNC", true},
      {"--\tcomment\nSHADOW SYNC", true},
      {"--\nSHADOW SYNC", true},
      {"# hash comment\nSHADOW SYNC", true},
      {"/* block */SHADOW SYNC", true},
      {"/* multi\nline */ /* two */ SHADOW SYNC", true},
      {"/*+ hint-looking */ SHADOW SYNC", true},
      {"SHADOW/* between */SYNC", true},
      {"SHADOW -- c\n SYNC", true},
      {"SHADOW # c\n SYNC", true},
      {"SHADOW SYNC-- x", true},
      {"SHADOW SYNC/*x*/", true},
      {"SHADOW SYNC`t`", true},
      {"SHADOW SYNC'x'", true},
      // Version comments are read as the server reads them (default: MariaDB 10.11): their
      // markers vanish when it runs them, the whole comment when it does not.
      {"/*! SHADOW SYNC */", true},
      {"/*!50000 */ SHADOW SYNC", true},
      {"/*M!100000 */ SHADOW SYNC", true},
      {"/*!99999 DROP TABLE t */ SHADOW SYNC", true},
      {"/*!50700 DROP TABLE t */ SHADOW SYNC", true},  // MySQL-only version: skipped
      {"SHADOW/*!*/SYNC", true},
      // Not intercepted.
      {"", false},
      {"SELECT 1", false},
      {"SHADOW", false},
      {"SHADOW ", false},
      {"SHADOWSYNC", false},
      {"SHADOW SYNCHRONIZE", false},
      {"SHADOW SYNC_X", false},
      {"SHADOW SYNC1", false},
      {"SHADOW SYNC$", false},
      {"SHADOW SYNC\xC3\xA9", false},
      {"SHADOW_SYNC", false},
      {"SHADOWS SYNC", false},
      {"SHADOW SYN", false},
      {"SHADOW  ASYNC", false},
      {"select 'SHADOW SYNC'", false},
      {"--comment\nSHADOW SYNC", false},  // "--" without space is not a comment
      {"-- comment SHADOW SYNC", false},  // never ends the comment
      {"/* unterminated SHADOW SYNC", false},
      {"/*!50000 DROP TABLE t */ SHADOW SYNC", false},  // the server runs the DROP first
      {"/*!100500 DROP TABLE t */ SHADOW SYNC", false},
      {"/*M! DROP TABLE t */ SHADOW SYNC", false},
      {"SHADOW /*! x */ SYNC", false},
      {"/*! SHADOW SYNC", true},  // unterminated: the server refuses it, so does the parser
      {"/*!50000 SHADOW */ SYNC", true},
      {"(SHADOW SYNC)", false},
      {"\"SHADOW\" SYNC", false},
      {"`SHADOW` SYNC", false},
  };
  for (const Case& c : cases) {
    std::string payload = Query(c.sql);
    EXPECT_EQ(IsShadowSyncQuery(AsBytes(payload)), c.expect) << "'" << c.sql << "'";
    EXPECT_EQ(IsShadowSyncText(c.sql), c.expect) << "'" << c.sql << "'";
  }
}

TEST(ShadowSync, DependsOnTheServer) {
  const sql::Dialect mysql = sql::Dialect::FromServerVersion("8.0.36");
  const sql::Dialect maria = sql::Dialect::FromServerVersion("5.5.5-10.11.6-MariaDB");
  const std::string mysql_first = "/*!50700 SELECT 1; */ SHADOW SYNC HELP";
  EXPECT_FALSE(IsShadowSyncText(mysql_first, mysql));
  EXPECT_TRUE(IsShadowSyncText(mysql_first, maria));
  const std::string maria_first = "/*M!100500 SELECT 1; */ SHADOW SYNC HELP";
  EXPECT_TRUE(IsShadowSyncText(maria_first, mysql));
  EXPECT_FALSE(IsShadowSyncText(maria_first, maria));
  EXPECT_FALSE(IsShadowSyncQuery(AsBytes(Query(mysql_first)), false, mysql));
  EXPECT_TRUE(IsShadowSyncQuery(AsBytes(Query(mysql_first)), false, maria));
}

TEST(ShadowSync, OnlyComQuery) {
  std::string p = "\x16SHADOW SYNC";  // COM_STMT_PREPARE
  EXPECT_FALSE(IsShadowSyncQuery(AsBytes(p)));
  EXPECT_FALSE(IsShadowSyncQuery({}));
}

TEST(ShadowSync, QueryAttributes) {
  std::string with_attrs = std::string("\x03\x00\x01", 3) + "SHADOW SYNC";
  EXPECT_TRUE(IsShadowSyncQuery(AsBytes(with_attrs), true));
  EXPECT_FALSE(IsShadowSyncQuery(AsBytes(with_attrs), false));
  std::string real_attrs = std::string("\x03\x01\x01", 3) + "SHADOW SYNC";
  EXPECT_FALSE(IsShadowSyncQuery(AsBytes(real_attrs), true));
  EXPECT_FALSE(QueryText(AsBytes(real_attrs), true).ok());
  Result<std::string_view> t = QueryText(AsBytes(with_attrs), true);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(*t, "SHADOW SYNC");
}

TEST(ShadowSync, NeverLooksPastTheKeywords) {
  // Whatever follows "SHADOW SYNC " cannot change the answer.
  std::string base = "SHADOW SYNC ";
  for (int c = 0; c < 256; ++c) {
    std::string sql = base + static_cast<char>(c) + "/* unterminated";
    EXPECT_TRUE(IsShadowSyncText(sql)) << c;
  }
  // Truncation at every length of a commented query never crashes and is only true at the end.
  std::string sql = "/* a */ -- b\n# c\n SHADOW /* d */ SYNC";
  for (size_t n = 0; n <= sql.size(); ++n) {
    EXPECT_EQ(IsShadowSyncText(std::string_view(sql).substr(0, n)), n == sql.size()) << n;
  }
}

TEST(Command, EncodeQueryIsQueryTextsInverse) {
  for (bool attrs : {false, true}) {
    std::string payload = EncodeQuery("SELECT DATABASE() LIMIT 1", attrs);
    EXPECT_EQ(static_cast<uint8_t>(payload[0]), COM_QUERY);
    EXPECT_EQ(payload.size(), 1 + (attrs ? 2 : 0) + 25u);
    auto text = QueryText(AsBytes(payload), attrs);
    ASSERT_TRUE(text.ok()) << text.status().ToString();
    EXPECT_EQ(*text, "SELECT DATABASE() LIMIT 1");
  }
}

}  // namespace
}  // namespace shadowproxy::protocol
