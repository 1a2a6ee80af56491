#include "proxy/config_printer.h"

#include <gtest/gtest.h>

#include <string>

#include "proxy/config_loader.h"

namespace shadowproxy::proxy {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

TEST(ConfigPrinterTest, FormatsDurationsInTheLargestExactUnit) {
  EXPECT_EQ(FormatDuration(seconds(30)), "30s");
  EXPECT_EQ(FormatDuration(hours(48)), "48h");
  EXPECT_EQ(FormatDuration(hours(24 * 7)), "168h");
  EXPECT_EQ(FormatDuration(minutes(90)), "90m");
  EXPECT_EQ(FormatDuration(milliseconds(1500)), "1500ms");
  EXPECT_EQ(FormatDuration(milliseconds(0)), "0s");
  for (Duration d : {Duration(seconds(30)), Duration(hours(48)), Duration(milliseconds(1500))}) {
    Duration back{};
    ASSERT_TRUE(ParseDuration(FormatDuration(d), &back));
    EXPECT_EQ(back, d);
  }
}

constexpr const char* kConfig =
    "log_level: warn\n"
    "clusters:\n"
    "  - name: main\n"
    "    servers: [\"127.0.0.1:3306\", \"[::1]:3307\"]\n"
    "    admin_password: admin-secret\n"
    "  - name: \"yes\"\n"  // a name YAML would read as a boolean unless quoted
    "    servers: [\"db:1\"]\n"
    "users:\n"
    "  - name: app\n"
    "    password: app-secret\n"
    "    roles: [dev]\n"
    "  - name: hashed\n"
    "    password_hash: \"*2470C0C06DEE42FD1618BB99005ADCA2EC9D1E19\"\n"
    "    backend_password: backend-secret\n"
    "  - name: passthrough\n"
    "  - name: dollar\n"
    "    password: \"$${NOT_A_VAR}\"\n"
    "    cluster: \"yes\"\n";

TEST(ConfigPrinterTest, PrintsEveryKeyWithSecretsRedacted) {
  auto r = LoadConfigFromString(kConfig, "conf.yaml");
  ASSERT_TRUE(r.ok()) << r.status().message();
  const std::string text = PrintConfig(*r);
  for (const char* secret :
       {"admin-secret", "app-secret", "backend-secret", "2470C0C0", "NOT_A_VAR"})
    EXPECT_EQ(text.find(secret), std::string::npos) << secret << " in:\n" << text;
  for (const char* key : {"log:",
                          "level: warn",
                          "format: text",
                          "listen:",
                          "address: 127.0.0.1",
                          "port: 6033",
                          "max_connections: 10000",
                          "threads: 0",
                          "passthrough_auth: true",
                          "shutdown_grace: 30s",
                          "admin_user: root",
                          "admin_password: \"***\"",
                          "connect_timeout: 5s",
                          "mode: preferred",
                          "password: \"***\"",
                          "password_hash: \"***\"",
                          "backend_password: \"***\"",
                          "metadb:",
                          "cluster: main",
                          "database: shadowproxy_meta",
                          "metrics:",
                          "port: 9104",
                          "console:",
                          "session_ttl: 8h",
                          "shadow_sync:",
                          "default_prefix: \"\"",
                          "default_suffix: _shadow",
                          "task_list_window: 48h",
                          "approval_timeout: 24h",
                          "execution_timeout: 48h",
                          "workers: 4",
                          "processes:",
                          "name: default",
                          "priority: 1",
                          "match: {clusters: [\"*\"], databases: [\"*\"]}",
                          "- {roles: [dba], users: []}",
                          "allow_self_approval: false",
                          "servers: [\"127.0.0.1:3306\", \"[::1]:3307\"]"})
    EXPECT_NE(text.find(key), std::string::npos) << key << " not in:\n" << text;
  // The "yes" cluster's admin_password is empty: shown as such.
  EXPECT_NE(text.find("admin_password: \"\""), std::string::npos) << text;
}

TEST(ConfigPrinterTest, OutputLoadsBackToTheSameConfig) {
  auto r = LoadConfigFromString(kConfig, "conf.yaml");
  ASSERT_TRUE(r.ok()) << r.status().message();
  // password_hash: "***" is not a hash; put a real one back before loading the output.
  std::string text = PrintConfig(*r);
  const std::string redacted_hash = "password_hash: \"***\"";
  text.replace(text.find(redacted_hash), redacted_hash.size(),
               "password_hash: \"*2470C0C06DEE42FD1618BB99005ADCA2EC9D1E19\"");
  auto again = LoadConfigFromString(text, "printed.yaml");
  ASSERT_TRUE(again.ok()) << again.status().message() << "\n" << text;
  EXPECT_EQ(PrintConfig(*again), PrintConfig(*r));
  EXPECT_EQ(again->log_level, "warn");
  EXPECT_EQ(again->clusters[1].name, "yes");
  EXPECT_EQ(again->users[3].cluster, "yes");
  ASSERT_EQ(again->users.size(), 4u);
  EXPECT_FALSE(again->users[2].has_password);  // the pass-through user stays one
  EXPECT_EQ(again->clusters[0].servers[1].host, "::1");
}

TEST(ConfigPrinterTest, ShadowRoutingRoundTrips) {
  auto r = LoadConfigFromString(std::string(kConfig) +
                                    "  - {name: loadtest, password: x, shadow: true}\n"
                                    "shadow_routing:\n"
                                    "  - match: {clusters: [main], databases: [\"shop*\"]}\n"
                                    "    shared_tables: [countries]\n"
                                    "  - {naming: {prefix: sh_}}\n"
                                    "shadow_routing_options: {connect_attribute: \"\", "
                                    "catalog_ttl: 5m}\n",
                                "conf.yaml");
  ASSERT_TRUE(r.ok()) << r.status().message();
  std::string text = PrintConfig(*r);
  for (const char* key :
       {"shadow: true", "shadow: false",
        "shadow_routing:", "- match: {clusters: [main], databases: [shop*]}",
        "naming: {suffix: _shadow}", "shared_tables: [countries]", "naming: {prefix: sh_}",
        "shadow_routing_options:", "connect_attribute: \"\"", "statement_comments: true",
        "catalog_ttl: 5m", "cache_size: 10000"})
    EXPECT_NE(text.find(key), std::string::npos) << key << " not in:\n" << text;
  const std::string redacted_hash = "password_hash: \"***\"";
  text.replace(text.find(redacted_hash), redacted_hash.size(),
               "password_hash: \"*2470C0C06DEE42FD1618BB99005ADCA2EC9D1E19\"");
  auto again = LoadConfigFromString(text, "printed.yaml");
  ASSERT_TRUE(again.ok()) << again.status().message() << "\n" << text;
  EXPECT_EQ(PrintConfig(*again), PrintConfig(*r));
  // Nothing configured: an empty list (shadow routing off).
  auto none = LoadConfigFromString(kConfig, "conf.yaml");
  ASSERT_TRUE(none.ok());
  EXPECT_NE(PrintConfig(*none).find("shadow_routing:\n  []"), std::string::npos)
      << PrintConfig(*none);
}

}  // namespace
}  // namespace shadowproxy::proxy
