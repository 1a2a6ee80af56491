// Reader / Writer: length-encoded integers at every boundary, strings, bounds checks.
#include "protocol/wire.h"

#include <gtest/gtest.h>

#include "protocol/packets.h"

namespace shadowproxy::protocol {
namespace {

TEST(Wire, LenencIntBoundaries) {
  const uint64_t values[] = {0,       1,        250,       251,           252,        0xFFFF,
                             0x10000, 0xFFFFFF, 0x1000000, 0xFFFFFFFFull, 1ull << 40, ~0ull};
  const size_t sizes[] = {1, 1, 1, 3, 3, 3, 4, 4, 9, 9, 9, 9};
  for (size_t i = 0; i < std::size(values); ++i) {
    std::string s;
    Writer(&s).LenencInt(values[i]);
    EXPECT_EQ(s.size(), sizes[i]) << values[i];
    EXPECT_EQ(LenencIntSize(values[i]), sizes[i]);
    Reader r(s);
    EXPECT_EQ(r.LenencInt(), values[i]);
    EXPECT_TRUE(r.ok());
    EXPECT_TRUE(r.AtEnd());
    for (size_t n = 0; n < s.size(); ++n) {
      Reader t(std::string_view(s).substr(0, n));
      t.LenencInt();
      EXPECT_FALSE(t.ok()) << values[i] << " cut at " << n;
    }
  }
}

TEST(Wire, NullAndErrPrefixesAreNotIntegers) {
  for (char c : {'\xFB', '\xFF'}) {
    Reader r(std::string_view(&c, 1));
    EXPECT_EQ(r.LenencInt(), 0u);
    EXPECT_FALSE(r.ok());
  }
}

TEST(Wire, FixedInts) {
  std::string s;
  Writer w(&s);
  w.U8(0xAB);
  w.U16(0x1234);
  w.U24(0x56789A);
  w.U32(0xDEADBEEF);
  w.Fixed(0x010203040506, 6);
  w.U64(0x1122334455667788ull);
  EXPECT_EQ(s.size(), 1u + 2 + 3 + 4 + 6 + 8);
  EXPECT_EQ(s.substr(1, 2), "\x34\x12");
  Reader r(s);
  EXPECT_EQ(r.U8(), 0xAB);
  EXPECT_EQ(r.U16(), 0x1234);
  EXPECT_EQ(r.U24(), 0x56789Au);
  EXPECT_EQ(r.U32(), 0xDEADBEEFu);
  EXPECT_EQ(r.U48(), 0x010203040506ull);
  EXPECT_EQ(r.U64(), 0x1122334455667788ull);
  EXPECT_TRUE(r.ok());
  EXPECT_TRUE(r.AtEnd());
  EXPECT_EQ(r.U8(), 0);
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.remaining(), 0u);
}

TEST(Wire, Strings) {
  std::string s;
  Writer w(&s);
  w.LenencString("hello");
  w.LenencString(std::string(300, 'x'));
  w.NulString("nul");
  w.Bytes("raw");
  Reader r(s);
  EXPECT_EQ(r.LenencString(), "hello");
  EXPECT_EQ(r.LenencString(), std::string(300, 'x'));
  EXPECT_EQ(r.NulString(), "nul");
  EXPECT_EQ(r.Rest(), "raw");
  EXPECT_TRUE(r.ok());
  // Truncated at every length: the reader never fails to notice.
  for (size_t n = 0; n < s.size(); ++n) {
    Reader t(std::string_view(s).substr(0, n));
    t.LenencString();
    t.LenencString();
    t.NulString();
    t.Bytes(3);
    EXPECT_FALSE(t.ok()) << n;
  }
}

TEST(Wire, LenencStringLongerThanInputFails) {
  std::string s =
      "\xFE\xFF\xFF\xFF\xFF\xFF\xFF\xFF\xFF"
      "abc";
  Reader r(s);
  EXPECT_EQ(r.LenencString(), "");
  EXPECT_FALSE(r.ok());
}

TEST(Wire, NulOrEofString) {
  Reader a(std::string_view("abc\0def", 7));
  EXPECT_EQ(a.NulOrEofString(), "abc");
  EXPECT_EQ(a.NulOrEofString(), "def");
  EXPECT_TRUE(a.ok());
  EXPECT_EQ(a.NulOrEofString(), "");
  EXPECT_TRUE(a.ok());
}

TEST(Wire, ErrorIsSticky) {
  Reader r(std::string_view("\x01\x02", 2));
  r.U32();
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.U8(), 0);
  EXPECT_EQ(r.Rest(), "");
  EXPECT_EQ(r.Peek(), 0);
}

}  // namespace
}  // namespace shadowproxy::protocol
