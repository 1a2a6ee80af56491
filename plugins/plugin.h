// The interface of what the proxy answers itself (DESIGN.md §2). A plugin never sees a socket:
// it receives the statement text and the session's context on a worker thread, and returns an
// answer that the proxy encodes on the session's event loop.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "base/status.h"

namespace shadowproxy::plugins {

struct SessionContext {
  std::string user;                // authenticated user name (as the client logged in)
  std::vector<std::string> roles;  // from the config's users entry; empty for pass-through users
  std::string cluster;             // the session's cluster
  std::string database;            // current database, "" if none
  std::string client_host;         // peer address, for messages
  uint32_t connection_id = 0;
};

struct OkAnswer {
  uint64_t affected_rows = 0;
  uint64_t last_insert_id = 0;
  uint16_t warnings = 0;
  std::string info;
};

// Every value is sent as text; std::nullopt is SQL NULL.
struct ResultSetAnswer {
  std::vector<std::string> columns;
  std::vector<std::vector<std::optional<std::string>>> rows;
};

// A Status that is not ok() becomes an ERR packet with its code, SQLSTATE and message.
using Answer = std::variant<OkAnswer, ResultSetAnswer, Status>;

class StatementPlugin {
 public:
  virtual ~StatementPlugin() = default;
  // True if this plugin answers the query (already known to start with its keywords).
  // Called on a worker thread; may block (metadb, backend schema reads).
  virtual Answer Handle(const SessionContext& session, std::string_view query) = 0;
};

}  // namespace shadowproxy::plugins
