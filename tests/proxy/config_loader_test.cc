#include "proxy/config_loader.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "protocol/auth.h"
#include "tests/rsa_test_keys.h"

namespace shadowproxy::proxy {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

// The smallest valid document, to which each case appends or in which it replaces text.
constexpr const char* kMinimal =
    "clusters:\n"
    "  - name: local\n"
    "    servers: [\"127.0.0.1:3306\"]\n";

TEST(ConfigLoaderTest, MinimalConfigGetsEveryDefault) {
  auto r = LoadConfigFromString(kMinimal, "conf.yaml");
  ASSERT_TRUE(r.ok()) << r.status().message();
  const Config& c = *r;
  EXPECT_EQ(c.path, "conf.yaml");
  EXPECT_EQ(c.log_level, "info");
  EXPECT_EQ(c.listen.address, "127.0.0.1");
  EXPECT_EQ(c.listen.port, 6033);
  EXPECT_EQ(c.listen.max_connections, 10000u);
  EXPECT_EQ(c.listen.threads, 0u);
  EXPECT_TRUE(c.listen.passthrough_auth);
  EXPECT_EQ(c.listen.shutdown_grace, seconds(30));
  ASSERT_EQ(c.clusters.size(), 1u);
  EXPECT_EQ(c.clusters[0].name, "local");
  ASSERT_EQ(c.clusters[0].servers.size(), 1u);
  EXPECT_EQ(c.clusters[0].servers[0].host, "127.0.0.1");
  EXPECT_EQ(c.clusters[0].servers[0].port, 3306);
  EXPECT_EQ(c.clusters[0].admin_user, "root");
  EXPECT_EQ(c.clusters[0].connect_timeout, seconds(5));
  EXPECT_TRUE(c.users.empty());
  EXPECT_EQ(c.metadb.cluster, "local");
  EXPECT_EQ(c.metadb.database, "shadowproxy_meta");
  EXPECT_EQ(c.metrics.port, 9104);
  EXPECT_EQ(c.shadow_sync.default_suffix, "_shadow");
  EXPECT_EQ(c.shadow_sync.task_list_window, hours(48));
  EXPECT_EQ(c.shadow_sync.approval_timeout, hours(24));
  EXPECT_EQ(c.shadow_sync.workers, 4u);
  // No processes: one "default" process, priority 1, matching everything, one dba node.
  ASSERT_EQ(c.shadow_sync.processes.size(), 1u);
  const ProcessConfig& p = c.shadow_sync.processes[0];
  EXPECT_EQ(p.name, "default");
  EXPECT_EQ(p.priority, 1);
  EXPECT_EQ(p.match.clusters, std::vector<std::string>{"*"});
  EXPECT_EQ(p.match.databases, std::vector<std::string>{"*"});
  ASSERT_EQ(p.nodes.size(), 1u);
  EXPECT_EQ(p.nodes[0].roles, std::vector<std::string>{"dba"});
  EXPECT_TRUE(p.nodes[0].users.empty());
  EXPECT_FALSE(p.allow_self_approval);
}

TEST(ConfigLoaderTest, UserDefaultsResolve) {
  std::string yaml = std::string(kMinimal) +
                     "  - name: second\n"
                     "    servers: [\"db2:3307\", \"[::1]:3308\"]\n"
                     "users:\n"
                     "  - name: app\n"
                     "    password: s3cret\n"
                     "  - name: hashed\n"
                     "    password_hash: \"*2470c0c06dee42fd1618bb99005adca2ec9d1e19\"\n"
                     "    backend_password: other\n"
                     "    cluster: second\n"
                     "    roles: [dba, admin]\n"
                     "  - name: passthrough\n"
                     "metadb: {cluster: second}\n";
  auto r = LoadConfigFromString(yaml, "conf.yaml");
  ASSERT_TRUE(r.ok()) << r.status().message();
  const Config& c = *r;
  ASSERT_EQ(c.users.size(), 3u);
  EXPECT_EQ(c.users[0].cluster, "local");  // the first cluster
  EXPECT_EQ(c.users[0].backend_user, "app");
  EXPECT_EQ(c.users[0].backend_password, "s3cret");
  EXPECT_TRUE(c.users[0].has_password);
  EXPECT_EQ(c.users[1].password_hash, "*2470C0C06DEE42FD1618BB99005ADCA2EC9D1E19");
  EXPECT_EQ(c.users[1].backend_password, "other");
  EXPECT_EQ(c.users[1].cluster, "second");
  EXPECT_EQ(c.users[1].roles, (std::vector<std::string>{"dba", "admin"}));
  EXPECT_FALSE(c.users[2].has_password);
  EXPECT_EQ(c.users[2].backend_user, "passthrough");
  EXPECT_EQ(c.metadb.cluster, "second");
  ASSERT_EQ(c.clusters[1].servers.size(), 2u);
  EXPECT_EQ(c.clusters[1].servers[0].host, "db2");
  EXPECT_EQ(c.clusters[1].servers[0].port, 3307);
  EXPECT_EQ(c.clusters[1].servers[1].host, "::1");
}

TEST(ConfigLoaderTest, KeysWithNothingUnderThemAreEmpty) {
  // Every entry commented out: an empty map or list, not a type error.
  auto r = LoadConfigFromString(std::string(kMinimal) +
                                    "listen:\n"
                                    "#  port: 1\n"
                                    "users:\n"
                                    "#  - name: app\n"
                                    "shadow_sync:\n"
                                    "  processes:\n",
                                "conf.yaml");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->listen.port, 6033);
  EXPECT_TRUE(r->users.empty());
  ASSERT_EQ(r->shadow_sync.processes.size(), 1u);  // the default process
  EXPECT_EQ(r->shadow_sync.processes[0].name, "default");
  auto none = LoadConfigFromString("clusters:\n", "conf.yaml");
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.status().message(), "conf.yaml:1: clusters: at least one cluster is required");
}

TEST(ConfigLoaderTest, FullConfigParses) {
  std::string yaml =
      "log_level: WARN\n"
      "listen:\n"
      "  address: 0.0.0.0\n"
      "  port: 7000\n"
      "  max_connections: 50\n"
      "  threads: 3\n"
      "  passthrough_auth: false\n"
      "  shutdown_grace: 500ms\n" +
      std::string(kMinimal) +
      "    admin_user: admin\n"
      "    admin_password: pw\n"
      "    connect_timeout: 2s\n"
      "metrics: {address: 127.0.0.1, port: 0}\n"
      "shadow_sync:\n"
      "  default_prefix: __t_\n"
      "  default_suffix: \"\"\n"
      "  task_list_window: 7d\n"
      "  approval_timeout: 5m\n"
      "  execution_timeout: 1h\n"
      "  workers: 2\n"
      "  processes:\n"
      "    - name: production\n"
      "      priority: 1\n"
      "      match: {clusters: [\"*\"], databases: [\"prod_[a-z]*\"]}\n"
      "      nodes:\n"
      "        - {roles: [dba]}\n"
      "        - {users: [alice]}\n"
      "      allow_self_approval: true\n"
      "    - name: sandbox\n"
      "      priority: 9\n"
      "      match: {databases: [\"dev_*\"]}\n"
      "      nodes: []\n";
  auto r = LoadConfigFromString(yaml, "conf.yaml");
  ASSERT_TRUE(r.ok()) << r.status().message();
  const Config& c = *r;
  EXPECT_EQ(c.log_level, "warn");
  EXPECT_EQ(c.listen.address, "0.0.0.0");
  EXPECT_EQ(c.listen.port, 7000);
  EXPECT_EQ(c.listen.max_connections, 50u);
  EXPECT_EQ(c.listen.threads, 3u);
  EXPECT_FALSE(c.listen.passthrough_auth);
  EXPECT_EQ(c.listen.shutdown_grace, milliseconds(500));
  EXPECT_EQ(c.clusters[0].admin_user, "admin");
  EXPECT_EQ(c.clusters[0].admin_password, "pw");
  EXPECT_EQ(c.clusters[0].connect_timeout, seconds(2));
  EXPECT_EQ(c.metrics.port, 0);
  EXPECT_EQ(c.shadow_sync.default_prefix, "__t_");
  EXPECT_EQ(c.shadow_sync.default_suffix, "");
  EXPECT_EQ(c.shadow_sync.task_list_window, hours(7 * 24));
  EXPECT_EQ(c.shadow_sync.approval_timeout, minutes(5));
  EXPECT_EQ(c.shadow_sync.execution_timeout, hours(1));
  EXPECT_EQ(c.shadow_sync.workers, 2u);
  ASSERT_EQ(c.shadow_sync.processes.size(), 2u);
  const ProcessConfig& p = c.shadow_sync.processes[0];
  EXPECT_EQ(p.match.clusters, std::vector<std::string>{"*"});
  EXPECT_EQ(p.match.databases, std::vector<std::string>{"prod_[a-z]*"});
  ASSERT_EQ(p.nodes.size(), 2u);
  EXPECT_EQ(p.nodes[1].users, std::vector<std::string>{"alice"});
  EXPECT_TRUE(p.allow_self_approval);
  const ProcessConfig& s = c.shadow_sync.processes[1];
  EXPECT_EQ(s.priority, 9);
  EXPECT_EQ(s.match.clusters, std::vector<std::string>{"*"});  // default kept
  EXPECT_TRUE(s.nodes.empty());
}

struct BadCase {
  const char* yaml;
  const char* message;
};

// Each text is a whole document; the message is exactly what --check-config prints.
const BadCase kBad[] = {
    // Wrong types and ranges.
    {"listen:\n  port: abc\nclusters: [{name: a, servers: [\"h:1\"]}]\n",
     "conf.yaml:2: listen.port: expected an integer 1..65535, got \"abc\""},
    {"listen:\n  port: 70000\nclusters: [{name: a, servers: [\"h:1\"]}]\n",
     "conf.yaml:2: listen.port: expected an integer 1..65535, got \"70000\""},
    {"listen:\n  port: [1]\nclusters: [{name: a, servers: [\"h:1\"]}]\n",
     "conf.yaml:2: listen.port: expected an integer 1..65535, got a list"},
    {"listen:\n  passthrough_auth: maybe\nclusters: [{name: a, servers: [\"h:1\"]}]\n",
     "conf.yaml:2: listen.passthrough_auth: expected true or false, got \"maybe\""},
    {"listen: 5\nclusters: [{name: a, servers: [\"h:1\"]}]\n",
     "conf.yaml:1: listen: expected a map, got \"5\""},
    {"clusters: {name: a}\n", "conf.yaml:1: clusters: expected a list, got a map"},
    {"clusters: [{name: a, servers: [\"h:1\"]}]\nmetrics:\n  port: -1\n",
     "conf.yaml:3: metrics.port: expected an integer 0..65535, got \"-1\""},
    {"clusters: [{name: a, servers: [\"h:1\"]}]\nshadow_sync:\n  workers: 0\n",
     "conf.yaml:3: shadow_sync.workers: expected an integer 1..256, got \"0\""},
    {"clusters: [{name: [x], servers: [\"h:1\"]}]\n",
     "conf.yaml:1: clusters[0].name: expected a string, got a list"},
    {"log_level: loud\nclusters: [{name: a, servers: [\"h:1\"]}]\n",
     "conf.yaml:1: log_level: expected one of debug, info, warn, error, got \"loud\""},
    {"log: {level: loud}\nclusters: [{name: a, servers: [\"h:1\"]}]\n",
     "conf.yaml:1: log.level: expected one of debug, info, warn, error, got \"loud\""},
    {"log:\n  format: xml\nclusters: [{name: a, servers: [\"h:1\"]}]\n",
     "conf.yaml:2: log.format: expected text or json, got \"xml\""},
    {"log_level: info\nlog:\n  level: debug\nclusters: [{name: a, servers: [\"h:1\"]}]\n",
     "conf.yaml:3: log.level: give log.level or the top-level log_level (line 1), not both"},
    {"log: {colour: red}\nclusters: [{name: a, servers: [\"h:1\"]}]\n",
     "conf.yaml:1: log.colour: unknown key"},
    // Unknown and duplicate keys.
    {"listen:\n  prot: 1\nclusters: [{name: a, servers: [\"h:1\"]}]\n",
     "conf.yaml:2: listen.prot: unknown key"},
    {"clusters: [{name: a, servers: [\"h:1\"]}]\n\n\nmetrcs: {}\n",
     "conf.yaml:4: metrcs: unknown key"},
    {"clusters:\n  - name: a\n    servers: [\"h:1\"]\n    admin: x\n",
     "conf.yaml:4: clusters[0].admin: unknown key"},
    {"clusters: [{name: a, servers: [\"h:1\"]}]\nlisten:\n  port: 1\n  port: 2\n",
     "conf.yaml:4: listen.port: duplicate key"},
    // Missing required keys.
    {"listen: {port: 1}\n", "conf.yaml:1: clusters: required key missing"},
    {"", "conf.yaml:1: clusters: required key missing"},
    {"clusters: []\n", "conf.yaml:1: clusters: at least one cluster is required"},
    {"clusters:\n  - servers: [\"h:1\"]\n", "conf.yaml:2: clusters[0].name: required key missing"},
    {"clusters:\n  - name: a\n", "conf.yaml:2: clusters[0].servers: required key missing"},
    {"clusters: [{name: a, servers: [\"h:1\"]}]\nusers:\n  - password: x\n",
     "conf.yaml:3: users[0].name: required key missing"},
    // Duplicates and references.
    {"clusters:\n  - {name: a, servers: [\"h:1\"]}\n  - {name: a, servers: [\"h:2\"]}\n",
     "conf.yaml:3: clusters[1].name: duplicate cluster name \"a\" (first defined at clusters[0])"},
    {"clusters: [{name: a, servers: [\"h:1\"]}]\nusers:\n  - name: u\n    cluster: b\n",
     "conf.yaml:4: users[0].cluster: unknown cluster \"b\" (clusters: a)"},
    {"clusters: [{name: a, servers: [\"h:1\"]}]\nmetadb:\n  cluster: zz\n",
     "conf.yaml:3: metadb.cluster: unknown cluster \"zz\" (clusters: a)"},
    {"clusters: [{name: a, servers: [\"h:1\"]}]\nusers: [{name: u}, {name: u}]\n",
     "conf.yaml:2: users[1].name: duplicate user name \"u\""},
    // Durations.
    {"listen:\n  shutdown_grace: 30\nclusters: [{name: a, servers: [\"h:1\"]}]\n",
     "conf.yaml:2: listen.shutdown_grace: expected a duration such as 500ms, 30s, 5m, 48h or 7d, "
     "got \"30\""},
    {"clusters: [{name: a, servers: [\"h:1\"]}]\nshadow_sync:\n  approval_timeout: 1 day\n",
     "conf.yaml:3: shadow_sync.approval_timeout: expected a duration such as 500ms, 30s, 5m, 48h "
     "or 7d, got \"1 day\""},
    {"clusters:\n  - name: a\n    servers: [\"h:1\"]\n    connect_timeout: 5sec\n",
     "conf.yaml:4: clusters[0].connect_timeout: expected a duration such as 500ms, 30s, 5m, 48h "
     "or 7d, got \"5sec\""},
    // Server addresses.
    {"clusters:\n  - name: a\n    servers: [\"localhost\"]\n",
     "conf.yaml:3: clusters[0].servers[0]: expected \"host:port\" with a port 1..65535, got "
     "\"localhost\""},
    {"clusters:\n  - name: a\n    servers:\n      - \"h:1\"\n      - \"h:0\"\n",
     "conf.yaml:5: clusters[0].servers[1]: expected \"host:port\" with a port 1..65535, got "
     "\"h:0\""},
    {"clusters:\n  - name: a\n    servers: \"h:1\"\n",
     "conf.yaml:3: clusters[0].servers: expected a list, got \"h:1\""},
    // Passwords.
    {"clusters: [{name: a, servers: [\"h:1\"]}]\nusers:\n  - name: u\n    password_hash: abc\n"
     "    backend_password: x\n",
     "conf.yaml:4: users[0].password_hash: expected \"*\" followed by 40 hex digits "
     "(mysql_native_password) or a MySQL 8 caching_sha2_password hash (\"$A$005$...\" or "
     "\"0x2441...\"), got a value of 3 characters that is neither"},
    {"clusters: [{name: a, servers: [\"h:1\"]}]\nusers:\n  - name: u\n"
     "    password_hash: \"*2470C0C06DEE42FD1618BB99005ADCA2EC9D1E19\"\n",
     "conf.yaml:3: users[0].backend_password: required when only password_hash is given"},
    {"clusters: [{name: a, servers: [\"h:1\"]}]\nusers:\n  - name: u\n    password: x\n"
     "    password_hash: \"*2470C0C06DEE42FD1618BB99005ADCA2EC9D1E19\"\n",
     "conf.yaml:5: users[0]: give password or password_hash, not both"},
    // Processes: glob and priority types.
    {"clusters: [{name: a, servers: [\"h:1\"]}]\nshadow_sync:\n  processes:\n"
     "    - name: p\n      priority: high\n",
     "conf.yaml:5: shadow_sync.processes[0].priority: expected an integer 0..1000000, got "
     "\"high\""},
    {"clusters: [{name: a, servers: [\"h:1\"]}]\nshadow_sync:\n  processes:\n"
     "    - name: p\n      match: {databases: [\"db_[a\"]}\n",
     "conf.yaml:5: shadow_sync.processes[0].match.databases[0]: bad glob pattern \"db_[a\""},
    {"clusters: [{name: a, servers: [\"h:1\"]}]\nshadow_sync:\n  processes:\n"
     "    - name: p\n      match: {clusters: \"*\"}\n",
     "conf.yaml:5: shadow_sync.processes[0].match.clusters: expected a list, got \"*\""},
    {"clusters: [{name: a, servers: [\"h:1\"]}]\nshadow_sync:\n  processes:\n"
     "    - name: p\n      nodes:\n        - {}\n",
     "conf.yaml:6: shadow_sync.processes[0].nodes[0]: an approval node needs roles or users"},
    {"clusters: [{name: a, servers: [\"h:1\"]}]\nshadow_sync:\n  processes:\n"
     "    - priority: 2\n",
     "conf.yaml:4: shadow_sync.processes[0].name: required key missing"},
    {"clusters: [{name: a, servers: [\"h:1\"]}]\nshadow_sync:\n  default_suffix: \"-x\"\n",
     "conf.yaml:3: shadow_sync.default_suffix: expected up to 32 characters of [A-Za-z0-9_], got "
     "\"-x\""},
    // YAML syntax.
    {"clusters: [{name: a, servers: [\"h:1\"]}\n",
     "conf.yaml:2: YAML syntax error: end of sequence flow not found"},
    {"- a\n- b\n", "conf.yaml:1: expected a map, got a list"},
};

TEST(ConfigLoaderTest, BadConfigsNameFileLineAndKey) {
  for (const BadCase& c : kBad) {
    auto r = LoadConfigFromString(c.yaml, "conf.yaml");
    ASSERT_FALSE(r.ok()) << c.yaml;
    EXPECT_EQ(r.status().message(), c.message) << "for:\n" << c.yaml;
  }
}

TEST(ConfigLoaderTest, ReportsEveryErrorInDocumentOrder) {
  auto r = LoadConfigFromString(
      "listen:\n  port: x\n  threads: -1\nclusters: [{name: a, servers: [\"h\"]}]\n", "c.yaml");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "c.yaml:2: listen.port: expected an integer 1..65535, got \"x\"\n"
            "c.yaml:3: listen.threads: expected an integer 0..1024, got \"-1\"\n"
            "c.yaml:4: clusters[0].servers[0]: expected \"host:port\" with a port 1..65535, got "
            "\"h\"");
}

TEST(ConfigLoaderTest, ParsesDurations) {
  Duration d{};
  ASSERT_TRUE(ParseDuration("500ms", &d));
  EXPECT_EQ(d, milliseconds(500));
  ASSERT_TRUE(ParseDuration("30s", &d));
  EXPECT_EQ(d, seconds(30));
  ASSERT_TRUE(ParseDuration("5m", &d));
  EXPECT_EQ(d, minutes(5));
  ASSERT_TRUE(ParseDuration("48h", &d));
  EXPECT_EQ(d, hours(48));
  ASSERT_TRUE(ParseDuration("7d", &d));
  EXPECT_EQ(d, hours(168));
  for (const char* bad : {"", "s", "5", "5 s", "-5s", "5S", "1.5h", "5w", "9999999999s"})
    EXPECT_FALSE(ParseDuration(bad, &d)) << bad;
}

TEST(ConfigLoaderTest, LoadsFilesAndNamesThem) {
  char tmpl[] = "/tmp/sp-config-test-XXXXXX";
  int fd = mkstemp(tmpl);
  ASSERT_GE(fd, 0);
  close(fd);
  {
    std::ofstream out(tmpl);
    out << "clusters:\n  - name: a\n    servers: [\"h:1\"]\n    bogus: 1\n";
  }
  auto r = LoadConfig(tmpl);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), std::string(tmpl) + ":4: clusters[0].bogus: unknown key");
  std::remove(tmpl);
  auto missing = LoadConfig(tmpl);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().message(),
            std::string(tmpl) + ": cannot read: No such file or directory");
}

std::string SourceDir() { return SHADOWPROXY_SRC; }

TEST(ConfigLoaderTest, ShippedConfigIsValid) {
  auto r = LoadConfig(SourceDir() + "/conf/shadowproxy.yaml");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->users.size(), 1u);
  EXPECT_EQ(r->users[0].backend_password, "app-secret");
}

// ---- caching_sha2_password: users[].auth_plugin, MySQL 8 hashes, listen.rsa_* ----

// A MySQL 8 authentication_string of "hashcat" in its 0x-hex form (tests/protocol/auth_test.cc).
constexpr const char* kSha2Hash =
    "0x24412430303524F9CC98CE08892924F50A213B6BC571A2C11778C5"
    "625479393559393965414D45316477456B484F41316E64484742577A2E3162785353526B7554584647562F";

std::string WithUser(const std::string& user_yaml) {
  return std::string(kMinimal) + "users:\n  - " + user_yaml + "\n";
}

TEST(ConfigLoaderTest, AuthPluginAndSha2Hashes) {
  auto r = LoadConfigFromString(
      WithUser("{name: a, password: pw, auth_plugin: caching_sha2_password}") +
          "  - {name: b, password_hash: \"" + kSha2Hash + "\", backend_password: x}\n" +
          "  - {name: c, password: pw, auth_plugin: mysql_native_password}\n",
      "c.yaml");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->users[0].auth_plugin, "caching_sha2_password");
  EXPECT_EQ(r->users[1].password_hash, kSha2Hash);
  EXPECT_TRUE(r->users[1].has_password);
  EXPECT_EQ(r->users[1].auth_plugin, "");
  EXPECT_EQ(r->users[2].auth_plugin, "mysql_native_password");
  EXPECT_EQ(r->listen.rsa_key, nullptr);

  const std::pair<std::string, std::string> kBadUsers[] = {
      {"{name: a, password: pw, auth_plugin: sha256_password}",
       "c.yaml:5: users[0].auth_plugin: expected mysql_native_password or caching_sha2_password, "
       "got \"sha256_password\""},
      {"{name: a, password_hash: \"*14E65567ABDB5135D0CFD9A70B3032C179A49EE7\", "
       "backend_password: x, auth_plugin: caching_sha2_password}",
       "c.yaml:5: users[0].auth_plugin: a \"*...\" password_hash verifies only "
       "mysql_native_password (give password, or a caching_sha2_password hash)"},
      {std::string("{name: a, password_hash: \"") + kSha2Hash +
           "\", backend_password: x, auth_plugin: mysql_native_password}",
       "c.yaml:5: users[0].auth_plugin: a caching_sha2_password password_hash cannot verify "
       "mysql_native_password"},
      {"{name: a, password_hash: \"$A$005$tooshort\", backend_password: x}",
       "c.yaml:5: users[0].password_hash: caching_sha2_password hash must be '$A$<3 hex digits>$' "
       "+ 20-byte salt + 43 characters"},
  };
  for (const auto& [user, message] : kBadUsers) {
    auto bad = LoadConfigFromString(WithUser(user), "c.yaml");
    ASSERT_FALSE(bad.ok()) << user;
    EXPECT_EQ(bad.status().message(), message);
  }
}

// A temporary directory for the files a config names; removed with what was written in it.
class TempDirTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/sp-config-test-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override {
    for (const auto& f : files_) std::remove(f.c_str());
    rmdir(dir_.c_str());
  }
  std::string Path(const std::string& name) const { return dir_ + "/" + name; }
  std::string Write(const std::string& name, const std::string& text, mode_t mode = 0600) {
    const std::string path = Path(name);
    {
      std::ofstream out(path, std::ios::binary);
      out << text;
    }
    chmod(path.c_str(), mode);
    files_.push_back(path);
    return path;
  }
  std::string dir_;
  std::vector<std::string> files_;
};

class RsaKeyFiles : public TempDirTest {
 protected:
  void SetUp() override {
    TempDirTest::SetUp();
    Write("private.pem", testing::kFirstRsaPrivatePem);
    Write("public.pem", testing::kFirstRsaPublicPem);
    Write("other_public.pem", testing::kSecondRsaPublicPem);
    Write("garbage.pem", "not a key\n");
  }
  Result<Config> Load(const std::string& priv, const std::string& pub) {
    return LoadConfigFromString(
        "listen:\n  rsa_private_key: " + priv + "\n  rsa_public_key: " + pub + "\n" + kMinimal,
        "c.yaml");
  }
};

TEST_F(RsaKeyFiles, AValidPairIsParsedOnce) {
  auto r = Load(Path("private.pem"), Path("public.pem"));
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_NE(r->listen.rsa_key, nullptr);
  EXPECT_EQ(r->listen.rsa_key->public_pem(), testing::kFirstRsaPublicPem);
  EXPECT_EQ(r->listen.rsa_private_key, Path("private.pem"));
  Config copy = *r;  // snapshots share the parsed key
  EXPECT_EQ(copy.listen.rsa_key, r->listen.rsa_key);
}

TEST_F(RsaKeyFiles, BadKeysNameTheKeyAndLine) {
  auto r = Load(Path("private.pem"), Path("other_public.pem"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "c.yaml:3: listen.rsa_public_key: \"" + Path("other_public.pem") +
                                      "\" is not the public key of \"" + Path("private.pem") +
                                      "\"");
  r = Load(Path("missing.pem"), Path("public.pem"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "c.yaml:2: listen.rsa_private_key: cannot read \"" +
                                      Path("missing.pem") + "\": No such file or directory");
  r = Load(Path("garbage.pem"), Path("public.pem"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message().rfind("c.yaml:2: listen.rsa_private_key: \"" +
                                           Path("garbage.pem") + "\": not a PEM private key",
                                       0),
            0u)
      << r.status().message();
  r = Load(Path("public.pem"), Path("private.pem"));  // swapped
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message().rfind("c.yaml:2: listen.rsa_private_key:", 0), 0u);
  auto half = LoadConfigFromString(
      "listen:\n  rsa_private_key: " + Path("private.pem") + "\n" + kMinimal, "c.yaml");
  ASSERT_FALSE(half.ok());
  EXPECT_EQ(half.status().message(),
            "c.yaml:2: listen.rsa_public_key: rsa_private_key and rsa_public_key go together");
}

TEST(ConfigLoaderTest, LogMapAndTopLevelLogLevel) {
  auto r = LoadConfigFromString(std::string(kMinimal) + "log:\n  level: DEBUG\n  format: json\n",
                                "conf.yaml");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->log_level, "debug");
  EXPECT_EQ(r->log_format, "json");
  r = LoadConfigFromString(std::string(kMinimal) + "log_level: error\nlog: {format: text}\n",
                           "conf.yaml");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->log_level, "error");
  EXPECT_EQ(r->log_format, "text");
  r = LoadConfigFromString(kMinimal, "conf.yaml");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->log_format, "text");
}

// ---- secrets: *_file keys, ${VAR} expansion, clear-text bookkeeping ----

TEST(ExpandEnvTest, ExpandsEscapesAndRefuses) {
  setenv("SP_EXPAND_A", "alpha", 1);
  setenv("SP_EXPAND_EMPTY", "", 1);
  unsetenv("SP_EXPAND_UNSET");
  struct Case {
    const char* in;
    const char* out;
    bool expanded;
  };
  const Case kGood[] = {
      {"plain", "plain", false},
      {"${SP_EXPAND_A}", "alpha", true},
      {"x-${SP_EXPAND_A}-${SP_EXPAND_A}", "x-alpha-alpha", true},
      {"${SP_EXPAND_EMPTY}", "", true},
      {"$${SP_EXPAND_A}", "${SP_EXPAND_A}", false},
      {"a$b$$c$", "a$b$$c$", false},
      {"$A$005$salt", "$A$005$salt", false},
      // A lone '$', then the escape "$${" -> "${", then "SP_EXPAND_A}" as it is.
      {"$$${SP_EXPAND_A}", "$${SP_EXPAND_A}", false},
  };
  for (const Case& c : kGood) {
    std::string out, error;
    bool expanded = false;
    ASSERT_TRUE(ExpandEnv(c.in, &out, &error, &expanded)) << c.in << ": " << error;
    EXPECT_EQ(out, c.out) << c.in;
    EXPECT_EQ(expanded, c.expanded) << c.in;
  }
  std::string out, error;
  EXPECT_FALSE(ExpandEnv("${SP_EXPAND_UNSET}", &out, &error));
  EXPECT_EQ(error, "environment variable SP_EXPAND_UNSET is not set");
  for (const char* bad : {"${", "pw${}", "${1X}", "${A B}", "${SP_EXPAND_A", "s3cr${t"}) {
    EXPECT_FALSE(ExpandEnv(bad, &out, &error)) << bad;
    EXPECT_NE(error.find("must be followed by a variable name"), std::string::npos) << error;
    for (const char* part : {"pw", "1X", "A B", "SP_EXPAND_A", "s3cr"})
      EXPECT_EQ(error.find(part), std::string::npos) << "the value is quoted: " << error;
  }
}

class SecretFiles : public TempDirTest {};

TEST_F(SecretFiles, PasswordKeysReadTheFirstLineOfAFile) {
  const std::string admin = Write("admin", "admin-from-file\nsecond line\n");
  const std::string user = Write("user", "user-from-file\r\n");
  const std::string backend = Write("backend", "backend-from-file");  // no newline
  const std::string empty = Write("empty", "");
  auto r = LoadConfigFromString(std::string(kMinimal) + "    admin_password_file: " + admin +
                                    "\n"
                                    "users:\n"
                                    "  - name: a\n"
                                    "    password_file: " +
                                    user +
                                    "\n"
                                    "  - name: b\n"
                                    "    password_file: " +
                                    user + "\n    backend_password_file: " + backend +
                                    "\n"
                                    "  - name: c\n"
                                    "    password_file: " +
                                    empty + "\n",
                                "conf.yaml");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->clusters[0].admin_password, "admin-from-file");
  EXPECT_EQ(r->users[0].password, "user-from-file");
  EXPECT_TRUE(r->users[0].has_password);
  EXPECT_EQ(r->users[0].backend_password, "user-from-file");  // defaults to the password
  EXPECT_EQ(r->users[1].backend_password, "backend-from-file");
  EXPECT_TRUE(r->users[2].has_password);  // an empty password, checked by the proxy
  EXPECT_EQ(r->users[2].password, "");
  EXPECT_TRUE(r->clear_text_secrets.empty());
}

TEST_F(SecretFiles, HashFromAFileAndPathFromTheEnvironment) {
  const std::string hash = Write("hash", "*2470C0C06DEE42FD1618BB99005ADCA2EC9D1E19\n");
  setenv("SP_SECRET_DIR", dir_.c_str(), 1);
  auto r = LoadConfigFromString(std::string(kMinimal) +
                                    "users:\n"
                                    "  - name: a\n"
                                    "    password_hash_file: ${SP_SECRET_DIR}/hash\n"
                                    "    backend_password: \"${SP_SECRET_DIR}\"\n",
                                "conf.yaml");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->users[0].password_hash, "*2470C0C06DEE42FD1618BB99005ADCA2EC9D1E19");
  EXPECT_EQ(r->users[0].backend_password, dir_);
  EXPECT_TRUE(r->clear_text_secrets.empty());
}

TEST_F(SecretFiles, ErrorsNameTheKeyAndLineButNeverTheSecret) {
  const std::string good = Write("good", "pw\n");
  const std::string missing = dir_ + "/missing";
  unsetenv("SP_SECRET_UNSET");
  setenv("SP_SECRET_PW", "hunter2-env", 1);
  const std::pair<std::string, std::string> kBadCases[] = {
      {std::string(kMinimal) + "    admin_password_file: " + missing + "\n",
       "conf.yaml:4: clusters[0].admin_password_file: cannot read \"" + missing +
           "\": No such file or directory"},
      {std::string(kMinimal) + "    admin_password_file: " + dir_ + "\n",
       "conf.yaml:4: clusters[0].admin_password_file: cannot read \"" + dir_ +
           "\": it is a directory"},
      {std::string(kMinimal) + "    admin_password_file: \"\"\n",
       "conf.yaml:4: clusters[0].admin_password_file: must not be empty"},
      {std::string(kMinimal) + "    admin_password: x\n    admin_password_file: " + good + "\n",
       "conf.yaml:5: clusters[0].admin_password_file: give admin_password or "
       "admin_password_file, not both"},
      {std::string(kMinimal) + "users:\n  - name: u\n    password: \"${SP_SECRET_UNSET}\"\n",
       "conf.yaml:6: users[0].password: environment variable SP_SECRET_UNSET is not set"},
      {std::string(kMinimal) + "users:\n  - name: u\n    password: \"hunter2${oops\"\n",
       "conf.yaml:6: users[0].password: \"${\" at character 8 must be followed by a variable "
       "name ([A-Za-z_][A-Za-z0-9_]*) and \"}\" (write \"$${\" for a literal \"${\")"},
      {std::string(kMinimal) + "users:\n  - name: u\n    password_hash: ${SP_SECRET_PW}\n" +
           "    backend_password: x\n",
       "conf.yaml:6: users[0].password_hash: expected \"*\" followed by 40 hex digits "
       "(mysql_native_password) or a MySQL 8 caching_sha2_password hash (\"$A$005$...\" or "
       "\"0x2441...\"), got a value of 11 characters that is neither"},
      {std::string(kMinimal) +
           "users:\n  - name: u\n    password: a\n    password_hash_file: " + good + "\n",
       "conf.yaml:7: users[0]: give password or password_hash, not both"},
      {"listen:\n  port: ${SP_SECRET_UNSET}\n" + std::string(kMinimal),
       "conf.yaml:2: listen.port: environment variable SP_SECRET_UNSET is not set"},
  };
  for (const auto& [yaml, message] : kBadCases) {
    auto r = LoadConfigFromString(yaml, "conf.yaml");
    ASSERT_FALSE(r.ok()) << yaml;
    EXPECT_EQ(r.status().message(), message) << yaml;
    EXPECT_EQ(r.status().message().find("hunter2"), std::string::npos);
  }
}

TEST(ConfigLoaderTest, EnvironmentExpandsEveryValueButNotKeys) {
  setenv("SP_ENV_PORT", "7001", 1);
  setenv("SP_ENV_HOST", "db.example", 1);
  setenv("SP_ENV_ROLE", "dba", 1);
  setenv("SP_ENV_PW", "pw-from-env", 1);
  auto r = LoadConfigFromString(
      "listen:\n  port: ${SP_ENV_PORT}\n"
      "clusters:\n  - name: local\n    servers: [\"${SP_ENV_HOST}:3306\"]\n"
      "    admin_password: ${SP_ENV_PW}\n"
      "users:\n  - {name: u, password: \"pre-${SP_ENV_PW}\", roles: [\"${SP_ENV_ROLE}\"]}\n"
      "  - {name: v, password: \"$${SP_ENV_PW}\"}\n",
      "conf.yaml");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->listen.port, 7001);
  EXPECT_EQ(r->clusters[0].servers[0].host, "db.example");
  EXPECT_EQ(r->clusters[0].admin_password, "pw-from-env");
  EXPECT_EQ(r->users[0].password, "pre-pw-from-env");
  EXPECT_EQ(r->users[0].roles, std::vector<std::string>{"dba"});
  EXPECT_EQ(r->users[1].password, "${SP_ENV_PW}");
  // Only the escaped one is written in the file itself.
  EXPECT_EQ(r->clear_text_secrets, std::vector<std::string>{"users[1].password (line 9)"});
  auto keys = LoadConfigFromString(std::string(kMinimal) + "${SP_ENV_ROLE}: 1\n", "conf.yaml");
  ASSERT_FALSE(keys.ok());
  EXPECT_EQ(keys.status().message(), "conf.yaml:4: ${SP_ENV_ROLE}: unknown key");
}

TEST_F(SecretFiles, ClearTextPasswordsInAReadableFileAreWarnedAbout) {
  const std::string text = std::string(kMinimal) +
                           "    admin_password: \"\"\n"  // empty: nothing to hide
                           "users:\n"
                           "  - name: a\n"
                           "    password: clear\n"
                           "    backend_password: other\n"
                           "  - name: b\n"
                           "    password_hash: \"*2470C0C06DEE42FD1618BB99005ADCA2EC9D1E19\"\n"
                           "    backend_password: third\n";
  const std::string path = Write("conf.yaml", text, 0644);
  auto r = LoadConfig(path);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(
      r->clear_text_secrets,
      (std::vector<std::string>{"users[0].password (line 7)", "users[0].backend_password (line 8)",
                                "users[1].backend_password (line 11)"}));
  EXPECT_EQ(ClearTextSecretsWarning(*r),
            path +
                " (mode 0644) is readable by other users and holds clear-text passwords: "
                "users[0].password (line 7), users[0].backend_password (line 8), "
                "users[1].backend_password (line 11); chmod 600 it, or give them as <key>_file: "
                "PATH or ${ENV_VAR}");
  chmod(path.c_str(), 0640);
  EXPECT_NE(ClearTextSecretsWarning(*r).find("(mode 0640) is readable by its group"),
            std::string::npos);
  chmod(path.c_str(), 0600);
  EXPECT_EQ(ClearTextSecretsWarning(*r), "");
  const std::string clean = Write("clean.yaml", kMinimal, 0644);
  auto c = LoadConfig(clean);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(ClearTextSecretsWarning(*c), "");
}

TEST(ConfigLoaderTest, FollowDdlRules) {
  auto r = LoadConfigFromString(std::string(kMinimal) +
                                    "shadow_sync:\n"
                                    "  default_prefix: sh_\n"
                                    "  default_suffix: \"\"\n"
                                    "  follow_ddl:\n"
                                    "    - match: {clusters: [\"*\"], databases: [\"app_*\"],"
                                    " tables: [\"t*\"]}\n"
                                    "      naming: {suffix: _copy}\n"
                                    "      execute: manually\n"
                                    "      on_error: continue\n"
                                    "      settle: 500ms\n"
                                    "      drop_shadows: true\n"
                                    "    - {}\n",
                                "conf.yaml");
  ASSERT_TRUE(r.ok()) << r.status().message();
  const auto& rules = r->shadow_sync.follow_ddl;
  ASSERT_EQ(rules.size(), 2u);
  EXPECT_EQ(rules[0].match.databases, std::vector<std::string>{"app_*"});
  EXPECT_EQ(rules[0].match.tables, std::vector<std::string>{"t*"});
  EXPECT_EQ(rules[0].suffix, "_copy");
  EXPECT_EQ(rules[0].prefix, "");
  EXPECT_TRUE(rules[0].execute_manually);
  EXPECT_TRUE(rules[0].continue_on_error);
  EXPECT_EQ(rules[0].settle, milliseconds(500));
  EXPECT_TRUE(rules[0].drop_shadows);
  // Defaults: every table, the shadow_sync naming, immediately, abort, 2s.
  EXPECT_EQ(rules[1].match.clusters, std::vector<std::string>{"*"});
  EXPECT_EQ(rules[1].match.tables, std::vector<std::string>{"*"});
  EXPECT_EQ(rules[1].prefix, "sh_");
  EXPECT_EQ(rules[1].suffix, "");
  EXPECT_FALSE(rules[1].execute_manually);
  EXPECT_FALSE(rules[1].continue_on_error);
  EXPECT_EQ(rules[1].settle, seconds(2));
  EXPECT_FALSE(rules[1].drop_shadows);

  auto bad = LoadConfigFromString(std::string(kMinimal) +
                                      "shadow_sync:\n"
                                      "  follow_ddl:\n"
                                      "    - naming: {prefix: a, suffix: b}\n"
                                      "      execute: later\n"
                                      "      settle: 1h\n"
                                      "      drop_shadows: maybe\n",
                                  "conf.yaml");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(),
            "conf.yaml:6: shadow_sync.follow_ddl[0].naming: give prefix or suffix, not both\n"
            "conf.yaml:7: shadow_sync.follow_ddl[0].execute: expected immediately or manually, "
            "got \"later\"\n"
            "conf.yaml:8: shadow_sync.follow_ddl[0].settle: expected at most 10m, got \"1h\"\n"
            "conf.yaml:9: shadow_sync.follow_ddl[0].drop_shadows: expected true or false, got "
            "\"maybe\"");
}

TEST(ConfigLoaderTest, ShadowRouting) {
  auto none = LoadConfigFromString(kMinimal, "conf.yaml");
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->shadow_routing.empty());  // off by default
  EXPECT_EQ(none->shadow_routing_options.connect_attribute, "shadow");
  EXPECT_TRUE(none->shadow_routing_options.statement_comments);
  EXPECT_EQ(none->shadow_routing_options.catalog_ttl, seconds(30));
  EXPECT_EQ(none->shadow_routing_options.cache_size, 10000u);

  auto r = LoadConfigFromString(std::string(kMinimal) +
                                    "users:\n"
                                    "  - {name: loadtest, shadow: true}\n"
                                    "  - {name: app}\n"
                                    "shadow_sync: {default_prefix: sh_, default_suffix: \"\"}\n"
                                    "shadow_routing:\n"
                                    "  - match: {clusters: [local], databases: [\"shop*\"]}\n"
                                    "    naming: {suffix: _shadow}\n"
                                    "    shared_tables: [countries, currencies]\n"
                                    "  - {}\n"
                                    "shadow_routing_options:\n"
                                    "  connect_attribute: loadtest\n"
                                    "  statement_comments: false\n"
                                    "  catalog_ttl: 5s\n"
                                    "  cache_size: 100\n",
                                "conf.yaml");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_TRUE(r->users[0].shadow);
  EXPECT_FALSE(r->users[1].shadow);
  ASSERT_EQ(r->shadow_routing.size(), 2u);
  const ShadowRoutingRule& a = r->shadow_routing[0];
  EXPECT_EQ(a.clusters, std::vector<std::string>{"local"});
  EXPECT_EQ(a.databases, std::vector<std::string>{"shop*"});
  EXPECT_EQ(a.suffix, "_shadow");
  EXPECT_EQ(a.prefix, "");
  EXPECT_EQ(a.shared_tables, (std::vector<std::string>{"countries", "currencies"}));
  const ShadowRoutingRule& b = r->shadow_routing[1];  // defaults: everything, shadow_sync naming
  EXPECT_EQ(b.clusters, std::vector<std::string>{"*"});
  EXPECT_EQ(b.databases, std::vector<std::string>{"*"});
  EXPECT_EQ(b.prefix, "sh_");
  EXPECT_TRUE(b.shared_tables.empty());
  EXPECT_EQ(r->shadow_routing_options.connect_attribute, "loadtest");
  EXPECT_FALSE(r->shadow_routing_options.statement_comments);
  EXPECT_EQ(r->shadow_routing_options.catalog_ttl, seconds(5));
  EXPECT_EQ(r->shadow_routing_options.cache_size, 100u);

  auto bad = LoadConfigFromString(std::string(kMinimal) +
                                      "users:\n"
                                      "  - {name: x, shadow: yes please}\n"
                                      "shadow_routing:\n"
                                      "  - naming: {prefix: a, suffix: b}\n"
                                      "    match: {tables: [t]}\n"
                                      "    shared_tables: [\"\"]\n"
                                      "shadow_routing_options: {cache_size: 0, catalog_ttl: 2d,"
                                      " nope: 1}\n",
                                  "conf.yaml");
  ASSERT_FALSE(bad.ok());
  const std::string m = bad.status().message();
  EXPECT_NE(m.find("users[0].shadow: expected true or false"), std::string::npos) << m;
  EXPECT_NE(m.find("shadow_routing[0].naming: give prefix or suffix, not both"), std::string::npos)
      << m;
  EXPECT_NE(m.find("shadow_routing[0].match.tables"), std::string::npos) << m;
  EXPECT_NE(m.find("shadow_routing[0].shared_tables"), std::string::npos) << m;
  EXPECT_NE(m.find("shadow_routing_options.nope"), std::string::npos) << m;
}

}  // namespace
}  // namespace shadowproxy::proxy
