#include "plugins/tasks/sql_runner.h"

#include "base/mysql_conn.h"

namespace shadowproxy::tasks {
namespace {

class MysqlSession : public SqlSession {
 public:
  explicit MysqlSession(sql::MysqlConn conn)
      : conn_(std::move(conn)), thread_id_(conn_.thread_id()), same_server_(conn_.SameServer()) {}

  Status Execute(const std::string& sql) override { return conn_.Execute(sql); }

  Status KillRunning() override {
    // A second connection to the very server the session is on.
    auto killer = sql::MysqlConn::Connect(same_server_);
    if (!killer.ok()) return killer.status();
    Status s = killer->Execute("KILL QUERY " + std::to_string(thread_id_));
    if (s.code() == 1094) return Status::Ok();  // unknown thread: it already ended
    return s;
  }

 private:
  sql::MysqlConn conn_;
  uint64_t thread_id_;
  sql::ClusterConnInfo same_server_;
};

}  // namespace

Result<std::unique_ptr<SqlSession>> MysqlSqlRunner::Open(const std::string& cluster,
                                                         const std::string& database) {
  const ClusterConfig* found = nullptr;
  for (const auto& c : clusters_)
    if (c.name == cluster) found = &c;
  if (found == nullptr)
    return Status(errc::kUnavailable, "cluster '" + cluster + "' is not configured");
  auto conn = sql::MysqlConn::Connect(sql::ClusterConnInfo::FromConfig(*found), database);
  if (!conn.ok()) return conn.status();
  return std::unique_ptr<SqlSession>(new MysqlSession(std::move(conn).value()));
}

}  // namespace shadowproxy::tasks
