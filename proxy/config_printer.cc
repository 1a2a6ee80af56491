#include "proxy/config_printer.h"

#include <yaml-cpp/yaml.h>

#include <cctype>
#include <utility>

namespace shadowproxy::proxy {
namespace {

// A printed value must read back as itself: the loader would expand a "${" in it.
std::string Literal(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s.compare(i, 2, "${") == 0) out += '$';
    out += s[i];
  }
  return out;
}

std::string Secret(const std::string& s) { return s.empty() ? "" : kRedacted; }

// yaml-cpp writes "yes" or "off" plain; YAML 1.1 readers (and people) would take them for
// booleans, so such strings get quotes.
void Emit(YAML::Emitter& out, const std::string& value) {
  std::string lower;
  for (char c : value) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  static const char* const kWords[] = {"y",   "n",    "yes",   "no",   "on",
                                       "off", "true", "false", "null", "~"};
  for (const char* w : kWords)
    if (lower == w) {
      out << YAML::DoubleQuoted;
      break;
    }
  out << Literal(value);
}

void Key(YAML::Emitter& out, const char* key, const std::string& value) {
  out << YAML::Key << key << YAML::Value;
  Emit(out, value);
}

// `quoted`: always in double quotes ("host:port" reads better so, as in the shipped config).
void List(YAML::Emitter& out, const char* key, const std::vector<std::string>& values,
          bool quoted = false) {
  out << YAML::Key << key << YAML::Value << YAML::Flow << YAML::BeginSeq;
  for (const auto& v : values) {
    if (quoted) out << YAML::DoubleQuoted;
    Emit(out, v);
  }
  out << YAML::EndSeq;
}

std::string Server(const ServerAddress& s) {
  const bool v6 = s.host.find(':') != std::string::npos;
  return (v6 ? "[" + s.host + "]" : s.host) + ":" + std::to_string(s.port);
}

const char* TlsModeName(BackendTlsMode m) {
  switch (m) {
    case BackendTlsMode::kDisabled:
      return "disabled";
    case BackendTlsMode::kPreferred:
      return "preferred";
    case BackendTlsMode::kRequired:
      return "required";
    case BackendTlsMode::kVerifyCa:
      return "verify_ca";
    case BackendTlsMode::kVerifyIdentity:
      return "verify_identity";
  }
  return "preferred";
}

void Listen(YAML::Emitter& out, const ListenConfig& l) {
  out << YAML::Key << "listen" << YAML::Value << YAML::BeginMap;
  Key(out, "address", l.address);
  out << YAML::Key << "port" << YAML::Value << l.port;
  out << YAML::Key << "max_connections" << YAML::Value << l.max_connections;
  out << YAML::Key << "threads" << YAML::Value << l.threads;
  out << YAML::Key << "passthrough_auth" << YAML::Value << l.passthrough_auth;
  Key(out, "shutdown_grace", FormatDuration(l.shutdown_grace));
  // Keys whose default is "absent" are printed only when given: an empty tls map or an empty
  // key path would not load.
  if (l.tls.enabled) {
    out << YAML::Key << "tls" << YAML::Value << YAML::BeginMap;
    Key(out, "cert", l.tls.cert);
    Key(out, "key", l.tls.key);
    Key(out, "ca", l.tls.ca);
    Key(out, "min_version", l.tls.min_version);
    out << YAML::Key << "require" << YAML::Value << l.tls.require;
    out << YAML::EndMap;
  }
  if (!l.rsa_private_key.empty()) {
    Key(out, "rsa_private_key", l.rsa_private_key);
    Key(out, "rsa_public_key", l.rsa_public_key);
  }
  out << YAML::EndMap;
}

void Clusters(YAML::Emitter& out, const std::vector<ClusterConfig>& clusters) {
  out << YAML::Key << "clusters" << YAML::Value << YAML::BeginSeq;
  for (const auto& c : clusters) {
    out << YAML::BeginMap;
    Key(out, "name", c.name);
    std::vector<std::string> servers;
    for (const auto& s : c.servers) servers.push_back(Server(s));
    List(out, "servers", servers, /*quoted=*/true);
    Key(out, "admin_user", c.admin_user);
    Key(out, "admin_password", Secret(c.admin_password));
    Key(out, "connect_timeout", FormatDuration(c.connect_timeout));
    out << YAML::Key << "tls" << YAML::Value << YAML::BeginMap;
    Key(out, "mode", TlsModeName(c.tls.mode));
    Key(out, "ca", c.tls.ca);
    Key(out, "cert", c.tls.cert);
    Key(out, "key", c.tls.key);
    out << YAML::EndMap << YAML::EndMap;
  }
  out << YAML::EndSeq;
}

void Users(YAML::Emitter& out, const std::vector<UserConfig>& users) {
  out << YAML::Key << "users" << YAML::Value << YAML::BeginSeq;
  for (const auto& u : users) {
    out << YAML::BeginMap;
    Key(out, "name", u.name);
    // The key's presence matters (a user without one is authenticated by the backend), so it
    // is printed exactly when the user has one.
    if (!u.password_hash.empty())
      Key(out, "password_hash", Secret(u.password_hash));
    else if (u.has_password)
      Key(out, "password", Secret(u.password));
    Key(out, "auth_plugin", u.auth_plugin);
    Key(out, "cluster", u.cluster);
    Key(out, "backend_user", u.backend_user);
    Key(out, "backend_password", Secret(u.backend_password));
    List(out, "roles", u.roles);
    out << YAML::Key << "shadow" << YAML::Value << u.shadow;
    out << YAML::EndMap;
  }
  out << YAML::EndSeq;
}

void Processes(YAML::Emitter& out, const std::vector<ProcessConfig>& processes) {
  out << YAML::Key << "processes" << YAML::Value << YAML::BeginSeq;
  for (const auto& p : processes) {
    out << YAML::BeginMap;
    Key(out, "name", p.name);
    out << YAML::Key << "priority" << YAML::Value << p.priority;
    out << YAML::Key << "match" << YAML::Value << YAML::Flow << YAML::BeginMap;
    List(out, "clusters", p.match.clusters);
    List(out, "databases", p.match.databases);
    out << YAML::EndMap;
    out << YAML::Key << "nodes" << YAML::Value << YAML::BeginSeq;
    for (const auto& n : p.nodes) {
      out << YAML::Flow << YAML::BeginMap;
      List(out, "roles", n.roles);
      List(out, "users", n.users);
      out << YAML::EndMap;
    }
    out << YAML::EndSeq;
    out << YAML::Key << "allow_self_approval" << YAML::Value << p.allow_self_approval;
    out << YAML::EndMap;
  }
  out << YAML::EndSeq;
}

void FollowDdl(YAML::Emitter& out, const std::vector<FollowDdlRule>& rules) {
  out << YAML::Key << "follow_ddl" << YAML::Value << YAML::BeginSeq;
  for (const auto& r : rules) {
    out << YAML::BeginMap;
    out << YAML::Key << "match" << YAML::Value << YAML::Flow << YAML::BeginMap;
    List(out, "clusters", r.match.clusters);
    List(out, "databases", r.match.databases);
    List(out, "tables", r.match.tables);
    out << YAML::EndMap;
    out << YAML::Key << "naming" << YAML::Value << YAML::Flow << YAML::BeginMap;
    if (!r.prefix.empty()) Key(out, "prefix", r.prefix);
    if (!r.suffix.empty()) Key(out, "suffix", r.suffix);
    out << YAML::EndMap;
    Key(out, "execute", r.execute_manually ? "manually" : "immediately");
    Key(out, "on_error", r.continue_on_error ? "continue" : "abort");
    Key(out, "settle", FormatDuration(r.settle));
    out << YAML::Key << "drop_shadows" << YAML::Value << r.drop_shadows;
    out << YAML::EndMap;
  }
  out << YAML::EndSeq;
}

void ShadowRouting(YAML::Emitter& out, const Config& cfg) {
  out << YAML::Key << "shadow_routing" << YAML::Value << YAML::BeginSeq;
  for (const auto& r : cfg.shadow_routing) {
    out << YAML::BeginMap;
    out << YAML::Key << "match" << YAML::Value << YAML::Flow << YAML::BeginMap;
    List(out, "clusters", r.clusters);
    List(out, "databases", r.databases);
    out << YAML::EndMap;
    out << YAML::Key << "naming" << YAML::Value << YAML::Flow << YAML::BeginMap;
    if (!r.prefix.empty()) Key(out, "prefix", r.prefix);
    if (!r.suffix.empty()) Key(out, "suffix", r.suffix);
    out << YAML::EndMap;
    List(out, "shared_tables", r.shared_tables);
    out << YAML::EndMap;
  }
  out << YAML::EndSeq;
  const ShadowRoutingOptions& o = cfg.shadow_routing_options;
  out << YAML::Key << "shadow_routing_options" << YAML::Value << YAML::BeginMap;
  Key(out, "connect_attribute", o.connect_attribute);
  out << YAML::Key << "statement_comments" << YAML::Value << o.statement_comments;
  Key(out, "catalog_ttl", FormatDuration(o.catalog_ttl));
  out << YAML::Key << "cache_size" << YAML::Value << o.cache_size;
  out << YAML::EndMap;
}

}  // namespace

std::string FormatDuration(Duration d) {
  const int64_t ms = d.count();
  static const std::pair<int64_t, const char*> kUnits[] = {
      {3600 * 1000, "h"}, {60 * 1000, "m"}, {1000, "s"}};
  for (const auto& [size, unit] : kUnits)
    if (ms != 0 && ms % size == 0) return std::to_string(ms / size) + unit;
  return std::to_string(ms) + (ms == 0 ? "s" : "ms");
}

std::string PrintConfig(const Config& cfg) {
  YAML::Emitter out;
  out.SetBoolFormat(YAML::TrueFalseBool);
  out << YAML::BeginMap;
  out << YAML::Key << "log" << YAML::Value << YAML::BeginMap;
  Key(out, "level", cfg.log_level);
  Key(out, "format", cfg.log_format);
  out << YAML::EndMap;
  Listen(out, cfg.listen);
  Clusters(out, cfg.clusters);
  Users(out, cfg.users);
  out << YAML::Key << "metadb" << YAML::Value << YAML::BeginMap;
  Key(out, "cluster", cfg.metadb.cluster);
  Key(out, "database", cfg.metadb.database);
  out << YAML::EndMap;
  out << YAML::Key << "metrics" << YAML::Value << YAML::BeginMap;
  Key(out, "address", cfg.metrics.address);
  out << YAML::Key << "port" << YAML::Value << cfg.metrics.port;
  out << YAML::EndMap;
  out << YAML::Key << "console" << YAML::Value << YAML::BeginMap;
  Key(out, "address", cfg.console.address);
  out << YAML::Key << "port" << YAML::Value << cfg.console.port;
  if (cfg.console.tls.enabled) {
    out << YAML::Key << "tls" << YAML::Value << YAML::BeginMap;
    Key(out, "cert", cfg.console.tls.cert);
    Key(out, "key", cfg.console.tls.key);
    Key(out, "ca", cfg.console.tls.ca);
    Key(out, "min_version", cfg.console.tls.min_version);
    out << YAML::EndMap;
  }
  Key(out, "session_ttl", FormatDuration(cfg.console.session_ttl));
  out << YAML::EndMap;
  const ShadowSyncConfig& s = cfg.shadow_sync;
  out << YAML::Key << "shadow_sync" << YAML::Value << YAML::BeginMap;
  Key(out, "default_prefix", s.default_prefix);
  Key(out, "default_suffix", s.default_suffix);
  Key(out, "task_list_window", FormatDuration(s.task_list_window));
  Key(out, "approval_timeout", FormatDuration(s.approval_timeout));
  Key(out, "execution_timeout", FormatDuration(s.execution_timeout));
  out << YAML::Key << "workers" << YAML::Value << s.workers;
  Processes(out, s.processes);
  FollowDdl(out, s.follow_ddl);
  out << YAML::EndMap;
  ShadowRouting(out, cfg);
  out << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

}  // namespace shadowproxy::proxy
