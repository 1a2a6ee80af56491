// /api/v1/session: sign in (POST), who am I (GET), sign out (DELETE).
#include <thread>

#include "base/log.h"
#include "console/request_parse.h"
#include "console/routes.h"
#include "console/sign_in.h"
#include "console/task_json.h"

namespace shadowproxy::console {
namespace {

std::string Cookie(const Context& ctx, const std::string& value, long max_age_s) {
  std::string c = std::string(kCookieName) + "=" + value + "; Path=/; HttpOnly; SameSite=Strict";
  c += "; Max-Age=" + std::to_string(max_age_s);
  if (ctx.tls) c += "; Secure";
  return c;
}

void SignInRoute(Context& ctx, const httplib::Request& req, httplib::Response& res) {
  // JSON only: a cross-site form cannot post JSON, so nobody can sign a victim in as themself.
  if (req.get_header_value("Content-Type").rfind("application/json", 0) != 0)
    return SendJson(res, 415,
                    ErrorJson(Status(errc::kSyntax,
                                     "bad request: the body must be application/json", "42000")));
  auto body = ParseSignIn(req.body);
  if (!body.ok()) return SendError(res, body.status());
  if (ctx.throttle.Blocked(req.remote_addr)) {
    log::Warn("console", {{"user", body->user}, {"client", req.remote_addr}},
              "console sign-in of '", body->user, "' from ", req.remote_addr,
              " refused: a failed sign-in from there is still being answered");
    return SendJson(
        res, 429,
        ErrorJson(Status(errc::kAccessDenied,
                         "too many failed sign-ins from this address; try again later", "28000")));
  }
  ConfigPtr config = ctx.config();
  std::string why;
  auto who = SignIn(*config, body->user, body->password, &why);
  if (!who.ok()) {
    if (who.status().code() == errc::kAccessDenied) {
      const auto delay = ctx.throttle.Failed(req.remote_addr);
      log::Warn("console", {{"user", body->user}, {"client", req.remote_addr}},
                "console sign-in failed for user '", body->user, "' from ", req.remote_addr, ": ",
                why, " (answered after ", delay.count(), "ms)");
      // Slow: guessing passwords through the console costs as much time as we can afford.
      std::this_thread::sleep_for(delay);
    } else {
      log::Warn("console", {{"user", body->user}}, "console sign-in of '", body->user,
                "' impossible: ", why);
    }
    return SendError(res, who.status());
  }
  ctx.throttle.Succeeded(req.remote_addr);
  WebSession s = ctx.sessions.Create(who->user, who->roles, who->cluster);
  log::Info("console", {{"user", s.user}, {"client", req.remote_addr}}, "console sign-in of '",
            s.user, "' from ", req.remote_addr);
  res.set_header("Set-Cookie", Cookie(ctx, s.id, static_cast<long>(ctx.ttl.count() / 1000)));
  SendJson(res, 200, SessionJson(s.user, who->roles, who->cluster, s.csrf));
}

}  // namespace

void AddSessionRoutes(httplib::Server& server, Context& ctx) {
  server.Post("/api/v1/session", [&ctx](const httplib::Request& req, httplib::Response& res) {
    SignInRoute(ctx, req, res);
  });
  server.Get("/api/v1/session", [&ctx](const httplib::Request& req, httplib::Response& res) {
    auto s = Authenticate(ctx, req, res, false);
    if (!s) return;
    tasks::Actor a = ActorOf(ctx, *s);
    SendJson(res, 200, SessionJson(a.user, a.roles, a.cluster, s->csrf));
  });
  server.Delete("/api/v1/session", [&ctx](const httplib::Request& req, httplib::Response& res) {
    auto s = Authenticate(ctx, req, res, true);
    if (!s) return;
    ctx.sessions.Remove(s->id);
    res.set_header("Set-Cookie", Cookie(ctx, "", 0));
    SendJson(res, 200, "{\"signed_out\":true}");
  });
}

}  // namespace shadowproxy::console
