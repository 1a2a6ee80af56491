// A blocking MySQL/MariaDB client connection (mariadb-connector-c) wrapped in RAII, with the few
// query helpers the schema engine and the task center need. One MysqlConn belongs to one thread
// at a time; open one per worker. Errors come back as Status carrying the server's error code,
// or ERR 7030 naming the server when it cannot be reached.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/config.h"
#include "base/status.h"

typedef struct st_mysql MYSQL;  // NOLINT: connector-c's type, kept out of our headers

namespace shadowproxy::schema {

// How to reach one cluster: its servers are tried in order.
struct ClusterConnInfo {
  std::string name;  // cluster name, for messages
  std::vector<ServerAddress> servers;
  std::string user = "root";
  std::string password;
  std::chrono::milliseconds connect_timeout = std::chrono::seconds(5);
  // 0 = none. Applies to reads and writes on the socket (a hung server ends as ERR 7030).
  std::chrono::milliseconds io_timeout{0};

  static ClusterConnInfo FromConfig(const ClusterConfig& cluster);
  static ClusterConnInfo Local(uint16_t port, std::string user = "root", std::string password = "");
};

using Row = std::vector<std::optional<std::string>>;  // std::nullopt = SQL NULL
using Rows = std::vector<Row>;

struct ConnectOptions {
  // Allows several statements in one query string (one round trip). Off by default: only turn
  // it on for connections that send text we built ourselves.
  bool multi_statements = false;
};

// The result of a multi-statement query: the rows of each statement that ran, in order, and the
// error of the statement that failed (results.size() is its index), if any.
struct MultiResult {
  std::vector<Rows> results;
  Status error;
};

class MysqlConn {
 public:
  // Connects to the first reachable server of `info`; `db` may be empty (no default database).
  static Result<MysqlConn> Connect(const ClusterConnInfo& info, const std::string& db = "",
                                   ConnectOptions options = {});

  MysqlConn(MysqlConn&&) noexcept = default;
  MysqlConn& operator=(MysqlConn&&) noexcept = default;
  MysqlConn(const MysqlConn&) = delete;
  MysqlConn& operator=(const MysqlConn&) = delete;
  ~MysqlConn() = default;

  // Runs one statement and returns its rows (empty for statements without a result set).
  Result<Rows> Query(std::string_view sql);
  // Runs one statement, discarding any rows.
  Status Execute(std::string_view sql);
  // Runs a multi-statement string (needs ConnectOptions::multi_statements) and drains every
  // result, so the connection is usable afterwards whatever happened.
  MultiResult QueryMulti(std::string_view sql);

  // Escapes text for use between single quotes, honouring the connection's charset and the
  // server's NO_BACKSLASH_ESCAPES mode.
  std::string Escape(std::string_view text) const;
  // `name` between backticks, with backticks doubled: safe whatever the name contains.
  static std::string QuoteName(std::string_view name);
  // 'text' with the quotes.
  std::string Quote(std::string_view text) const { return "'" + Escape(text) + "'"; }

  // The server this connection reached ("host:port") and the server's thread id (for KILL).
  const std::string& server() const { return server_; }
  uint64_t thread_id() const;
  // The last statement's affected rows (for INSERT/UPDATE/DELETE).
  uint64_t affected_rows() const;

 private:
  struct Closer {
    void operator()(MYSQL* m) const;
  };
  MysqlConn(std::unique_ptr<MYSQL, Closer> mysql, std::string server, std::string cluster)
      : mysql_(std::move(mysql)), server_(std::move(server)), cluster_(std::move(cluster)) {}
  Status LastError() const;

  std::unique_ptr<MYSQL, Closer> mysql_;
  std::string server_;
  std::string cluster_;
};

}  // namespace shadowproxy::schema
