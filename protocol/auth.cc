#include "protocol/auth.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <random>

namespace shadowproxy::protocol {

std::string Sha1(std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), md, &len, EVP_sha1(), nullptr) != 1 ||
      len != kSha1Length) {
    return std::string(kSha1Length, '\0');  // cannot happen with a working libcrypto
  }
  return std::string(reinterpret_cast<const char*>(md), len);
}

std::string NativeScramble(std::string_view password, std::string_view scramble) {
  if (password.empty()) return "";
  std::string stage1 = Sha1(password);
  std::string stage2 = Sha1(stage1);
  std::string input(scramble.substr(0, kScrambleLength));
  input += stage2;
  std::string mix = Sha1(input);
  for (size_t i = 0; i < kSha1Length; ++i) mix[i] = static_cast<char>(mix[i] ^ stage1[i]);
  return mix;
}

bool VerifyNativeScramble(std::string_view response, std::string_view scramble,
                          std::string_view stage2_hash) {
  if (stage2_hash.empty()) return response.empty();
  if (response.size() != kSha1Length || stage2_hash.size() != kSha1Length) return false;
  // response = stage1 XOR SHA1(scramble + stage2)  =>  stage1' = response XOR SHA1(...);
  // accept when SHA1(stage1') == stage2.
  std::string input(scramble.substr(0, kScrambleLength));
  input += stage2_hash;
  std::string mix = Sha1(input);
  for (size_t i = 0; i < kSha1Length; ++i) mix[i] = static_cast<char>(mix[i] ^ response[i]);
  std::string candidate = Sha1(mix);
  unsigned char diff = 0;
  for (size_t i = 0; i < kSha1Length; ++i) {
    diff |= static_cast<unsigned char>(candidate[i] ^ stage2_hash[i]);
  }
  return diff == 0;
}

static int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

Result<std::string> ParsePasswordHash(std::string_view text) {
  if (text.empty()) return std::string();
  if (text.size() != 41 || text[0] != '*') {
    return Status(errc::kInternal, "password hash must be '*' followed by 40 hex digits");
  }
  std::string out;
  out.reserve(kSha1Length);
  for (size_t i = 1; i < text.size(); i += 2) {
    int hi = HexValue(text[i]);
    int lo = HexValue(text[i + 1]);
    if (hi < 0 || lo < 0) {
      return Status(errc::kInternal, "password hash must be '*' followed by 40 hex digits");
    }
    out.push_back(static_cast<char>(hi * 16 + lo));
  }
  return out;
}

std::string Stage2FromPassword(std::string_view password) {
  if (password.empty()) return "";
  return Sha1(Sha1(password));
}

std::string FormatPasswordHash(std::string_view stage2_hash) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  if (stage2_hash.empty()) return "";
  std::string out = "*";
  for (unsigned char c : stage2_hash) {
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 15]);
  }
  return out;
}

std::string GenerateScramble() {
  unsigned char raw[kScrambleLength];
  if (RAND_bytes(raw, sizeof raw) != 1) {
    std::random_device rd;  // fallback: still unpredictable on Linux (getrandom)
    for (auto& b : raw) b = static_cast<unsigned char>(rd());
  }
  std::string out(kScrambleLength, '\0');
  for (size_t i = 0; i < kScrambleLength; ++i) {
    char c = static_cast<char>(0x21 + raw[i] % (0x7F - 0x21));  // 0x21..0x7E
    if (c == '$') c = '%';
    out[i] = c;
  }
  return out;
}

}  // namespace shadowproxy::protocol
