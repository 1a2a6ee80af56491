// OK / ERR / EOF codecs and classification.
#include "protocol/packets.h"

#include <gtest/gtest.h>

#include "protocol/capabilities.h"

namespace shadowproxy::protocol {
namespace {

TEST(Packets, OkRoundTrip) {
  for (bool deprecate : {false, true}) {
    for (uint64_t affected : {0ull, 250ull, 251ull, 70000ull, 1ull << 40}) {
      std::string p =
          EncodeOk(affected, 77, SERVER_STATUS_AUTOCOMMIT, 3, "Rows matched: 1", deprecate);
      EXPECT_EQ(static_cast<uint8_t>(p[0]), deprecate ? 0xFE : 0x00);
      EXPECT_TRUE(IsOk(AsBytes(p), deprecate));
      Result<OkPacket> ok = DecodeOk(AsBytes(p));
      ASSERT_TRUE(ok.ok());
      EXPECT_EQ(ok->affected_rows, affected);
      EXPECT_EQ(ok->last_insert_id, 77u);
      EXPECT_EQ(ok->status_flags, SERVER_STATUS_AUTOCOMMIT);
      EXPECT_EQ(ok->warnings, 3);
      EXPECT_EQ(ok->info, "Rows matched: 1");
      for (size_t n = 0; n < 7; ++n) EXPECT_FALSE(DecodeOk(AsBytes(p.substr(0, n))).ok()) << n;
    }
  }
}

TEST(Packets, OkMinimalBytes) {
  std::string p = EncodeOk(0, 0, 2, 0);
  EXPECT_EQ(p, std::string("\x00\x00\x00\x02\x00\x00\x00", 7));
}

TEST(Packets, ErrRoundTrip) {
  std::string p = EncodeErr(1045, "28000", "Access denied for user 'x'@'h' (using password: YES)");
  EXPECT_EQ(p.substr(0, 9), std::string("\xFF\x15\x04#28000", 9));
  EXPECT_TRUE(IsErr(AsBytes(p)));
  Result<ErrPacket> e = DecodeErr(AsBytes(p));
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->code, 1045);
  EXPECT_EQ(e->sqlstate, "28000");
  EXPECT_EQ(e->message, "Access denied for user 'x'@'h' (using password: YES)");
  for (size_t n = 0; n < 3; ++n) EXPECT_FALSE(DecodeErr(AsBytes(p.substr(0, n))).ok());
  for (size_t n = 3; n <= p.size(); ++n) EXPECT_TRUE(DecodeErr(AsBytes(p.substr(0, n))).ok());
  Status s = ErrToStatus(*e);
  EXPECT_EQ(s.code(), 1045);
  EXPECT_EQ(EncodeErr(s), p);
}

TEST(Packets, ErrWithoutSqlstate) {
  std::string p("\xFF\x10\x04Too many connections", 23);
  Result<ErrPacket> e = DecodeErr(AsBytes(p));
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->code, 1040);
  EXPECT_EQ(e->sqlstate, "HY000");
  EXPECT_EQ(e->message, "Too many connections");
}

TEST(Packets, EofRoundTripAndClassification) {
  std::string p = EncodeEof(1, SERVER_MORE_RESULTS_EXISTS);
  EXPECT_EQ(p.size(), 5u);
  EXPECT_TRUE(IsEof(AsBytes(p)));
  EXPECT_FALSE(IsOk(AsBytes(p), false));
  Result<EofPacket> e = DecodeEof(AsBytes(p));
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->warnings, 1);
  EXPECT_EQ(e->status_flags, SERVER_MORE_RESULTS_EXISTS);
  // 0xFE followed by 8 bytes is a length-encoded integer (row or column count), not EOF.
  std::string nine("\xFE\x01\x02\x03\x04\x05\x06\x07\x08", 9);
  EXPECT_FALSE(IsEof(AsBytes(nine)));
  EXPECT_FALSE(IsResultSetEnd(0xFE, 9, false));
  EXPECT_TRUE(IsResultSetEnd(0xFE, 8, false));
  EXPECT_TRUE(IsResultSetEnd(0xFE, 9, true));
  EXPECT_FALSE(IsResultSetEnd(0xFE, 0xFFFFFF, true));
  EXPECT_FALSE(IsResultSetEnd(0x00, 7, true));
  EXPECT_FALSE(IsOk(AsBytes(std::string("\x00\x00\x00", 3))));
  EXPECT_FALSE(IsEof({}));
  EXPECT_FALSE(IsErr({}));
  EXPECT_FALSE(IsOk({}));
}

TEST(Packets, OkWithSessionState) {
  std::string p = EncodeOk(1, 0, SERVER_SESSION_STATE_CHANGED | 2, 0, "info");
  p += std::string("\x05\x00\x03\x02\x61\x62", 6);  // lenenc session state
  Result<OkPacket> ok = DecodeOk(AsBytes(p));
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->info, "info");
  EXPECT_EQ(ok->session_state, std::string("\x00\x03\x02\x61\x62", 5));
}

}  // namespace
}  // namespace shadowproxy::protocol
