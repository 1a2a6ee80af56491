#include "base/mysql_pool.h"

#include "base/log.h"

namespace shadowproxy::sql {

ConnectionPool::ConnectionPool(ClusterConnInfo target, Options options)
    : target_(std::move(target)), options_(std::move(options)) {}

ConnectionPool::~ConnectionPool() {
  // A lease outliving its pool would give its connection back to freed memory.
  if (open_ != idle_.size())
    log::Error("mysql", target_.Label(), ": connection pool destroyed with ", open_ - idle_.size(),
               " connection(s) still checked out");
}

void ConnectionPool::DropIdle() {
  std::vector<Idle> dropped;
  {
    std::lock_guard<std::mutex> lock(mu_);
    dropped.swap(idle_);
    open_ -= dropped.size();
    discarded_ += dropped.size();
  }
  cv_.notify_all();  // room for new connections
}

ConnectionPool::Lease::~Lease() {
  if (pool_ != nullptr && conn_) pool_->Release(std::move(*conn_));
}

Result<MysqlConn> ConnectionPool::Open() {
  auto conn = MysqlConn::Connect(target_, "", options_.connect);
  if (conn.ok() && options_.on_connect) {
    if (Status s = options_.on_connect(*conn); !s.ok()) return s;
  }
  return conn;
}

Result<ConnectionPool::Lease> ConnectionPool::Acquire(bool wait) {
  const auto deadline = std::chrono::steady_clock::now() + options_.acquire_timeout;
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    if (!idle_.empty()) {
      Idle got = std::move(idle_.back());
      idle_.pop_back();
      const bool stale = std::chrono::steady_clock::now() - got.since > options_.ping_after_idle;
      if (!stale) return Lease(this, std::move(got.conn), true);
      lock.unlock();
      const bool alive = got.conn.Ping();
      if (alive) return Lease(this, std::move(got.conn), true);
      lock.lock();
      --open_;
      ++discarded_;
      continue;  // the next idle one, or a new connection
    }
    if (open_ < options_.max_size) {
      ++open_;
      ++connects_;
      lock.unlock();
      auto conn = Open();
      if (!conn.ok()) {
        lock.lock();
        --open_;
        cv_.notify_one();
        return conn.status();
      }
      return Lease(this, std::move(conn).value(), false);
    }
    if (!wait || (cv_.wait_until(lock, deadline) == std::cv_status::timeout && idle_.empty() &&
                  open_ >= options_.max_size))
      return Status(errc::kUnavailable,
                    target_.Label() + " unavailable (all " + std::to_string(options_.max_size) +
                        " connections busy for " +
                        std::to_string(options_.acquire_timeout.count()) + " ms)");
  }
}

void ConnectionPool::Release(MysqlConn conn) {
  // A transaction left open (an operation that failed half-way) must not leak into the next
  // user: closing the connection rolls it back on the server.
  const bool keep = !conn.broken() && !conn.in_transaction();
  std::lock_guard<std::mutex> lock(mu_);
  if (keep) {
    idle_.push_back(Idle{std::move(conn), std::chrono::steady_clock::now()});
  } else {
    --open_;
    ++discarded_;
  }
  cv_.notify_one();
}

ConnectionPool::Stats ConnectionPool::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  return Stats{open_, idle_.size(), connects_, discarded_};
}

}  // namespace shadowproxy::sql
