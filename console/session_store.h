// The console's sign-ins (docs/console.md "Sign-in"): random session ids handed out as an
// HttpOnly cookie, each with its own CSRF token that every state-changing request must echo in
// X-CSRF-Token. Sessions expire after `ttl` without use (each use renews them) and on sign-out;
// they live in memory only, so a restart signs everyone out. Also the throttle that slows down
// repeated failed sign-ins from one address. Thread-safe (HTTP requests run on several threads).
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace shadowproxy::console {

using Clock = std::function<std::chrono::steady_clock::time_point()>;

struct WebSession {
  std::string id;    // the cookie's value
  std::string csrf;  // what X-CSRF-Token must carry
  std::string user;
  std::vector<std::string> roles;  // at sign-in; refreshed from the config by the routes
  std::string cluster;
  std::chrono::steady_clock::time_point expires{};
};

// 32 bytes from OpenSSL's CSPRNG, as 64 hex digits.
std::string RandomToken();

// Constant-time comparison (tokens and passwords: no early exit that times the prefix).
bool SecureEquals(std::string_view a, std::string_view b);

class SessionStore {
 public:
  explicit SessionStore(std::chrono::milliseconds ttl, Clock clock = nullptr,
                        size_t max_sessions = 10000);

  WebSession Create(std::string user, std::vector<std::string> roles, std::string cluster);
  // The live session of `id` (and renews it), nullopt if unknown or expired (then forgotten).
  std::optional<WebSession> Find(std::string_view id);
  void Remove(std::string_view id);
  void set_ttl(std::chrono::milliseconds ttl);
  size_t size();

 private:
  std::chrono::steady_clock::time_point Now() const;
  void DropExpired(std::chrono::steady_clock::time_point now);

  std::mutex mu_;
  std::chrono::milliseconds ttl_;
  Clock clock_;
  size_t max_sessions_;
  std::map<std::string, WebSession, std::less<>> sessions_;
};

// Failed sign-ins per client address: the n-th failure within `window` of the previous one
// waits base * 2^(n-1), at most `cap`, before it is answered; a success forgets the address.
// Until that wait is over, further sign-ins from the address are refused unread (Blocked), so
// parallel guesses neither go faster nor hold more than one HTTP thread per address.
class SignInThrottle {
 public:
  explicit SignInThrottle(Clock clock = nullptr,
                          std::chrono::milliseconds base = std::chrono::milliseconds(250),
                          std::chrono::milliseconds cap = std::chrono::seconds(4),
                          std::chrono::milliseconds window = std::chrono::minutes(15));
  // Records a failure and returns how long to wait before answering it.
  std::chrono::milliseconds Failed(const std::string& address);
  void Succeeded(const std::string& address);
  // True while the wait of the address's last failure is not over.
  bool Blocked(const std::string& address);

 private:
  struct Entry {
    int failures = 0;
    std::chrono::steady_clock::time_point last{};
    std::chrono::steady_clock::time_point until{};  // end of the last failure's wait
  };
  std::mutex mu_;
  Clock clock_;
  std::chrono::milliseconds base_, cap_, window_;
  std::map<std::string, Entry> entries_;
};

}  // namespace shadowproxy::console
