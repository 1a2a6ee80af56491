// mysql_native_password against known vectors (MariaDB PASSWORD('secret')); caching_sha2_password
// against independent computations, RSA-OAEP round trips and published MySQL 8 hashes.
#include "protocol/auth.h"

#include <crypt.h>
#include <gtest/gtest.h>

#include "tests/rsa_test_keys.h"

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

// ---- caching_sha2_password ----

std::string Hex(std::string_view raw) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : raw) {
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 15]);
  }
  return out;
}

std::string Unhex(std::string_view hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  }
  return out;
}

TEST(CachingSha2, Sha256KnownVector) {
  // FIPS 180-2 "abc".
  EXPECT_EQ(Hex(Sha256("abc")), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(CachingSha2, ScrambleIsXorOfStage1AndHashOfStage2ThenNonce) {
  // MySQL's order (sha2_password_common.cc, Generate_scramble): SHA256(stage2 + nonce).
  std::string nonce = "abcdefghijklmnopqrst";
  std::string stage1 = Sha256("secret");
  std::string expect = Sha256(Sha256(stage1) + nonce);
  for (size_t i = 0; i < 32; ++i) expect[i] = static_cast<char>(expect[i] ^ stage1[i]);
  EXPECT_EQ(CachingSha2Scramble("secret", nonce), expect);
  EXPECT_NE(CachingSha2Scramble("secret", nonce + '\0'), expect);  // the nonce as given
  EXPECT_EQ(CachingSha2Scramble("", nonce), "");
  EXPECT_EQ(Sha2Stage2FromPassword("secret"), Sha256(stage1));
  EXPECT_EQ(Sha2Stage2FromPassword(""), "");
}

TEST(CachingSha2, ServerVerifiesAgainstStage2) {
  std::string nonce = GenerateScramble();
  std::string stage2 = Sha2Stage2FromPassword("secret");
  std::string response = CachingSha2Scramble("secret", nonce);
  ASSERT_EQ(response.size(), 32u);
  EXPECT_TRUE(VerifyCachingSha2Scramble(response, nonce, stage2));
  EXPECT_FALSE(VerifyCachingSha2Scramble(CachingSha2Scramble("Secret", nonce), nonce, stage2));
  EXPECT_FALSE(VerifyCachingSha2Scramble(response, GenerateScramble(), stage2));
  EXPECT_FALSE(VerifyCachingSha2Scramble(response, nonce + '\0', stage2));
  EXPECT_TRUE(
      VerifyCachingSha2Scramble(CachingSha2Scramble("secret", nonce + '\0'), nonce + '\0', stage2));
  EXPECT_FALSE(VerifyCachingSha2Scramble(response.substr(0, 31), nonce, stage2));
  EXPECT_FALSE(VerifyCachingSha2Scramble("", nonce, stage2));
  // A native (SHA-1) answer never passes.
  EXPECT_FALSE(VerifyCachingSha2Scramble(NativeScramble("secret", nonce), nonce, stage2));
  EXPECT_TRUE(VerifyCachingSha2Scramble("", nonce, ""));
  EXPECT_FALSE(VerifyCachingSha2Scramble(response, nonce, ""));
}

TEST(CachingSha2, XorWithNonceRepeatsTheNonceAndIsItsOwnInverse) {
  std::string nonce = "abcdefghijklmnopqrst";
  std::string data(45, 'x');
  std::string once = XorWithNonce(data, nonce + "IGNORED");
  ASSERT_EQ(once.size(), 45u);
  EXPECT_EQ(once[0], 'x' ^ 'a');
  EXPECT_EQ(once[20], 'x' ^ 'a');
  EXPECT_EQ(once[44], 'x' ^ 'e');
  EXPECT_EQ(XorWithNonce(once, nonce), data);
}

TEST(CachingSha2, RsaOaepRoundTrip) {
  auto key = RsaPrivateKey::FromPem(testing::kFirstRsaPrivatePem);
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  EXPECT_TRUE((*key)->public_pem().starts_with("-----BEGIN PUBLIC KEY-----\n"));
  EXPECT_EQ((*key)->public_pem(), testing::kFirstRsaPublicPem);
  EXPECT_TRUE((*key)->MatchesPublicPem(testing::kFirstRsaPublicPem));
  EXPECT_FALSE((*key)->MatchesPublicPem(testing::kSecondRsaPublicPem));
  EXPECT_FALSE((*key)->MatchesPublicPem("not a key"));

  std::string nonce = GenerateScramble();
  // Longer than the nonce, so its repetition matters.
  std::string password = "a rather long password of 37 bytes!!";
  auto cipher = EncryptSha2Password((*key)->public_pem(), password, nonce);
  ASSERT_TRUE(cipher.ok()) << cipher.status().ToString();
  EXPECT_EQ(cipher->size(), 256u);  // one 2048-bit block
  auto plain = (*key)->DecryptOaep(*cipher);
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(*plain, XorWithNonce(password + '\0', nonce));
  auto back = DecryptSha2Password(**key, *cipher, nonce);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, password);
  // Another nonce recovers garbage: no trailing NUL, or the wrong password.
  auto other = DecryptSha2Password(**key, *cipher, GenerateScramble());
  EXPECT_TRUE(!other.ok() || *other != password);
  // Another key cannot decrypt; nor can a tampered ciphertext.
  auto second = RsaPrivateKey::FromPem(testing::kSecondRsaPrivatePem);
  ASSERT_TRUE(second.ok());
  EXPECT_FALSE(DecryptSha2Password(**second, *cipher, nonce).ok());
  std::string tampered = *cipher;
  tampered[100] = static_cast<char>(tampered[100] ^ 1);
  EXPECT_FALSE(DecryptSha2Password(**key, tampered, nonce).ok());
  EXPECT_FALSE(DecryptSha2Password(**key, "short", nonce).ok());
}

TEST(CachingSha2, RsaKeyLoadingRejectsNonKeys) {
  EXPECT_FALSE(RsaPrivateKey::FromPem("").ok());
  EXPECT_FALSE(
      RsaPrivateKey::FromPem("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")
          .ok());
  // A public key is not a private key.
  EXPECT_FALSE(RsaPrivateKey::FromPem(testing::kFirstRsaPublicPem).ok());
  EXPECT_FALSE(EncryptSha2Password("nope", "pw", "abcdefghijklmnopqrst").ok());
}

TEST(CachingSha2, SecretsEqual) {
  EXPECT_TRUE(SecretsEqual("", ""));
  EXPECT_TRUE(SecretsEqual("abc", "abc"));
  EXPECT_FALSE(SecretsEqual("abc", "abd"));
  EXPECT_FALSE(SecretsEqual("abc", "abcd"));
}

TEST(CachingSha2, Sha256CryptCoreMatchesGlibc) {
  // glibc's "$5$" is the same algorithm with salts of at most 16 characters.
  for (const char* password : {"", "a", "hashcat", "a password longer than thirty-two bytes..."}) {
    for (const char* salt : {"saltstring", "0123456789abcdef", "x"}) {
      std::string setting = std::string("$5$rounds=5000$") + salt + "$";
      struct crypt_data data {};
      const char* out = crypt_r(password, setting.c_str(), &data);
      ASSERT_NE(out, nullptr);
      std::string expect(out);
      expect = expect.substr(expect.rfind('$') + 1);
      EXPECT_EQ(Sha256CryptDigest(password, salt, 5000), expect) << password << " / " << salt;
    }
  }
  // Drepper's published vector (rounds=10000).
  EXPECT_EQ(Sha256CryptDigest("Hello world!", "saltstringsaltst", 10000),
            "3xv.VbSHBb41AL9AvLeujZkZRBAwqFMz2.opqey6IcA");
}

// Published MySQL 8 caching_sha2_password hashes (hashcat mode 7401 layout
// "$mysql$A$005*<salt hex>*<digest hex>"), rebuilt as mysql.user's "$A$005$<salt><digest>".
std::string MysqlHash(std::string_view salt_hex, std::string_view digest_hex) {
  return "$A$005$" + Unhex(salt_hex) + Unhex(digest_hex);
}

TEST(CachingSha2, VerifiesMysql8AuthenticationStrings) {
  struct Vector {
    const char* password;
    const char* salt_hex;
    const char* digest_hex;
  };
  const Vector kVectors[] = {
      {"hashcat", "F9CC98CE08892924F50A213B6BC571A2C11778C5",
       "625479393559393965414D45316477456B484F41316E64484742577A2E3162785353526B7554584647562F"},
      {"password", "06437A150142644D74187A6A2F0D7971094F2575",
       "48667A67485366745A304F6A487A73704250663465337A7530325157687A51364A384D737554424939702E"},
  };
  for (const auto& v : kVectors) {
    std::string raw = MysqlHash(v.salt_hex, v.digest_hex);
    ASSERT_EQ(raw.size(), 70u);
    for (const std::string& text : {raw, "0x" + Hex(raw)}) {
      EXPECT_TRUE(LooksLikeSha2PasswordHash(text));
      auto h = ParseSha2PasswordHash(text);
      ASSERT_TRUE(h.ok()) << h.status().ToString();
      EXPECT_EQ(h->rounds, 5000u);
      EXPECT_EQ(h->salt, Unhex(v.salt_hex));
      EXPECT_TRUE(VerifySha2PasswordHash(*h, v.password)) << v.password;
      EXPECT_FALSE(VerifySha2PasswordHash(*h, std::string(v.password) + "x"));
    }
  }
}

TEST(CachingSha2, ParseSha2PasswordHashRejectsBadInput) {
  std::string good = MysqlHash(
      "F9CC98CE08892924F50A213B6BC571A2C11778C5",
      "625479393559393965414D45316477456B484F41316E64484742577A2E3162785353526B7554584647562F");
  EXPECT_TRUE(ParseSha2PasswordHash(good).ok());
  EXPECT_FALSE(ParseSha2PasswordHash(good.substr(0, 69)).ok());
  EXPECT_FALSE(ParseSha2PasswordHash(good + "x").ok());
  std::string bad = good;
  bad[1] = 'B';
  EXPECT_FALSE(ParseSha2PasswordHash(bad).ok());
  bad = good;
  bad[3] = 'g';  // rounds not hex
  EXPECT_FALSE(ParseSha2PasswordHash(bad).ok());
  bad = good;
  bad[69] = '*';  // not crypt base-64
  EXPECT_FALSE(ParseSha2PasswordHash(bad).ok());
  EXPECT_FALSE(ParseSha2PasswordHash("$A$000$" + good.substr(7)).ok());
  EXPECT_FALSE(ParseSha2PasswordHash("0x2441").ok());
  EXPECT_FALSE(ParseSha2PasswordHash("0xzz").ok());
  EXPECT_FALSE(LooksLikeSha2PasswordHash("*14E65567ABDB5135D0CFD9A70B3032C179A49EE7"));
}

}  // namespace
}  // namespace shadowproxy::protocol
