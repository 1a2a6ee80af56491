#include "protocol/auth.h"

#include <openssl/bio.h>
#include <openssl/core_dispatch.h>
#include <openssl/crypto.h>
#include <openssl/decoder.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>

#include <random>

namespace shadowproxy::protocol {

static std::string Digest(const EVP_MD* type, size_t length, std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), md, &len, type, nullptr) != 1 || len != length) {
    return std::string(length, '\0');  // cannot happen with a working libcrypto
  }
  return std::string(reinterpret_cast<const char*>(md), len);
}

std::string Sha1(std::string_view data) { return Digest(EVP_sha1(), kSha1Length, data); }

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

// ---- caching_sha2_password ----

std::string Sha256(std::string_view data) { return Digest(EVP_sha256(), kSha256Length, data); }

bool SecretsEqual(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  return a.empty() || CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string CachingSha2Scramble(std::string_view password, std::string_view nonce) {
  if (password.empty()) return "";
  std::string stage1 = Sha256(password);
  std::string input = Sha256(stage1);  // stage 2
  input.append(nonce);
  std::string mix = Sha256(input);
  for (size_t i = 0; i < kSha256Length; ++i) mix[i] = static_cast<char>(mix[i] ^ stage1[i]);
  return mix;
}

std::string Sha2Stage2FromPassword(std::string_view password) {
  if (password.empty()) return "";
  return Sha256(Sha256(password));
}

bool VerifyCachingSha2Scramble(std::string_view response, std::string_view nonce,
                               std::string_view stage2) {
  if (stage2.empty()) return response.empty();
  if (response.size() != kSha256Length || stage2.size() != kSha256Length) return false;
  std::string input(stage2);
  input.append(nonce);
  std::string mix = Sha256(input);
  for (size_t i = 0; i < kSha256Length; ++i) mix[i] = static_cast<char>(mix[i] ^ response[i]);
  return SecretsEqual(Sha256(mix), stage2);
}

std::string XorWithNonce(std::string_view data, std::string_view nonce) {
  nonce = nonce.substr(0, kScrambleLength);
  std::string out(data);
  if (nonce.empty()) return out;
  for (size_t i = 0; i < out.size(); ++i) {
    out[i] = static_cast<char>(out[i] ^ nonce[i % nonce.size()]);
  }
  return out;
}

namespace {

struct PkeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct PkeyCtxFree {
  void operator()(EVP_PKEY_CTX* c) const { EVP_PKEY_CTX_free(c); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;
using BioPtr = std::unique_ptr<BIO, BioFree>;
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree>;

// The last OpenSSL error as text (and the queue cleared), for messages.
std::string OpensslError(std::string_view what) {
  unsigned long e = ERR_get_error();
  ERR_clear_error();
  std::string out(what);
  if (e != 0) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    out += ": ";
    out += buf;
  }
  return out;
}

BioPtr MemBio(std::string_view data) {
  return BioPtr(BIO_new_mem_buf(data.data(), static_cast<int>(data.size())));
}

// Public keys in SubjectPublicKeyInfo ("PUBLIC KEY") or PKCS#1 ("RSA PUBLIC KEY") PEM.
PkeyPtr ReadPublicPem(std::string_view pem) {
  EVP_PKEY* key = nullptr;
  OSSL_DECODER_CTX* dctx = OSSL_DECODER_CTX_new_for_pkey(
      &key, "PEM", nullptr, "RSA", OSSL_KEYMGMT_SELECT_PUBLIC_KEY, nullptr, nullptr);
  if (dctx == nullptr) return nullptr;
  const auto* data = reinterpret_cast<const unsigned char*>(pem.data());
  size_t len = pem.size();
  int rc = OSSL_DECODER_from_data(dctx, &data, &len);
  OSSL_DECODER_CTX_free(dctx);
  if (rc != 1) {
    EVP_PKEY_free(key);
    return nullptr;
  }
  return PkeyPtr(key);
}

Result<std::string> OaepCrypt(EVP_PKEY* key, bool encrypt, std::string_view in) {
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new(key, nullptr));
  if (!ctx) return Status(errc::kInternal, OpensslError("RSA context"));
  if ((encrypt ? EVP_PKEY_encrypt_init(ctx.get()) : EVP_PKEY_decrypt_init(ctx.get())) != 1 ||
      EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_OAEP_PADDING) != 1) {
    return Status(errc::kInternal, OpensslError("RSA-OAEP setup"));
  }
  const auto* src = reinterpret_cast<const unsigned char*>(in.data());
  size_t len = 0;
  int rc = encrypt ? EVP_PKEY_encrypt(ctx.get(), nullptr, &len, src, in.size())
                   : EVP_PKEY_decrypt(ctx.get(), nullptr, &len, src, in.size());
  if (rc != 1) return Status(errc::kInternal, OpensslError("RSA-OAEP"));
  std::string out(len, '\0');
  auto* dst = reinterpret_cast<unsigned char*>(out.data());
  rc = encrypt ? EVP_PKEY_encrypt(ctx.get(), dst, &len, src, in.size())
               : EVP_PKEY_decrypt(ctx.get(), dst, &len, src, in.size());
  if (rc != 1)
    return Status(errc::kInternal,
                  OpensslError(encrypt ? "RSA-OAEP encryption" : "RSA-OAEP decryption"));
  out.resize(len);
  return out;
}

}  // namespace

struct RsaPrivateKey::Impl {
  PkeyPtr key;
};

RsaPrivateKey::RsaPrivateKey(std::unique_ptr<Impl> impl, std::string public_pem)
    : impl_(std::move(impl)), public_pem_(std::move(public_pem)) {}
RsaPrivateKey::~RsaPrivateKey() = default;

Result<std::shared_ptr<const RsaPrivateKey>> RsaPrivateKey::FromPem(std::string_view pem) {
  BioPtr bio = MemBio(pem);
  if (!bio) return Status(errc::kInternal, OpensslError("cannot read the PEM"));
  // A null passphrase callback with no user data: encrypted keys fail instead of prompting.
  PkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, const_cast<char*>("")));
  if (!key) return Status(errc::kInternal, OpensslError("not a PEM private key"));
  if (EVP_PKEY_get_base_id(key.get()) != EVP_PKEY_RSA) {
    return Status(errc::kInternal, "not an RSA private key");
  }
  BioPtr out(BIO_new(BIO_s_mem()));
  if (!out || PEM_write_bio_PUBKEY(out.get(), key.get()) != 1) {
    return Status(errc::kInternal, OpensslError("cannot encode the public key"));
  }
  char* data = nullptr;
  long n = BIO_get_mem_data(out.get(), &data);
  std::string public_pem(data, static_cast<size_t>(n));
  auto impl = std::make_unique<Impl>();
  impl->key = std::move(key);
  return std::shared_ptr<const RsaPrivateKey>(
      new RsaPrivateKey(std::move(impl), std::move(public_pem)));
}

bool RsaPrivateKey::MatchesPublicPem(std::string_view public_pem) const {
  PkeyPtr pub = ReadPublicPem(public_pem);
  ERR_clear_error();
  return pub && EVP_PKEY_eq(impl_->key.get(), pub.get()) == 1;
}

Result<std::string> RsaPrivateKey::DecryptOaep(std::string_view ciphertext) const {
  return OaepCrypt(impl_->key.get(), false, ciphertext);
}

Result<std::string> EncryptSha2Password(std::string_view public_pem, std::string_view password,
                                        std::string_view nonce) {
  PkeyPtr pub = ReadPublicPem(public_pem);
  if (!pub) return Status(errc::kInternal, OpensslError("not a PEM public key"));
  std::string plain(password);
  plain.push_back('\0');
  return OaepCrypt(pub.get(), true, XorWithNonce(plain, nonce));
}

Result<std::string> DecryptSha2Password(const RsaPrivateKey& key, std::string_view ciphertext,
                                        std::string_view nonce) {
  auto plain = key.DecryptOaep(ciphertext);
  if (!plain.ok()) return plain.status();
  std::string password = XorWithNonce(*plain, nonce);
  if (password.empty() || password.back() != '\0') {
    return Status(errc::kInternal, "decrypted password is not NUL-terminated");
  }
  password.pop_back();
  return password;
}

// ---- MySQL 8 mysql.user hashes: "$A$005$" + salt + SHA-256-crypt digest ----

namespace {

constexpr size_t kSha2SaltLength = 20;
constexpr size_t kSha2DigestLength = 43;
constexpr size_t kSha2HashLength = 7 + kSha2SaltLength + kSha2DigestLength;  // 70
constexpr char kCryptB64[] = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

class Sha256Ctx {
 public:
  Sha256Ctx() : ctx_(EVP_MD_CTX_new()) { EVP_DigestInit_ex(ctx_, EVP_sha256(), nullptr); }
  ~Sha256Ctx() { EVP_MD_CTX_free(ctx_); }
  Sha256Ctx(const Sha256Ctx&) = delete;
  Sha256Ctx& operator=(const Sha256Ctx&) = delete;
  void Add(std::string_view d) { EVP_DigestUpdate(ctx_, d.data(), d.size()); }
  // The digest; the context starts over.
  std::string Finish() {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_DigestFinal_ex(ctx_, md, &len);
    EVP_DigestInit_ex(ctx_, EVP_sha256(), nullptr);
    return std::string(reinterpret_cast<const char*>(md), len);
  }

 private:
  EVP_MD_CTX* ctx_;
};

// `block` repeated and cut to `n` bytes.
std::string Repeat(std::string_view block, size_t n) {
  std::string out;
  out.reserve(n);
  while (out.size() + block.size() <= n) out.append(block);
  out.append(block.substr(0, n - out.size()));
  return out;
}

}  // namespace

std::string Sha256CryptDigest(std::string_view password, std::string_view salt, uint32_t rounds) {
  Sha256Ctx ctx;
  // Digest B = H(password + salt + password).
  ctx.Add(password);
  ctx.Add(salt);
  ctx.Add(password);
  std::string b = ctx.Finish();
  // Digest A = H(password + salt + B cut to len(password) + B-or-password per length bit).
  ctx.Add(password);
  ctx.Add(salt);
  ctx.Add(Repeat(b, password.size()));
  for (size_t n = password.size(); n > 0; n >>= 1)
    ctx.Add((n & 1) ? std::string_view(b) : password);
  std::string a = ctx.Finish();
  // P: H(password repeated len(password) times), cut to len(password).
  for (size_t i = 0; i < password.size(); ++i) ctx.Add(password);
  std::string p = Repeat(ctx.Finish(), password.size());
  // S: H(salt repeated 16 + A[0] times), cut to len(salt).
  for (size_t i = 0; i < 16u + static_cast<unsigned char>(a[0]); ++i) ctx.Add(salt);
  std::string s = Repeat(ctx.Finish(), salt.size());
  for (uint32_t i = 0; i < rounds; ++i) {
    ctx.Add((i & 1) ? p : a);
    if (i % 3 != 0) ctx.Add(s);
    if (i % 7 != 0) ctx.Add(p);
    ctx.Add((i & 1) ? a : p);
    a = ctx.Finish();
  }
  auto byte = [&](int i) { return static_cast<uint32_t>(static_cast<unsigned char>(a[i])); };
  std::string out;
  auto b64 = [&](uint32_t b2, uint32_t b1, uint32_t b0, int n) {
    uint32_t w = (b2 << 16) | (b1 << 8) | b0;
    for (; n > 0; --n, w >>= 6) out.push_back(kCryptB64[w & 0x3f]);
  };
  // crypt's byte order: ten triples (high, middle, low), then the last two bytes.
  static constexpr int kOrder[10][3] = {{0, 10, 20}, {21, 1, 11}, {12, 22, 2}, {3, 13, 23},
                                        {24, 4, 14}, {15, 25, 5}, {6, 16, 26}, {27, 7, 17},
                                        {18, 28, 8}, {9, 19, 29}};
  for (const auto& t : kOrder) b64(byte(t[0]), byte(t[1]), byte(t[2]), 4);
  b64(0, byte(31), byte(30), 3);
  return out;
}

bool LooksLikeSha2PasswordHash(std::string_view text) {
  return text.starts_with("$A$") || text.starts_with("0x") || text.starts_with("0X");
}

Result<Sha2PasswordHash> ParseSha2PasswordHash(std::string_view text) {
  std::string raw;
  if (text.starts_with("0x") || text.starts_with("0X")) {
    if (text.size() % 2 != 0) return Status(errc::kInternal, "odd number of hex digits");
    for (size_t i = 2; i < text.size(); i += 2) {
      int hi = HexValue(text[i]);
      int lo = HexValue(text[i + 1]);
      if (hi < 0 || lo < 0) return Status(errc::kInternal, "not a hex string");
      raw.push_back(static_cast<char>(hi * 16 + lo));
    }
    text = raw;
  }
  const std::string_view kForm =
      "caching_sha2_password hash must be '$A$<3 hex digits>$' + 20-byte salt + 43 characters";
  if (text.size() != kSha2HashLength || !text.starts_with("$A$") || text[6] != '$') {
    return Status(errc::kInternal, std::string(kForm));
  }
  Sha2PasswordHash h;
  for (size_t i = 3; i < 6; ++i) {
    int v = HexValue(text[i]);
    if (v < 0) return Status(errc::kInternal, std::string(kForm));
    h.rounds = h.rounds * 16 + static_cast<uint32_t>(v);
  }
  h.rounds *= 1000;
  if (h.rounds == 0) return Status(errc::kInternal, "caching_sha2_password hash has 0 rounds");
  h.salt = std::string(text.substr(7, kSha2SaltLength));
  h.digest = std::string(text.substr(7 + kSha2SaltLength));
  for (char c : h.digest) {
    if (std::string_view(kCryptB64).find(c) == std::string_view::npos) {
      return Status(errc::kInternal, std::string(kForm));
    }
  }
  return h;
}

bool VerifySha2PasswordHash(const Sha2PasswordHash& hash, std::string_view password) {
  return SecretsEqual(Sha256CryptDigest(password, hash.salt, hash.rounds), hash.digest);
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
