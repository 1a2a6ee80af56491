// mysql_native_password: client-side scramble, server-side verification against the stored
// stage-2 hash SHA1(SHA1(password)), password-hash parsing and scramble generation.
// SHA-1 comes from OpenSSL's libcrypto (already a dependency of the system's TLS stack).
#pragma once

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

// A fresh 20-byte scramble from a CSPRNG, each byte printable ASCII (0x21..0x7E), never NUL or
// '$' (what servers generate, so it survives NUL-terminated handling in clients).
std::string GenerateScramble();

}  // namespace shadowproxy::protocol
