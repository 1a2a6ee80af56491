// A throw-away MariaDB server for the schema integration tests: started through
// scripts/start-backend.sh on a free loopback port, stopped and deleted when the object dies.
#pragma once

#include <cstdint>
#include <string>

#include "base/mysql_conn.h"
#include "base/status.h"

namespace shadowproxy::schema::testing {

class TestBackend {
 public:
  TestBackend() = default;
  TestBackend(const TestBackend&) = delete;
  TestBackend& operator=(const TestBackend&) = delete;
  ~TestBackend() { Stop(); }

  // Starts the server (SHADOWPROXY_SOURCE_DIR/scripts/start-backend.sh). Extra mariadbd args
  // may be given as one string.
  Status Start(const std::string& extra_args = "");
  void Stop();

  uint16_t port() const { return port_; }
  sql::ClusterConnInfo conn_info() const { return sql::ClusterConnInfo::Local(port_); }
  // A fresh connection (multi-statements on), with `db` as default database if not empty.
  Result<sql::MysqlConn> Connect(const std::string& db = "") const;

 private:
  std::string dir_;
  uint16_t port_ = 0;
  int pid_ = 0;
};

// A loopback port nobody listens on right now.
uint16_t FreePort();

// The one server of an integration test binary: a gtest global environment starts it (mariadbd
// gets `extra_args`) before the first test and stops it after the last. Call once per binary at
// namespace scope: `const bool kBackend = RegisterSharedBackend();`.
bool RegisterSharedBackend(std::string extra_args = "");
// The running shared server (nullptr outside the environment's lifetime).
TestBackend* SharedBackend();

}  // namespace shadowproxy::schema::testing
