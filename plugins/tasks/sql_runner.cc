#include "plugins/tasks/sql_runner.h"

#include <mutex>

#include "plugins/tasks/sql_link.h"

namespace shadowproxy::tasks {
namespace {

class MysqlSession : public SqlSession {
 public:
  MysqlSession(std::unique_ptr<SqlLink> link, LinkTarget same_server)
      : link_(std::move(link)),
        thread_id_(link_->thread_id()),
        kill_target_(std::move(same_server)) {}

  Status Execute(const std::string& sql) override { return link_->Execute(sql); }

  Status KillRunning() override {
    // A second connection to the very server the session is on.
    auto killer = SqlLink::Connect(kill_target_);
    if (!killer.ok()) return killer.status();
    Status s = (*killer)->Execute("KILL QUERY " + std::to_string(thread_id_));
    if (s.code() == 1094) return Status::Ok();  // unknown thread: it already ended
    return s;
  }

 private:
  std::unique_ptr<SqlLink> link_;
  uint64_t thread_id_;
  LinkTarget kill_target_;
};

}  // namespace

Result<std::unique_ptr<SqlSession>> MysqlSqlRunner::Open(const std::string& cluster,
                                                         const std::string& database) {
  const ClusterConfig* found = nullptr;
  for (const auto& c : clusters_)
    if (c.name == cluster) found = &c;
  if (found == nullptr)
    return Status(errc::kUnavailable, "cluster '" + cluster + "' is not configured");
  LinkTarget target = LinkTarget::ForCluster(*found, "cluster '" + cluster + "'", database);
  auto link = SqlLink::Connect(target);
  if (!link.ok()) return link.status();
  LinkTarget same = target;
  same.database.clear();
  same.servers.clear();
  // The server the session reached: "host:port".
  const std::string& where = (*link)->server();
  size_t colon = where.rfind(':');
  same.servers.push_back(ServerAddress{where.substr(0, colon),
                                       static_cast<uint16_t>(std::stoi(where.substr(colon + 1)))});
  return std::unique_ptr<SqlSession>(new MysqlSession(std::move(link).value(), std::move(same)));
}

}  // namespace shadowproxy::tasks
