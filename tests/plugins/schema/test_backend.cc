#include "tests/plugins/schema/test_backend.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <thread>

namespace shadowproxy::schema::testing {

uint16_t FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return 0;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  uint16_t port = 0;
  socklen_t len = sizeof(addr);
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0)
    port = ntohs(addr.sin_port);
  close(fd);
  return port;
}

Status TestBackend::Start(const std::string& extra_args) {
  char tmpl[] = "/tmp/sp-schema-test-XXXXXX";
  if (mkdtemp(tmpl) == nullptr) return Status(errc::kInternal, "mkdtemp failed");
  dir_ = tmpl;
  // A private TMPDIR: two servers being installed at once in the same /tmp can trip over each
  // other's temporary tables (seen as "Error on delete of '/tmp/#sql-temptable-...'").
  std::filesystem::create_directories(dir_ + "/tmp");
  std::string out;
  for (int attempt = 0; attempt < 3; ++attempt) {
    std::error_code ec;
    std::filesystem::remove_all(dir_ + "/data", ec);
    port_ = FreePort();
    std::string cmd = "TMPDIR='" + dir_ + "/tmp' " + std::string(SHADOWPROXY_SOURCE_DIR) +
                      "/scripts/start-backend.sh '" + dir_ + "/data' " + std::to_string(port_) +
                      " --tmpdir='" + dir_ + "/tmp' " + extra_args + " 2>&1";
    FILE* p = popen(cmd.c_str(), "r");
    if (p == nullptr) return Status(errc::kInternal, "cannot run " + cmd);
    out.clear();
    char buf[256];
    while (fgets(buf, sizeof(buf), p) != nullptr) out += buf;
    if (pclose(p) != 0) continue;  // try again on a fresh data directory and port
    while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
    size_t nl = out.rfind('\n');
    pid_ = std::atoi(out.c_str() + (nl == std::string::npos ? 0 : nl + 1));
    if (pid_ > 0) return Status::Ok();
  }
  return Status(errc::kInternal, "start-backend.sh failed 3 times: " + out);
}

void TestBackend::Stop() {
  if (pid_ > 0) {
    kill(pid_, SIGTERM);
    for (int i = 0; i < 600 && kill(pid_, 0) == 0; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    pid_ = 0;
  }
  if (!dir_.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
    dir_.clear();
  }
}

Result<sql::MysqlConn> TestBackend::Connect(const std::string& db) const {
  return sql::MysqlConn::Connect(conn_info(), db, sql::ConnectOptions{.multi_statements = true});
}

namespace {
std::unique_ptr<TestBackend> g_shared;

class SharedBackendEnv : public ::testing::Environment {
 public:
  explicit SharedBackendEnv(std::string extra_args) : extra_args_(std::move(extra_args)) {}
  void SetUp() override {
    g_shared = std::make_unique<TestBackend>();
    Status s = g_shared->Start(extra_args_);
    ASSERT_TRUE(s.ok()) << s.ToString();
  }
  void TearDown() override { g_shared.reset(); }

 private:
  std::string extra_args_;
};
}  // namespace

bool RegisterSharedBackend(std::string extra_args) {
  ::testing::AddGlobalTestEnvironment(new SharedBackendEnv(std::move(extra_args)));
  return true;
}

TestBackend* SharedBackend() { return g_shared.get(); }

}  // namespace shadowproxy::schema::testing
