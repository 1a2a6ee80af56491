// The contract every TaskStore keeps (see store_contract.h).
#include <gtest/gtest.h>

#include <set>
#include <thread>

#include "plugins/tasks/task_state.h"
#include "store_contract.h"

namespace shadowproxy::tasks {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;

Analysis SampleAnalysis(std::string cluster = "local", std::string db = "shop",
                        std::string creator = "dev") {
  Analysis a;
  a.cluster = std::move(cluster);
  a.database = std::move(db);
  a.naming.suffix = "_shadow";
  a.creator = std::move(creator);
  a.created_at = Now();
  a.tables = {
      {"users",
       "users_shadow",
       TableResult::kCreate,
       false,
       "CREATE TABLE `users` (id int)",
       "",
       "CREATE TABLE `users_shadow` (id int)",
       {"CREATE TABLE `users_shadow` (id int)"},
       {schema::ScriptPhase::kMain}},
      {"or`d'ers",
       "or`d'ers_shadow",
       TableResult::kUpdate,
       false,
       "src ddl \\ ' \"",
       "shadow ddl",
       "ALTER ...",
       {"ALTER TABLE `or``d'ers_shadow` ADD c int COMMENT 'it''s \\\\'", "ALTER 2"},
       {schema::ScriptPhase::kMain, schema::ScriptPhase::kMain}},
      {"logs", "logs_shadow", TableResult::kNoAction, false, "x", "x", "", {}},
  };
  return a;
}

ProcessConfig OneNode() {
  ProcessConfig p;
  p.name = "production";
  p.nodes = {{{"dba"}, {"alice"}}};
  return p;
}

class StoreContractTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = MakeContractStore();
    ASSERT_NE(store_, nullptr);
  }

  Task Submit(const Analysis& a, const ProcessConfig& p = OneNode(), ExecutionOptions o = {}) {
    auto id = store_->CreateAnalysis(a);
    EXPECT_TRUE(id.ok()) << id.status().ToString();
    auto stored = store_->GetAnalysis(*id);
    EXPECT_TRUE(stored.ok());
    auto t = NewTask(*stored, p, o, a.creator, Now());
    EXPECT_TRUE(t.ok()) << t.status().ToString();
    Task task = std::move(t).value();
    Status s = store_->CreateTask(task);
    EXPECT_TRUE(s.ok()) << s.ToString();
    return task;
  }

  std::unique_ptr<TaskStore> store_;
};

TEST_F(StoreContractTest, AnalysisRoundTrip) {
  Analysis a = SampleAnalysis();
  auto id = store_->CreateAnalysis(a);
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  EXPECT_GT(*id, 0);
  auto back = store_->GetAnalysis(*id);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->id, *id);
  EXPECT_EQ(back->cluster, "local");
  EXPECT_EQ(back->naming, a.naming);
  EXPECT_FALSE(back->submitted);
  ASSERT_EQ(back->tables.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(back->tables[i].source, a.tables[i].source);
    EXPECT_EQ(back->tables[i].shadow, a.tables[i].shadow);
    EXPECT_EQ(back->tables[i].result, a.tables[i].result);
    EXPECT_EQ(back->tables[i].source_ddl, a.tables[i].source_ddl);
    EXPECT_EQ(back->tables[i].shadow_ddl, a.tables[i].shadow_ddl);
    EXPECT_EQ(back->tables[i].change_sql, a.tables[i].change_sql);
    EXPECT_EQ(back->tables[i].statements, a.tables[i].statements);
    EXPECT_EQ(back->tables[i].phases, a.tables[i].phases);
  }
  EXPECT_EQ(store_->GetAnalysis(*id + 1000).status().code(), errc::kUnknownId);
}

// A task runs its analysis phase by phase: a child's foreign key goes before its parent's
// change and comes back after it, whatever the table order; the phases survive the store.
TEST_F(StoreContractTest, TaskStatementsFollowThePhases) {
  using P = schema::ScriptPhase;
  Analysis a = SampleAnalysis();
  a.tables = {
      {"users",
       "users_shadow",
       TableResult::kUpdate,
       false,
       "s",
       "h",
       "c",
       {"DROP TABLE users_shadow", "CREATE users_shadow"},
       {P::kDropTables, P::kMain}},
      {"posts",
       "posts_shadow",
       TableResult::kUpdate,
       false,
       "s",
       "h",
       "c",
       {"DROP FK posts", "ALTER posts", "ADD FK posts"},
       {P::kDropForeignKeys, P::kMain, P::kAddForeignKeys}},
      {"likes",
       "likes_shadow",
       TableResult::kUpdate,
       false,
       "s",
       "h",
       "c",
       {"DROP TABLE likes_shadow", "CREATE likes_shadow"},
       {P::kDropTables, P::kMain}},
  };
  auto id = store_->CreateAnalysis(a);
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  auto back = store_->GetAnalysis(*id);
  ASSERT_TRUE(back.ok());
  std::vector<std::string> order;
  for (const auto& [table, sql] : back->Script()) order.push_back(sql);
  EXPECT_EQ(order,
            (std::vector<std::string>{"DROP FK posts", "DROP TABLE likes_shadow",
                                      "DROP TABLE users_shadow", "CREATE users_shadow",
                                      "ALTER posts", "CREATE likes_shadow", "ADD FK posts"}));
  auto t = NewTask(*back, OneNode(), {}, "dev", Now());
  ASSERT_TRUE(t.ok());
  ASSERT_EQ(t->statements.size(), 7u);
  EXPECT_EQ(t->statements[0].sql, "DROP FK posts");
  EXPECT_EQ(t->statements[0].table, "posts");
  EXPECT_EQ(t->statements[6].sql, "ADD FK posts");
  // Skipping a table takes its statements out of every phase.
  ASSERT_TRUE(store_->SetSkipped(*id, {"posts"}, true).ok());
  EXPECT_EQ(store_->GetAnalysis(*id)->Script().size(), 4u);
}

TEST_F(StoreContractTest, SkipUnskipAndSubmittedOnce) {
  auto id = store_->CreateAnalysis(SampleAnalysis());
  ASSERT_TRUE(id.ok());
  auto n = store_->SetSkipped(*id, {"users", "or`d'ers"}, true);
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  EXPECT_EQ(*n, 2);
  EXPECT_EQ(*store_->SetSkipped(*id, {"users"}, true), 0);  // already skipped
  EXPECT_EQ(*store_->SetSkipped(*id, {"users"}, false), 1);
  EXPECT_EQ(store_->SetSkipped(*id, {"nope"}, true).status().code(), errc::kNotFound);
  EXPECT_EQ(store_->SetSkipped(*id + 99, {"users"}, true).status().code(), errc::kUnknownId);
  auto a = store_->GetAnalysis(*id);
  EXPECT_FALSE(a->tables[0].skipped);
  EXPECT_TRUE(a->tables[1].skipped);
  ASSERT_EQ(a->Script().size(), 1u);  // only users remains

  auto t = NewTask(*a, OneNode(), {}, "dev", Now());
  ASSERT_TRUE(t.ok());
  Task task = *t;
  ASSERT_TRUE(store_->CreateTask(task).ok());
  EXPECT_TRUE(store_->GetAnalysis(*id)->submitted);
  Task again = *t;
  Status s = store_->CreateTask(again);
  EXPECT_EQ(s.code(), errc::kAlreadySubmitted) << s.ToString();
  EXPECT_EQ(store_->SetSkipped(*id, {"users"}, true).status().code(), errc::kAlreadySubmitted);
}

// A read of some lists gives those exactly as a whole read does (other lists may be left out).
TEST_F(StoreContractTest, PartialReadsGiveTheListsAskedFor) {
  Task t = Submit(SampleAnalysis());
  ASSERT_TRUE(store_->AppendLog(t.id, TaskLog{0, Now(), LogLevel::kWarn, "second"}).ok());
  Task whole = *store_->GetTask(t.id);
  ASSERT_FALSE(whole.tables.empty());
  ASSERT_FALSE(whole.statements.empty());
  ASSERT_FALSE(whole.steps.empty());
  ASSERT_GE(whole.logs.size(), 2u);
  auto sources = [](const Task& x) {
    std::vector<std::string> out;
    for (const auto& tt : x.tables) out.push_back(tt.source);
    return out;
  };
  auto sqls = [](const Task& x) {
    std::vector<std::string> out;
    for (const auto& st : x.statements) out.push_back(st.sql);
    return out;
  };
  auto nodes = [](const Task& x) {
    std::vector<std::string> out;
    for (const auto& st : x.steps) out.push_back(st.node + "/" + st.status);
    return out;
  };
  auto messages = [](const Task& x) {
    std::vector<std::string> out;
    for (const auto& l : x.logs) out.push_back(l.message);
    return out;
  };
  for (unsigned part :
       std::vector<unsigned>{TaskStore::kTables, TaskStore::kStatements, TaskStore::kSteps,
                             TaskStore::kLogs, TaskStore::kTables | TaskStore::kLogs}) {
    auto p = store_->GetTask(t.id, part);
    ASSERT_TRUE(p.ok()) << p.status().ToString();
    EXPECT_EQ(p->status, whole.status);
    EXPECT_EQ(p->version, whole.version);
    EXPECT_EQ(p->creator, whole.creator);
    if (part & TaskStore::kTables) {
      EXPECT_EQ(sources(*p), sources(whole));
    }
    if (part & TaskStore::kStatements) {
      EXPECT_EQ(sqls(*p), sqls(whole));
    }
    if (part & TaskStore::kSteps) {
      EXPECT_EQ(nodes(*p), nodes(whole));
    }
    if (part & TaskStore::kLogs) {
      EXPECT_EQ(messages(*p), messages(whole));
    }
  }
  EXPECT_EQ(store_->GetTask(t.id + 1000, TaskStore::kLogs).status().code(), errc::kUnknownId);
}

TEST_F(StoreContractTest, TaskRoundTrip) {
  ExecutionOptions o{ExecutionMode::kAt, Now() + hours(1), ErrorStrategy::kContinue, "it's \"ok\""};
  Task t = Submit(SampleAnalysis(), OneNode(), o);
  ASSERT_GT(t.id, 0);
  EXPECT_EQ(t.version, 1);
  for (const auto& l : t.logs) EXPECT_GT(l.id, 0);
  auto back = store_->GetTask(t.id);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->cluster, "local");
  EXPECT_EQ(back->database, "shop");
  EXPECT_EQ(back->creator, "dev");
  EXPECT_EQ(back->status, TaskStatus::kWaitForApproval);
  EXPECT_EQ(back->execution_mode, ExecutionMode::kAt);
  EXPECT_EQ(back->execute_at, o.execute_at);
  EXPECT_EQ(back->error_strategy, ErrorStrategy::kContinue);
  EXPECT_EQ(back->remarks, "it's \"ok\"");
  EXPECT_EQ(back->process, "production");
  ASSERT_EQ(back->process_nodes.size(), 1u);
  EXPECT_EQ(back->process_nodes[0].users, std::vector<std::string>{"alice"});
  EXPECT_EQ(back->created_at, t.created_at);
  EXPECT_EQ(back->naming.suffix, "_shadow");
  ASSERT_EQ(back->tables.size(), 3u);
  EXPECT_EQ(back->tables[1].source, "or`d'ers");
  ASSERT_EQ(back->statements.size(), 3u);
  EXPECT_EQ(back->statements[1].sql, t.statements[1].sql);
  EXPECT_EQ(back->statements[1].table, "or`d'ers");
  ASSERT_EQ(back->steps.size(), t.steps.size());
  EXPECT_EQ(back->steps[1].node, t.steps[1].node);
  EXPECT_EQ(back->steps[0].at, t.steps[0].at);
  EXPECT_FALSE(back->steps[1].at.has_value());
  ASSERT_EQ(back->logs.size(), t.logs.size());
  EXPECT_EQ(back->logs[0].message, t.logs[0].message);
  EXPECT_EQ(back->version, 1);
  EXPECT_EQ(*store_->GetStatus(t.id), TaskStatus::kWaitForApproval);
  EXPECT_EQ(store_->GetTask(t.id + 1000).status().code(), errc::kUnknownId);
  EXPECT_EQ(store_->GetStatus(t.id + 1000).status().code(), errc::kUnknownId);
}

TEST_F(StoreContractTest, SaveIsCompareAndSet) {
  Task t = Submit(SampleAnalysis());
  Task a = *store_->GetTask(t.id);
  Task b = *store_->GetTask(t.id);
  ASSERT_TRUE(Approve(a, "alice", "ok", Now()).ok());
  auto saved = store_->SaveTask(a);
  ASSERT_TRUE(saved.ok()) << saved.status().ToString();
  EXPECT_TRUE(*saved);
  EXPECT_EQ(a.version, 2);
  ASSERT_TRUE(Reject(b, "dba1", "", Now()).ok());
  auto lost = store_->SaveTask(b);
  ASSERT_TRUE(lost.ok());
  EXPECT_FALSE(*lost);
  Task now = *store_->GetTask(t.id);
  EXPECT_EQ(now.status, TaskStatus::kWaitForExecution);
  EXPECT_EQ(now.steps.size(), a.steps.size());
  EXPECT_EQ(now.logs.size(), a.logs.size());
  // MutateTask reloads, so the reject is now refused by the state machine.
  auto r = MutateTask(*store_, t.id, [](Task& x) { return Reject(x, "dba1", "", Now()); });
  EXPECT_EQ(r.status().code(), errc::kBadStatus);
  auto ok = MutateTask(*store_, t.id, [](Task& x) { return Abort(x, "dev", Now()); });
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(store_->GetTask(t.id)->status, TaskStatus::kCancelled);
}

TEST_F(StoreContractTest, StatementsAndLogsAreNotRewoundBySave) {
  Task t = Submit(SampleAnalysis(), ProcessConfig{});  // no nodes: WAIT_FOR_EXECUTION
  ASSERT_EQ(t.status, TaskStatus::kWaitForExecution);
  Task stale = *store_->GetTask(t.id);
  TaskStatement st = t.statements[0];
  st.state = StatementState::kFailed;
  st.error = "ERROR 1062: Duplicate entry '1' for key 'u'";
  ASSERT_TRUE(store_->UpdateStatement(t.id, st).ok());
  auto log_id = store_->AppendLog(t.id, TaskLog{0, Now(), LogLevel::kError, "boom"});
  ASSERT_TRUE(log_id.ok());
  ASSERT_TRUE(Abort(stale, "dev", Now()).ok());
  ASSERT_TRUE(*store_->SaveTask(stale));
  Task back = *store_->GetTask(t.id);
  EXPECT_EQ(back.statements[0].state, StatementState::kFailed);
  EXPECT_EQ(back.statements[0].error, st.error);
  EXPECT_EQ(back.statements[1].state, StatementState::kPending);
  int booms = 0;
  for (const auto& l : back.logs) booms += l.message == "boom";
  EXPECT_EQ(booms, 1);
  EXPECT_EQ(back.logs.back().message.find("aborted by dev"), 0u);
}

TEST_F(StoreContractTest, ClaimIsExclusiveUntilTheLeaseLapses) {
  Task t = Submit(SampleAnalysis(), ProcessConfig{});
  auto a = store_->Claim(t.id, "proxyA#1", milliseconds(600));
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_TRUE(*a);
  EXPECT_FALSE(*store_->Claim(t.id, "proxyB#1", milliseconds(600)));
  EXPECT_TRUE(*store_->RenewLease(t.id, "proxyA#1", milliseconds(600)));
  EXPECT_FALSE(*store_->RenewLease(t.id, "proxyB#1", milliseconds(600)));
  std::this_thread::sleep_for(milliseconds(800));
  EXPECT_TRUE(*store_->Claim(t.id, "proxyB#1", milliseconds(600)));
  EXPECT_FALSE(*store_->RenewLease(t.id, "proxyA#1", milliseconds(600)));
  // Not claimable unless WAIT_FOR_EXECUTION.
  Task w = Submit(SampleAnalysis());
  EXPECT_FALSE(*store_->Claim(w.id, "proxyA#1", milliseconds(600)));
  EXPECT_FALSE(*store_->Claim(w.id + 1000, "proxyA#1", milliseconds(600)));
}

TEST_F(StoreContractTest, ReleaseClaimOnlyByItsOwnerBeforeItStarts) {
  Task t = Submit(SampleAnalysis(), ProcessConfig{});
  ASSERT_TRUE(*store_->Claim(t.id, "proxyA#1", hours(1)));
  EXPECT_FALSE(*store_->ReleaseClaim(t.id, "proxyB#1"));
  EXPECT_FALSE(*store_->Claim(t.id, "proxyB#1", hours(1)));
  EXPECT_TRUE(*store_->ReleaseClaim(t.id, "proxyA#1"));
  EXPECT_TRUE(*store_->Claim(t.id, "proxyB#1", hours(1)));  // free again at once
  ASSERT_TRUE(MutateTask(*store_, t.id, [](Task& x) { return Start(x, Now()); }).ok());
  EXPECT_FALSE(*store_->ReleaseClaim(t.id, "proxyB#1"));  // started: the lease stays
  EXPECT_FALSE(*store_->ReleaseClaim(t.id + 1000, "proxyB#1"));
}

TEST_F(StoreContractTest, ConcurrentClaimsHaveOneWinner) {
  Task t = Submit(SampleAnalysis(), ProcessConfig{});
  std::atomic<int> wins{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i)
    threads.emplace_back([&, i] {
      auto r = store_->Claim(t.id, "p" + std::to_string(i) + "#1", std::chrono::seconds(30));
      if (r.ok() && *r) ++wins;
    });
  for (auto& th : threads) th.join();
  EXPECT_EQ(wins.load(), 1);
}

TEST_F(StoreContractTest, InterruptedTasks) {
  Task lapsed = Submit(SampleAnalysis(), ProcessConfig{});
  Task mine_before = Submit(SampleAnalysis(), ProcessConfig{});
  Task alive = Submit(SampleAnalysis(), ProcessConfig{});
  Task waiting = Submit(SampleAnalysis(), ProcessConfig{});
  ASSERT_TRUE(*store_->Claim(lapsed.id, "other#1", milliseconds(300)));
  ASSERT_TRUE(*store_->Claim(mine_before.id, "host:6033#old", std::chrono::seconds(60)));
  ASSERT_TRUE(*store_->Claim(alive.id, "other#2", std::chrono::seconds(60)));
  for (int64_t id : {lapsed.id, mine_before.id, alive.id})
    ASSERT_TRUE(MutateTask(*store_, id, [](Task& x) { return Start(x, Now()); }).ok());
  std::this_thread::sleep_for(milliseconds(500));
  auto ids = store_->ListInterrupted("host:6033", "host:6033#new");
  ASSERT_TRUE(ids.ok()) << ids.status().ToString();
  EXPECT_EQ(std::set<int64_t>(ids->begin(), ids->end()),
            (std::set<int64_t>{lapsed.id, mine_before.id}));
  auto live = store_->ListLiveTasks();
  ASSERT_TRUE(live.ok());
  std::set<int64_t> live_ids;
  for (const Task& t : *live) {
    live_ids.insert(t.id);
    EXPECT_FALSE(IsFinal(t.status));
    EXPECT_TRUE(t.logs.empty() && t.steps.empty());  // the task's own fields only
    if (t.id == waiting.id) {
      EXPECT_EQ(t.status, TaskStatus::kWaitForExecution);
      EXPECT_EQ(t.execution_mode, waiting.execution_mode);
      EXPECT_EQ(t.database, waiting.database);
    }
  }
  EXPECT_EQ(live_ids, (std::set<int64_t>{lapsed.id, mine_before.id, alive.id, waiting.id}));
  auto counts = store_->CountByStatus();
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ((*counts)[TaskStatus::kExecuting], 3);
  EXPECT_EQ((*counts)[TaskStatus::kWaitForExecution], 1);
}

std::vector<int64_t> Ids(const Result<std::vector<TaskSummary>>& r) {
  std::vector<int64_t> out;
  if (!r.ok()) {
    ADD_FAILURE() << r.status().ToString();
    return out;
  }
  for (const auto& s : *r) out.push_back(s.id);
  return out;
}

TEST_F(StoreContractTest, ListFiltersOrderAndLimit) {
  Task t1 = Submit(SampleAnalysis("local", "shop", "dev"));
  std::this_thread::sleep_for(milliseconds(20));
  Task t2 = Submit(SampleAnalysis("local", "dev_1", "carol"), ProcessConfig{});
  std::this_thread::sleep_for(milliseconds(20));
  Task t3 = Submit(SampleAnalysis("other", "shop", "dev"));
  ASSERT_TRUE(MutateTask(*store_, t3.id, [](Task& x) { return Abort(x, "dev", Now()); }).ok());
  using Op = CompareOp;
  using C = TaskColumn;
  auto since = [](Op op, TimePoint t) {
    return TaskCondition{C::kCreatedAt, op, {FormatTime(t, true)}, t};
  };
  auto list = [&](std::vector<TaskCondition> where, std::vector<TaskSortKey> order = {},
                  std::optional<uint64_t> limit = std::nullopt, uint64_t offset = 0) {
    TaskQuery q;
    q.where = std::move(where);
    q.order = std::move(order);
    q.limit = limit;
    q.offset = offset;
    return store_->ListTasks(q);
  };
  EXPECT_EQ(Ids(list({})), (std::vector<int64_t>{t3.id, t2.id, t1.id}));  // newest first
  EXPECT_EQ(Ids(list({{C::kCreator, Op::kEq, {"dev"}}})), (std::vector<int64_t>{t3.id, t1.id}));
  EXPECT_EQ(Ids(list({{C::kCreator, Op::kNe, {"dev"}}})), (std::vector<int64_t>{t2.id}));
  EXPECT_EQ(Ids(list({{C::kDatabase, Op::kLike, {"dev\\_%"}}})), (std::vector<int64_t>{t2.id}));
  EXPECT_EQ(Ids(list({{C::kDatabase, Op::kLike, {"s_op"}}})), (std::vector<int64_t>{t3.id, t1.id}));
  EXPECT_EQ(Ids(list({{C::kConnection, Op::kEq, {"other"}}})), (std::vector<int64_t>{t3.id}));
  EXPECT_EQ(Ids(list({{C::kStatus, Op::kIn, {"CANCELLED", "WAIT_FOR_EXECUTION"}}})),
            (std::vector<int64_t>{t3.id, t2.id}));
  EXPECT_EQ(Ids(list({{C::kStatus, Op::kEq, {"WAIT_FOR_APPROVAL"}},
                      {C::kConnection, Op::kEq, {"local"}}})),
            (std::vector<int64_t>{t1.id}));
  // Values are data, never SQL.
  EXPECT_EQ(Ids(list({{C::kCreator, Op::kEq, {"dev' OR '1'='1"}}})), (std::vector<int64_t>{}));
  EXPECT_EQ(Ids(list({{C::kCreator, Op::kIn, {"x') OR (1=1", "carol"}}})),
            (std::vector<int64_t>{t2.id}));
  EXPECT_EQ(Ids(list({since(Op::kGe, t2.created_at)})), (std::vector<int64_t>{t3.id, t2.id}));
  EXPECT_EQ(Ids(list({since(Op::kLt, t2.created_at)})), (std::vector<int64_t>{t1.id}));
  EXPECT_EQ(Ids(list({since(Op::kLe, t2.created_at)})), (std::vector<int64_t>{t2.id, t1.id}));
  EXPECT_EQ(Ids(list({since(Op::kGt, t2.created_at)})), (std::vector<int64_t>{t3.id}));
  EXPECT_EQ(Ids(list({}, {{C::kTaskId, false}})), (std::vector<int64_t>{t1.id, t2.id, t3.id}));
  EXPECT_EQ(Ids(list({}, {{C::kCreator, false}})), (std::vector<int64_t>{t2.id, t1.id, t3.id}));
  EXPECT_EQ(Ids(list({}, {{C::kCreator, true}})), (std::vector<int64_t>{t3.id, t1.id, t2.id}));
  // Several keys: each breaks the ties of the one before.
  EXPECT_EQ(Ids(list({}, {{C::kCreator, false}, {C::kTaskId, true}})),
            (std::vector<int64_t>{t2.id, t3.id, t1.id}));
  EXPECT_EQ(Ids(list({}, {{C::kDatabase, true}, {C::kStatus, false}})),
            (std::vector<int64_t>{t3.id, t1.id, t2.id}));
  EXPECT_EQ(Ids(list({}, {{C::kDatabase, true}, {C::kStatus, true}})),
            (std::vector<int64_t>{t1.id, t3.id, t2.id}));
  EXPECT_EQ(Ids(list({}, {}, 1)), (std::vector<int64_t>{t3.id}));
  EXPECT_EQ(Ids(list({}, {}, 2, 1)), (std::vector<int64_t>{t2.id, t1.id}));
  EXPECT_EQ(Ids(list({}, {}, std::nullopt, 2)), (std::vector<int64_t>{t1.id}));
  // The window.
  TaskQuery w;
  w.created_since = t2.created_at;
  EXPECT_EQ(Ids(store_->ListTasks(w)), (std::vector<int64_t>{t3.id, t2.id}));
  w.created_since = Now() + hours(1);
  EXPECT_EQ(Ids(store_->ListTasks(w)), (std::vector<int64_t>{}));
  // Operators that do not suit their column, and columns that do not filter.
  EXPECT_EQ(list({{C::kCreatedAt, Op::kLike, {"2026%"}}}).status().code(), errc::kSyntax);
  EXPECT_EQ(list({{C::kStatus, Op::kLt, {"A"}}}).status().code(), errc::kSyntax);
  EXPECT_EQ(list({{C::kStatus, Op::kEq, {"A", "B"}}}).status().code(), errc::kSyntax);
  EXPECT_EQ(list({{C::kTaskId, Op::kEq, {"1"}}}).status().code(), errc::kSyntax);
  EXPECT_EQ(list({{C::kCreator, Op::kIn, {}}}).status().code(), errc::kSyntax);
  auto summary = list({{C::kCreator, Op::kEq, {"carol"}}});
  ASSERT_EQ(summary->size(), 1u);
  EXPECT_EQ((*summary)[0].cluster, "local");
  EXPECT_EQ((*summary)[0].database, "dev_1");
  EXPECT_EQ((*summary)[0].status, TaskStatus::kWaitForExecution);
  EXPECT_EQ((*summary)[0].created_at, t2.created_at);
}

}  // namespace
}  // namespace shadowproxy::tasks
