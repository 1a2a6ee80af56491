#include "mariadb_env.h"

#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <thread>

namespace shadowproxy::tasks::testing {
namespace {

uint16_t g_port = 0;
pid_t g_pid = 0;
std::string g_dir;

uint16_t FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

}  // namespace

void MariaDbEnv::SetUp() {
  char tmpl[] = "/tmp/sp_tasks_it_XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  g_dir = tmpl;
  g_port = FreePort();
  std::string cmd = std::string(SHADOWPROXY_SRC) + "/scripts/start-backend.sh " + g_dir + "/data " +
                    std::to_string(g_port);
  FILE* out = popen(cmd.c_str(), "r");
  ASSERT_NE(out, nullptr);
  std::array<char, 64> buf{};
  std::string text;
  while (fgets(buf.data(), buf.size(), out) != nullptr) text += buf.data();
  int rc = pclose(out);
  ASSERT_EQ(rc, 0) << "start-backend.sh failed: " << text;
  g_pid = static_cast<pid_t>(std::stol(text));
  ASSERT_GT(g_pid, 0);
}

void MariaDbEnv::TearDown() {
  if (g_pid > 0) {
    kill(g_pid, SIGTERM);
    for (int i = 0; i < 300 && kill(g_pid, 0) == 0; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    if (kill(g_pid, 0) == 0) kill(g_pid, SIGKILL);
    g_pid = 0;
  }
  if (!g_dir.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(g_dir, ec);
  }
}

uint16_t MariaDbEnv::port() { return g_port; }

ClusterConfig MariaDbEnv::Cluster(const std::string& name) {
  ClusterConfig c;
  c.name = name;
  c.servers = {ServerAddress{"127.0.0.1", g_port}};
  c.admin_user = "root";
  return c;
}

}  // namespace shadowproxy::tasks::testing
