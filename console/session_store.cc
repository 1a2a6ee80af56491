#include "console/session_store.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <algorithm>
#include <cstdlib>

namespace shadowproxy::console {

std::string RandomToken() {
  unsigned char bytes[32];
  // RAND_bytes fails only when the CSPRNG cannot be seeded; a guessable token is worse than
  // stopping, and there is nothing sensible to return instead.
  if (RAND_bytes(bytes, sizeof(bytes)) != 1) std::abort();
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(64);
  for (unsigned char b : bytes) {
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 15]);
  }
  return out;
}

bool SecureEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

SessionStore::SessionStore(std::chrono::milliseconds ttl, Clock clock, size_t max_sessions)
    : ttl_(ttl), clock_(std::move(clock)), max_sessions_(std::max<size_t>(1, max_sessions)) {}

std::chrono::steady_clock::time_point SessionStore::Now() const {
  return clock_ ? clock_() : std::chrono::steady_clock::now();
}

void SessionStore::DropExpired(std::chrono::steady_clock::time_point now) {
  std::erase_if(sessions_, [now](const auto& kv) { return kv.second.expires <= now; });
}

WebSession SessionStore::Create(std::string user, std::vector<std::string> roles,
                                std::string cluster) {
  WebSession s{RandomToken(),    RandomToken(),      std::move(user),
               std::move(roles), std::move(cluster), {}};
  std::lock_guard lock(mu_);
  const auto now = Now();
  s.expires = now + ttl_;
  if (sessions_.size() >= max_sessions_) DropExpired(now);
  // Still full: the session closest to expiry goes, so sign-in floods cannot exhaust memory.
  while (sessions_.size() >= max_sessions_) {
    auto oldest = std::min_element(sessions_.begin(), sessions_.end(), [](auto& a, auto& b) {
      return a.second.expires < b.second.expires;
    });
    sessions_.erase(oldest);
  }
  sessions_.emplace(s.id, s);
  return s;
}

std::optional<WebSession> SessionStore::Find(std::string_view id) {
  std::lock_guard lock(mu_);
  auto it = sessions_.find(id);
  if (it == sessions_.end()) return std::nullopt;
  const auto now = Now();
  if (it->second.expires <= now) {
    sessions_.erase(it);
    return std::nullopt;
  }
  it->second.expires = now + ttl_;
  return it->second;
}

void SessionStore::Remove(std::string_view id) {
  std::lock_guard lock(mu_);
  auto it = sessions_.find(id);
  if (it != sessions_.end()) sessions_.erase(it);
}

void SessionStore::set_ttl(std::chrono::milliseconds ttl) {
  std::lock_guard lock(mu_);
  ttl_ = ttl;
}

size_t SessionStore::size() {
  std::lock_guard lock(mu_);
  return sessions_.size();
}

SignInThrottle::SignInThrottle(Clock clock, std::chrono::milliseconds base,
                               std::chrono::milliseconds cap, std::chrono::milliseconds window)
    : clock_(std::move(clock)), base_(base), cap_(cap), window_(window) {}

std::chrono::milliseconds SignInThrottle::Failed(const std::string& address) {
  std::lock_guard lock(mu_);
  const auto now = clock_ ? clock_() : std::chrono::steady_clock::now();
  if (entries_.size() > 100000) entries_.clear();  // a flood of addresses: start over
  Entry& e = entries_[address];
  if (e.failures > 0 && now - e.last > window_) e.failures = 0;
  e.failures = std::min(e.failures + 1, 30);
  e.last = now;
  auto delay = base_;
  for (int i = 1; i < e.failures && delay < cap_; ++i) delay *= 2;
  delay = std::min(delay, cap_);
  e.until = now + delay;
  return delay;
}

bool SignInThrottle::Blocked(const std::string& address) {
  std::lock_guard lock(mu_);
  auto it = entries_.find(address);
  if (it == entries_.end()) return false;
  const auto now = clock_ ? clock_() : std::chrono::steady_clock::now();
  return now < it->second.until;
}

void SignInThrottle::Succeeded(const std::string& address) {
  std::lock_guard lock(mu_);
  entries_.erase(address);
}

}  // namespace shadowproxy::console
