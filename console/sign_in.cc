#include "console/sign_in.h"

#include "base/mysql_conn.h"
#include "console/session_store.h"
#include "protocol/auth.h"

namespace shadowproxy::console {
namespace p = protocol;

bool PasswordMatches(const UserConfig& user, const std::string& password) {
  if (p::LooksLikeSha2PasswordHash(user.password_hash)) {
    auto h = p::ParseSha2PasswordHash(user.password_hash);
    return h.ok() && p::VerifySha2PasswordHash(*h, password);
  }
  if (!user.password_hash.empty()) {
    auto h = p::ParsePasswordHash(user.password_hash);
    return h.ok() && SecureEquals(p::Stage2FromPassword(password), *h);
  }
  return SecureEquals(user.password, password);
}

SignedIn Refresh(const Config& config, const std::string& user) {
  SignedIn s{user, {}, config.clusters.empty() ? "" : config.clusters.front().name};
  if (const UserConfig* u = config.FindUser(user)) {
    s.roles = u->roles;
    s.cluster = u->cluster;
  }
  return s;
}

Result<SignedIn> SignIn(const Config& config, const std::string& user, const std::string& password,
                        std::string* why) {
  const Status denied(errc::kAccessDenied,
                      "Access denied for user '" + user +
                          "' (using password: " + (password.empty() ? "NO" : "YES") + ")",
                      "28000");
  if (user.empty()) {
    *why = "no user name";
    return denied;
  }
  const UserConfig* u = config.FindUser(user);
  if (u != nullptr && u->has_password) {
    if (!PasswordMatches(*u, password)) {
      *why = "wrong password for configured user";
      return denied;
    }
    return Refresh(config, user);
  }
  if (u == nullptr && !config.listen.passthrough_auth) {
    *why = "not a configured user and listen.passthrough_auth is false";
    return denied;
  }
  // Pass-through: the backend decides, exactly as it does for this account's MySQL sessions.
  SignedIn s = Refresh(config, user);
  const ClusterConfig* cluster = config.FindCluster(s.cluster);
  if (cluster == nullptr) {
    *why = "unknown cluster '" + s.cluster + "'";
    return Status(errc::kUnavailable, "no cluster '" + s.cluster + "' to sign in to");
  }
  sql::ClusterConnInfo info = sql::ClusterConnInfo::FromConfig(*cluster);
  info.user = user;
  info.password = password;
  auto conn = sql::MysqlConn::Connect(info);
  if (!conn.ok()) {
    const Status st = conn.status();
    if (st.code() == errc::kUnavailable) {
      *why = st.message();
      return st;
    }
    *why = "backend refused the login: " + st.ToString();
    return denied;
  }
  return s;
}

}  // namespace shadowproxy::console
