// The relay's hook for shadow routing (SPEC.md §9, docs/shadow_routing.md), and all the proxy
// knows of it: a shadow session's COM_QUERY / COM_STMT_PREPARE text goes to the router, which
// answers with the text to send instead or a refusal (ERR 7040). Sessions of a cluster no rule
// matches never see a router (their relay is unchanged).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "base/config.h"
#include "base/sql_lexer.h"

namespace shadowproxy::plugins {

struct RouteRequest {
  std::string cluster;
  std::string database;  // the session's current database ("" = none)
  std::string text;
  sql::Dialect dialect;
  uint32_t connection_id = 0;
  std::string user;  // for the WARN of a refusal
};

struct Routed {
  bool ok = false;
  std::string text;     // ok: what to send
  std::string message;  // !ok: the ERR 7040 message ("shadow routing: <why>")
};

class ShadowRouter {
 public:
  virtual ~ShadowRouter() = default;
  // Whether a rule matches `cluster` (asked once a session; false: the session is relayed as
  // if shadow routing did not exist, and is never marked).
  virtual bool Routes(std::string_view cluster) const = 0;
  // Whether the config has any rule (none: shadow routing is off, and no session is marked).
  virtual bool Enabled() const = 0;
  // The marking options of the config the router runs with.
  virtual ShadowRoutingOptions Options() const = 0;
  // Whether `text` carries a per-statement shadow mark (sqlcommenter shadow='1', a leading
  // /* shadow */). Called on an event loop for every query of a session of a routed cluster
  // when shadow_routing_options.statement_comments is on: one pass over the bytes. Thread-safe.
  virtual bool HasMark(std::string_view text, const sql::Dialect& dialect) const = 0;
  // Called on an event loop. Returns the answer when it is known now (the tables it needs are
  // in the catalog cache); otherwise nullopt, and done(answer) is called later on a worker
  // thread. Counts the metric and logs a refusal. Thread-safe.
  virtual std::optional<Routed> Route(const RouteRequest& request,
                                      std::function<void(Routed)> done) = 0;
};

}  // namespace shadowproxy::plugins
