// Who may sign in to the console (SPEC.md §8): the proxy's own accounts. A configured user with
// a password or password_hash is checked by the proxy; every other account (pass-through, as
// on the MySQL port) by logging in to its cluster's backend with the name and password given.
// Blocking (a backend login): called on an HTTP thread, never on a relay loop.
#pragma once

#include <string>
#include <vector>

#include "base/config.h"
#include "base/status.h"

namespace shadowproxy::console {

struct SignedIn {
  std::string user;
  std::vector<std::string> roles;
  std::string cluster;
};

// The configured credential check alone (no backend): clear password, "*<hex>" native hash or a
// caching_sha2_password hash. False on mismatch.
bool PasswordMatches(const UserConfig& user, const std::string& password);

// 1045 "Access denied for user ..." on wrong credentials (the reason, for the log, in
// *why); 7030 when the backend of a pass-through account cannot be reached.
Result<SignedIn> SignIn(const Config& config, const std::string& user, const std::string& password,
                        std::string* why);

// The roles and cluster a signed-in user has under `config` (SIGHUP may have changed them): a
// configured user's entry, else none and the first cluster.
SignedIn Refresh(const Config& config, const std::string& user);

}  // namespace shadowproxy::console
