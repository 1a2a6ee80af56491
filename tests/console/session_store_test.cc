#include "console/session_store.h"

#include <gtest/gtest.h>

#include <set>

namespace shadowproxy::console {
namespace {

using namespace std::chrono_literals;

struct FakeClock {
  std::chrono::steady_clock::time_point now{};
  Clock fn() {
    return [this] { return now; };
  }
};

TEST(SessionStore, CreateFindExpireRenew) {
  FakeClock clock;
  SessionStore store(10min, clock.fn());
  WebSession s = store.Create("dev", {"developer"}, "local");
  EXPECT_EQ(s.id.size(), 64u);
  EXPECT_EQ(s.csrf.size(), 64u);
  EXPECT_NE(s.id, s.csrf);
  auto found = store.Find(s.id);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->user, "dev");
  EXPECT_EQ(found->csrf, s.csrf);
  clock.now += 9min;
  EXPECT_TRUE(store.Find(s.id));  // renewed: 10 more minutes from here
  clock.now += 9min;
  EXPECT_TRUE(store.Find(s.id));
  clock.now += 10min;
  EXPECT_FALSE(store.Find(s.id));  // idle past the ttl
  EXPECT_EQ(store.size(), 0u);
  EXPECT_FALSE(store.Find("nope"));
  EXPECT_FALSE(store.Find(""));
}

TEST(SessionStore, SignOutAndTtlChange) {
  FakeClock clock;
  SessionStore store(1h, clock.fn());
  WebSession a = store.Create("a", {}, "local");
  WebSession b = store.Create("b", {}, "local");
  store.Remove(a.id);
  EXPECT_FALSE(store.Find(a.id));
  EXPECT_TRUE(store.Find(b.id));
  store.set_ttl(1s);
  EXPECT_TRUE(store.Find(b.id));  // renewed with the new ttl
  clock.now += 2s;
  EXPECT_FALSE(store.Find(b.id));
}

TEST(SessionStore, BoundedAndTokensUnique) {
  FakeClock clock;
  SessionStore store(1h, clock.fn(), 3);
  std::vector<WebSession> made;
  for (int i = 0; i < 5; ++i) {
    made.push_back(store.Create("u" + std::to_string(i), {}, "local"));
    clock.now += 1s;
  }
  EXPECT_EQ(store.size(), 3u);
  EXPECT_FALSE(store.Find(made[0].id));  // the oldest went first
  EXPECT_TRUE(store.Find(made[4].id));
  std::set<std::string> tokens;
  for (int i = 0; i < 200; ++i) tokens.insert(RandomToken());
  EXPECT_EQ(tokens.size(), 200u);
}

TEST(SecureEquals, ComparesWholeStrings) {
  EXPECT_TRUE(SecureEquals("abc", "abc"));
  EXPECT_FALSE(SecureEquals("abc", "abd"));
  EXPECT_FALSE(SecureEquals("abc", "ab"));
  EXPECT_FALSE(SecureEquals("", "a"));
  EXPECT_TRUE(SecureEquals("", ""));
}

TEST(SignInThrottle, DoublesPerFailureUpToTheCapAndForgets) {
  FakeClock clock;
  SignInThrottle t(clock.fn(), 250ms, 4s, 15min);
  EXPECT_EQ(t.Failed("1.2.3.4"), 250ms);
  EXPECT_EQ(t.Failed("1.2.3.4"), 500ms);
  EXPECT_EQ(t.Failed("1.2.3.4"), 1000ms);
  EXPECT_EQ(t.Failed("5.6.7.8"), 250ms);  // per address
  for (int i = 0; i < 10; ++i) t.Failed("1.2.3.4");
  EXPECT_EQ(t.Failed("1.2.3.4"), 4s);
  t.Succeeded("1.2.3.4");
  EXPECT_EQ(t.Failed("1.2.3.4"), 250ms);
  clock.now += 16min;  // quiet for longer than the window
  EXPECT_EQ(t.Failed("5.6.7.8"), 250ms);
}

TEST(SignInThrottle, BlocksAnAddressUntilItsWaitIsOver) {
  FakeClock clock;
  SignInThrottle t(clock.fn(), 250ms, 4s, 15min);
  EXPECT_FALSE(t.Blocked("1.2.3.4"));
  t.Failed("1.2.3.4");
  EXPECT_TRUE(t.Blocked("1.2.3.4"));
  EXPECT_FALSE(t.Blocked("5.6.7.8"));
  clock.now += 249ms;
  EXPECT_TRUE(t.Blocked("1.2.3.4"));
  clock.now += 1ms;
  EXPECT_FALSE(t.Blocked("1.2.3.4"));
  EXPECT_EQ(t.Failed("1.2.3.4"), 500ms);
  clock.now += 300ms;
  EXPECT_TRUE(t.Blocked("1.2.3.4"));
  t.Succeeded("1.2.3.4");
  EXPECT_FALSE(t.Blocked("1.2.3.4"));
}

}  // namespace
}  // namespace shadowproxy::console
