#include "base/mysql_conn.h"

#include <errmsg.h>
#include <mysql.h>

#include "base/sql_quote.h"

namespace shadowproxy::sql {
namespace {

// Codes that mean the connection is gone (or never came up): every client-side code (the
// library's own 2000-2999), and the server telling us it is going away or killed us.
bool IsConnectionLost(unsigned int code) {
  return (code >= 2000 && code < 3000) || code == 1053 /* ER_SERVER_SHUTDOWN */ ||
         code == 1927 /* ER_CONNECTION_KILLED */;
}

Status Unavailable(const ClusterConnInfo& info, const std::string& why) {
  return Status(errc::kUnavailable, info.Label() + " unavailable (" + why + ")");
}

Status ServerError(MYSQL* m) {
  unsigned int code = mysql_errno(m);
  if (code == 0) code = errc::kInternal;
  const char* state = mysql_sqlstate(m);
  return Status(static_cast<uint16_t>(code), mysql_error(m),
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

// clusters[].tls as connector-c options, the same modes as the relay's (proxy/auth.cc).
void SetTlsOptions(MYSQL* m, const BackendTlsConfig& tls) {
  if (tls.mode == BackendTlsMode::kDisabled) return;
  auto opt = [](const std::string& s) { return s.empty() ? nullptr : s.c_str(); };
  // Asks for TLS when the server offers it (preferred); the modes below insist.
  mysql_ssl_set(m, opt(tls.key), opt(tls.cert), opt(tls.ca), nullptr, nullptr);
  my_bool enforce = tls.mode != BackendTlsMode::kPreferred;
  mysql_optionsv(m, MYSQL_OPT_SSL_ENFORCE, &enforce);
  my_bool verify = tls.mode == BackendTlsMode::kVerifyIdentity;
  mysql_optionsv(m, MYSQL_OPT_SSL_VERIFY_SERVER_CERT, &verify);
}

}  // namespace

ClusterConnInfo ClusterConnInfo::FromConfig(const ClusterConfig& cluster) {
  ClusterConnInfo info;
  info.name = cluster.name;
  info.servers = cluster.servers;
  info.user = cluster.admin_user;
  info.password = cluster.admin_password;
  info.connect_timeout = cluster.connect_timeout;
  info.tls = cluster.tls;
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
  if (info.servers.empty()) return Unavailable(info, "no servers configured");
  std::string tried;
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
    SetTlsOptions(m.get(), info.tls);
    unsigned long flags = options.multi_statements ? CLIENT_MULTI_STATEMENTS : 0;
    // A numeric host keeps connector-c on TCP ("localhost" would mean the unix socket).
    const std::string host = addr.host == "localhost" ? "127.0.0.1" : addr.host;
    if (mysql_real_connect(m.get(), host.c_str(), info.user.c_str(), info.password.c_str(),
                           db.empty() ? nullptr : db.c_str(), addr.port, nullptr,
                           flags) != nullptr) {
      return MysqlConn(std::move(m), addr.ToString(), info);
    }
    // Only an unreachable server makes us try the next one; a refusal (bad password, unknown
    // database) would be the same everywhere.
    if (!IsConnectionLost(mysql_errno(m.get()))) {
      Status refused = ServerError(m.get());
      return Status(refused.code(), info.Label() + " " + addr.ToString() + ": " + refused.message(),
                    refused.sqlstate());
    }
    if (!tried.empty()) tried += "; ";
    tried += addr.ToString() + ": " + mysql_error(m.get());
  }
  return Unavailable(info, tried);
}

Status MysqlConn::LastError() {
  if (!IsConnectionLost(mysql_errno(mysql_.get()))) return ServerError(mysql_.get());
  broken_ = true;
  return Unavailable(info_, server_ + ": " + mysql_error(mysql_.get()));
}

bool MysqlConn::Ping() {
  if (broken_) return false;
  if (mysql_ping(mysql_.get()) != 0) broken_ = true;
  return !broken_;
}

ClusterConnInfo MysqlConn::SameServer() const {
  ClusterConnInfo same = info_;
  same.servers.clear();
  const size_t colon = server_.rfind(':');
  same.servers.push_back(ServerAddress{
      server_.substr(0, colon), static_cast<uint16_t>(std::stoi(server_.substr(colon + 1)))});
  return same;
}

Result<Rows> MysqlConn::Query(std::string_view sql) {
  ++statements_;
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
  ++statements_;
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

std::string MysqlConn::server_version() const {
  const char* v = mysql_get_server_info(mysql_.get());
  return v == nullptr ? std::string() : std::string(v);
}

uint64_t MysqlConn::affected_rows() const { return mysql_affected_rows(mysql_.get()); }

uint64_t MysqlConn::insert_id() const { return mysql_insert_id(mysql_.get()); }

bool MysqlConn::in_transaction() const {
  unsigned int status = 0;
  mariadb_get_infov(mysql_.get(), MARIADB_CONNECTION_SERVER_STATUS, &status);
  return (status & SERVER_STATUS_IN_TRANS) != 0;
}

bool IsUnavailable(const Status& s) { return s.code() == errc::kUnavailable; }

}  // namespace shadowproxy::sql
