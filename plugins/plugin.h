// The interface of what the proxy answers itself (DESIGN.md §2), and all the proxy knows of it.
// A plugin never sees a socket: it receives the statement text and the session's context, runs
// it on its own worker threads, and hands back an answer that the proxy encodes on the session's
// event loop. It also follows the proxy's lifecycle: SIGHUP, SIGTERM, stop.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "base/config.h"
#include "base/sql_lexer.h"
#include "base/status.h"

namespace shadowproxy::plugins {

struct SessionContext {
  std::string user;                // authenticated user name (as the client logged in)
  std::vector<std::string> roles;  // from the config's users entry; empty for pass-through users
  std::string cluster;             // the session's cluster
  std::string database;            // current database, "" if none
  std::string client_host;         // peer address, for messages
  uint32_t connection_id = 0;
  // How the session's server reads SQL text (its kind and version, and whether
  // NO_BACKSLASH_ESCAPES is on now): the statement is tokenized the way the relay read it.
  sql::Dialect dialect;
};

struct OkAnswer {
  uint64_t affected_rows = 0;
  uint64_t last_insert_id = 0;
  uint16_t warnings = 0;
  std::string info;
  // SHADOW SYNC SET SESSION SHADOW = ON | OFF: what the session becomes (the relay applies it).
  std::optional<bool> shadow_session = {};
};

// Every value is sent as text; std::nullopt is SQL NULL.
struct ResultSetAnswer {
  std::vector<std::string> columns;
  std::vector<std::vector<std::optional<std::string>>> rows;
};

// A Status that is not ok() becomes an ERR packet with its code, SQLSTATE and message.
using Answer = std::variant<OkAnswer, ResultSetAnswer, Status>;

class DdlFollower;   // plugins/ddl_follower.h
class ShadowRouter;  // plugins/shadow_router.h

class StatementPlugin {
 public:
  virtual ~StatementPlugin() = default;
  // Answers the query (already known to start with the plugin's keywords) on the calling
  // thread; may block (metadb, backend schema reads). Thread-safe.
  virtual Answer Handle(const SessionContext& session, std::string_view query) = 0;
  // Whether answering `query` (read as `dialect` reads it) uses SessionContext::database (the
  // session's current database); when not, the proxy does not ask the backend for it first.
  // Called on an event loop: cheap.
  virtual bool NeedsDatabase(std::string_view query, const sql::Dialect& dialect) const = 0;
  // Runs Handle() on the plugin's worker pool and calls done(answer) on that worker thread.
  virtual void Submit(SessionContext session, std::string query,
                      std::function<void(Answer)> done) = 0;
  // SIGHUP: `config` applies to what comes next.
  virtual void Reload(ConfigPtr config) = 0;
  // SIGTERM: start no more background work; statements are still answered. Idempotent.
  virtual void BeginShutdown() = 0;
  // Lets running work finish until `deadline`, then stops it (recording its state) and joins
  // the workers. Submit() is not called after this.
  virtual void Stop(std::chrono::steady_clock::time_point deadline) = 0;
  // What follows relayed DDL (shadow_sync.follow_ddl), if anything; lives as long as the plugin.
  virtual DdlFollower* follower() const { return nullptr; }
  // What rewrites shadow sessions' statements (shadow_routing), if anything; lives as long as
  // the plugin.
  virtual ShadowRouter* router() const { return nullptr; }
};

}  // namespace shadowproxy::plugins
