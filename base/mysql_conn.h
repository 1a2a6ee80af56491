// The one MySQL client layer of the proxy's own connections (schema reads, DDL execution, the
// metadb): a blocking mariadb-connector-c connection wrapped in RAII, with the few query helpers
// its users need. One MysqlConn belongs to one thread at a time; base/mysql_pool.h shares them.
// Server errors keep their code, SQLSTATE and message; a server that cannot be reached, or a
// connection lost mid-statement, is ERR 7030 naming the target and server, and marks the
// connection broken() so it is never used again.
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

namespace shadowproxy::sql {

// How to reach one cluster (or the metadb): its servers are tried in order.
struct ClusterConnInfo {
  std::string name;   // cluster name
  std::string label;  // how messages name it; "" = "cluster '<name>'"
  std::vector<ServerAddress> servers;
  std::string user = "root";
  std::string password;
  std::chrono::milliseconds connect_timeout = std::chrono::seconds(5);
  // 0 = none. Applies to reads and writes on the socket (a hung server ends as ERR 7030).
  std::chrono::milliseconds io_timeout{0};
  BackendTlsConfig tls{BackendTlsMode::kDisabled, "", "", ""};  // FromConfig: the cluster's

  // The cluster's admin account (what schema reads, DDL and the metadb log in with).
  static ClusterConnInfo FromConfig(const ClusterConfig& cluster);
  static ClusterConnInfo Local(uint16_t port, std::string user = "root", std::string password = "");
  std::string Label() const { return label.empty() ? "cluster '" + name + "'" : label; }
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
  // ERR 7030 naming every server tried when none answers; a refusal (bad password, unknown
  // database) is the server's error at once, since every server would give the same.
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
  // A round trip that proves the connection still works (false marks it broken).
  bool Ping();

  // Escapes text for use between single quotes, honouring the connection's charset and the
  // server's NO_BACKSLASH_ESCAPES mode.
  std::string Escape(std::string_view text) const;
  // `name` between backticks, with backticks doubled: safe whatever the name contains.
  static std::string QuoteName(std::string_view name);
  // 'text' with the quotes.
  std::string Quote(std::string_view text) const {
    // Appended, not "'" + Escape(text): GCC 12 at -O3 warns falsely (-Wrestrict, GCC bug
    // 105329) on a literal put in front of a temporary string.
    std::string quoted(1, '\'');
    quoted += Escape(text);
    quoted += '\'';
    return quoted;
  }

  // The server this connection reached ("host:port") and the server's thread id (for KILL).
  const std::string& server() const { return server_; }
  // The same target narrowed to the server this connection reached (for a KILL connection).
  ClusterConnInfo SameServer() const;
  uint64_t thread_id() const;
  // The server's version string as its greeting gave it ("10.11.6-MariaDB",
  // "5.7.25-OceanBase_CE-v4.2.1.2", "8.0.36"): what tells the schema engine's dialects apart.
  std::string server_version() const;
  // The last statement's affected rows (for INSERT/UPDATE/DELETE) and AUTO_INCREMENT id.
  uint64_t affected_rows() const;
  uint64_t insert_id() const;
  // A transaction is open on the server (from the last OK's status flags).
  bool in_transaction() const;
  // The connection was lost (or never worked): drop it, never reuse it.
  bool broken() const { return broken_; }
  // How many statements (Query, Execute, QueryMulti) this connection has sent.
  uint64_t statements() const { return statements_; }

 private:
  struct Closer {
    void operator()(MYSQL* m) const;
  };
  MysqlConn(std::unique_ptr<MYSQL, Closer> mysql, std::string server, ClusterConnInfo info)
      : mysql_(std::move(mysql)), server_(std::move(server)), info_(std::move(info)) {}
  Status LastError();

  std::unique_ptr<MYSQL, Closer> mysql_;
  std::string server_;
  ClusterConnInfo info_;
  bool broken_ = false;
  uint64_t statements_ = 0;
};

// True if `s` is ERR 7030: the target is unreachable or the connection was lost.
bool IsUnavailable(const Status& s);

}  // namespace shadowproxy::sql
