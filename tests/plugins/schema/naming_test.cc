// Unit: shadow naming rules of SPEC.md §4.1 (ERR 7010).
#include "plugins/schema/naming.h"

#include <gtest/gtest.h>

namespace shadowproxy::schema {
namespace {

ShadowSyncConfig Defaults(std::string prefix, std::string suffix) {
  ShadowSyncConfig c;
  c.default_prefix = std::move(prefix);
  c.default_suffix = std::move(suffix);
  return c;
}

TEST(NamingTest, StatementAffixWinsOverDefaults) {
  auto n = ResolveNaming(std::string("sh_"), std::nullopt, Defaults("", "_shadow"));
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  EXPECT_EQ(n->prefix, "sh_");
  EXPECT_EQ(n->suffix, "");
  EXPECT_EQ(n->ShadowName("t"), "sh_t");
  auto s = ResolveNaming(std::nullopt, std::string("_x"), Defaults("p_", ""));
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->ShadowName("t"), "t_x");
}

TEST(NamingTest, DefaultsApplyWhenNoAffixGiven) {
  auto n = ResolveNaming(std::nullopt, std::nullopt, Defaults("", "_shadow"));
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(n->ShadowName("orders"), "orders_shadow");
  auto p = ResolveNaming(std::nullopt, std::nullopt, Defaults("__t", ""));
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->ShadowName("orders"), "__torders");
}

TEST(NamingTest, BadAffixesAre7010) {
  const ShadowSyncConfig d = Defaults("", "_shadow");
  for (const std::string& bad :
       std::vector<std::string>{"", "a-b", "a b", "x'", "\xC3\xA9", std::string(33, 'a'), "a`"}) {
    auto r = ResolveNaming(std::nullopt, bad, d);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().code(), errc::kBadNaming) << bad;
    auto p = ResolveNaming(bad, std::nullopt, d);
    EXPECT_EQ(p.status().code(), errc::kBadNaming) << bad;
  }
  EXPECT_TRUE(ResolveNaming(std::nullopt, std::string(32, 'a'), d).ok());
  EXPECT_TRUE(ResolveNaming(std::nullopt, "Az09_", d).ok());
}

TEST(NamingTest, BothOrNeitherIs7010) {
  EXPECT_EQ(ResolveNaming(std::string("a"), std::string("b"), Defaults("", "_s")).status().code(),
            errc::kBadNaming);
  EXPECT_EQ(ResolveNaming(std::nullopt, std::nullopt, Defaults("", "")).status().code(),
            errc::kBadNaming);
  EXPECT_EQ(ResolveNaming(std::nullopt, std::nullopt, Defaults("p", "s")).status().code(),
            errc::kBadNaming);
  EXPECT_EQ(ValidateNaming(Naming{"a", "b"}).code(), errc::kBadNaming);
  EXPECT_TRUE(ValidateNaming(Naming{"", "_s"}).ok());
}

TEST(NamingTest, IsShadowName) {
  Naming suffix{"", "_shadow"};
  EXPECT_TRUE(IsShadowName("t_shadow", suffix));
  EXPECT_FALSE(IsShadowName("_shadow", suffix));  // nothing left for the source
  EXPECT_FALSE(IsShadowName("t_shadowx", suffix));
  EXPECT_FALSE(IsShadowName("t", suffix));
  Naming prefix{"sh_", ""};
  EXPECT_TRUE(IsShadowName("sh_t", prefix));
  EXPECT_FALSE(IsShadowName("xsh_t", prefix));
  EXPECT_FALSE(IsShadowName("sh_", prefix));
}

TEST(NamingTest, ShadowNameLongerThan64NamesTheTable) {
  Naming n{"", "_shadow"};
  std::string long_name(58, 'a');  // 58 + 7 = 65
  Status s = CheckShadowNames({"ok", long_name}, n);
  EXPECT_EQ(s.code(), errc::kBadNaming);
  EXPECT_NE(s.message().find(long_name), std::string::npos) << s.message();
  EXPECT_TRUE(CheckShadowNames({std::string(57, 'a')}, n).ok());
  // Characters, not bytes: 57 two-byte characters + 7 = 64 characters.
  std::string wide;
  for (int i = 0; i < 57; ++i) wide += "\xC3\xA9";
  EXPECT_TRUE(CheckShadowNames({wide}, n).ok());
  EXPECT_EQ(CheckShadowNames({wide + "\xC3\xA9"}, n).code(), errc::kBadNaming);
}

TEST(NamingTest, ShadowNameEqualToAnotherSourceNamesTheTable) {
  Naming n{"t", ""};
  Status s = CheckShadowNames({"x", "tx"}, n);
  EXPECT_EQ(s.code(), errc::kBadNaming);
  EXPECT_NE(s.message().find("'x'"), std::string::npos) << s.message();
  EXPECT_TRUE(CheckShadowNames({"x", "y"}, n).ok());
}

}  // namespace
}  // namespace shadowproxy::schema
