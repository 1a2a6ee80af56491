// mysql_native_password: client-side scramble, server-side verification against the stored
// stage-2 hash SHA1(SHA1(password)), password-hash parsing and scramble generation.
// caching_sha2_password: the SHA-256 scramble, RSA-OAEP of the full authentication, and
// MySQL 8's mysql.user hash ("$A$005$...", SHA-256-crypt).
// Hashes and RSA come from OpenSSL's libcrypto (already a dependency of the system's TLS stack).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "base/status.h"

namespace shadowproxy::protocol {

inline constexpr size_t kScrambleLength = 20;
inline constexpr size_t kSha1Length = 20;

// Raw 20-byte SHA-1.
std::string Sha1(std::string_view data);

// Client side: SHA1(password) XOR SHA1(scramble + SHA1(SHA1(password))). Returns "" for an
// empty password (clients send an empty auth response then). `scramble` is the 20-byte server
// scramble (a longer one is cut to 20 bytes, as servers do).
std::string NativeScramble(std::string_view password, std::string_view scramble);

// Server side. `stage2_hash` is SHA1(SHA1(password)) as 20 raw bytes, or "" for an account
// without password (then only an empty response is accepted). Constant-time comparison.
bool VerifyNativeScramble(std::string_view response, std::string_view scramble,
                          std::string_view stage2_hash);

// "*<40 hex>" (the PASSWORD() / mysql.user format; case-insensitive) → 20 raw bytes.
// "" → "" (no password).
Result<std::string> ParsePasswordHash(std::string_view text);
// SHA1(SHA1(password)) raw; "" for an empty password.
std::string Stage2FromPassword(std::string_view password);
// "*" + 40 upper-case hex digits of a stage-2 hash (the inverse of ParsePasswordHash).
std::string FormatPasswordHash(std::string_view stage2_hash);

// ---- caching_sha2_password ----

inline constexpr size_t kSha256Length = 32;

// Raw 32-byte SHA-256.
std::string Sha256(std::string_view data);

// Client side (fast authentication):
//   SHA256(password) XOR SHA256(SHA256(SHA256(password)) + nonce)
// "" for an empty password. `nonce` is used as given: the 20-byte scramble (servers and most
// clients cut AuthSwitchRequest data to 20 bytes; PyMySQL 1.0 hashes the trailing NUL too).
std::string CachingSha2Scramble(std::string_view password, std::string_view nonce);
// SHA256(SHA256(password)) raw; "" for an empty password. What the server keeps in its cache of
// successful full authentications and verifies fast-auth scrambles against.
std::string Sha2Stage2FromPassword(std::string_view password);
// Server side: response XOR SHA256(stage2 + nonce) is SHA256(password); accept when its SHA-256
// is `stage2`. Empty `stage2` (no password) accepts only an empty response. Constant-time.
// `nonce` as given, like CachingSha2Scramble.
bool VerifyCachingSha2Scramble(std::string_view response, std::string_view nonce,
                               std::string_view stage2);

// AuthMoreData bytes of the exchange (after the 0x01 header).
inline constexpr char kSha2RequestPublicKey = 0x02;  // client → server
inline constexpr char kSha2FastAuthOk = 0x03;        // server → client
inline constexpr char kSha2PerformFullAuth = 0x04;   // server → client

// `data` XOR `nonce` repeated (nonce cut to 20 bytes): how a password is obfuscated before RSA
// encryption, and recovered after decryption (the operation is its own inverse).
std::string XorWithNonce(std::string_view data, std::string_view nonce);

// An RSA private key loaded from PEM (PKCS#1 "RSA PRIVATE KEY" or PKCS#8 "PRIVATE KEY"), used
// for caching_sha2_password's full authentication without TLS. Immutable once loaded; safe to
// share between threads.
class RsaPrivateKey {
 public:
  static Result<std::shared_ptr<const RsaPrivateKey>> FromPem(std::string_view pem);
  ~RsaPrivateKey();
  RsaPrivateKey(const RsaPrivateKey&) = delete;
  RsaPrivateKey& operator=(const RsaPrivateKey&) = delete;

  // "-----BEGIN PUBLIC KEY-----" (SubjectPublicKeyInfo) PEM of the public half: what the server
  // answers a client's public-key request (0x02) with.
  const std::string& public_pem() const { return public_pem_; }
  // True when `public_pem` (any public-key PEM form) is this key's public half.
  bool MatchesPublicPem(std::string_view public_pem) const;
  // RSA PKCS#1 OAEP (SHA-1, MGF1-SHA-1) decryption, what MySQL 8.0.5+ and its clients use.
  Result<std::string> DecryptOaep(std::string_view ciphertext) const;

 private:
  struct Impl;
  explicit RsaPrivateKey(std::unique_ptr<Impl> impl, std::string public_pem);
  std::unique_ptr<Impl> impl_;
  std::string public_pem_;
};

// Client side of the full authentication: RSA-OAEP of (password + NUL) XOR nonce with the
// server's public key PEM. (The proxy never needs it; tests play the client with it.)
Result<std::string> EncryptSha2Password(std::string_view public_pem, std::string_view password,
                                        std::string_view nonce);
// Server side: decrypts and un-XORs the client's answer, drops the trailing NUL.
Result<std::string> DecryptSha2Password(const RsaPrivateKey& key, std::string_view ciphertext,
                                        std::string_view nonce);

// Constant-time equality of two secrets (the time depends on the lengths only).
bool SecretsEqual(std::string_view a, std::string_view b);

// MySQL 8's caching_sha2_password entry of mysql.user.authentication_string:
// "$A$" + 3 hex digits (rounds / 1000) + "$" + 20-byte salt + 43-character SHA-256-crypt digest.
struct Sha2PasswordHash {
  uint32_t rounds = 0;
  std::string salt;    // 20 raw bytes (any byte values)
  std::string digest;  // 43 characters of crypt's base-64 alphabet
};
// Accepts the raw 70-byte string, or its hex form "0x2441..." (what SHOW CREATE USER prints
// with print_identified_with_as_hex, and the only safe form when the salt has odd bytes).
Result<Sha2PasswordHash> ParseSha2PasswordHash(std::string_view text);
bool LooksLikeSha2PasswordHash(std::string_view text);  // "$A$" or "0x" prefix
// The SHA-256-crypt digest (Drepper's algorithm, as glibc's "$5$" and MySQL's "$A$" compute it)
// of `password` with `salt` and `rounds`: the 43 base-64 characters. Unlike glibc it takes
// salts of any length and bytes (MySQL's are 20 bytes).
std::string Sha256CryptDigest(std::string_view password, std::string_view salt, uint32_t rounds);
// True when `password` hashes to `hash` (constant-time comparison of the digests).
bool VerifySha2PasswordHash(const Sha2PasswordHash& hash, std::string_view password);

// A fresh 20-byte scramble from a CSPRNG, each byte printable ASCII (0x21..0x7E), never NUL or
// '$' (what servers generate, so it survives NUL-terminated handling in clients).
std::string GenerateScramble();

}  // namespace shadowproxy::protocol
