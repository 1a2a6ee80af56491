#include "proxy/config_loader.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <functional>
#include <initializer_list>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <vector>

#include "base/log.h"
#include "base/naming.h"
#include "protocol/auth.h"
#include "proxy/tls.h"

namespace shadowproxy::proxy {
namespace {

// A value in the document together with where it is: its line (1-based) and its key path.
// For a scalar, `text` is its value after ${VAR} expansion (what every reader uses).
struct Field {
  Field() = default;
  Field(YAML::Node n, int l, std::string p) : node(std::move(n)), line(l), path(std::move(p)) {}
  YAML::Node node;
  int line = 1;
  std::string path;
  std::string text;
  bool from_env = false;  // the value had a ${VAR} in it
  bool bad = false;       // its expansion failed (already reported): readers say nothing more
};

using FieldMap = std::map<std::string, Field, std::less<>>;

std::string Quote(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "\\x%02x", static_cast<unsigned char>(c));
      out += buf;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

std::string Describe(const YAML::Node& n, const std::string* text = nullptr) {
  switch (n.Type()) {
    case YAML::NodeType::Scalar:
      return Quote(text ? *text : n.Scalar());
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Map:
      return "a map";
    default:
      return "nothing";
  }
}

int LineOf(const YAML::Node& n, int fallback) {
  const YAML::Mark m = n.Mark();
  return m.is_null() || m.line < 0 ? fallback : m.line + 1;
}

std::string Join(const std::string& parent, std::string_view key) {
  return parent.empty() ? std::string(key) : parent + "." + std::string(key);
}

bool ParseInt(const std::string& s, int64_t* out) {
  size_t i = 0;
  bool neg = false;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    neg = s[0] == '-';
    i = 1;
  }
  if (i >= s.size() || s.size() - i > 15) return false;
  int64_t v = 0;
  for (; i < s.size(); ++i) {
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
    v = v * 10 + (s[i] - '0');
  }
  *out = neg ? -v : v;
  return true;
}

bool IsHex40(std::string_view s) {
  if (s.size() != 40) return false;
  for (char c : s)
    if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
  return true;
}

// A glob is non-empty and its '[' classes are closed.
bool ValidGlob(std::string_view g) {
  if (g.empty()) return false;
  for (size_t i = 0; i < g.size(); ++i) {
    if (g[i] != '[') continue;
    size_t j = i + 1;
    if (j < g.size() && (g[j] == '!' || g[j] == '^')) ++j;
    if (j < g.size() && g[j] == ']') ++j;  // "[]...]" : ']' first is literal
    while (j < g.size() && g[j] != ']') ++j;
    if (j >= g.size()) return false;
    i = j;
  }
  return true;
}

std::string Describe(const Field& f) { return Describe(f.node, &f.text); }

// The first line of the file at `path` (without its "\n" or "\r\n"), for the *_file keys.
bool ReadFirstLine(const std::string& path, std::string* out, std::string* error) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    *error = "cannot read " + Quote(path) + ": " + std::strerror(errno);
    return false;
  }
  struct stat st {};
  if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
    close(fd);
    *error = "cannot read " + Quote(path) + ": it is a directory";
    return false;
  }
  // A secret is one short line; reading stops at the first newline or after 64 KiB.
  std::string text;
  char buf[4096];
  bool failed = false;
  while (text.size() < 65536 && text.find('\n') == std::string::npos) {
    ssize_t n = read(fd, buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) failed = true;
    if (n <= 0) break;
    text.append(buf, static_cast<size_t>(n));
  }
  int saved = errno;
  close(fd);
  if (failed) {
    *error = "cannot read " + Quote(path) + ": " + std::strerror(saved);
    return false;
  }
  size_t nl = text.find('\n');
  if (nl != std::string::npos) text.resize(nl);
  if (!text.empty() && text.back() == '\r') text.pop_back();
  *out = std::move(text);
  return true;
}

class Loader {
 public:
  explicit Loader(std::string_view file) : file_(file) {}

  const std::vector<std::string>& errors() const { return errors_; }

  void Fail(int line, const std::string& path, const std::string& msg) {
    std::string e = file_ + ":" + std::to_string(line) + ": ";
    if (!path.empty()) e += path + ": ";
    errors_.push_back(e + msg);
  }

  void Load(const YAML::Node& root, Config* cfg) {
    Field top{root, 1, ""};
    if (root.IsNull()) {
      Fail(1, "clusters", "required key missing");
      return;
    }
    FieldMap m;
    if (!ReadMap(top,
                 {"log_level", "log", "listen", "clusters", "users", "metadb", "metrics", "console",
                  "shadow_sync", "shadow_routing", "shadow_routing_options"},
                 &m))
      return;
    top.line = 1;  // keys missing at the top level are reported on line 1
    clear_text_ = &cfg->clear_text_secrets;
    const Field* old_level = Get(m, "log_level");
    if (old_level) LoadLogLevel(*old_level, &cfg->log_level);
    if (const Field* f = Get(m, "log")) LoadLog(*f, old_level, cfg);
    if (const Field* f = Get(m, "listen")) LoadListen(*f, &cfg->listen);
    if (const Field* f = Need(m, "clusters", top)) LoadClusters(*f, &cfg->clusters);
    if (const Field* f = Get(m, "users")) LoadUsers(*f, cfg);
    if (const Field* f = Get(m, "metadb")) LoadMetadb(*f, cfg);
    if (const Field* f = Get(m, "metrics")) LoadMetrics(*f, &cfg->metrics);
    if (const Field* f = Get(m, "console")) LoadConsole(*f, &cfg->console);
    if (const Field* f = Get(m, "shadow_sync")) LoadShadowSync(*f, &cfg->shadow_sync);
    if (const Field* f = Get(m, "shadow_routing")) LoadShadowRouting(*f, &cfg->shadow_routing);
    if (const Field* f = Get(m, "shadow_routing_options"))
      LoadShadowRoutingOptions(*f, &cfg->shadow_routing_options);
    ApplyDefaults(cfg);
  }

 private:
  // --- generic readers -------------------------------------------------------------------------

  // Every value of the document is made a Field here (map values and list items alike), so
  // this is the one place ${VAR} is expanded; keys are never expanded.
  Field MakeField(YAML::Node node, int line, std::string path) {
    Field f{std::move(node), line, std::move(path)};
    if (!f.node.IsScalar()) return f;
    std::string error;
    if (!ExpandEnv(f.node.Scalar(), &f.text, &error, &f.from_env)) {
      Fail(f.line, f.path, error);
      f.bad = true;
    }
    return f;
  }

  // A key with nothing under it (e.g. every entry commented out) counts as an empty map / list.
  bool ReadMap(const Field& f, std::initializer_list<std::string_view> allowed, FieldMap* out) {
    if (f.node.IsNull() && !f.path.empty()) return true;
    if (!f.node.IsMap()) {
      Fail(f.line, f.path, "expected a map, got " + Describe(f));
      return false;
    }
    for (auto it = f.node.begin(); it != f.node.end(); ++it) {
      YAML::Node key = it->first;  // a copy: the iterator yields a temporary pair
      int line = LineOf(key, f.line);
      if (!key.IsScalar()) {
        Fail(line, f.path, "keys must be plain words, got " + Describe(key));
        continue;
      }
      const std::string& name = key.Scalar();
      std::string path = Join(f.path, name);
      bool known = false;
      for (std::string_view a : allowed) known = known || a == name;
      if (!known) {
        Fail(line, path, "unknown key");
        continue;
      }
      if (out->count(name)) {
        Fail(line, path, "duplicate key");
        continue;
      }
      (*out)[name] = MakeField(it->second, line, path);
    }
    return true;
  }

  static const Field* Get(const FieldMap& m, std::string_view key) {
    auto it = m.find(key);
    return it == m.end() ? nullptr : &it->second;
  }

  const Field* Need(const FieldMap& m, std::string_view key, const Field& parent) {
    const Field* f = Get(m, key);
    if (!f) Fail(parent.line, Join(parent.path, key), "required key missing");
    return f;
  }

  bool List(const Field& f, std::vector<Field>* out) {
    if (f.node.IsNull()) return true;
    if (!f.node.IsSequence()) {
      Fail(f.line, f.path, "expected a list, got " + Describe(f));
      return false;
    }
    size_t i = 0;
    for (const YAML::Node& item : f.node) {
      out->push_back(
          MakeField(item, LineOf(item, f.line), f.path + "[" + std::to_string(i++) + "]"));
    }
    return true;
  }

  bool Str(const Field& f, std::string* out) {
    if (f.bad) return false;
    if (f.node.IsNull()) {
      out->clear();
      return true;
    }
    if (!f.node.IsScalar()) {
      Fail(f.line, f.path, "expected a string, got " + Describe(f));
      return false;
    }
    *out = f.text;
    return true;
  }

  bool NonEmptyStr(const Field& f, std::string* out) {
    if (!Str(f, out)) return false;
    if (out->empty()) {
      Fail(f.line, f.path, "must not be empty");
      return false;
    }
    return true;
  }

  template <typename T>
  bool Int(const Field& f, int64_t lo, int64_t hi, T* out) {
    int64_t v = 0;
    if (f.bad) return false;
    if (!f.node.IsScalar() || !ParseInt(f.text, &v) || v < lo || v > hi) {
      Fail(f.line, f.path,
           "expected an integer " + std::to_string(lo) + ".." + std::to_string(hi) + ", got " +
               Describe(f));
      return false;
    }
    *out = static_cast<T>(v);
    return true;
  }

  bool Bool(const Field& f, bool* out) {
    if (f.bad) return false;
    if (f.node.IsScalar()) {
      std::string s;
      for (char c : f.text) s += static_cast<char>(std::tolower(c));
      if (s == "true" || s == "yes" || s == "on") return *out = true, true;
      if (s == "false" || s == "no" || s == "off") return *out = false, true;
    }
    Fail(f.line, f.path, "expected true or false, got " + Describe(f));
    return false;
  }

  bool Dur(const Field& f, Duration* out) {
    if (f.bad) return false;
    if (f.node.IsScalar() && ParseDuration(f.text, out)) return true;
    Fail(f.line, f.path,
         "expected a duration such as 500ms, 30s, 5m, 48h or 7d, got " + Describe(f));
    return false;
  }

  // A list of strings; `check` (optional) returns an error message for a bad item.
  bool StrList(const Field& f, std::vector<std::string>* out,
               const std::function<std::string(const std::string&)>& check = nullptr) {
    std::vector<Field> items;
    if (!List(f, &items)) return false;
    out->clear();
    bool ok = true;
    for (const Field& item : items) {
      std::string s;
      if (item.bad) {
        ok = false;
        continue;
      }
      if (!item.node.IsScalar()) {
        Fail(item.line, item.path, "expected a string, got " + Describe(item));
        ok = false;
        continue;
      }
      s = item.text;
      if (check) {
        std::string err = check(s);
        if (!err.empty()) {
          Fail(item.line, item.path, err);
          ok = false;
          continue;
        }
      }
      out->push_back(s);
    }
    return ok;
  }

  // --- sections --------------------------------------------------------------------------------

  void LoadListen(const Field& f, ListenConfig* l) {
    FieldMap m;
    if (!ReadMap(f,
                 {"address", "port", "max_connections", "threads", "passthrough_auth",
                  "shutdown_grace", "tls", "rsa_private_key", "rsa_public_key"},
                 &m))
      return;
    if (const Field* v = Get(m, "address")) NonEmptyStr(*v, &l->address);
    if (const Field* v = Get(m, "port")) Int(*v, 1, 65535, &l->port);
    if (const Field* v = Get(m, "max_connections")) Int(*v, 1, 1000000, &l->max_connections);
    if (const Field* v = Get(m, "threads")) Int(*v, 0, 1024, &l->threads);
    if (const Field* v = Get(m, "passthrough_auth")) Bool(*v, &l->passthrough_auth);
    if (const Field* v = Get(m, "shutdown_grace")) Dur(*v, &l->shutdown_grace);
    if (const Field* v = Get(m, "tls")) LoadListenTls(*v, &l->tls);
    const Field* rsa_priv = Get(m, "rsa_private_key");
    const Field* rsa_pub = Get(m, "rsa_public_key");
    if (rsa_priv) NonEmptyStr(*rsa_priv, &l->rsa_private_key);
    if (rsa_pub) NonEmptyStr(*rsa_pub, &l->rsa_public_key);
    if (!rsa_priv != !rsa_pub)
      Fail((rsa_priv ? rsa_priv : rsa_pub)->line,
           Join(f.path, rsa_priv ? "rsa_public_key" : "rsa_private_key"),
           "rsa_private_key and rsa_public_key go together");
    else if (rsa_priv && !l->rsa_private_key.empty() && !l->rsa_public_key.empty())
      LoadRsaKeys(*rsa_priv, *rsa_pub, l);
  }

  // listen.tls, and console.tls without `require` (an HTTPS port has no plaintext to refuse).
  void LoadListenTls(const Field& f, ListenTlsConfig* t, bool with_require = true) {
    FieldMap m;
    if (with_require ? !ReadMap(f, {"cert", "key", "ca", "min_version", "require"}, &m)
                     : !ReadMap(f, {"cert", "key", "ca", "min_version"}, &m))
      return;
    t->enabled = true;
    const Field* cert = Need(m, "cert", f);
    const Field* key = Need(m, "key", f);
    if (cert) NonEmptyStr(*cert, &t->cert);
    if (key) NonEmptyStr(*key, &t->key);
    if (const Field* v = Get(m, "ca")) Str(*v, &t->ca);
    if (const Field* v = Get(m, "min_version")) {
      std::string ver;
      if (Str(*v, &ver)) {
        if (ver == "TLSv1.2" || ver == "TLSv1.3")
          t->min_version = ver;
        else
          Fail(v->line, v->path, "expected TLSv1.2 or TLSv1.3, got " + Quote(ver));
      }
    }
    if (const Field* v = Get(m, "require")) Bool(*v, &t->require);
    if (!cert || !key || t->cert.empty() || t->key.empty()) return;
    tls::FileError err;
    if (!tls::CheckServerFiles(*t, &err)) {
      const Field* at = err.key == "key" ? key : err.key == "ca" ? Get(m, "ca") : cert;
      Fail(at ? at->line : f.line, Join(f.path, err.key), err.message);
    }
  }

  void LoadBackendTls(const Field& f, BackendTlsConfig* t) {
    FieldMap m;
    if (!ReadMap(f, {"mode", "ca", "cert", "key"}, &m)) return;
    if (const Field* v = Get(m, "mode")) {
      std::string mode;
      if (Str(*v, &mode)) {
        static const std::pair<const char*, BackendTlsMode> kModes[] = {
            {"disabled", BackendTlsMode::kDisabled},
            {"preferred", BackendTlsMode::kPreferred},
            {"required", BackendTlsMode::kRequired},
            {"verify_ca", BackendTlsMode::kVerifyCa},
            {"verify_identity", BackendTlsMode::kVerifyIdentity}};
        bool found = false;
        for (const auto& [name, value] : kModes)
          if (mode == name) t->mode = value, found = true;
        if (!found)
          Fail(v->line, v->path,
               "expected disabled, preferred, required, verify_ca or verify_identity, got " +
                   Quote(mode));
      }
    }
    if (const Field* v = Get(m, "ca")) Str(*v, &t->ca);
    if (const Field* v = Get(m, "cert")) Str(*v, &t->cert);
    if (const Field* v = Get(m, "key")) Str(*v, &t->key);
    bool verifies =
        t->mode == BackendTlsMode::kVerifyCa || t->mode == BackendTlsMode::kVerifyIdentity;
    if (verifies && t->ca.empty())
      Fail(f.line, Join(f.path, "ca"),
           "required by mode " +
               std::string(t->mode == BackendTlsMode::kVerifyCa ? "verify_ca" : "verify_identity"));
    if (t->cert.empty() != t->key.empty())
      Fail(f.line, Join(f.path, t->cert.empty() ? "cert" : "key"), "cert and key go together");
    tls::FileError err;
    if (!tls::CheckClientFiles(*t, &err)) {
      const Field* at = Get(m, err.key);
      Fail(at ? at->line : f.line, Join(f.path, err.key), err.message);
    }
  }

  // listen.rsa_private_key / rsa_public_key: PEM files with an RSA private key and its public
  // half, read and parsed once per loaded config (ListenConfig::rsa_key).
  void LoadRsaKeys(const Field& priv, const Field& pub, ListenConfig* l) {
    std::string priv_pem, pub_pem;
    if (!ReadKeyFile(priv, l->rsa_private_key, &priv_pem) ||
        !ReadKeyFile(pub, l->rsa_public_key, &pub_pem))
      return;
    auto key = protocol::RsaPrivateKey::FromPem(priv_pem);
    if (!key.ok())
      return Fail(priv.line, priv.path, Quote(l->rsa_private_key) + ": " + key.status().message());
    if (!(*key)->MatchesPublicPem(pub_pem))
      return Fail(
          pub.line, pub.path,
          Quote(l->rsa_public_key) + " is not the public key of " + Quote(l->rsa_private_key));
    l->rsa_key = std::move(key.value());
  }

  bool ReadKeyFile(const Field& f, const std::string& path, std::string* out) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    if (in) text << in.rdbuf();
    if (!in || in.bad()) {
      Fail(f.line, f.path, "cannot read " + Quote(path) + ": " + std::strerror(errno));
      return false;
    }
    *out = text.str();
    return true;
  }

  // log_level (the older top-level key) and log.level.
  void LoadLogLevel(const Field& f, std::string* out) {
    std::string level;
    log::Level parsed;
    if (!Str(f, &level)) return;
    if (!log::ParseLevel(level, &parsed))
      return Fail(f.line, f.path, "expected one of debug, info, warn, error, got " + Quote(level));
    *out = log::LevelName(parsed);
    for (char& c : *out) c = static_cast<char>(std::tolower(c));
  }

  void LoadLog(const Field& f, const Field* old_level, Config* cfg) {
    FieldMap m;
    if (!ReadMap(f, {"level", "format"}, &m)) return;
    if (const Field* v = Get(m, "level")) {
      if (old_level)
        Fail(v->line, v->path,
             "give log.level or the top-level log_level (line " + std::to_string(old_level->line) +
                 "), not both");
      else
        LoadLogLevel(*v, &cfg->log_level);
    }
    if (const Field* v = Get(m, "format")) {
      std::string format;
      if (Str(*v, &format)) {
        if (format == "text" || format == "json")
          cfg->log_format = format;
        else
          Fail(v->line, v->path, "expected text or json, got " + Quote(format));
      }
    }
  }

  // A password key: `key: value` (${VAR} expanded like every value) or `key_file: PATH` (the
  // file's first line). Returns the field that gave it (nullptr when neither did); *out is set
  // only from a good value. Errors never quote the secret itself. A non-empty value written in
  // the file itself is noted in Config::clear_text_secrets, unless it is a hash (`clear_text`
  // false): hashes are what users write to keep passwords out of the file.
  const Field* Secret(const FieldMap& m, const std::string& key, std::string* out,
                      bool clear_text = true) {
    const Field* direct = Get(m, key);
    const Field* file = Get(m, key + "_file");
    if (direct && file) {
      Fail(file->line, file->path, "give " + key + " or " + key + "_file, not both");
      return direct;
    }
    if (direct) {
      if (Str(*direct, out) && !out->empty() && !direct->from_env && clear_text && clear_text_)
        clear_text_->push_back(direct->path + " (line " + std::to_string(direct->line) + ")");
      return direct;
    }
    if (!file) return nullptr;
    std::string path, error;
    if (!NonEmptyStr(*file, &path)) return file;
    if (!ReadFirstLine(path, out, &error)) Fail(file->line, file->path, error);
    return file;
  }

  void LoadServer(const Field& f, std::vector<ServerAddress>* out) {
    if (f.bad) return;
    const std::string bad = "expected \"host:port\" with a port 1..65535, got " + Describe(f);
    if (!f.node.IsScalar()) return Fail(f.line, f.path, bad);
    const std::string& s = f.text;
    size_t colon = s.rfind(':');
    int64_t port = 0;
    if (colon == std::string::npos || colon == 0 || !ParseInt(s.substr(colon + 1), &port) ||
        port < 1 || port > 65535 || s[colon + 1] == '+' || s[colon + 1] == '-')
      return Fail(f.line, f.path, bad);
    std::string host = s.substr(0, colon);
    if (host.size() > 2 && host.front() == '[' && host.back() == ']')  // [::1]:3306
      host = host.substr(1, host.size() - 2);
    out->push_back(ServerAddress{host, static_cast<uint16_t>(port)});
  }

  void LoadClusters(const Field& f, std::vector<ClusterConfig>* out) {
    std::vector<Field> items;
    if (!List(f, &items)) return;
    if (items.empty()) return Fail(f.line, f.path, "at least one cluster is required");
    std::map<std::string, std::string> seen;  // name -> path of its first definition
    for (const Field& item : items) {
      FieldMap m;
      ClusterConfig c;
      if (!ReadMap(item,
                   {"name", "servers", "admin_user", "admin_password", "admin_password_file",
                    "connect_timeout", "tls"},
                   &m))
        continue;
      if (const Field* v = Need(m, "name", item)) {
        if (NonEmptyStr(*v, &c.name)) {
          auto [it, fresh] = seen.emplace(c.name, item.path);
          if (!fresh)
            Fail(v->line, v->path,
                 "duplicate cluster name " + Quote(c.name) + " (first defined at " + it->second +
                     ")");
        }
      }
      if (const Field* v = Need(m, "servers", item)) {
        std::vector<Field> servers;
        if (List(*v, &servers)) {
          if (servers.empty()) Fail(v->line, v->path, "at least one server is required");
          for (const Field& s : servers) LoadServer(s, &c.servers);
        }
      }
      if (const Field* v = Get(m, "admin_user")) NonEmptyStr(*v, &c.admin_user);
      Secret(m, "admin_password", &c.admin_password);
      if (const Field* v = Get(m, "connect_timeout")) Dur(*v, &c.connect_timeout);
      if (const Field* v = Get(m, "tls")) LoadBackendTls(*v, &c.tls);
      out->push_back(std::move(c));
    }
  }

  void LoadUsers(const Field& f, Config* cfg) {
    std::vector<Field> items;
    if (!List(f, &items)) return;
    std::set<std::string> seen;
    for (const Field& item : items) {
      FieldMap m;
      UserConfig u;
      if (!ReadMap(item,
                   {"name", "password", "password_file", "password_hash", "password_hash_file",
                    "cluster", "backend_user", "backend_password", "backend_password_file", "roles",
                    "auth_plugin", "shadow"},
                   &m))
        continue;
      if (const Field* v = Need(m, "name", item)) {
        if (NonEmptyStr(*v, &u.name) && !seen.insert(u.name).second)
          Fail(v->line, v->path, "duplicate user name " + Quote(u.name));
      }
      std::string h;
      const Field* pw = Secret(m, "password", &u.password);
      const Field* hash = Secret(m, "password_hash", &h, /*clear_text=*/false);
      if (pw && hash) {
        Fail(hash->line, item.path, "give password or password_hash, not both");
      } else if (pw) {
        u.has_password = !pw->bad;
      } else if (hash) {
        if (!hash->bad) {
          if (h.size() == 41 && h[0] == '*' && IsHex40(std::string_view(h).substr(1))) {
            for (char& c : h) c = static_cast<char>(std::toupper(c));
            u.password_hash = h;
            u.has_password = true;
          } else if (protocol::LooksLikeSha2PasswordHash(h)) {
            auto parsed = protocol::ParseSha2PasswordHash(h);
            if (parsed.ok()) {
              u.password_hash = h;
              u.has_password = true;
            } else {
              Fail(hash->line, hash->path, parsed.status().message());
            }
          } else {
            // The value is not quoted: it may be a password given under the wrong key.
            Fail(hash->line, hash->path,
                 "expected \"*\" followed by 40 hex digits (mysql_native_password) or a MySQL 8 "
                 "caching_sha2_password hash (\"$A$005$...\" or \"0x2441...\"), got a value of " +
                     std::to_string(h.size()) + " characters that is neither");
          }
        }
      }
      if (const Field* v = Get(m, "cluster")) {
        if (NonEmptyStr(*v, &u.cluster)) RefCluster(*v, u.cluster, *cfg);
      }
      if (const Field* v = Get(m, "backend_user")) NonEmptyStr(*v, &u.backend_user);
      const Field* backend_pw = Secret(m, "backend_password", &u.backend_password);
      if (!backend_pw && pw) {
        u.backend_password = u.password;
      } else if (!backend_pw && hash) {
        Fail(item.line, Join(item.path, "backend_password"),
             "required when only password_hash is given");
      }
      if (const Field* v = Get(m, "roles")) StrList(*v, &u.roles, NotEmpty);
      if (const Field* v = Get(m, "auth_plugin")) LoadAuthPlugin(*v, &u);
      if (const Field* v = Get(m, "shadow")) Bool(*v, &u.shadow);
      if (u.backend_user.empty()) u.backend_user = u.name;
      cfg->users.push_back(std::move(u));
    }
  }

  // users[].auth_plugin: one of the two plugins, and one the user's credential can verify.
  void LoadAuthPlugin(const Field& v, UserConfig* u) {
    std::string plugin;
    // Empty is the default, written out so by --print-config.
    if (!Str(v, &plugin) || plugin.empty()) return;
    if (plugin != "mysql_native_password" && plugin != "caching_sha2_password")
      return Fail(v.line, v.path,
                  "expected mysql_native_password or caching_sha2_password, got " + Quote(plugin));
    bool sha2_hash = protocol::LooksLikeSha2PasswordHash(u->password_hash);
    bool native_hash = !u->password_hash.empty() && !sha2_hash;
    if (plugin == "caching_sha2_password" && native_hash)
      return Fail(v.line, v.path,
                  "a \"*...\" password_hash verifies only mysql_native_password (give password, "
                  "or a caching_sha2_password hash)");
    if (plugin == "mysql_native_password" && sha2_hash)
      return Fail(v.line, v.path,
                  "a caching_sha2_password password_hash cannot verify mysql_native_password");
    u->auth_plugin = plugin;
  }

  static std::string NotEmpty(const std::string& s) { return s.empty() ? "must not be empty" : ""; }

  void RefCluster(const Field& f, const std::string& name, const Config& cfg) {
    if (cfg.clusters.empty() || cfg.FindCluster(name)) return;  // no clusters: already reported
    std::string known;
    for (const auto& c : cfg.clusters) known += (known.empty() ? "" : ", ") + c.name;
    Fail(f.line, f.path, "unknown cluster " + Quote(name) + " (clusters: " + known + ")");
  }

  void LoadMetadb(const Field& f, Config* cfg) {
    FieldMap m;
    if (!ReadMap(f, {"cluster", "database"}, &m)) return;
    if (const Field* v = Get(m, "cluster")) {
      if (NonEmptyStr(*v, &cfg->metadb.cluster)) RefCluster(*v, cfg->metadb.cluster, *cfg);
    }
    if (const Field* v = Get(m, "database")) {
      std::string db;
      if (NonEmptyStr(*v, &db)) {
        if (db.size() > 64 || db.find('`') != std::string::npos)
          Fail(v->line, v->path,
               "expected a database name (1 to 64 characters, no `), got " + Quote(db));
        else
          cfg->metadb.database = db;
      }
    }
  }

  void LoadMetrics(const Field& f, MetricsConfig* out) {
    FieldMap m;
    if (!ReadMap(f, {"address", "port"}, &m)) return;
    if (const Field* v = Get(m, "address")) NonEmptyStr(*v, &out->address);
    if (const Field* v = Get(m, "port")) Int(*v, 0, 65535, &out->port);
  }

  void LoadConsole(const Field& f, ConsoleConfig* out) {
    FieldMap m;
    if (!ReadMap(f, {"address", "port", "tls", "session_ttl"}, &m)) return;
    if (const Field* v = Get(m, "address")) NonEmptyStr(*v, &out->address);
    if (const Field* v = Get(m, "port")) Int(*v, 0, 65535, &out->port);
    if (const Field* v = Get(m, "tls")) LoadListenTls(*v, &out->tls, /*with_require=*/false);
    if (const Field* v = Get(m, "session_ttl")) {
      if (Dur(*v, &out->session_ttl) && out->session_ttl < std::chrono::seconds(1))
        Fail(v->line, v->path, "expected at least 1s, got " + Describe(*v));
    }
  }

  void LoadShadowSync(const Field& f, ShadowSyncConfig* s) {
    FieldMap m;
    if (!ReadMap(f,
                 {"default_prefix", "default_suffix", "task_list_window", "approval_timeout",
                  "execution_timeout", "workers", "processes", "follow_ddl"},
                 &m))
      return;
    auto affix = [&](const char* key, std::string* out) {
      const Field* v = Get(m, key);
      std::string text;
      if (!v || !Str(*v, &text)) return;
      if (text.empty() || ValidAffix(text))  // one of the two may be empty
        *out = text;
      else
        Fail(v->line, v->path, "expected up to 32 characters of [A-Za-z0-9_], got " + Quote(text));
    };
    affix("default_prefix", &s->default_prefix);
    affix("default_suffix", &s->default_suffix);
    if (s->default_prefix.empty() && s->default_suffix.empty())
      Fail(f.line, Join(f.path, "default_suffix"),
           "default_prefix and default_suffix cannot both be empty");
    if (const Field* v = Get(m, "task_list_window")) Dur(*v, &s->task_list_window);
    if (const Field* v = Get(m, "approval_timeout")) Dur(*v, &s->approval_timeout);
    if (const Field* v = Get(m, "execution_timeout")) Dur(*v, &s->execution_timeout);
    if (const Field* v = Get(m, "workers")) Int(*v, 1, 256, &s->workers);
    if (const Field* v = Get(m, "processes")) LoadProcesses(*v, &s->processes);
    if (const Field* v = Get(m, "follow_ddl")) LoadFollowDdl(*v, &s->follow_ddl);
  }

  // A string that is `no` (*out = false) or `yes` (*out = true).
  void OneOf(const Field& f, const char* no, const char* yes, bool* out) {
    std::string text;
    if (!Str(f, &text)) return;
    if (text == no || text == yes)
      *out = text == yes;
    else
      Fail(f.line, f.path, std::string("expected ") + no + " or " + yes + ", got " + Quote(text));
  }

  // The check of a glob pattern list item: "" when it is a valid pattern.
  static std::string GlobError(const std::string& g) {
    return ValidGlob(g) ? std::string() : "bad glob pattern " + Quote(g);
  }

  // naming: {prefix | suffix} of a rule.
  void LoadNaming(const Field& v, std::string* prefix, std::string* suffix) {
    FieldMap nm;
    if (!ReadMap(v, {"prefix", "suffix"}, &nm)) return;
    const Field* pre = Get(nm, "prefix");
    const Field* suf = Get(nm, "suffix");
    if (pre && suf) {
      Fail(v.line, v.path, "give prefix or suffix, not both");
    } else if (const Field* a = pre ? pre : suf) {
      std::string text;
      if (Str(*a, &text)) {
        if (!ValidAffix(text))
          Fail(a->line, a->path, "expected 1 to 32 characters of [A-Za-z0-9_], got " + Quote(text));
        else
          *(pre ? prefix : suffix) = text;
      }
    }
  }

  // shadow_routing (docs/shadow_routing.md).
  void LoadShadowRouting(const Field& f, std::vector<ShadowRoutingRule>* out) {
    std::vector<Field> items;
    if (!List(f, &items)) return;
    for (const Field& item : items) {
      FieldMap m;
      ShadowRoutingRule r;
      if (!ReadMap(item, {"match", "naming", "shared_tables"}, &m)) continue;
      if (const Field* v = Get(m, "match")) {
        FieldMap mm;
        if (ReadMap(*v, {"clusters", "databases"}, &mm)) {
          if (const Field* g = Get(mm, "clusters")) StrList(*g, &r.clusters, GlobError);
          if (const Field* g = Get(mm, "databases")) StrList(*g, &r.databases, GlobError);
        }
      }
      if (const Field* v = Get(m, "naming")) LoadNaming(*v, &r.prefix, &r.suffix);
      if (const Field* v = Get(m, "shared_tables")) StrList(*v, &r.shared_tables, NotEmpty);
      out->push_back(std::move(r));
    }
  }

  void LoadShadowRoutingOptions(const Field& f, ShadowRoutingOptions* o) {
    FieldMap m;
    if (!ReadMap(f, {"connect_attribute", "statement_comments", "catalog_ttl", "cache_size"}, &m))
      return;
    if (const Field* v = Get(m, "connect_attribute")) Str(*v, &o->connect_attribute);
    if (const Field* v = Get(m, "statement_comments")) Bool(*v, &o->statement_comments);
    if (const Field* v = Get(m, "catalog_ttl")) {
      if (Dur(*v, &o->catalog_ttl) && o->catalog_ttl > std::chrono::hours(24))
        Fail(v->line, v->path, "expected at most 24h, got " + Describe(*v));
    }
    if (const Field* v = Get(m, "cache_size")) Int(*v, 1, 10000000, &o->cache_size);
  }

  // shadow_sync.follow_ddl (docs/follow_ddl.md).
  void LoadFollowDdl(const Field& f, std::vector<FollowDdlRule>* out) {
    std::vector<Field> items;
    if (!List(f, &items)) return;
    for (const Field& item : items) {
      FieldMap m;
      FollowDdlRule r;
      if (!ReadMap(item, {"match", "naming", "execute", "on_error", "settle", "drop_shadows"}, &m))
        continue;
      if (const Field* v = Get(m, "match")) {
        FieldMap mm;
        if (ReadMap(*v, {"clusters", "databases", "tables"}, &mm)) {
          if (const Field* g = Get(mm, "clusters")) StrList(*g, &r.match.clusters, GlobError);
          if (const Field* g = Get(mm, "databases")) StrList(*g, &r.match.databases, GlobError);
          if (const Field* g = Get(mm, "tables")) StrList(*g, &r.match.tables, GlobError);
        }
      }
      if (const Field* v = Get(m, "naming")) LoadNaming(*v, &r.prefix, &r.suffix);
      if (const Field* v = Get(m, "execute"))
        OneOf(*v, "immediately", "manually", &r.execute_manually);
      if (const Field* v = Get(m, "on_error")) OneOf(*v, "abort", "continue", &r.continue_on_error);
      if (const Field* v = Get(m, "settle")) {
        if (Dur(*v, &r.settle) && r.settle > std::chrono::minutes(10))
          Fail(v->line, v->path, "expected at most 10m, got " + Describe(*v));
      }
      if (const Field* v = Get(m, "drop_shadows")) Bool(*v, &r.drop_shadows);
      out->push_back(std::move(r));
    }
  }

  void LoadProcesses(const Field& f, std::vector<ProcessConfig>* out) {
    std::vector<Field> items;
    if (!List(f, &items)) return;
    std::set<std::string> seen;
    for (const Field& item : items) {
      FieldMap m;
      ProcessConfig p;
      if (!ReadMap(item, {"name", "priority", "match", "nodes", "allow_self_approval"}, &m))
        continue;
      if (const Field* v = Need(m, "name", item)) {
        if (NonEmptyStr(*v, &p.name) && !seen.insert(p.name).second)
          Fail(v->line, v->path, "duplicate process name " + Quote(p.name));
      }
      if (const Field* v = Get(m, "priority")) Int(*v, 0, 1000000, &p.priority);
      if (const Field* v = Get(m, "match")) {
        FieldMap mm;
        if (ReadMap(*v, {"clusters", "databases"}, &mm)) {
          if (const Field* g = Get(mm, "clusters")) StrList(*g, &p.match.clusters, GlobError);
          if (const Field* g = Get(mm, "databases")) StrList(*g, &p.match.databases, GlobError);
        }
      }
      if (const Field* v = Get(m, "nodes")) {
        std::vector<Field> nodes;
        if (List(*v, &nodes)) {
          for (const Field& n : nodes) {
            FieldMap nm;
            ApprovalNode node;
            if (!ReadMap(n, {"roles", "users"}, &nm)) continue;
            if (const Field* r = Get(nm, "roles")) StrList(*r, &node.roles, NotEmpty);
            if (const Field* u = Get(nm, "users")) StrList(*u, &node.users, NotEmpty);
            if (node.roles.empty() && node.users.empty() && !Get(nm, "roles") && !Get(nm, "users"))
              Fail(n.line, n.path, "an approval node needs roles or users");
            p.nodes.push_back(std::move(node));
          }
        }
      }
      if (const Field* v = Get(m, "allow_self_approval")) Bool(*v, &p.allow_self_approval);
      out->push_back(std::move(p));
    }
  }

  static void ApplyDefaults(Config* cfg) {
    if (cfg->clusters.empty()) return;
    const std::string& first = cfg->clusters.front().name;
    for (auto& u : cfg->users)
      if (u.cluster.empty()) u.cluster = first;
    if (cfg->metadb.cluster.empty()) cfg->metadb.cluster = first;
    if (cfg->shadow_sync.processes.empty()) cfg->shadow_sync.processes.push_back(DefaultProcess());
    for (auto& r : cfg->shadow_sync.follow_ddl)
      if (r.prefix.empty() && r.suffix.empty()) {
        r.prefix = cfg->shadow_sync.default_prefix;
        r.suffix = cfg->shadow_sync.default_suffix;
      }
    for (auto& r : cfg->shadow_routing)
      if (r.prefix.empty() && r.suffix.empty()) {
        r.prefix = cfg->shadow_sync.default_prefix;
        r.suffix = cfg->shadow_sync.default_suffix;
      }
  }

  std::string file_;
  std::vector<std::string> errors_;
  std::vector<std::string>* clear_text_ = nullptr;  // the Config's clear_text_secrets
};

}  // namespace

bool ExpandEnv(std::string_view text, std::string* out, std::string* error, bool* expanded) {
  out->clear();
  if (expanded) *expanded = false;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '$') {
      *out += text[i];
      continue;
    }
    if (text.substr(i, 3) == "$${") {  // the escape: a literal "${"
      *out += "${";
      i += 2;
      continue;
    }
    if (text.substr(i, 2) != "${") {  // any other '$' is itself
      *out += '$';
      continue;
    }
    size_t start = i + 2, end = start;
    auto name_char = [&](size_t k) {
      char c = text[k];
      return c == '_' || std::isalpha(static_cast<unsigned char>(c)) ||
             (k > start && std::isdigit(static_cast<unsigned char>(c)));
    };
    while (end < text.size() && name_char(end)) ++end;
    if (end == start || end >= text.size() || text[end] != '}') {
      // The value is not quoted: it may be a secret.
      *error = "\"${\" at character " + std::to_string(i + 1) +
               " must be followed by a variable name ([A-Za-z_][A-Za-z0-9_]*) and \"}\" (write "
               "\"$${\" for a literal \"${\")";
      return false;
    }
    std::string name(text.substr(start, end - start));
    const char* value = std::getenv(name.c_str());
    if (value == nullptr) {
      *error = "environment variable " + name + " is not set";
      return false;
    }
    *out += value;
    if (expanded) *expanded = true;
    i = end;
  }
  return true;
}

bool ParseDuration(std::string_view text, Duration* out) {
  size_t i = 0;
  int64_t n = 0;
  while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
    if (i >= 9) return false;  // beyond any sensible duration
    n = n * 10 + (text[i] - '0');
    ++i;
  }
  if (i == 0) return false;
  std::string_view unit = text.substr(i);
  int64_t ms;
  if (unit == "ms")
    ms = 1;
  else if (unit == "s")
    ms = 1000;
  else if (unit == "m")
    ms = 60 * 1000;
  else if (unit == "h")
    ms = 3600 * 1000;
  else if (unit == "d")
    ms = 24 * 3600 * 1000;
  else
    return false;
  *out = Duration(n * ms);
  return true;
}

Result<Config> LoadConfigFromString(std::string_view yaml, std::string_view file_name) {
  Loader loader(file_name);
  Config cfg;
  cfg.path = std::string(file_name);
  try {
    YAML::Node root = YAML::Load(std::string(yaml));
    loader.Load(root, &cfg);
  } catch (const YAML::Exception& e) {
    int line = e.mark.is_null() ? 1 : e.mark.line + 1;
    loader.Fail(line, "", "YAML syntax error: " + e.msg);
  } catch (const std::exception& e) {
    loader.Fail(1, "", std::string("cannot parse: ") + e.what());
  }
  if (!loader.errors().empty()) {
    std::string msg;
    for (const auto& e : loader.errors()) msg += (msg.empty() ? "" : "\n") + e;
    return Status(errc::kInternal, msg);
  }
  return cfg;
}

std::string ClearTextSecretsWarning(const Config& cfg) {
  struct stat st {};
  if (cfg.clear_text_secrets.empty() || stat(cfg.path.c_str(), &st) != 0) return "";
  if ((st.st_mode & (S_IRGRP | S_IROTH)) == 0) return "";
  char mode[8];
  std::snprintf(mode, sizeof(mode), "%04o", static_cast<unsigned>(st.st_mode & 07777));
  std::string keys;
  for (const auto& k : cfg.clear_text_secrets) keys += (keys.empty() ? "" : ", ") + k;
  return cfg.path + " (mode " + mode + ") is readable by " +
         ((st.st_mode & S_IROTH) ? "other users" : "its group") +
         " and holds clear-text passwords: " + keys +
         "; chmod 600 it, or give them as <key>_file: PATH or ${ENV_VAR}";
}

Result<Config> LoadConfig(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status(errc::kInternal, path + ": cannot read: " + std::strerror(errno));
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return Status(errc::kInternal, path + ": cannot read: " + std::strerror(errno));
  return LoadConfigFromString(text.str(), path);
}

}  // namespace shadowproxy::proxy
