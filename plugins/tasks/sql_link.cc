#include "plugins/tasks/sql_link.h"

#include <mysql.h>

namespace shadowproxy::tasks {

LinkTarget LinkTarget::ForCluster(const ClusterConfig& cluster, std::string what,
                                  std::string database) {
  LinkTarget t;
  t.what = std::move(what);
  t.servers = cluster.servers;
  t.user = cluster.admin_user;
  t.password = cluster.admin_password;
  t.database = std::move(database);
  t.connect_timeout = cluster.connect_timeout;
  return t;
}

Result<std::unique_ptr<SqlLink>> SqlLink::Connect(const LinkTarget& target) {
  std::string errors;
  for (const auto& server : target.servers) {
    MYSQL* m = mysql_init(nullptr);
    if (m == nullptr) return Status(errc::kInternal, "out of memory (mysql_init)");
    unsigned int timeout = static_cast<unsigned int>(
        std::max<int64_t>(1, (target.connect_timeout.count() + 999) / 1000));
    mysql_options(m, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
    mysql_options(m, MYSQL_SET_CHARSET_NAME, "utf8mb4");
    my_bool no = 0;
    mysql_options(m, MYSQL_OPT_RECONNECT, &no);
    if (mysql_real_connect(m, server.host.c_str(), target.user.c_str(), target.password.c_str(),
                           target.database.empty() ? nullptr : target.database.c_str(), server.port,
                           nullptr, 0) != nullptr) {
      return std::unique_ptr<SqlLink>(new SqlLink(m, server.ToString()));
    }
    unsigned int code = mysql_errno(m);
    std::string msg = mysql_error(m);
    mysql_close(m);
    // A server that answered with a real error (e.g. unknown database) is not "unavailable".
    if (code != 0 && code < 2000)
      return Status(static_cast<uint16_t>(code),
                    target.what + " " + server.ToString() + ": " + msg);
    if (!errors.empty()) errors += "; ";
    errors += server.ToString() + ": " + msg;
  }
  return Status(errc::kUnavailable,
                target.what + " unavailable (" + (errors.empty() ? "no servers" : errors) + ")");
}

SqlLink::~SqlLink() {
  if (mysql_ != nullptr) mysql_close(mysql_);
}

Status SqlLink::LastError() const {
  unsigned int code = mysql_errno(mysql_);
  std::string msg = mysql_error(mysql_);
  if (code >= 2000) return Status(errc::kUnavailable, "server " + server_ + " unavailable: " + msg);
  return Status(static_cast<uint16_t>(code), msg, mysql_sqlstate(mysql_));
}

bool SqlLink::IsConnectionError(const Status& s) { return s.code() == errc::kUnavailable; }

Result<SqlRows> SqlLink::Query(std::string_view sql) {
  if (mysql_real_query(mysql_, sql.data(), sql.size()) != 0) return LastError();
  SqlRows rows;
  MYSQL_RES* res = mysql_store_result(mysql_);
  if (res == nullptr) {
    if (mysql_field_count(mysql_) != 0) return LastError();
    return rows;
  }
  unsigned int n = mysql_num_fields(res);
  while (MYSQL_ROW row = mysql_fetch_row(res)) {
    unsigned long* lengths = mysql_fetch_lengths(res);
    SqlRow out;
    out.reserve(n);
    for (unsigned int i = 0; i < n; ++i) {
      if (row[i] == nullptr)
        out.emplace_back(std::nullopt);
      else
        out.emplace_back(std::string(row[i], lengths[i]));
    }
    rows.push_back(std::move(out));
  }
  mysql_free_result(res);
  return rows;
}

Status SqlLink::Execute(std::string_view sql) {
  auto r = Query(sql);
  return r.status();
}

uint64_t SqlLink::affected_rows() const { return mysql_affected_rows(mysql_); }
uint64_t SqlLink::insert_id() const { return mysql_insert_id(mysql_); }
uint64_t SqlLink::thread_id() const { return mysql_thread_id(mysql_); }

std::string SqlLink::Quote(std::string_view text) const {
  std::string out(text.size() * 2 + 1, '\0');
  unsigned long n = mysql_real_escape_string(mysql_, out.data(), text.data(), text.size());
  out.resize(n);
  return "'" + out + "'";
}

}  // namespace shadowproxy::tasks
