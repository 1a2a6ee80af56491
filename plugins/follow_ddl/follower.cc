// Following DDL: matching, settle windows, task creation (see follower.h, docs/follow_ddl.md).
#include "plugins/follow_ddl/follower.h"

#include <algorithm>
#include <utility>

#include "base/log.h"
#include "base/metrics.h"
#include "plugins/approval/approval.h"
#include "plugins/schema/naming.h"

namespace shadowproxy::follow_ddl {
namespace {

constexpr std::string_view kLog = "follow_ddl";

struct ReadQuery : plugins::FollowedQuery {
  std::vector<DdlStatement> ddl;
};

std::string Qualified(std::string_view database, std::string_view table) {
  std::string out(database);
  out += '.';
  out += table;
  return out;
}

// "a, b" and, when shadows go too, "a, b; shadows dropped: c".
std::string Touched(const Batch& b) {
  std::string out;
  for (const auto& t : b.tables) {
    if (!out.empty()) out += ", ";
    out += t;
  }
  if (b.drops.empty()) return out;
  if (!out.empty()) out += "; ";
  out += "shadows dropped:";
  for (const auto& t : b.drops) {
    out += ' ';
    out += t;
  }
  return out;
}

}  // namespace

bool IsShadowName(const FollowDdlRule& rule, std::string_view table) {
  return schema::IsShadowName(table, Naming{rule.prefix, rule.suffix});
}

Classified Classify(const Config& config, std::string_view cluster, std::string_view database,
                    std::string_view table) {
  const auto& rules = config.shadow_sync.follow_ddl;
  for (size_t i = 0; i < rules.size(); ++i) {
    const FollowDdlRule& r = rules[i];
    if (!approval::AnyGlob(r.match.clusters, cluster) ||
        !approval::AnyGlob(r.match.databases, database) ||
        !approval::AnyGlob(r.match.tables, table))
      continue;
    if (IsShadowName(r, table)) return {-1, "it is a shadow table"};
    return {static_cast<int>(i), ""};
  }
  return {-1, "no follow_ddl rule matches it"};
}

std::string Remarks(const Batch& batch) {
  std::string out = "follow: ";
  out += batch.first_summary;
  if (batch.statements > 1) {
    out += " (+";
    out += std::to_string(batch.statements - 1);
    out += " more)";
  }
  out += " by ";
  out += batch.user;
  out += " at ";
  const std::string when = FormatTime(batch.first_wall);
  out += when.size() > 11 ? when.substr(11) : when;  // HH:MM:SS
  return out;
}

// ---- Windows ----

Batch& Windows::Open(const DdlEvent& event, std::string_view database, int rule,
                     const FollowDdlRule& settings) {
  Key key{event.cluster, std::string(database), rule, event.user};
  auto [it, fresh] = open_.try_emplace(key);
  Batch& b = it->second;
  if (fresh) {
    b.cluster = event.cluster;
    b.database = std::string(database);
    b.rule = rule;
    b.settings = settings;
    b.user = event.user;
    b.roles = event.roles;
    b.first_summary = event.ddl.summary;
    b.first_wall = event.wall;
    b.opened = event.at;
  }
  const Clock::duration settle = b.settings.settle;
  const Clock::duration cap = std::max<Clock::duration>(kMinMaxWindow, settle * kMaxWindowSettles);
  b.deadline = std::min(event.at + settle, b.opened + cap);
  if (std::find(touched_.begin(), touched_.end(), key) == touched_.end()) touched_.push_back(key);
  return b;
}

void Windows::Touch(const DdlEvent& event, std::string_view database, int rule,
                    const FollowDdlRule& settings, const std::string& table) {
  Batch& b = Open(event, database, rule, settings);
  b.drops.erase(std::remove(b.drops.begin(), b.drops.end(), table), b.drops.end());
  if (std::find(b.tables.begin(), b.tables.end(), table) == b.tables.end())
    b.tables.push_back(table);
}

void Windows::DropShadow(const DdlEvent& event, std::string_view database, int rule,
                         const FollowDdlRule& settings, const std::string& table) {
  Batch& b = Open(event, database, rule, settings);
  if (std::find(b.drops.begin(), b.drops.end(), table) == b.drops.end()) b.drops.push_back(table);
}

void Windows::Drop(const DdlEvent& event, std::string_view database, const std::string& table) {
  for (auto& [key, b] : open_) {
    if (b.cluster != event.cluster || b.database != database) continue;
    b.tables.erase(std::remove(b.tables.begin(), b.tables.end(), table), b.tables.end());
  }
}

void Windows::EndStatement() {
  for (const Key& k : touched_) {
    auto it = open_.find(k);
    if (it != open_.end()) ++it->second.statements;
  }
  touched_.clear();
}

std::vector<Batch> Windows::TakeDue(Clock::time_point now) {
  std::vector<Batch> due;
  for (auto it = open_.begin(); it != open_.end();) {
    if (it->second.deadline <= now) {
      due.push_back(std::move(it->second));
      it = open_.erase(it);
    } else {
      ++it;
    }
  }
  return due;
}

std::vector<Batch> Windows::TakeAll() {
  std::vector<Batch> all;
  for (auto& [key, b] : open_) all.push_back(std::move(b));
  open_.clear();
  return all;
}

std::optional<Clock::time_point> Windows::NextDeadline() const {
  std::optional<Clock::time_point> next;
  for (const auto& [key, b] : open_)
    if (!next || b.deadline < *next) next = b.deadline;
  return next;
}

// ---- Follower ----

Follower::Follower(ConfigPtr config, CreateTaskFn create_task)
    : create_task_(std::move(create_task)), config_(std::move(config)) {
  thread_ = std::thread([this] { Run(); });
}

Follower::~Follower() { Stop(); }

ConfigPtr Follower::Current() const {
  std::lock_guard<std::mutex> lock(mu_);
  return config_;
}

void Follower::Reload(ConfigPtr config) {
  std::lock_guard<std::mutex> lock(mu_);
  config_ = std::move(config);
}

bool Follower::Follows(std::string_view cluster) const {
  ConfigPtr c = Current();
  for (const auto& r : c->shadow_sync.follow_ddl)
    if (approval::AnyGlob(r.match.clusters, cluster)) return true;
  return false;
}

std::shared_ptr<const plugins::FollowedQuery> Follower::Read(std::string_view text,
                                                             const sql::Dialect& dialect,
                                                             uint32_t connection_id) const {
  ReadResult r = ReadDdl(text, dialect);
  if (!r.unreadable.empty())
    log::Debug(kLog, {{"session", connection_id}}, "session ", connection_id,
               ": the rest of a query is not followed, it cannot be read: ", r.unreadable);
  if (r.ddl.empty()) return nullptr;
  auto q = std::make_shared<ReadQuery>();
  q->ddl = std::move(r.ddl);
  return q;
}

void Follower::Answered(const plugins::FollowedQuery& query, const plugins::SessionContext& session,
                        uint32_t ok_statements, bool error) {
  const auto& q = static_cast<const ReadQuery&>(query);
  std::vector<DdlEvent> events;
  const auto now = Clock::now();
  const TimePoint wall = Now();
  for (const DdlStatement& d : q.ddl) {
    const bool ok = d.index_known ? d.index < ok_statements : !error;
    if (!ok) {
      metrics::ShadowSyncFollowTotal("ignored").Increment();
      log::Debug(kLog, {{"session", session.connection_id}}, "session ", session.connection_id,
                 ": ", d.summary, " not followed: the backend answered it with an error");
      continue;
    }
    DdlEvent e;
    e.cluster = session.cluster;
    e.user = session.user;
    e.roles = session.roles;
    e.connection_id = session.connection_id;
    e.ddl = d;
    e.at = now;
    e.wall = wall;
    bool no_db = false;
    for (auto* list : {&e.ddl.tables, &e.ddl.dropped})
      for (TableRef& t : *list) {
        if (t.database.empty()) t.database = session.database;
        no_db |= t.database.empty();
      }
    if (no_db) {
      metrics::ShadowSyncFollowTotal("ignored").Increment();
      log::Debug(kLog, {{"session", session.connection_id}}, "session ", session.connection_id,
                 ": ", d.summary, " not followed: no database selected");
      continue;
    }
    events.push_back(std::move(e));
  }
  if (events.empty()) return;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stop_) {
      log::Warn(kLog, "shutting down: ", events.size(), " DDL statement(s) by ", session.user,
                " answered too late to be followed");
      return;
    }
    for (auto& e : events) inbox_.push_back(std::move(e));
  }
  cv_.notify_one();
}

// On the follower's thread, with mu_ held.
void Follower::Process(const DdlEvent& e, const Config& config) {
  const std::string& user = e.user;
  bool followed = false;
  for (const TableRef& t : e.ddl.dropped) {
    windows_.Drop(e, t.database, t.table);
    Classified c = Classify(config, e.cluster, t.database, t.table);
    if (c.rule < 0) continue;
    const FollowDdlRule& r = config.shadow_sync.follow_ddl[c.rule];
    if (r.drop_shadows) {
      windows_.DropShadow(e, t.database, c.rule, r, t.table);
      followed = true;
      continue;
    }
    std::string shadow = r.prefix;
    shadow += t.table;
    shadow += r.suffix;
    log::Warn(kLog, {{"session", e.connection_id}, {"user", user}}, e.ddl.summary, " by ", user,
              ": the shadow ", Qualified(t.database, shadow), " of ",
              Qualified(t.database, t.table), " is left as it is (drop_shadows is off)");
  }
  for (const TableRef& t : e.ddl.tables) {
    Classified c = Classify(config, e.cluster, t.database, t.table);
    if (c.rule < 0) {
      log::Debug(kLog, {{"session", e.connection_id}}, "session ", e.connection_id, ": ",
                 e.ddl.summary, ": ", Qualified(t.database, t.table), " not followed: ", c.reason);
      continue;
    }
    windows_.Touch(e, t.database, c.rule, config.shadow_sync.follow_ddl[c.rule], t.table);
    followed = true;
  }
  windows_.EndStatement();
  if (!followed) metrics::ShadowSyncFollowTotal("ignored").Increment();
}

void Follower::Create(const Batch& b) {
  if (b.tables.empty() && b.drops.empty()) {
    log::Debug(kLog, "no task for ", b.database, ": every table it touched was dropped since");
    return;
  }
  tasks::Actor actor{b.user, b.roles, b.cluster};
  tasks::AnalysisSpec spec;
  spec.database = b.database;
  spec.tables = b.tables;
  spec.drop_tables = b.drops;
  spec.naming = Naming{b.settings.prefix, b.settings.suffix};
  tasks::ExecutionOptions options;
  options.mode = b.settings.execute_manually ? tasks::ExecutionMode::kManual
                                             : tasks::ExecutionMode::kImmediate;
  options.error_strategy =
      b.settings.continue_on_error ? tasks::ErrorStrategy::kContinue : tasks::ErrorStrategy::kAbort;
  options.remarks = Remarks(b);
  auto created = create_task_ ? create_task_(actor, spec, options)
                              : Result<tasks::CreatedTask>(Status(errc::kInternal, "no service"));
  if (!created.ok()) {
    metrics::ShadowSyncFollowTotal("error").Increment();
    log::Warn(kLog, {{"user", b.user}, {"database", b.database}}, "no task for ", b.database, " (",
              Touched(b), ") after ", b.statements, " DDL statement(s) by ", b.user, ": ",
              created.status().ToString());
    return;
  }
  metrics::ShadowSyncFollowTotal("task").Increment();
  log::Info(kLog, {{"task", created->task.id}, {"user", b.user}, {"database", b.database}}, "task ",
            created->task.id, " (", tasks::ToString(created->task.status), ") for ", b.database,
            " (", Touched(b), ") after ", b.statements, " DDL statement(s): ", options.remarks);
}

void Follower::Run() {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    if (!inbox_.empty()) {
      std::vector<DdlEvent> events = std::move(inbox_);
      inbox_.clear();
      ConfigPtr config = config_;
      for (const DdlEvent& e : events) Process(e, *config);
    }
    std::vector<Batch> due = stop_ ? windows_.TakeAll() : windows_.TakeDue(Clock::now());
    if (!due.empty()) {
      lock.unlock();  // CreateTask blocks on the metadb and the backend
      for (const Batch& b : due) Create(b);
      lock.lock();
      continue;
    }
    if (stop_) return;
    if (!inbox_.empty()) continue;
    if (auto next = windows_.NextDeadline())
      cv_.wait_until(lock, *next);
    else
      cv_.wait(lock);
  }
}

void Follower::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stop_) return;
    stop_ = true;
    if (windows_.size() > 0)
      log::Info(kLog, "shutting down: ", windows_.size(),
                " settle window(s) still open make their tasks now");
  }
  cv_.notify_one();
  if (thread_.joinable()) thread_.join();
}

size_t Follower::open_windows() {
  std::lock_guard<std::mutex> lock(mu_);
  return windows_.size();
}

}  // namespace shadowproxy::follow_ddl
