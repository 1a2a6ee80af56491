#include "plugins/approval/approval.h"

#include <gtest/gtest.h>

namespace shadowproxy::approval {
namespace {

TEST(GlobTest, Table) {
  struct Case {
    const char* pattern;
    const char* text;
    bool match;
  } cases[] = {
      {"*", "", true},
      {"*", "anything", true},
      {"dev_*", "dev_orders", true},
      {"dev_*", "dev_", true},
      {"dev_*", "prod_x", false},
      {"dev_*", "de", false},
      {"a?c", "abc", true},
      {"a?c", "ac", false},
      {"*x*y", "axbxy", true},
      {"*x*y", "axbx", false},
      {"exact", "exact", true},
      {"exact", "Exact", false},
      {"", "", true},
      {"", "a", false},
      {"**a", "ba", true},
      {"a*b*c", "aXXbYYc", true},
      {"a*b*c", "aXXbYY", false},
  };
  for (const auto& c : cases)
    EXPECT_EQ(GlobMatch(c.pattern, c.text), c.match) << c.pattern << " vs " << c.text;
}

ProcessConfig Proc(std::string name, int priority, std::vector<std::string> clusters,
                   std::vector<std::string> dbs, std::vector<ApprovalNode> nodes = {}) {
  ProcessConfig p;
  p.name = std::move(name);
  p.priority = priority;
  p.match.clusters = std::move(clusters);
  p.match.databases = std::move(dbs);
  p.nodes = std::move(nodes);
  return p;
}

TEST(MatchProcessTest, EmptyListGivesSpecDefault) {
  Config config;
  const ProcessConfig* p = MatchProcess(config, "local", "shop");
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->name, "default");
  ASSERT_EQ(p->nodes.size(), 1u);
  EXPECT_EQ(p->nodes[0].roles, std::vector<std::string>{"dba"});
  EXPECT_TRUE(p->nodes[0].users.empty());
  EXPECT_FALSE(p->allow_self_approval);
}

TEST(MatchProcessTest, LowestPriorityNumberAmongMatchesWins) {
  Config config;
  config.shadow_sync.processes = {
      Proc("sandbox", 9, {"*"}, {"dev_*"}), Proc("production", 1, {"*"}, {"*"}),
      Proc("eu", 0, {"eu-*"}, {"*"}),
      Proc("eu-dev", 0, {"eu-*"}, {"dev_*"}),  // tie with "eu": the first in config order wins
  };
  struct Case {
    const char* cluster;
    const char* db;
    const char* want;
  } cases[] = {
      {"local", "dev_x", "production"},  // both match, priority 1 < 9
      {"local", "shop", "production"},
      {"eu-1", "shop", "eu"},
      {"eu-1", "dev_x", "eu"},
  };
  for (const auto& c : cases) {
    const ProcessConfig* p = MatchProcess(config, c.cluster, c.db);
    ASSERT_NE(p, nullptr) << c.cluster << "/" << c.db;
    EXPECT_EQ(p->name, c.want) << c.cluster << "/" << c.db;
  }
}

TEST(MatchProcessTest, NoMatchIsNull) {
  Config config;
  config.shadow_sync.processes = {Proc("sandbox", 9, {"*"}, {"dev_*"})};
  EXPECT_EQ(MatchProcess(config, "local", "shop"), nullptr);
  EXPECT_NE(MatchProcess(config, "local", "dev_1"), nullptr);
}

TEST(MatchProcessTest, BothClusterAndDatabaseMustMatch) {
  Config config;
  config.shadow_sync.processes = {Proc("a", 1, {"c1", "c2"}, {"db1"}), Proc("b", 5, {"*"}, {"*"})};
  EXPECT_EQ(MatchProcess(config, "c2", "db1")->name, "a");
  EXPECT_EQ(MatchProcess(config, "c3", "db1")->name, "b");
  EXPECT_EQ(MatchProcess(config, "c1", "db2")->name, "b");
}

const std::vector<std::string> kNone;
const std::vector<std::string> kDba{"dba"};
const std::vector<std::string> kAdmin{"admin"};
const std::vector<std::string> kDev{"developer"};

TEST(RightsTest, ViewTable) {
  std::vector<ApprovalNode> nodes{{{"dba"}, {}}, {{}, {"alice"}}};
  TaskFacts task{12, "dev"};
  struct Case {
    const char* user;
    const std::vector<std::string>* roles;
    bool allowed;
  } cases[] = {
      {"dev", &kDev, true},     // creator
      {"dba1", &kDba, true},    // approver by role (any node)
      {"alice", &kNone, true},  // approver by user
      {"root", &kAdmin, true},  // admin
      {"bob", &kDev, false},   {"bob", &kNone, false},
  };
  for (const auto& c : cases) {
    Status s = CanView(task, c.user, *c.roles, "production", nodes);
    EXPECT_EQ(s.ok(), c.allowed) << c.user << ": " << s.ToString();
    if (!c.allowed) {
      EXPECT_EQ(s.code(), errc::kNotAllowed);
      EXPECT_EQ(s.sqlstate(), "42000");
      EXPECT_EQ(s.message(),
                "user '" + std::string(c.user) +
                    "' lacks the right VIEW on task 12 (needs to be its creator, an approver of "
                    "process 'production' or role admin)");
    }
  }
}

TEST(RightsTest, ApproveTable) {
  ApprovalNode node{{"dba"}, {"alice"}};
  TaskFacts task{12, "dev"};
  const std::vector<std::string> dev_and_dba{"developer", "dba"};
  struct Case {
    const char* user;
    const std::vector<std::string>* roles;
    bool allow_self;
    bool allowed;
    const char* why;  // the parenthesised part of the message, if refused
  } cases[] = {
      {"dba1", &kDba, false, true, nullptr},
      {"alice", &kNone, false, true, nullptr},
      {"root", &kAdmin, false, false, "needs role dba or user alice"},  // admin is not an approver
      {"bob", &kDev, false, false, "needs role dba or user alice"},
      {"dev", &dev_and_dba, false, false,
       "the creator may not approve their own task: allow_self_approval is off"},
      {"dev", &dev_and_dba, true, true, nullptr},
      {"dev", &kDev, true, false, "needs role dba or user alice"},  // self-approval needs the node
  };
  for (const auto& c : cases) {
    Status s = CanApprove(task, node, c.user, *c.roles, c.allow_self);
    EXPECT_EQ(s.ok(), c.allowed) << c.user << ": " << s.ToString();
    if (!c.allowed) {
      EXPECT_EQ(s.code(), errc::kNotAllowed);
      EXPECT_EQ(s.sqlstate(), "42000");
      EXPECT_EQ(s.message(), "user '" + std::string(c.user) +
                                 "' lacks the right APPROVE on task 12 (" + c.why + ")");
    }
  }
  EXPECT_NE(CanApprove(task, node, "bob", kDev, false, "REJECT").message().find("right REJECT"),
            std::string::npos);
}

TEST(RightsTest, AbortOrExecuteTable) {
  TaskFacts task{7, "dev"};
  struct Case {
    const char* user;
    const std::vector<std::string>* roles;
    bool allowed;
  } cases[] = {
      {"dev", &kNone, true},
      {"root", &kAdmin, true},
      {"dba1", &kDba, false},
      {"bob", &kDev, false},
  };
  for (const char* right : {"ABORT", "EXECUTE"}) {
    for (const auto& c : cases) {
      Status s = CanAbortOrExecute(task, c.user, *c.roles, right);
      EXPECT_EQ(s.ok(), c.allowed) << right << " " << c.user;
      if (!c.allowed) {
        EXPECT_EQ(s.code(), errc::kNotAllowed);
        EXPECT_EQ(s.message(), "user '" + std::string(c.user) + "' lacks the right " + right +
                                   " on task 7 (needs to be its creator or role admin)");
      }
    }
  }
}

TEST(RightsTest, DescribeNode) {
  EXPECT_EQ(DescribeNode(ApprovalNode{{"dba", "ops"}, {"alice"}}),
            "role dba or role ops or user alice");
  EXPECT_EQ(DescribeNode(ApprovalNode{}), "nobody");
  EXPECT_FALSE(NodeAccepts(ApprovalNode{}, "x", kAdmin));
}

}  // namespace
}  // namespace shadowproxy::approval
