// A bounded, health-checked pool of MysqlConn to one target (the metadb, a cluster's schema
// reads): a connection is checked out for one operation and given back after it. A connection
// that broke, or that comes back with a transaction still open, is closed, never reused; one that
// sat idle is pinged before it is handed out again. At most max_size are open at once; a caller
// waits for one up to acquire_timeout, then gets ERR 7030.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <type_traits>
#include <utility>
#include <vector>

#include "base/mysql_conn.h"

namespace shadowproxy::sql {

class ConnectionPool {
 public:
  struct Options {
    size_t max_size = 8;
    ConnectOptions connect;
    // Runs on every new connection before its first use (select a database, migrate); an
    // error drops the connection and is what Acquire() returns.
    std::function<Status(MysqlConn&)> on_connect;
    // An idle connection older than this is pinged before reuse.
    std::chrono::milliseconds ping_after_idle{1000};
    // How long Acquire() waits for a connection when max_size are in use.
    std::chrono::milliseconds acquire_timeout{5000};
  };

  class Lease {
   public:
    Lease(Lease&& other) noexcept
        : pool_(std::exchange(other.pool_, nullptr)),
          conn_(std::move(other.conn_)),
          reused_(other.reused_) {}
    Lease& operator=(Lease&&) = delete;
    Lease(const Lease&) = delete;
    ~Lease();
    MysqlConn& operator*() { return *conn_; }
    MysqlConn* operator->() { return &*conn_; }
    // True if the connection served an earlier operation (it may have gone stale since).
    bool reused() const { return reused_; }

   private:
    friend class ConnectionPool;
    Lease(ConnectionPool* pool, MysqlConn conn, bool reused)
        : pool_(pool), conn_(std::move(conn)), reused_(reused) {}
    ConnectionPool* pool_;
    std::optional<MysqlConn> conn_;
    bool reused_;
  };

  struct Stats {
    size_t open = 0;  // idle + checked out
    size_t idle = 0;
    uint64_t connects = 0;   // connections made since start
    uint64_t discarded = 0;  // connections closed as broken / in a transaction / failed ping
  };

  ConnectionPool(ClusterConnInfo target, Options options);
  ~ConnectionPool();
  ConnectionPool(const ConnectionPool&) = delete;
  ConnectionPool& operator=(const ConnectionPool&) = delete;

  // A connection: an idle one, a new one while fewer than max_size are open, else the next one
  // given back (waiting up to acquire_timeout; with wait false, ERR 7030 at once).
  Result<Lease> Acquire(bool wait = true);
  Stats stats() const;
  const ClusterConnInfo& target() const { return target_; }

  // Runs op(MysqlConn&) on a checked-out connection. If a reused connection turns out dead at
  // op's first statement (the server restarted while it sat idle), the other idle connections
  // are dropped too and op runs once more on a new one. Only for ops whose first statement may
  // run twice: a read, or START TRANSACTION (a lost reply cannot tell "never arrived" from
  // "ran, answer lost"). op returns Status or Result<T> and sets what it reports from scratch.
  template <typename Op>
  auto Run(Op&& op) -> std::invoke_result_t<Op&, MysqlConn&> {
    for (int attempt = 0;; ++attempt) {
      auto lease = Acquire();
      if (!lease.ok()) return lease.status();
      const uint64_t before = (*lease)->statements();
      auto result = op(**lease);
      if (attempt == 0 && (*lease)->broken() && lease->reused() &&
          (*lease)->statements() == before + 1) {
        DropIdle();
        continue;
      }
      return result;
    }
  }
  // The same without the second run: for single statements that change something.
  template <typename Op>
  auto RunOnce(Op&& op) -> std::invoke_result_t<Op&, MysqlConn&> {
    auto lease = Acquire();
    if (!lease.ok()) return lease.status();
    auto result = op(**lease);
    if ((*lease)->broken() && lease->reused()) DropIdle();  // the next caller gets a fresh one
    return result;
  }
  // Closes every idle connection (they are likely as dead as one just found dead).
  void DropIdle();

 private:
  void Release(MysqlConn conn);
  Result<MysqlConn> Open();

  const ClusterConnInfo target_;
  const Options options_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  struct Idle {
    MysqlConn conn;
    std::chrono::steady_clock::time_point since;
  };
  std::vector<Idle> idle_;  // most recently returned last
  size_t open_ = 0;
  uint64_t connects_ = 0;
  uint64_t discarded_ = 0;
};

}  // namespace shadowproxy::sql
