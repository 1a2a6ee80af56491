// Reads table definitions from a live server with as few round trips as possible: one query to
// learn which of the wanted tables exist, then SHOW CREATE TABLE for each, several statements per
// round trip and spread over up to `parallelism` connections. Reads only the tables asked for.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/mysql_conn.h"
#include "base/mysql_pool.h"
#include "base/status.h"

namespace shadowproxy::schema {

enum class TableKind { kBaseTable, kView, kOther };

struct ReaderOptions {
  int parallelism = 4;           // connections used for reading at most (shadow_sync.workers)
  int statements_per_trip = 64;  // SHOW CREATE TABLE statements per round trip
  int min_tables_per_conn = 48;  // below this, another connection costs more than it saves
  // Where connections come from (multi-statements on): the cluster's pool, shared by analyses;
  // null: the reader opens its own. A reading connection beyond the first is only taken when
  // the pool has one to spare right away.
  sql::ConnectionPool* pool = nullptr;
};

// What the analysis reads a database through: the live reader below, or recorded definitions in
// tests (tests/plugins/schema/recorded_schema.h).
class SchemaSource {
 public:
  virtual ~SchemaSource() = default;

  // Which of `names` exist in the database, with their kind. `names` == nullopt: every table
  // of the database. ERR 7005 if the database does not exist.
  virtual Result<std::map<std::string, TableKind>> List(
      const std::optional<std::vector<std::string>>& names) = 0;

  // The foreign keys of the database's tables that reference one of `tables` (same database):
  // (referencing table, referenced table) pairs, one per constraint. One round trip.
  virtual Result<std::vector<std::pair<std::string, std::string>>> ReferencesTo(
      const std::vector<std::string>& tables) = 0;

  // Called once per table read, on the reading thread (several threads at once, never twice
  // for one name): lets the caller parse while other definitions are still on the wire.
  using OnDdl = std::function<void(const std::string& name, std::string ddl)>;
  // SHOW CREATE TABLE text of each of `names` (expected to exist), handed to `on_ddl`. A table
  // that vanished in between is left out (the caller names it with ERR 7005).
  virtual Status ReadCreateEach(const std::vector<std::string>& names, const OnDdl& on_ddl) = 0;

  // The server's version string (its greeting's), which decides the DDL dialect (dialect.h).
  virtual Result<std::string> ServerVersion() = 0;

  // Round trips made so far (for tests and the benchmark).
  virtual int round_trips() const = 0;
};

class SchemaReader : public SchemaSource {
 public:
  SchemaReader(sql::ClusterConnInfo info, std::string db, ReaderOptions options = {});

  Result<std::map<std::string, TableKind>> List(
      const std::optional<std::vector<std::string>>& names) override;

  Result<std::vector<std::pair<std::string, std::string>>> ReferencesTo(
      const std::vector<std::string>& tables) override;

  // SHOW CREATE TABLE text of each of `names` (see ReadCreateEach), collected in a map.
  Result<std::map<std::string, std::string>> ReadCreate(const std::vector<std::string>& names);

  Status ReadCreateEach(const std::vector<std::string>& names, const OnDdl& on_ddl) override;

  // Of the primary connection (opened, or taken from the pool, if not yet).
  Result<std::string> ServerVersion() override;

  int round_trips() const override { return round_trips_; }

 private:
  Result<sql::MysqlConn*> Primary();
  // A connection for one more reading thread: from the pool if it has one now, else a new one.
  struct Extra {
    std::optional<sql::ConnectionPool::Lease> lease;
    std::optional<sql::MysqlConn> own;
    sql::MysqlConn* get() { return lease ? &**lease : own ? &*own : nullptr; }
  };
  Extra Another();
  Status NoDatabase() const;

  sql::ClusterConnInfo info_;
  std::string db_;
  ReaderOptions options_;
  std::optional<sql::MysqlConn> primary_;
  std::optional<sql::ConnectionPool::Lease> primary_lease_;
  int round_trips_ = 0;
};

// Reads names[begin, end) over one connection, `per_trip` statements per round trip, handing
// each definition to `on_ddl`. SchemaReader uses it for each of its connections.
Status ReadCreateSlice(sql::MysqlConn& conn, const std::string& db,
                       const std::vector<std::string>& names, size_t begin, size_t end,
                       int per_trip, const SchemaReader::OnDdl& on_ddl, int* trips);

}  // namespace shadowproxy::schema
