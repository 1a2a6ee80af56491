// A fake SqlRunner for executor tests: statements succeed unless told otherwise; "BLOCK ..."
// statements run until killed (KILL QUERY) or 10 s pass; every statement run is recorded.
#pragma once

#include <condition_variable>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "plugins/tasks/sql_runner.h"

namespace shadowproxy::tasks::testing {

class FakeSql : public SqlRunner {
 public:
  std::map<std::string, Status> errors;  // sql -> the server error it gets
  Status open_error;

  Result<std::unique_ptr<SqlSession>> Open(const std::string& cluster,
                                           const std::string& database) override {
    if (!open_error.ok()) return open_error;
    std::lock_guard<std::mutex> lock(mu_);
    opened_.push_back(cluster + "/" + database);
    return std::unique_ptr<SqlSession>(new Session(*this));
  }

  std::vector<std::string> executed() {
    std::lock_guard<std::mutex> lock(mu_);
    return executed_;
  }
  std::vector<std::string> opened() {
    std::lock_guard<std::mutex> lock(mu_);
    return opened_;
  }
  int kills() {
    std::lock_guard<std::mutex> lock(mu_);
    return kills_;
  }
  // Waits until a BLOCK statement is running.
  bool WaitBlocked() {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, std::chrono::seconds(10), [&] { return blocked_; });
  }

 private:
  class Session : public SqlSession {
   public:
    explicit Session(FakeSql& fake) : fake_(fake) {}
    Status Execute(const std::string& sql) override {
      std::unique_lock<std::mutex> lock(fake_.mu_);
      fake_.executed_.push_back(sql);
      if (sql.rfind("BLOCK", 0) == 0) {
        fake_.blocked_ = true;
        fake_.killed_ = false;
        fake_.cv_.notify_all();
        bool killed =
            fake_.cv_.wait_for(lock, std::chrono::seconds(10), [&] { return fake_.killed_; });
        fake_.blocked_ = false;
        if (killed) return Status(1317, "Query execution was interrupted", "70100");
        return Status::Ok();
      }
      auto it = fake_.errors.find(sql);
      return it == fake_.errors.end() ? Status::Ok() : it->second;
    }
    Status KillRunning() override {
      std::lock_guard<std::mutex> lock(fake_.mu_);
      ++fake_.kills_;
      if (fake_.blocked_) fake_.killed_ = true;
      fake_.cv_.notify_all();
      return Status::Ok();
    }

   private:
    FakeSql& fake_;
  };

  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::string> executed_, opened_;
  bool blocked_ = false, killed_ = false;
  int kills_ = 0;
};

}  // namespace shadowproxy::tasks::testing
