// shadowproxy entry point: command line (SPEC.md §1), start-up, signals (SIGHUP reload,
// SIGTERM/SIGINT graceful shutdown).
#include <pthread.h>
#include <signal.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "base/config.h"
#include "base/log.h"
#include "base/metrics.h"
#include "console/http_server.h"
#include "plugins/shadow_sync/shadow_sync_plugin.h"
#include "protocol/command.h"
#include "proxy/config_loader.h"
#include "proxy/config_printer.h"
#include "proxy/health.h"
#include "proxy/metrics_server.h"
#include "proxy/server.h"

namespace sp = shadowproxy;

namespace {

void Usage(FILE* out) {
  std::fprintf(out,
               "usage: shadowproxy --config FILE [--check-config | --print-config] "
               "[--log-level LEVEL]\n"
               "       shadowproxy --version\n"
               "  --config FILE      YAML configuration (see conf/shadowproxy.yaml)\n"
               "  --check-config     validate the configuration, print errors, exit 0/1\n"
               "  --print-config     print the effective configuration (defaults filled in,\n"
               "                     passwords redacted) and exit 0; errors as --check-config\n"
               "  --log-level LEVEL  debug|info|warn|error; overrides the config\n");
}

void ApplyLogging(const sp::Config& config, const std::string& level_override) {
  sp::log::Level l;
  if (sp::log::ParseLevel(level_override.empty() ? config.log_level : level_override, &l))
    sp::log::SetLevel(l);
  sp::log::Format f;
  if (sp::log::ParseFormat(config.log_format, &f)) sp::log::SetFormat(f);
}

void WarnAboutClearTextSecrets(const sp::Config& config) {
  std::string warning = sp::proxy::ClearTextSecretsWarning(config);
  if (!warning.empty()) sp::log::Warn("config", warning);
}

// Series whose labels are known up front exist at 0 from the start (Prometheus' advice: a
// query over a series that appears only later sees nothing rather than a rise from 0).
void CreateKnownSeries(const sp::Config& config) {
  for (int byte = 0; byte < 256; ++byte) {
    const auto b = static_cast<uint8_t>(byte);
    const std::string_view name = sp::protocol::CommandName(b);
    if (name == "unknown") continue;
    sp::metrics::CommandsTotal(b, name);
    sp::metrics::CommandDuration(b, name);
  }
  for (const auto& c : config.clusters)
    for (const auto& s : c.servers) {
      sp::metrics::BackendConnections(c.name, s.ToString());
      sp::metrics::BackendErrorsTotal(c.name, s.ToString());
    }
}

}  // namespace

int main(int argc, char** argv) {
  // Task times are local. With TZ unset glibc re-reads /etc/localtime at every mktime() (a stat
  // per metadb time parsed); naming it once keeps the zone and drops those system calls.
  setenv("TZ", ":/etc/localtime", /*overwrite=*/0);
  std::string config_path;
  std::string log_level_override;
  bool check_only = false;
  bool print_only = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&](const char* name) -> const char* {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "shadowproxy: %s needs a value\n", name);
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--version") {
      std::printf("shadowproxy %s\n", SHADOWPROXY_VERSION);
      return 0;
    } else if (a == "--help" || a == "-h") {
      Usage(stdout);
      return 0;
    } else if (a == "--config") {
      config_path = value("--config");
    } else if (a.rfind("--config=", 0) == 0) {
      config_path = a.substr(9);
    } else if (a == "--check-config") {
      check_only = true;
    } else if (a == "--print-config") {
      print_only = true;
    } else if (a == "--log-level") {
      log_level_override = value("--log-level");
    } else if (a.rfind("--log-level=", 0) == 0) {
      log_level_override = a.substr(12);
    } else {
      std::fprintf(stderr, "shadowproxy: unknown argument '%s'\n", a.c_str());
      Usage(stderr);
      return 2;
    }
  }
  if (!log_level_override.empty()) {
    sp::log::Level l;
    if (!sp::log::ParseLevel(log_level_override, &l)) {
      std::fprintf(stderr, "shadowproxy: --log-level: expected debug|info|warn|error, got '%s'\n",
                   log_level_override.c_str());
      return 2;
    }
  }
  if (config_path.empty()) {
    Usage(stderr);
    return 2;
  }

  auto loaded = sp::proxy::LoadConfig(config_path);
  if (check_only || print_only) {
    if (!loaded.ok()) {
      std::fprintf(stderr, "%s\n", loaded.status().message().c_str());
      return 1;
    }
    std::string warning = sp::proxy::ClearTextSecretsWarning(*loaded);
    if (!warning.empty()) std::fprintf(stderr, "warning: %s\n", warning.c_str());
    if (print_only)
      std::fputs(sp::proxy::PrintConfig(*loaded).c_str(), stdout);
    else
      std::printf("configuration OK\n");
    return 0;
  }
  if (!loaded.ok()) {
    sp::log::Error("config", loaded.status().message());
    return 1;
  }
  auto config = std::make_shared<const sp::Config>(std::move(loaded).value());
  ApplyLogging(*config, log_level_override);
  WarnAboutClearTextSecrets(*config);
  CreateKnownSeries(*config);

  // Signals are taken synchronously by this thread; every other thread inherits the mask.
  signal(SIGPIPE, SIG_IGN);
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);

  sp::proxy::MetricsServer metrics;
  if (auto st = metrics.Start(config->metrics); !st.ok()) {
    sp::log::Error("metrics", st.message());
    return 1;
  }

  // main composes: the SHADOW SYNC front over the task service is the server's plugin; the web
  // console is a second front on the same service.
  auto plugin = sp::shadow_sync::MakeShadowSyncPlugin(
      config, config->listen.address + ":" + std::to_string(config->listen.port));
  sp::tasks::TaskService* service = sp::shadow_sync::ServiceOf(*plugin);
  auto server = std::make_unique<sp::proxy::Server>(config, std::move(plugin));
  if (auto st = server->Start(); !st.ok()) {
    sp::log::Error("relay", st.message());
    return 1;
  }
  // Declared after the server, so it is destroyed first: its requests use the server's service.
  sp::console::ConsoleServer console;
  if (auto st = console.Start(config->console, {[&server] { return server->config(); }, service});
      !st.ok()) {
    sp::log::Error("console", st.message());
    server->Stop();
    return 1;
  }
  // /readyz: checked on the HTTP thread that asks, against the configuration in force.
  auto listening = [&server]() -> std::optional<std::string> {
    if (server->draining()) return std::string("shutting down");
    return std::nullopt;
  };
  sp::proxy::ReadinessChecker readiness([&server] { return server->config(); }, listening);
  metrics.SetReadiness([&readiness] { return readiness.Check(); });

  for (;;) {
    timespec tick{0, 200 * 1000 * 1000};
    int sig = sigtimedwait(&set, nullptr, &tick);
    if (sig == SIGHUP) {
      auto fresh = sp::proxy::LoadConfig(config_path);
      if (!fresh.ok()) {
        sp::log::Error("config",
                       "reload refused, the old configuration stays: ", fresh.status().message());
        continue;
      }
      auto next = std::make_shared<const sp::Config>(std::move(fresh).value());
      if (auto st = server->Reload(next); !st.ok()) {
        sp::log::Error("config", "reload refused, the old configuration stays: ", st.message());
        continue;
      }
      config = std::move(next);
      console.Reload(config->console);
      ApplyLogging(*config, log_level_override);
      WarnAboutClearTextSecrets(*config);
      CreateKnownSeries(*config);
      sp::log::Info("config", "configuration reloaded from ", config_path, " (",
                    config->users.size(), " users, ", config->shadow_sync.processes.size(),
                    " approval processes); new sessions use it");
    } else if (sig == SIGTERM || sig == SIGINT) {
      auto grace = config->listen.shutdown_grace;
      sp::log::Info("relay", "shutting down (", sig == SIGTERM ? "SIGTERM" : "SIGINT",
                    "): no new connections, waiting up to ", grace.count(),
                    "ms for statements in flight");
      server->BeginShutdown();
      console.Stop();  // no new console requests; those in flight finish first
      auto deadline = server->shutdown_deadline();  // one clock for sessions and tasks
      while (std::chrono::steady_clock::now() < deadline &&
             (server->session_count() > 0 || server->plugin_jobs.load() > 0)) {
        timespec poll{0, 50 * 1000 * 1000};
        int again = sigtimedwait(&set, nullptr, &poll);
        if (again == SIGTERM || again == SIGINT) break;  // a second signal: stop now
      }
      if (server->session_count() > 0)
        sp::log::Warn("relay", "closing ", server->session_count(),
                      " session(s) still busy after the grace period");
      metrics.Stop();  // before the server: /readyz asks it
      server->Stop();
      server.reset();
      sp::log::Info("relay", "stopped");
      return 0;
    }
  }
}
