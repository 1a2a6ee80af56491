// The configuration model (SPEC.md §2) as plain structs. The YAML loader lives in proxy/;
// plugins read a snapshot of this (shared_ptr<const Config>, replaced on SIGHUP).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace shadowproxy {

namespace protocol {
class RsaPrivateKey;  // protocol/auth.h
}  // namespace protocol

using Duration = std::chrono::milliseconds;

struct ServerAddress {
  std::string host;
  uint16_t port = 3306;
  std::string ToString() const { return host + ":" + std::to_string(port); }
  bool operator==(const ServerAddress&) const = default;
};

// TLS towards clients (listen.tls). `enabled` when the key is present.
struct ListenTlsConfig {
  bool enabled = false;
  std::string cert;  // PEM chain
  std::string key;
  std::string ca;  // non-empty: ask for and verify client certificates against it
  std::string min_version = "TLSv1.2";  // TLSv1.2 | TLSv1.3
  bool require = false;                 // a client that does not switch gets ERR 3159
};

struct ListenConfig {
  std::string address = "127.0.0.1";
  uint16_t port = 6033;
  uint32_t max_connections = 10000;
  uint32_t threads = 0;  // 0 = number of cores
  bool passthrough_auth = true;
  Duration shutdown_grace = std::chrono::seconds(30);
  ListenTlsConfig tls;
  // caching_sha2_password full authentication without TLS (RSA key exchange); PEM files.
  std::string rsa_private_key;
  std::string rsa_public_key;
  // rsa_private_key parsed once by the config loader (which checked rsa_public_key is its pair);
  // null without keys. Shared by every copy of the config snapshot, never modified.
  std::shared_ptr<const protocol::RsaPrivateKey> rsa_key;
};

// TLS towards the servers of a cluster (clusters[].tls), like the mysql client's --ssl-mode.
enum class BackendTlsMode : uint8_t {
  kDisabled,        // never
  kPreferred,       // when the server offers it, without verifying its certificate
  kRequired,        // always; a server without TLS is unavailable; certificate not verified
  kVerifyCa,        // always, certificate verified against `ca`
  kVerifyIdentity,  // ... and its name matches the server's host
};
struct BackendTlsConfig {
  BackendTlsMode mode = BackendTlsMode::kPreferred;
  std::string ca;
  std::string cert;  // client certificate (optional)
  std::string key;
};

struct ClusterConfig {
  std::string name;
  std::vector<ServerAddress> servers;
  std::string admin_user = "root";
  std::string admin_password;
  Duration connect_timeout = std::chrono::seconds(5);
  BackendTlsConfig tls;
};

struct UserConfig {
  std::string name;
  std::string password;  // clear text; empty if not given
  // "*<40 hex>" (SHA1(SHA1(pw)), mysql_native_password) or MySQL 8's caching_sha2_password
  // "$A$005$<salt><digest>" (raw, or "0x<hex>"); empty if not given.
  std::string password_hash;
  bool has_password = false;  // true if password or password_hash was given
  std::string cluster;        // resolved: never empty after loading
  std::string backend_user;
  std::string backend_password;
  std::vector<std::string> roles;
  // The plugin the proxy asks this user's clients to authenticate with: "" (the one the client
  // chose, when the stored credential can verify it), mysql_native_password or
  // caching_sha2_password.
  std::string auth_plugin;
  // shadow: true — every session of this user is a shadow session (SPEC.md §9).
  bool shadow = false;
};

struct MetadbConfig {
  std::string cluster;  // resolved: never empty after loading
  std::string database = "shadowproxy_meta";
};

struct MetricsConfig {
  std::string address = "127.0.0.1";
  uint16_t port = 9104;  // 0 = off
};

// console (SPEC.md §8, docs/console.md): the web console and JSON API of the task center.
struct ConsoleConfig {
  std::string address = "127.0.0.1";
  uint16_t port = 0;  // 0 = off
  // Same keys as listen.tls except `require` (a TLS port speaks nothing else); `enabled` when
  // the key is present. The session cookie is Secure under TLS.
  ListenTlsConfig tls;
  // How long a sign-in lasts without use (sliding: every request renews it).
  Duration session_ttl = std::chrono::hours(8);
};

struct ProcessMatch {
  std::vector<std::string> clusters{"*"};   // glob patterns
  std::vector<std::string> databases{"*"};  // glob patterns
};

struct ApprovalNode {
  std::vector<std::string> roles;
  std::vector<std::string> users;
};

struct ProcessConfig {
  std::string name;
  int priority = 0;
  ProcessMatch match;
  std::vector<ApprovalNode> nodes;  // empty: approved automatically
  bool allow_self_approval = false;
};

// shadow_sync.follow_ddl[] (SPEC.md §4.8, docs/follow_ddl.md): DDL relayed on a matching source
// table starts a shadow sync by itself.
struct FollowDdlMatch {
  std::vector<std::string> clusters{"*"};   // glob patterns
  std::vector<std::string> databases{"*"};  // glob patterns
  std::vector<std::string> tables{"*"};     // glob patterns (source tables)
};
struct FollowDdlRule {
  FollowDdlMatch match = {};
  // naming: {prefix | suffix}; filled from default_prefix / default_suffix when not given.
  std::string prefix = {};
  std::string suffix = {};
  bool execute_manually = false;   // execute: manually (default: immediately)
  bool continue_on_error = false;  // on_error: continue (default: abort)
  Duration settle = std::chrono::seconds(2);
  // drop_shadows: true — DROP TABLE (or RENAME away) of a source makes a task that drops its
  // shadow, through approval; default: the shadow is left and a WARN says so.
  bool drop_shadows = false;
};

// shadow_routing[] (SPEC.md §9, docs/shadow_routing.md): how a shadow session's statements on a
// matching database are rewritten. No rule: shadow routing is off, and nothing is marked.
struct ShadowRoutingRule {
  std::vector<std::string> clusters{"*"};   // match.clusters, glob patterns
  std::vector<std::string> databases{"*"};  // match.databases, glob patterns
  // naming: {prefix | suffix}; filled from shadow_sync.default_prefix / default_suffix when not
  // given.
  std::string prefix = {};
  std::string suffix = {};
  std::vector<std::string> shared_tables = {};  // tables used as they are (not shadowed)
};
// shadow_routing_options: how sessions are marked, and the catalog / plan caches.
struct ShadowRoutingOptions {
  std::string connect_attribute = "shadow";  // handshake attribute that marks; "" = none does
  bool statement_comments = true;            // sqlcommenter shadow='1' / leading /* shadow */
  Duration catalog_ttl = std::chrono::seconds(30);  // how long a database's table list is kept
  uint32_t cache_size = 10000;                      // statement shapes whose plans are kept
};

struct ShadowSyncConfig {
  std::string default_prefix;
  std::string default_suffix = "_shadow";
  Duration task_list_window = std::chrono::hours(48);
  Duration approval_timeout = std::chrono::hours(24);
  Duration execution_timeout = std::chrono::hours(48);
  uint32_t workers = 4;
  // When the config has no processes, DefaultProcess() applies.
  std::vector<ProcessConfig> processes;
  std::vector<FollowDdlRule> follow_ddl = {};  // first matching rule wins
};

// The approval process of a config that lists none (SPEC.md §2): "default", matching every
// cluster and database, one node {roles: [dba]}.
inline const ProcessConfig& DefaultProcess() {
  static const ProcessConfig kDefault{
      "default", 1, ProcessMatch{}, {ApprovalNode{{"dba"}, {}}}, false};
  return kDefault;
}

struct Config {
  std::string path;                 // file it was loaded from
  std::string log_level = "info";   // log.level, or the older top-level log_level
  std::string log_format = "text";  // log.format: text | json
  ListenConfig listen;
  std::vector<ClusterConfig> clusters;
  std::vector<UserConfig> users;
  MetadbConfig metadb;
  MetricsConfig metrics;
  ConsoleConfig console;
  ShadowSyncConfig shadow_sync;
  std::vector<ShadowRoutingRule> shadow_routing;  // first matching rule wins
  ShadowRoutingOptions shadow_routing_options;
  // Where the file itself holds a non-empty password (not read from a *_file, not from a
  // ${VAR}): "users[0].password (line 12)", in document order. Start-up warns when such a file
  // is readable by other users.
  std::vector<std::string> clear_text_secrets;

  const ClusterConfig* FindCluster(const std::string& name) const {
    for (const auto& c : clusters)
      if (c.name == name) return &c;
    return nullptr;
  }
  const UserConfig* FindUser(const std::string& name) const {
    for (const auto& u : users)
      if (u.name == name) return &u;
    return nullptr;
  }
};

using ConfigPtr = std::shared_ptr<const Config>;

}  // namespace shadowproxy
