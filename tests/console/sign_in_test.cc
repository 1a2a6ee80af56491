#include "console/sign_in.h"

#include <gtest/gtest.h>

#include "protocol/auth.h"

namespace shadowproxy::console {
namespace {

Config TwoUsers() {
  Config c;
  ClusterConfig local;
  local.name = "local";
  // Nothing listens on port 1: a pass-through sign-in cannot reach a backend.
  local.servers = {ServerAddress{"127.0.0.1", 1}};
  local.connect_timeout = std::chrono::milliseconds(500);
  c.clusters = {local};
  UserConfig dev;
  dev.name = "dev";
  dev.password = "dev-secret";
  dev.has_password = true;
  dev.cluster = "local";
  dev.roles = {"developer"};
  UserConfig dba;
  dba.name = "dba";
  dba.password_hash = protocol::FormatPasswordHash(protocol::Stage2FromPassword("dba-secret"));
  dba.has_password = true;
  dba.cluster = "local";
  dba.roles = {"dba"};
  UserConfig pass;
  pass.name = "app";
  pass.cluster = "local";
  pass.roles = {"developer"};
  c.users = {dev, dba, pass};
  return c;
}

TEST(SignIn, ConfiguredUsersByPasswordOrHash) {
  const Config c = TwoUsers();
  std::string why;
  auto dev = SignIn(c, "dev", "dev-secret", &why);
  ASSERT_TRUE(dev.ok()) << dev.status().ToString();
  EXPECT_EQ(dev->roles, std::vector<std::string>{"developer"});
  EXPECT_EQ(dev->cluster, "local");
  auto dba = SignIn(c, "dba", "dba-secret", &why);
  ASSERT_TRUE(dba.ok());
  EXPECT_EQ(dba->roles, std::vector<std::string>{"dba"});
  auto wrong = SignIn(c, "dev", "dev-secreT", &why);
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.status().code(), errc::kAccessDenied);
  EXPECT_EQ(wrong.status().sqlstate(), "28000");
  EXPECT_NE(why.find("wrong password"), std::string::npos);
  EXPECT_FALSE(SignIn(c, "dba", "", &why).ok());
  EXPECT_FALSE(SignIn(c, "", "x", &why).ok());
}

TEST(SignIn, PassThroughNeedsTheBackendAndTheSwitch) {
  Config c = TwoUsers();
  std::string why;
  // No backend: the login cannot be tried (7030), which is not a wrong password.
  auto r = SignIn(c, "someone", "pw", &why);
  EXPECT_EQ(r.status().code(), errc::kUnavailable) << r.status().ToString();
  c.listen.passthrough_auth = false;
  r = SignIn(c, "someone", "pw", &why);
  EXPECT_EQ(r.status().code(), errc::kAccessDenied);
  // A configured user without a password stays pass-through even then.
  r = SignIn(c, "app", "pw", &why);
  EXPECT_EQ(r.status().code(), errc::kUnavailable);
}

TEST(SignIn, RefreshTakesRolesFromTheConfigInForce) {
  Config c = TwoUsers();
  EXPECT_EQ(Refresh(c, "dev").roles, std::vector<std::string>{"developer"});
  c.users[0].roles = {"developer", "admin"};
  EXPECT_EQ(Refresh(c, "dev").roles.size(), 2u);
  SignedIn other = Refresh(c, "stranger");
  EXPECT_TRUE(other.roles.empty());
  EXPECT_EQ(other.cluster, "local");
}

TEST(PasswordMatches, ClearNativeAndSha2Credentials) {
  UserConfig u;
  u.name = "eight";
  u.password = "secret";
  u.has_password = true;
  EXPECT_TRUE(PasswordMatches(u, "secret"));
  EXPECT_FALSE(PasswordMatches(u, "secreT"));
  EXPECT_FALSE(PasswordMatches(u, ""));
  // A published MySQL 8 caching_sha2_password entry for "hashcat" (as in auth_test.cc), in its
  // 0x-hex form: "$A$005$" + salt + digest.
  u.password.clear();
  u.password_hash =
      "0x24412430303524F9CC98CE08892924F50A213B6BC571A2C11778C5"
      "625479393559393965414D45316477456B484F41316E64484742577A2E3162785353526B7554584647562F";
  EXPECT_TRUE(PasswordMatches(u, "hashcat"));
  EXPECT_FALSE(PasswordMatches(u, "hashcats"));
}

}  // namespace
}  // namespace shadowproxy::console
