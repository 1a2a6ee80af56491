#include "plugins/schema/reader.h"

#include <algorithm>
#include <mutex>
#include <thread>

#include "base/log.h"

namespace shadowproxy::schema {
namespace {

constexpr uint16_t kErNoSuchTable = 1146;
constexpr uint16_t kErBadDb = 1049;

TableKind KindOf(const std::optional<std::string>& type) {
  if (!type) return TableKind::kOther;
  // information_schema.TABLES says SYSTEM VERSIONED for a system-versioned table (MariaDB);
  // SHOW FULL TABLES says BASE TABLE. Both are tables with a shadow of their own.
  if (*type == "BASE TABLE" || *type == "SYSTEM VERSIONED") return TableKind::kBaseTable;
  if (*type == "VIEW" || *type == "SYSTEM VIEW") return TableKind::kView;
  return TableKind::kOther;  // SEQUENCE, TEMPORARY, ...
}

}  // namespace

SchemaReader::SchemaReader(sql::ClusterConnInfo info, std::string db, ReaderOptions options)
    : info_(std::move(info)), db_(std::move(db)), options_(options) {
  if (options_.parallelism < 1) options_.parallelism = 1;
  if (options_.statements_per_trip < 1) options_.statements_per_trip = 1;
  if (options_.min_tables_per_conn < 1) options_.min_tables_per_conn = 1;
}

Status SchemaReader::NoDatabase() const {
  return Status(errc::kNotFound, "database '" + db_ + "' not found on cluster " + info_.name);
}

Result<sql::MysqlConn*> SchemaReader::Primary() {
  if (options_.pool != nullptr) {
    if (!primary_lease_) {
      auto lease = options_.pool->Acquire();
      if (!lease.ok()) return lease.status();
      primary_lease_.emplace(std::move(lease).value());
    }
    return &**primary_lease_;
  }
  if (!primary_) {
    Result<sql::MysqlConn> c =
        sql::MysqlConn::Connect(info_, "", sql::ConnectOptions{.multi_statements = true});
    if (!c.ok()) return c.status();
    primary_.emplace(std::move(c).value());
  }
  return &*primary_;
}

Result<std::string> SchemaReader::ServerVersion() {
  Result<sql::MysqlConn*> conn = Primary();
  if (!conn.ok()) return conn.status();
  return (*conn)->server_version();
}

SchemaReader::Extra SchemaReader::Another() {
  Extra out;
  if (options_.pool != nullptr) {
    auto lease = options_.pool->Acquire(/*wait=*/false);
    if (lease.ok()) out.lease.emplace(std::move(lease).value());
    return out;  // none to spare: this slice is read on the primary
  }
  auto c = sql::MysqlConn::Connect(info_, "", sql::ConnectOptions{.multi_statements = true});
  if (c.ok()) out.own.emplace(std::move(c).value());
  return out;
}

Result<std::map<std::string, TableKind>> SchemaReader::List(
    const std::optional<std::vector<std::string>>& names) {
  Result<sql::MysqlConn*> conn = Primary();
  if (!conn.ok()) return conn.status();
  sql::MysqlConn& c = **conn;
  std::map<std::string, TableKind> out;
  ++round_trips_;
  if (!names) {
    // Every table: the server lists the directory without opening the tables.
    Result<sql::Rows> all = c.Query("SHOW FULL TABLES FROM " + sql::MysqlConn::QuoteName(db_));
    if (!all.ok()) {
      if (all.status().code() == kErBadDb) return NoDatabase();
      return all.status();
    }
    for (const sql::Row& row : *all)
      if (row.size() >= 2 && row[0]) out.emplace(*row[0], KindOf(row[1]));
    return out;
  }
  // One round trip: does the database exist, and which of the tables.
  std::string sql =
      "SELECT COUNT(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME=" + c.Quote(db_) +
      ";SELECT TABLE_NAME, TABLE_TYPE FROM information_schema.TABLES "
      "WHERE TABLE_SCHEMA=" +
      c.Quote(db_);
  if (names->empty()) {
    sql += " AND FALSE";
  } else {
    sql += " AND TABLE_NAME IN (";
    for (size_t i = 0; i < names->size(); ++i) {
      if (i > 0) sql += ',';
      sql += c.Quote((*names)[i]);
    }
    sql += ')';
  }
  sql::MultiResult r = c.QueryMulti(sql);
  if (!r.error.ok()) return r.error;
  if (r.results.size() != 2 || r.results[0].empty())
    return Status(errc::kInternal, "unexpected answer listing tables of " + db_);
  if (r.results[0][0][0].value_or("0") == "0") return NoDatabase();
  for (const sql::Row& row : r.results[1]) {
    if (row.size() < 2 || !row[0]) continue;
    out.emplace(*row[0], KindOf(row[1]));
  }
  return out;
}

Result<std::vector<std::pair<std::string, std::string>>> SchemaReader::ReferencesTo(
    const std::vector<std::string>& tables) {
  std::vector<std::pair<std::string, std::string>> out;
  if (tables.empty()) return out;
  Result<sql::MysqlConn*> conn = Primary();
  if (!conn.ok()) return conn.status();
  sql::MysqlConn& c = **conn;
  std::string sql =
      "SELECT TABLE_NAME, REFERENCED_TABLE_NAME FROM information_schema.REFERENTIAL_CONSTRAINTS "
      "WHERE CONSTRAINT_SCHEMA=" +
      c.Quote(db_) + " AND UNIQUE_CONSTRAINT_SCHEMA=" + c.Quote(db_) +
      " AND REFERENCED_TABLE_NAME IN (";
  for (size_t i = 0; i < tables.size(); ++i) {
    if (i > 0) sql += ',';
    sql += c.Quote(tables[i]);
  }
  sql += ')';
  ++round_trips_;
  Result<sql::Rows> rows = c.Query(sql);
  if (!rows.ok()) return rows.status();
  for (const sql::Row& row : *rows)
    if (row.size() >= 2 && row[0] && row[1]) out.emplace_back(*row[0], *row[1]);
  return out;
}

Status ReadCreateSlice(sql::MysqlConn& conn, const std::string& db,
                       const std::vector<std::string>& names, size_t begin, size_t end,
                       int per_trip, const SchemaReader::OnDdl& on_ddl, int* trips) {
  const std::string qdb = sql::MysqlConn::QuoteName(db) + ".";
  size_t i = begin;
  while (i < end) {
    size_t batch_end = std::min(end, i + static_cast<size_t>(per_trip));
    std::string sql;
    for (size_t j = i; j < batch_end; ++j) {
      if (j > i) sql += ';';
      sql += "SHOW CREATE TABLE " + qdb + sql::MysqlConn::QuoteName(names[j]);
    }
    ++*trips;
    sql::MultiResult r = conn.QueryMulti(sql);
    for (size_t k = 0; k < r.results.size(); ++k) {
      sql::Rows& rows = r.results[k];
      if (rows.empty() || rows[0].size() < 2 || !rows[0][1])
        return Status(errc::kInternal, "unexpected SHOW CREATE TABLE answer for " + names[i + k]);
      on_ddl(names[i + k], std::move(*rows[0][1]));
    }
    size_t done = i + r.results.size();
    if (!r.error.ok()) {
      if (r.error.code() == kErNoSuchTable || r.error.code() == kErBadDb) {
        // Dropped since we listed it: leave it out and go on after it.
        log::Debug("schema", "table ", db, ".", names[done], " vanished while reading");
        i = done + 1;
        continue;
      }
      return r.error;
    }
    i = batch_end;
  }
  return Status::Ok();
}

Result<std::map<std::string, std::string>> SchemaReader::ReadCreate(
    const std::vector<std::string>& names) {
  std::map<std::string, std::string> out;
  std::mutex mu;
  Status s = ReadCreateEach(names, [&](const std::string& name, std::string ddl) {
    std::lock_guard<std::mutex> lock(mu);
    out.emplace(name, std::move(ddl));
  });
  if (!s.ok()) return s;
  return out;
}

Status SchemaReader::ReadCreateEach(const std::vector<std::string>& names, const OnDdl& on_ddl) {
  if (names.empty()) return Status::Ok();
  Result<sql::MysqlConn*> conn = Primary();
  if (!conn.ok()) return conn.status();

  size_t n = names.size();
  size_t conns = std::min<size_t>(static_cast<size_t>(options_.parallelism),
                                  std::max<size_t>(1, n / options_.min_tables_per_conn));
  // Slice boundaries: contiguous, even slices.
  std::vector<size_t> cut(conns + 1);
  for (size_t k = 0; k <= conns; ++k) cut[k] = n * k / conns;

  struct Slice {
    Status status;
    bool no_conn = false;
    int trips = 0;
  };
  std::vector<Slice> slices(conns);
  std::vector<std::thread> threads;
  for (size_t k = 1; k < conns; ++k) {
    threads.emplace_back([&, k] {
      Extra c = Another();
      if (c.get() == nullptr) {
        slices[k].no_conn = true;  // read on the primary afterwards
        return;
      }
      slices[k].status = ReadCreateSlice(*c.get(), db_, names, cut[k], cut[k + 1],
                                         options_.statements_per_trip, on_ddl, &slices[k].trips);
    });
  }
  slices[0].status = ReadCreateSlice(**conn, db_, names, cut[0], cut[1],
                                     options_.statements_per_trip, on_ddl, &slices[0].trips);
  for (std::thread& t : threads) t.join();
  for (size_t k = 1; k < conns; ++k) {
    if (!slices[k].no_conn) continue;
    slices[k].status = ReadCreateSlice(**conn, db_, names, cut[k], cut[k + 1],
                                       options_.statements_per_trip, on_ddl, &slices[k].trips);
  }
  for (Slice& s : slices) {
    round_trips_ += s.trips;
    if (!s.status.ok()) return s.status;
  }
  return Status::Ok();
}

}  // namespace shadowproxy::schema
