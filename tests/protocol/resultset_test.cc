// The proxy's own text result sets: decoded back packet by packet with the joiner and the
// wire Reader; DEPRECATE_EOF and classic forms, NULLs, sequence ids, 16 MiB cells.
#include "protocol/resultset.h"

#include <gtest/gtest.h>

#include "protocol/packet.h"
#include "protocol/packets.h"
#include "protocol/wire.h"

namespace shadowproxy::protocol {
namespace {

std::vector<JoinedPayload> Join(std::string_view bytes) {
  PacketJoiner j(JoinerOptions{1u << 30, true});
  j.Feed(bytes);
  std::vector<JoinedPayload> out;
  JoinedPayload p;
  while (j.Next(&p) == PacketJoiner::State::kReady) out.push_back(p);
  EXPECT_TRUE(j.error().empty()) << j.error();
  EXPECT_EQ(j.buffered(), 0u);
  return out;
}

struct ColumnDef {
  std::string catalog, schema, table, org_table, name, org_name;
  uint16_t charset = 0;
  uint32_t length = 0;
  uint8_t type = 0;
  uint16_t flags = 0;
};

ColumnDef DecodeColumn(std::string_view payload) {
  Reader r(payload);
  ColumnDef c;
  c.catalog = r.LenencString();
  c.schema = r.LenencString();
  c.table = r.LenencString();
  c.org_table = r.LenencString();
  c.name = r.LenencString();
  c.org_name = r.LenencString();
  EXPECT_EQ(r.LenencInt(), 0x0Cu);
  c.charset = r.U16();
  c.length = r.U32();
  c.type = r.U8();
  c.flags = r.U16();
  EXPECT_EQ(r.U8(), 0);
  EXPECT_EQ(r.U16(), 0);
  EXPECT_TRUE(r.ok());
  EXPECT_TRUE(r.AtEnd());
  return c;
}

TEST(ResultSet, ClassicForm) {
  EncodedResponse r =
      EncodeTextResultSet({"id", "name"}, {{"1", "alpha"}, {"2", std::nullopt}}, CLIENT_PROTOCOL_41,
                          1, SERVER_STATUS_AUTOCOMMIT | SERVER_STATUS_IN_TRANS);
  std::vector<JoinedPayload> p = Join(r.bytes);
  // count, 2 defs, EOF, 2 rows, EOF
  ASSERT_EQ(p.size(), 7u);
  EXPECT_EQ(p[0].first_seq, 1);
  EXPECT_EQ(p[6].last_seq, 7);
  EXPECT_EQ(r.next_seq, 8);
  EXPECT_EQ(p[0].payload, "\x02");
  ColumnDef id = DecodeColumn(p[1].payload);
  EXPECT_EQ(id.catalog, "def");
  EXPECT_EQ(id.name, "id");
  EXPECT_EQ(id.org_name, "id");
  EXPECT_EQ(id.charset, kCharsetUtf8mb4GeneralCi);
  EXPECT_EQ(id.type, kTypeVarString);
  EXPECT_EQ(id.flags, kNotNullFlag);
  EXPECT_EQ(id.length, 2u * 4);  // "id" is the widest value
  ColumnDef name = DecodeColumn(p[2].payload);
  EXPECT_EQ(name.flags, 0);  // has a NULL
  EXPECT_EQ(name.length, 5u * 4);
  EXPECT_TRUE(IsEof(AsBytes(p[3].payload)));
  EXPECT_EQ(p[4].payload, std::string("\x01"
                                      "1\x05"
                                      "alpha",
                                      8));
  EXPECT_EQ(p[5].payload, std::string("\x01"
                                      "2\xFB",
                                      3));
  Result<EofPacket> eof = DecodeEof(AsBytes(p[6].payload));
  ASSERT_TRUE(eof.ok());
  EXPECT_EQ(eof->status_flags, SERVER_STATUS_AUTOCOMMIT | SERVER_STATUS_IN_TRANS);
}

TEST(ResultSet, DeprecateEofForm) {
  EncodedResponse r = EncodeTextResultSet({"a"}, {{"x"}}, CLIENT_DEPRECATE_EOF, 3);
  std::vector<JoinedPayload> p = Join(r.bytes);
  ASSERT_EQ(p.size(), 4u);  // count, def, row, 0xFE-OK
  EXPECT_EQ(p[0].first_seq, 3);
  EXPECT_EQ(r.next_seq, 7);
  EXPECT_TRUE(IsOk(AsBytes(p[3].payload), true));
  EXPECT_EQ(static_cast<uint8_t>(p[3].payload[0]), 0xFE);
  Result<OkPacket> ok = DecodeOk(AsBytes(p[3].payload));
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->status_flags, SERVER_STATUS_AUTOCOMMIT);
}

TEST(ResultSet, MariaDbCacheAndExtendedMetadata) {
  // libmariadb clients (the mariadb CLI) negotiate both and reject the plain form (ERROR 2027).
  EncodedResponse plain = EncodeTextResultSet({"a"}, {{"x"}}, CLIENT_DEPRECATE_EOF, 1);
  EncodedResponse ext =
      EncodeTextResultSet({"a"}, {{"x"}}, CLIENT_DEPRECATE_EOF, 1, SERVER_STATUS_AUTOCOMMIT, 0,
                          MARIADB_CLIENT_CACHE_METADATA | MARIADB_CLIENT_EXTENDED_METADATA);
  std::vector<JoinedPayload> p = Join(plain.bytes);
  std::vector<JoinedPayload> e = Join(ext.bytes);
  ASSERT_EQ(e.size(), p.size());
  EXPECT_EQ(e[0].payload, std::string("\x01\x01", 2));  // column count, metadata follows
  EXPECT_EQ(p[0].payload, std::string("\x01", 1));
  // The column definition gains one byte: an empty extended-type-info block before 0x0C.
  ASSERT_EQ(e[1].payload.size(), p[1].payload.size() + 1);
  size_t fixed = p[1].payload.find('\x0C');
  ASSERT_NE(fixed, std::string::npos);
  EXPECT_EQ(e[1].payload.substr(0, fixed), p[1].payload.substr(0, fixed));
  EXPECT_EQ(e[1].payload[fixed], '\0');
  EXPECT_EQ(e[1].payload.substr(fixed + 1), p[1].payload.substr(fixed));
  EXPECT_EQ(e[2].payload, p[2].payload);  // rows are unchanged
}

TEST(ResultSet, ShortRowsArePaddedWithNull) {
  EncodedResponse r = EncodeTextResultSet({"a", "b"}, {{"x"}}, CLIENT_DEPRECATE_EOF, 1);
  std::vector<JoinedPayload> p = Join(r.bytes);
  ASSERT_EQ(p.size(), 5u);
  EXPECT_EQ(p[3].payload, std::string("\x01x\xFB", 3));
}

TEST(ResultSet, NoRowsAndEmptyStrings) {
  EncodedResponse r = EncodeTextResultSet({"a"}, {{""}}, 0, 1);
  std::vector<JoinedPayload> p = Join(r.bytes);
  ASSERT_EQ(p.size(), 5u);
  EXPECT_EQ(p[3].payload, std::string("\x00", 1));  // empty string, not NULL
  EncodedResponse none = EncodeTextResultSet({"a"}, {}, 0, 1);
  EXPECT_EQ(Join(none.bytes).size(), 4u);
}

TEST(ResultSet, HugeCellIsSplitIntoPackets) {
  std::string cell(kMaxPayload + 5, 'z');
  EncodedResponse r = EncodeTextResultSet({"blob"}, {{cell}}, CLIENT_DEPRECATE_EOF, 1);
  std::vector<JoinedPayload> p = Join(r.bytes);
  ASSERT_EQ(p.size(), 4u);
  EXPECT_EQ(p[2].packets, 2u);
  Reader row(p[2].payload);
  EXPECT_EQ(row.LenencString().size(), cell.size());
  EXPECT_EQ(r.next_seq, 6);  // 1 count, 2 def, 3+4 row, 5 ok
}

TEST(ResultSet, OkAndErrResponses) {
  EncodedResponse ok = EncodeOkResponse(1, 3, SERVER_STATUS_AUTOCOMMIT, 0, "done");
  EXPECT_EQ(ok.next_seq, 2);
  std::vector<JoinedPayload> p = Join(ok.bytes);
  ASSERT_EQ(p.size(), 1u);
  Result<OkPacket> d = DecodeOk(AsBytes(p[0].payload));
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->affected_rows, 3u);
  EXPECT_EQ(d->info, "done");
  EncodedResponse err = EncodeErrResponse(1, 7003, "HY000", "not allowed");
  p = Join(err.bytes);
  ASSERT_EQ(p.size(), 1u);
  Result<ErrPacket> e = DecodeErr(AsBytes(p[0].payload));
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->code, 7003);
  EXPECT_EQ(e->message, "not allowed");
}

// DecodeSingleValue reads back what a server sends for SELECT DATABASE() LIMIT 1.
std::vector<std::string> Payloads(const EncodedResponse& r) {
  std::vector<std::string> out;
  for (const JoinedPayload& p : Join(r.bytes)) out.push_back(p.payload);
  return out;
}

TEST(SingleValue, EveryNegotiatedForm) {
  for (uint32_t caps : {0u, CLIENT_DEPRECATE_EOF})
    for (uint32_t ext : {0u, MARIADB_CLIENT_CACHE_METADATA | MARIADB_CLIENT_EXTENDED_METADATA}) {
      SCOPED_TRACE(::testing::Message() << "caps " << caps << " ext " << ext);
      auto v = DecodeSingleValue(
          Payloads(EncodeTextResultSet({"DATABASE()"}, {{"sh`op"}}, caps, 1, 2, 0, ext)), caps,
          ext);
      ASSERT_TRUE(v.ok()) << v.status().ToString();
      EXPECT_EQ(*v, std::optional<std::string>("sh`op"));
      auto null = DecodeSingleValue(
          Payloads(EncodeTextResultSet({"DATABASE()"}, {{std::nullopt}}, caps, 1, 2, 0, ext)), caps,
          ext);
      ASSERT_TRUE(null.ok()) << null.status().ToString();
      EXPECT_FALSE(null->has_value());
      // No row (sql_select_limit=0), two rows, two columns: refused, never misread.
      EXPECT_FALSE(
          DecodeSingleValue(Payloads(EncodeTextResultSet({"d"}, {}, caps, 1, 2, 0, ext)), caps, ext)
              .ok());
      EXPECT_FALSE(
          DecodeSingleValue(
              Payloads(EncodeTextResultSet({"d"}, {{"a"}, {"b"}}, caps, 1, 2, 0, ext)), caps, ext)
              .ok());
      EXPECT_FALSE(DecodeSingleValue(
                       Payloads(EncodeTextResultSet({"d", "e"}, {{"a", "b"}}, caps, 1, 2, 0, ext)),
                       caps, ext)
                       .ok());
    }
}

TEST(SingleValue, MySqlMetadataSkippedAndErrors) {
  // CLIENT_OPTIONAL_RESULTSET_METADATA with resultset_metadata=NONE: count, "no metadata" byte.
  const std::string count("\x01\x00", 2), row("\x04shop", 5);
  const std::string eof = EncodeEof(0, SERVER_STATUS_AUTOCOMMIT);
  const uint32_t caps = CLIENT_OPTIONAL_RESULTSET_METADATA;
  auto v = DecodeSingleValue({count, eof, row, eof}, caps);
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ(*v, std::optional<std::string>("shop"));
  const std::string ok_end = EncodeOk(0, 0, SERVER_STATUS_AUTOCOMMIT, 0, {}, true);
  v = DecodeSingleValue({count, row, ok_end}, caps | CLIENT_DEPRECATE_EOF);
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ(*v, std::optional<std::string>("shop"));
  auto err = DecodeSingleValue({EncodeErr(1064, "42000", "bad")}, 0);
  EXPECT_EQ(err.status().code(), 1064);
  EXPECT_FALSE(DecodeSingleValue({}, 0).ok());
  EXPECT_FALSE(DecodeSingleValue({count}, caps).ok());
}

}  // namespace
}  // namespace shadowproxy::protocol
