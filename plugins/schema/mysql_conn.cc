#include "plugins/schema/mysql_conn.h"

#include <errmsg.h>
#include <mysql.h>

#include "base/sql_quote.h"

namespace shadowproxy::schema {
namespace {

// Client-side codes that mean "the server is not there (any more)".
bool IsUnreachable(unsigned int code) {
  switch (code) {
    case CR_CONNECTION_ERROR:
    case CR_CONN_HOST_ERROR:
    case CR_UNKNOWN_HOST:
    case CR_SERVER_GONE_ERROR:
    case CR_SERVER_LOST:
    case CR_SERVER_LOST_EXTENDED:
      return true;
    default:
      return false;
  }
}

Status MakeError(MYSQL* m, const std::string& cluster, const std::string& server) {
  unsigned int code = mysql_errno(m);
  std::string msg = mysql_error(m);
  if (IsUnreachable(code)) {
    std::string who = cluster.empty() ? server : "cluster " + cluster + " server " + server;
    return Status(errc::kUnavailable, "backend unavailable: " + who + ": " + msg);
  }
  if (code == 0) code = errc::kInternal;
  const char* state = mysql_sqlstate(m);
  return Status(static_cast<uint16_t>(code), msg,
                state != nullptr && state[0] != '\0' ? state : "HY000");
}

Rows FetchAll(MYSQL_RES* res) {
  Rows rows;
  unsigned int n = mysql_num_fields(res);
  rows.reserve(mysql_num_rows(res));
  while (MYSQL_ROW r = mysql_fetch_row(res)) {
    unsigned long* len = mysql_fetch_lengths(res);
    Row row(n);
    for (unsigned int i = 0; i < n; ++i)
      if (r[i] != nullptr) row[i].emplace(r[i], len[i]);
    rows.push_back(std::move(row));
  }
  return rows;
}

struct ResFree {
  void operator()(MYSQL_RES* r) const { mysql_free_result(r); }
};

}  // namespace

ClusterConnInfo ClusterConnInfo::FromConfig(const ClusterConfig& cluster) {
  ClusterConnInfo info;
  info.name = cluster.name;
  info.servers = cluster.servers;
  info.user = cluster.admin_user;
  info.password = cluster.admin_password;
  info.connect_timeout = cluster.connect_timeout;
  return info;
}

ClusterConnInfo ClusterConnInfo::Local(uint16_t port, std::string user, std::string password) {
  ClusterConnInfo info;
  info.name = "local";
  info.servers.push_back(ServerAddress{"127.0.0.1", port});
  info.user = std::move(user);
  info.password = std::move(password);
  return info;
}

void MysqlConn::Closer::operator()(MYSQL* m) const { mysql_close(m); }

Result<MysqlConn> MysqlConn::Connect(const ClusterConnInfo& info, const std::string& db,
                                     ConnectOptions options) {
  if (info.servers.empty())
    return Status(errc::kUnavailable,
                  "backend unavailable: cluster " + info.name + " has no servers");
  Status last;
  for (const ServerAddress& addr : info.servers) {
    // mysql_init() runs the library's one-time init under pthread_once: safe from any thread.
    std::unique_ptr<MYSQL, Closer> m(mysql_init(nullptr));
    if (!m) return Status(errc::kInternal, "out of memory creating a MySQL handle");
    unsigned int timeout_s = static_cast<unsigned int>((info.connect_timeout.count() + 999) / 1000);
    if (timeout_s == 0) timeout_s = 1;
    mysql_optionsv(m.get(), MYSQL_OPT_CONNECT_TIMEOUT, &timeout_s);
    if (info.io_timeout.count() > 0) {
      unsigned int io_s = static_cast<unsigned int>((info.io_timeout.count() + 999) / 1000);
      mysql_optionsv(m.get(), MYSQL_OPT_READ_TIMEOUT, &io_s);
      mysql_optionsv(m.get(), MYSQL_OPT_WRITE_TIMEOUT, &io_s);
    }
    mysql_optionsv(m.get(), MYSQL_SET_CHARSET_NAME, "utf8mb4");
    my_bool reconnect = 0;
    mysql_optionsv(m.get(), MYSQL_OPT_RECONNECT, &reconnect);
    unsigned long flags = options.multi_statements ? CLIENT_MULTI_STATEMENTS : 0;
    // A numeric host keeps connector-c on TCP ("localhost" would mean the unix socket).
    const std::string host = addr.host == "localhost" ? "127.0.0.1" : addr.host;
    if (mysql_real_connect(m.get(), host.c_str(), info.user.c_str(), info.password.c_str(),
                           db.empty() ? nullptr : db.c_str(), addr.port, nullptr,
                           flags) != nullptr) {
      return MysqlConn(std::move(m), addr.ToString(), info.name);
    }
    last = MakeError(m.get(), info.name, addr.ToString());
    // Only an unreachable server makes us try the next one; a refusal (bad password, unknown
    // database) would be the same everywhere.
    if (last.code() != errc::kUnavailable) return last;
  }
  return last;
}

Status MysqlConn::LastError() const { return MakeError(mysql_.get(), cluster_, server_); }

Result<Rows> MysqlConn::Query(std::string_view sql) {
  if (mysql_real_query(mysql_.get(), sql.data(), sql.size()) != 0) return LastError();
  std::unique_ptr<MYSQL_RES, ResFree> res(mysql_store_result(mysql_.get()));
  if (!res) {
    if (mysql_field_count(mysql_.get()) != 0) return LastError();
    return Rows{};
  }
  return FetchAll(res.get());
}

Status MysqlConn::Execute(std::string_view sql) {
  Result<Rows> r = Query(sql);
  return r.status();
}

MultiResult MysqlConn::QueryMulti(std::string_view sql) {
  MultiResult out;
  if (mysql_real_query(mysql_.get(), sql.data(), sql.size()) != 0) {
    out.error = LastError();
    return out;
  }
  while (true) {
    std::unique_ptr<MYSQL_RES, ResFree> res(mysql_store_result(mysql_.get()));
    if (res) {
      out.results.push_back(FetchAll(res.get()));
    } else if (mysql_field_count(mysql_.get()) != 0) {
      out.error = LastError();
      return out;
    } else {
      out.results.emplace_back();
    }
    int next = mysql_next_result(mysql_.get());
    if (next == -1) return out;  // no more results
    if (next > 0) {              // the next statement failed; the server ran nothing after it
      out.error = LastError();
      return out;
    }
  }
}

std::string MysqlConn::Escape(std::string_view text) const {
  std::string out(text.size() * 2 + 1, '\0');
  unsigned long n = mysql_real_escape_string(mysql_.get(), out.data(), text.data(), text.size());
  out.resize(n);
  return out;
}

std::string MysqlConn::QuoteName(std::string_view name) { return sql::QuoteIdentifier(name); }

uint64_t MysqlConn::thread_id() const { return mysql_thread_id(mysql_.get()); }

uint64_t MysqlConn::affected_rows() const { return mysql_affected_rows(mysql_.get()); }

}  // namespace shadowproxy::schema
