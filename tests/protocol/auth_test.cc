// mysql_native_password against known vectors (MariaDB PASSWORD('secret')).
#include "protocol/auth.h"

#include <gtest/gtest.h>

namespace shadowproxy::protocol {
namespace {

// SELECT PASSWORD('secret') on MariaDB 10.11.
constexpr std::string_view kSecretHash = "*14E65567ABDB5135D0CFD9A70B3032C179A49EE7";

TEST(Auth, Stage2MatchesServerPasswordFunction) {
  EXPECT_EQ(FormatPasswordHash(Stage2FromPassword("secret")), kSecretHash);
  Result<std::string> parsed = ParsePasswordHash(kSecretHash);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(*parsed, Stage2FromPassword("secret"));
  Result<std::string> lower = ParsePasswordHash("*14e65567abdb5135d0cfd9a70b3032c179a49ee7");
  ASSERT_TRUE(lower.ok());
  EXPECT_EQ(*lower, *parsed);
}

TEST(Auth, Sha1KnownVector) {
  // FIPS 180 "abc".
  EXPECT_EQ(FormatPasswordHash(Sha1("abc")), "*A9993E364706816ABA3E25717850C26C9CD0D89D");
}

TEST(Auth, ParsePasswordHashRejectsBadInput) {
  EXPECT_FALSE(ParsePasswordHash("14E65567ABDB5135D0CFD9A70B3032C179A49EE7").ok());
  EXPECT_FALSE(ParsePasswordHash("*14E65567ABDB5135D0CFD9A70B3032C179A49EE").ok());
  EXPECT_FALSE(ParsePasswordHash("*14E65567ABDB5135D0CFD9A70B3032C179A49EEG").ok());
  EXPECT_FALSE(ParsePasswordHash("*14E65567ABDB5135D0CFD9A70B3032C179A49EE77").ok());
  Result<std::string> empty = ParsePasswordHash("");
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(*empty, "");
}

TEST(Auth, ScrambleVerifies) {
  std::string scramble = GenerateScramble();
  std::string stage2 = *ParsePasswordHash(kSecretHash);
  std::string response = NativeScramble("secret", scramble);
  ASSERT_EQ(response.size(), 20u);
  EXPECT_TRUE(VerifyNativeScramble(response, scramble, stage2));
  EXPECT_FALSE(VerifyNativeScramble(NativeScramble("Secret", scramble), scramble, stage2));
  EXPECT_FALSE(VerifyNativeScramble(response, GenerateScramble(), stage2));
  EXPECT_FALSE(VerifyNativeScramble("", scramble, stage2));
  EXPECT_FALSE(VerifyNativeScramble(response.substr(0, 19), scramble, stage2));
  // Scrambles with a trailing NUL (as in AuthSwitchRequest data) use the first 20 bytes.
  EXPECT_TRUE(VerifyNativeScramble(response, scramble + '\0', stage2));
}

TEST(Auth, EmptyPassword) {
  std::string scramble = GenerateScramble();
  EXPECT_EQ(NativeScramble("", scramble), "");
  EXPECT_TRUE(VerifyNativeScramble("", scramble, ""));
  EXPECT_FALSE(VerifyNativeScramble(NativeScramble("x", scramble), scramble, ""));
}

TEST(Auth, KnownScrambleVector) {
  // Independently computed: SHA1("secret") XOR SHA1(scramble + SHA1(SHA1("secret"))).
  std::string scramble = "abcdefghijklmnopqrst";
  std::string stage1 = Sha1("secret");
  std::string expect = Sha1(scramble + Sha1(stage1));
  for (size_t i = 0; i < 20; ++i) expect[i] = static_cast<char>(expect[i] ^ stage1[i]);
  EXPECT_EQ(NativeScramble("secret", scramble), expect);
  EXPECT_EQ(FormatPasswordHash(Sha1("secret")), "*E5E9FA1BA31ECD1AE84F75CAAA474F3A663F05F4");
}

TEST(Auth, GeneratedScrambleIsPrintableAndFresh) {
  std::string a = GenerateScramble();
  std::string b = GenerateScramble();
  ASSERT_EQ(a.size(), 20u);
  EXPECT_NE(a, b);
  for (char c : a + b) {
    EXPECT_GE(c, 0x21);
    EXPECT_LE(c, 0x7E);
    EXPECT_NE(c, '$');
  }
}

}  // namespace
}  // namespace shadowproxy::protocol
