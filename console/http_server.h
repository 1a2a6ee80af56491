// The console's HTTP(S) server (SPEC.md §8, docs/console.md): the JSON API under /api/v1 and the
// page, on console.address:console.port. cpp-httplib runs it on its own threads (an acceptor and
// a small pool), so a slow request (an analysis, a backend sign-in) never touches the relay's
// event loops. The HTTP library stays out of this header: it is large and the build is small.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>

#include "base/config.h"
#include "base/status.h"
#include "plugins/tasks/task_service.h"

namespace shadowproxy::console {

struct ConsoleDeps {
  std::function<ConfigPtr()> config;  // the configuration in force (SIGHUP replaces it)
  tasks::TaskService* service = nullptr;
};

class ConsoleServer {
 public:
  ConsoleServer();
  ~ConsoleServer();  // stops it
  ConsoleServer(const ConsoleServer&) = delete;
  ConsoleServer& operator=(const ConsoleServer&) = delete;

  // Listens on cfg.address:cfg.port (a no-op returning OK when the port is 0). Errors name the
  // address, or the TLS file that could not be used.
  Status Start(const ConsoleConfig& cfg, ConsoleDeps deps);
  // Stops accepting, lets requests in flight finish, joins the threads. Idempotent.
  void Stop();
  // SIGHUP: the session lifetime for renewals from now on (the address and TLS files are read
  // at start only).
  void Reload(const ConsoleConfig& cfg);

  bool running() const;
  uint16_t port() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace shadowproxy::console
