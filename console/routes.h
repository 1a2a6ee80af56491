// Internal to console/: what the route files share (the request context, authentication,
// JSON answers). Includes cpp-httplib, so only console/*.cc include it.
#pragma once

#include <httplib.h>

#include <optional>
#include <string>

#include "base/config.h"
#include "base/status.h"
#include "console/session_store.h"
#include "plugins/tasks/task_service.h"

namespace shadowproxy::console {

inline constexpr char kCookieName[] = "sp_session";
inline constexpr char kCsrfHeader[] = "X-CSRF-Token";
inline constexpr size_t kMaxBodyBytes = 64 * 1024;
inline constexpr size_t kHttpThreads = 16;

struct Context {
  std::function<ConfigPtr()> config;
  tasks::TaskService* service = nullptr;
  SessionStore sessions;
  SignInThrottle throttle;
  bool tls = false;
  std::chrono::milliseconds ttl{};
  explicit Context(std::chrono::milliseconds session_ttl)
      : sessions(session_ttl), ttl(session_ttl) {}
};

void SendJson(httplib::Response& res, int status, const std::string& body);
void SendError(httplib::Response& res, const Status& status);
// Sends the result's text as 200 JSON, or its error.
void SendResult(httplib::Response& res, const Result<std::string>& result);

// The signed-in session of the request, renewed; nullopt after answering 401 (no or an expired
// session) or, when `state_changing`, 403 (no or a wrong CSRF token) or 415 (a body that is
// not JSON).
std::optional<WebSession> Authenticate(Context& ctx, const httplib::Request& req,
                                       httplib::Response& res, bool state_changing);
// The session as the service's actor, with the roles and cluster of the config in force.
tasks::Actor ActorOf(Context& ctx, const WebSession& session);

// Route groups, one file each.
void AddSessionRoutes(httplib::Server& server, Context& ctx);
void AddTaskRoutes(httplib::Server& server, Context& ctx);
void AddCreateRoutes(httplib::Server& server, Context& ctx);
void AddStaticRoutes(httplib::Server& server);

}  // namespace shadowproxy::console
