// The relay's hook for followed DDL (SPEC.md §4.8, docs/follow_ddl.md), and all the proxy knows
// of it: each relayed query's text is offered to the follower, which keeps what it read; once
// the backend has answered, the follower hears how many of the query's statements succeeded.
// It never changes a byte of the conversation.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>

#include "base/sql_lexer.h"
#include "plugins/plugin.h"

namespace shadowproxy::plugins {

// What the follower read in one query: opaque to the proxy, handed back with the answer.
class FollowedQuery {
 public:
  virtual ~FollowedQuery() = default;
};

class DdlFollower {
 public:
  virtual ~DdlFollower() = default;
  // Whether the queries of a session on `cluster` are offered at all (asked once a session).
  virtual bool Follows(std::string_view cluster) const = 0;
  // A relayed COM_QUERY or COM_STMT_PREPARE text, as `dialect` reads it; null when it holds
  // nothing to follow. Called on an event loop: cheap, and allocates nothing for a query
  // without DDL. Thread-safe.
  virtual std::shared_ptr<const FollowedQuery> Read(std::string_view text,
                                                    const sql::Dialect& dialect,
                                                    uint32_t connection_id) const = 0;
  // The backend answered `query` (for a prepared one: an execution of it): its first
  // `ok_statements` statements succeeded, and `error` says whether one failed. `session` is the
  // session as it is now (user, roles, cluster, current database). Called on an event loop:
  // hands the work off. Thread-safe.
  virtual void Answered(const FollowedQuery& query, const SessionContext& session,
                        uint32_t ok_statements, bool error) = 0;
};

}  // namespace shadowproxy::plugins
