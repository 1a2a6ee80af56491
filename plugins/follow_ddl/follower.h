// Following DDL (SPEC.md §4.8, docs/follow_ddl.md): the relay offers each query's text
// (ddl_reader.h decides what is DDL and which tables it names); once the backend answered OK,
// the tables it touched are matched against shadow_sync.follow_ddl and gathered per database
// (Windows: one task per settle window), then handed to the task service as the session's user,
// through the normal approval process. Matching, grouping and task creation run on the
// follower's own thread, never on an event loop.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "base/config.h"
#include "base/time_point.h"
#include "plugins/ddl_follower.h"
#include "plugins/follow_ddl/ddl_reader.h"
#include "plugins/tasks/task_service.h"

namespace shadowproxy::follow_ddl {

using Clock = std::chrono::steady_clock;

// One DDL statement the backend answered with OK, its tables resolved to a database.
struct DdlEvent {
  std::string cluster;
  std::string user;
  std::vector<std::string> roles;
  uint32_t connection_id = 0;
  DdlStatement ddl;  // tables / dropped with their database filled in
  Clock::time_point at = {};
  TimePoint wall = {};  // for the remarks
};

// Where a table of an event goes.
struct Classified {
  int rule = -1;       // index in follow_ddl; -1: not followed
  std::string reason;  // why not ("outside the globs", "a shadow table")
};
// The first rule whose globs match cluster, database and table; a table that is a shadow under
// that rule's naming is not followed.
Classified Classify(const Config& config, std::string_view cluster, std::string_view database,
                    std::string_view table);
bool IsShadowName(const FollowDdlRule& rule, std::string_view table);

// The tables of one database that one user's DDL touched under one rule, within a window.
struct Batch {
  std::string cluster;
  std::string database;
  int rule = -1;
  FollowDdlRule settings;  // the rule as it was when the window opened (naming, execute, ...)
  std::string user;
  std::vector<std::string> roles;
  std::vector<std::string> tables;      // in the order first touched; tables dropped later are gone
  std::vector<std::string> drops = {};  // gone sources whose shadows go too (drop_shadows: true)
  std::string first_summary;            // "ALTER TABLE orders ..."
  uint32_t statements = 0;
  TimePoint first_wall = {};
  Clock::time_point opened = {};
  Clock::time_point deadline = {};  // settle after the last DDL, capped (see kMaxWindow)
};

// The task's remarks: "follow: ALTER TABLE orders ... (+19 more) by app at 12:00:01".
std::string Remarks(const Batch& batch);

// Settle windows, keyed by (cluster, database, rule, user). Pure: the caller gives the time.
class Windows {
 public:
  // A window stays open `settle` after its last DDL, but closes at the latest this many settles
  // (and at least kMinMaxWindow) after it opened, so a busy database still gets its tasks.
  static constexpr int kMaxWindowSettles = 10;
  static constexpr Clock::duration kMinMaxWindow = std::chrono::seconds(30);

  // Adds `table` of `event`, followed under rule number `rule`.
  void Touch(const DdlEvent& event, std::string_view database, int rule,
             const FollowDdlRule& settings, const std::string& table);
  // `table` was dropped (or renamed away) by `event`: it leaves any window that has it.
  void Drop(const DdlEvent& event, std::string_view database, const std::string& table);
  // ... and under a rule with drop_shadows, its shadow is to be dropped by the window's task.
  void DropShadow(const DdlEvent& event, std::string_view database, int rule,
                  const FollowDdlRule& settings, const std::string& table);
  // A new statement counts once per window it touched (call after its Touch()es).
  void EndStatement();
  // The windows whose deadline has passed at `now`, closed.
  std::vector<Batch> TakeDue(Clock::time_point now);
  // Every window, closed (SIGTERM).
  std::vector<Batch> TakeAll();
  std::optional<Clock::time_point> NextDeadline() const;
  size_t size() const { return open_.size(); }

 private:
  using Key = std::tuple<std::string, std::string, int, std::string>;
  // The window of (event's cluster and user, database, rule), opened if need be, its deadline
  // moved on by this event.
  Batch& Open(const DdlEvent& event, std::string_view database, int rule,
              const FollowDdlRule& settings);
  std::map<Key, Batch> open_;
  std::vector<Key> touched_;  // by the current statement
};

// Creates one task (TaskService::CreateTask without skips).
using CreateTaskFn = std::function<Result<tasks::CreatedTask>(
    const tasks::Actor&, const tasks::AnalysisSpec&, const tasks::ExecutionOptions&)>;

class Follower : public plugins::DdlFollower {
 public:
  Follower(ConfigPtr config, CreateTaskFn create_task);
  ~Follower() override;

  bool Follows(std::string_view cluster) const override;
  std::shared_ptr<const plugins::FollowedQuery> Read(std::string_view text,
                                                     const sql::Dialect& dialect,
                                                     uint32_t connection_id) const override;
  void Answered(const plugins::FollowedQuery& query, const plugins::SessionContext& session,
                uint32_t ok_statements, bool error) override;

  // SIGHUP: the rules for what comes next.
  void Reload(ConfigPtr config);
  // SIGTERM / stop: every open window makes its task now; then the thread ends. Idempotent.
  void Stop();
  // For tests: the windows open now.
  size_t open_windows();

 private:
  void Run();
  void Process(const DdlEvent& event, const Config& config);
  void Create(const Batch& batch);
  ConfigPtr Current() const;

  CreateTaskFn create_task_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  ConfigPtr config_;
  std::vector<DdlEvent> inbox_;
  Windows windows_;  // the thread's; guarded by mu_ for open_windows()
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace shadowproxy::follow_ddl
