// A small blocking connector-c connection for the task center (metadb store, executor), RAII
// over MYSQL*. Kept in plugins/tasks so the store does not depend on the schema engine's build.
// Unreachable servers become ERR 7030 naming them; server errors keep their code and SQLSTATE.
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

typedef struct st_mysql MYSQL;  // NOLINT: connector-c's type

namespace shadowproxy::tasks {

using SqlRow = std::vector<std::optional<std::string>>;
using SqlRows = std::vector<SqlRow>;

struct LinkTarget {
  std::string what;  // "metadb" or "cluster 'x'", for messages
  std::vector<ServerAddress> servers;
  std::string user = "root";
  std::string password;
  std::string database;  // may be empty
  Duration connect_timeout = std::chrono::seconds(5);

  static LinkTarget ForCluster(const ClusterConfig& cluster, std::string what,
                               std::string database = "");
};

class SqlLink {
 public:
  // The first server of target that answers; ERR 7030 naming every server tried otherwise.
  static Result<std::unique_ptr<SqlLink>> Connect(const LinkTarget& target);
  ~SqlLink();
  SqlLink(const SqlLink&) = delete;
  SqlLink& operator=(const SqlLink&) = delete;

  Result<SqlRows> Query(std::string_view sql);
  Status Execute(std::string_view sql);
  uint64_t affected_rows() const;
  uint64_t insert_id() const;
  uint64_t thread_id() const;
  const std::string& server() const { return server_; }
  // 'text' quoted and escaped for this connection.
  std::string Quote(std::string_view text) const;
  // True if the last error means the connection is gone (reconnect before retrying).
  static bool IsConnectionError(const Status& s);

 private:
  SqlLink(MYSQL* mysql, std::string server) : mysql_(mysql), server_(std::move(server)) {}
  Status LastError() const;
  MYSQL* mysql_;
  std::string server_;
};

}  // namespace shadowproxy::tasks
