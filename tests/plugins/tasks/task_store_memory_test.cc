#include "plugins/tasks/task_store_memory.h"

#include <gtest/gtest.h>

#include "store_contract.h"

namespace shadowproxy::tasks {

std::unique_ptr<TaskStore> MakeContractStore() { return std::make_unique<MemoryTaskStore>(); }

namespace {

TEST(MemoryStoreTest, UnavailableIs7030) {
  MemoryTaskStore store;
  store.SetUnavailable(true);
  auto r = store.GetTask(1);
  EXPECT_EQ(r.status().code(), errc::kUnavailable);
  store.SetUnavailable(false);
  EXPECT_EQ(store.GetTask(1).status().code(), errc::kUnknownId);
}

TEST(SqlLikeTest, Table) {
  struct Case {
    const char* pattern;
    const char* text;
    bool match;
  } cases[] = {
      {"%", "", true},          {"a%", "abc", true},  {"a%", "bac", false},  {"_b_", "abc", true},
      {"_b_", "abcd", false},   {"%c", "abc", true},  {"A%", "abc", true},   {"a\\_b", "a_b", true},
      {"a\\_b", "axb", false},  {"a\\%", "a%", true}, {"a\\%", "ab", false}, {"%b%d", "abcd", true},
      {"%b%d", "abcde", false}, {"", "", true},       {"", "x", false},
  };
  for (const auto& c : cases)
    EXPECT_EQ(SqlLike(c.pattern, c.text), c.match) << c.pattern << " ~ " << c.text;
}

}  // namespace
}  // namespace shadowproxy::tasks
