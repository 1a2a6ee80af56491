// Packet framing: AppendPacket splitting (16 MiB boundaries, empty trailer) and PacketJoiner fed
// whole, at every split point, with bad sequence ids and over max_allowed_packet.
#include "protocol/packet.h"

#include <gtest/gtest.h>

#include "tests/protocol/test_util.h"

namespace shadowproxy::protocol {
namespace {

using testing::SplitWire;

TEST(Packet, HeaderRoundTrip) {
  uint8_t buf[4];
  EncodeHeader({0xABCDEF, 7}, buf);
  EXPECT_EQ(buf[0], 0xEF);
  EXPECT_EQ(buf[2], 0xAB);
  PacketHeader h = DecodeHeader(buf);
  EXPECT_EQ(h.length, 0xABCDEFu);
  EXPECT_EQ(h.seq, 7);
}

TEST(Packet, AppendSmallAndEmpty) {
  std::string out;
  EXPECT_EQ(AppendPacket(&out, 0, "abc"), 1);
  EXPECT_EQ(out, std::string("\x03\x00\x00\x00"
                             "abc",
                             7));
  out.clear();
  EXPECT_EQ(AppendPacket(&out, 255, ""), 0);  // sequence ids wrap
  EXPECT_EQ(out, std::string("\x00\x00\x00\xFF", 4));
}

TEST(Packet, AppendSplitsLargePayloads) {
  struct Case {
    size_t size;
    std::vector<uint32_t> lengths;
  };
  const Case cases[] = {
      {kMaxPayload - 1, {kMaxPayload - 1}},
      {kMaxPayload, {kMaxPayload, 0}},
      {kMaxPayload + 1, {kMaxPayload, 1}},
      {2 * size_t{kMaxPayload}, {kMaxPayload, kMaxPayload, 0}},
  };
  for (const Case& c : cases) {
    std::string payload(c.size, 'p');
    payload[0] = 'A';
    payload.back() = 'Z';
    std::string out;
    uint8_t next = AppendPacket(&out, 254, payload);
    std::vector<testing::WirePacket> packets = SplitWire(out);
    ASSERT_EQ(packets.size(), c.lengths.size()) << c.size;
    for (size_t i = 0; i < packets.size(); ++i) {
      EXPECT_EQ(packets[i].length, c.lengths[i]);
      EXPECT_EQ(packets[i].seq, static_cast<uint8_t>(254 + i));
    }
    EXPECT_EQ(next, static_cast<uint8_t>(254 + packets.size()));
    PacketJoiner j;
    j.Feed(out);
    JoinedPayload p;
    ASSERT_EQ(j.Next(&p), PacketJoiner::State::kReady);
    EXPECT_EQ(p.payload.size(), payload.size());
    EXPECT_TRUE(p.payload == payload);
    EXPECT_EQ(p.first_seq, 254);
    EXPECT_EQ(p.packets, packets.size());
    EXPECT_EQ(j.Next(&p), PacketJoiner::State::kNeedMore);
    EXPECT_EQ(j.buffered(), 0u);
  }
}

std::string SampleStream() {
  std::string s;
  uint8_t seq = 0;
  seq = AppendPacket(&s, seq, "first");
  seq = AppendPacket(&s, seq, "");
  seq = AppendPacket(&s, seq, std::string(300, 'x'));
  AppendPacket(&s, seq, "last");
  return s;
}

std::vector<std::string> JoinAll(PacketJoiner* j, std::string_view bytes, size_t chunk) {
  std::vector<std::string> out;
  for (size_t i = 0; i < bytes.size(); i += chunk) {
    j->Feed(bytes.substr(i, chunk));
    JoinedPayload p;
    while (j->Next(&p) == PacketJoiner::State::kReady) out.push_back(p.payload);
  }
  return out;
}

TEST(PacketJoiner, AnySplitGivesTheSamePayloads) {
  std::string s = SampleStream();
  const std::vector<std::string> expect = {"first", "", std::string(300, 'x'), "last"};
  for (size_t chunk = 1; chunk <= s.size(); ++chunk) {
    PacketJoiner j(JoinerOptions{1u << 20, true});
    EXPECT_EQ(JoinAll(&j, s, chunk), expect) << chunk;
    EXPECT_TRUE(j.error().empty());
  }
  // Split into two at every byte.
  for (size_t cut = 0; cut <= s.size(); ++cut) {
    PacketJoiner j;
    std::vector<std::string> got;
    JoinedPayload p;
    j.Feed(std::string_view(s).substr(0, cut));
    while (j.Next(&p) == PacketJoiner::State::kReady) got.push_back(p.payload);
    j.Feed(std::string_view(s).substr(cut));
    while (j.Next(&p) == PacketJoiner::State::kReady) got.push_back(p.payload);
    EXPECT_EQ(got, expect) << cut;
  }
}

TEST(PacketJoiner, TruncatedStreamNeverYieldsAPartialPayload) {
  std::string s = SampleStream();
  for (size_t n = 0; n < s.size(); ++n) {
    PacketJoiner j;
    j.Feed(std::string_view(s).substr(0, n));
    JoinedPayload p;
    size_t ready = 0;
    while (j.Next(&p) == PacketJoiner::State::kReady) ++ready;
    EXPECT_LT(ready, 4u) << n;
  }
}

TEST(PacketJoiner, SequenceChecking) {
  std::string s;
  AppendPacket(&s, 0, "a");
  AppendPacket(&s, 2, "b");  // gap
  PacketJoiner lax;
  EXPECT_EQ(JoinAll(&lax, s, s.size()).size(), 2u);
  PacketJoiner strict(JoinerOptions{1024, true});
  JoinedPayload p;
  strict.Feed(s);
  EXPECT_EQ(strict.Next(&p), PacketJoiner::State::kReady);
  EXPECT_EQ(strict.Next(&p), PacketJoiner::State::kError);
  EXPECT_NE(strict.error().find("out of order"), std::string::npos);
  EXPECT_EQ(strict.Next(&p), PacketJoiner::State::kError);  // sticky
  // ExpectSequence fixes the first one too.
  PacketJoiner first(JoinerOptions{1024, true});
  first.ExpectSequence(1);
  first.Feed(s);
  EXPECT_EQ(first.Next(&p), PacketJoiner::State::kError);
}

TEST(PacketJoiner, MaxAllowedPacket) {
  std::string s;
  AppendPacket(&s, 0, std::string(100, 'a'));
  PacketJoiner j(JoinerOptions{99, false});
  j.Feed(s.substr(0, 4));  // the header alone is enough to refuse it
  JoinedPayload p;
  EXPECT_EQ(j.Next(&p), PacketJoiner::State::kError);
  EXPECT_NE(j.error().find("max_allowed_packet"), std::string::npos);
  PacketJoiner ok(JoinerOptions{100, false});
  ok.Feed(s);
  EXPECT_EQ(ok.Next(&p), PacketJoiner::State::kReady);
  // A multi-packet payload is limited by its total length.
  std::string big;
  AppendPacket(&big, 0, std::string(kMaxPayload + 10, 'b'));
  PacketJoiner limited(JoinerOptions{kMaxPayload + 5, false});
  limited.Feed(big);
  EXPECT_EQ(limited.Next(&p), PacketJoiner::State::kError);
}

}  // namespace
}  // namespace shadowproxy::protocol
