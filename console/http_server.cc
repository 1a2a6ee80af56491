#include "console/http_server.h"

#include <openssl/ssl.h>

#include <atomic>
#include <thread>

#include "base/log.h"
#include "console/routes.h"
#include "console/sign_in.h"
#include "console/task_json.h"

namespace shadowproxy::console {

// --- what the route files share ----------------------------------------------------------------

void SendJson(httplib::Response& res, int status, const std::string& body) {
  res.status = status;
  res.set_content(body, "application/json; charset=utf-8");
}

void SendError(httplib::Response& res, const Status& status) {
  SendJson(res, HttpStatusOf(status), ErrorJson(status));
}

void SendResult(httplib::Response& res, const Result<std::string>& result) {
  if (!result.ok()) return SendError(res, result.status());
  SendJson(res, 200, *result);
}

namespace {

std::string CookieValue(const httplib::Request& req, std::string_view name) {
  const std::string header = req.get_header_value("Cookie");
  size_t pos = 0;
  while (pos < header.size()) {
    size_t end = header.find(';', pos);
    if (end == std::string::npos) end = header.size();
    std::string_view part(header.data() + pos, end - pos);
    while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
    if (part.size() > name.size() && part.substr(0, name.size()) == name &&
        part[name.size()] == '=')
      return std::string(part.substr(name.size() + 1));
    pos = end + 1;
  }
  return "";
}

bool IsJson(const httplib::Request& req) {
  const std::string type = req.get_header_value("Content-Type");
  return type.rfind("application/json", 0) == 0;
}

}  // namespace

std::optional<WebSession> Authenticate(Context& ctx, const httplib::Request& req,
                                       httplib::Response& res, bool state_changing) {
  const std::string id = CookieValue(req, kCookieName);
  auto session = id.empty() ? std::nullopt : ctx.sessions.Find(id);
  if (!session) {
    SendError(res,
              Status(errc::kAccessDenied, "sign in first (no session, or it expired)", "28000"));
    return std::nullopt;
  }
  if (state_changing) {
    if (!SecureEquals(req.get_header_value(kCsrfHeader), session->csrf)) {
      SendError(res,
                Status(errc::kNotAllowed,
                       "missing right: a valid " + std::string(kCsrfHeader) + " header", "42000"));
      return std::nullopt;
    }
    // Bodies are JSON only: a cross-site form cannot send that without the browser asking
    // first, one more wall behind SameSite and the token.
    if (!req.body.empty() && !IsJson(req)) {
      SendJson(res, 415,
               ErrorJson(Status(errc::kSyntax, "bad request: the body must be application/json",
                                "42000")));
      return std::nullopt;
    }
  }
  return session;
}

tasks::Actor ActorOf(Context& ctx, const WebSession& session) {
  ConfigPtr config = ctx.config();
  SignedIn now = Refresh(*config, session.user);
  return tasks::Actor{session.user, now.roles, now.cluster};
}

// --- the server --------------------------------------------------------------------------------

struct ConsoleServer::Impl {
  std::unique_ptr<httplib::Server> server;
  std::unique_ptr<Context> ctx;
  std::thread thread;
  std::atomic<bool> running{false};
  uint16_t port = 0;
};

namespace {

// The same certificate options as listen.tls (SPEC.md §2), on the context httplib made.
bool SetUpTls(SSL_CTX& ctx, const ListenTlsConfig& tls, std::string* error) {
  if (SSL_CTX_use_certificate_chain_file(&ctx, tls.cert.c_str()) != 1) {
    *error = "console.tls.cert: cannot use " + tls.cert;
    return false;
  }
  if (SSL_CTX_use_PrivateKey_file(&ctx, tls.key.c_str(), SSL_FILETYPE_PEM) != 1 ||
      SSL_CTX_check_private_key(&ctx) != 1) {
    *error = "console.tls.key: cannot use " + tls.key + " with the certificate";
    return false;
  }
  SSL_CTX_set_min_proto_version(&ctx,
                                tls.min_version == "TLSv1.3" ? TLS1_3_VERSION : TLS1_2_VERSION);
  if (!tls.ca.empty()) {
    if (SSL_CTX_load_verify_locations(&ctx, tls.ca.c_str(), nullptr) != 1) {
      *error = "console.tls.ca: cannot load " + tls.ca;
      return false;
    }
    SSL_CTX_set_verify(&ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
  }
  return true;
}

void SetSecurityHeaders(httplib::Response& res) {
  // No inline script or style anywhere: the page's code is /app.js, its look /app.css.
  res.set_header("Content-Security-Policy",
                 "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
                 "connect-src 'self'; base-uri 'none'; form-action 'self'; "
                 "frame-ancestors 'none'");
  res.set_header("X-Content-Type-Options", "nosniff");
  res.set_header("X-Frame-Options", "DENY");
  res.set_header("Referrer-Policy", "no-referrer");
}

}  // namespace

ConsoleServer::ConsoleServer() : impl_(std::make_unique<Impl>()) {}
ConsoleServer::~ConsoleServer() { Stop(); }

Status ConsoleServer::Start(const ConsoleConfig& cfg, ConsoleDeps deps) {
  Stop();
  if (cfg.port == 0) return Status::Ok();
  auto ctx = std::make_unique<Context>(cfg.session_ttl);
  ctx->config = std::move(deps.config);
  ctx->service = deps.service;
  ctx->tls = cfg.tls.enabled;
  std::unique_ptr<httplib::Server> server;
  if (cfg.tls.enabled) {
    std::string error;
    auto ssl = std::make_unique<httplib::SSLServer>(
        [&](SSL_CTX& c) { return SetUpTls(c, cfg.tls, &error); });
    if (!ssl->is_valid())
      return Status(errc::kInternal, error.empty() ? "console.tls: cannot set up TLS" : error);
    server = std::move(ssl);
  } else {
    server = std::make_unique<httplib::Server>();
  }
  // cpp-httplib holds a thread per open connection (keep-alive included), so the pool bounds the
  // clients served at once; others wait in its queue. 16: a few people with a browser's 6
  // connections each, or a script's clients, on a machine whose cores the relay needs.
  server->new_task_queue = [] { return new httplib::ThreadPool(kHttpThreads); };
  server->set_payload_max_length(kMaxBodyBytes);
  server->set_read_timeout(10, 0);
  server->set_write_timeout(10, 0);
  server->set_keep_alive_timeout(5);
  server->set_keep_alive_max_count(1000);
  // Headers and body leave in separate writes: without this, Nagle and the client's delayed ACK
  // add 40 ms to every answer on a kept-alive connection.
  server->set_tcp_nodelay(true);
  server->set_pre_routing_handler([](const httplib::Request& req, httplib::Response& res) {
    SetSecurityHeaders(res);
    if (req.path.rfind("/api/", 0) == 0) res.set_header("Cache-Control", "no-store");
    return httplib::Server::HandlerResponse::Unhandled;
  });
  // Answers the library makes itself (no route, a body over the limit) get a JSON error too.
  server->set_error_handler(httplib::Server::HandlerWithResponse([](const httplib::Request& req,
                                                                    httplib::Response& res) {
    if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
    Status st;
    if (res.status == 413)
      st = Status(1153, "request body over " + std::to_string(kMaxBodyBytes) + " bytes", "08S01");
    else if (res.status == 404)
      st = Status(errc::kSyntax, "bad request: no route " + req.method + " " + req.path, "42000");
    else
      st = Status(errc::kSyntax, "bad request (HTTP " + std::to_string(res.status) + ")", "42000");
    res.set_content(ErrorJson(st), "application/json; charset=utf-8");
    return httplib::Server::HandlerResponse::Handled;
  }));
  server->set_exception_handler(
      [](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
        SendError(res, Status(errc::kInternal, "internal error"));
      });
  AddSessionRoutes(*server, *ctx);
  AddTaskRoutes(*server, *ctx);
  AddCreateRoutes(*server, *ctx);
  AddStaticRoutes(*server);
  if (!server->bind_to_port(cfg.address.c_str(), cfg.port))
    return Status(errc::kInternal, "console: cannot listen on " + cfg.address + ":" +
                                       std::to_string(cfg.port) + " (console.port)");
  impl_->port = cfg.port;
  impl_->ctx = std::move(ctx);
  impl_->server = std::move(server);
  impl_->running = true;
  httplib::Server* s = impl_->server.get();
  impl_->thread = std::thread([s] { s->listen_after_bind(); });
  log::Info("console", "web console on ", cfg.tls.enabled ? "https" : "http", "://", cfg.address,
            ":", cfg.port, "/");
  return Status::Ok();
}

void ConsoleServer::Stop() {
  if (!impl_->server) return;
  impl_->server->stop();
  if (impl_->thread.joinable()) impl_->thread.join();
  impl_->server.reset();
  impl_->ctx.reset();
  impl_->running = false;
  impl_->port = 0;
}

void ConsoleServer::Reload(const ConsoleConfig& cfg) {
  if (impl_->ctx) impl_->ctx->sessions.set_ttl(cfg.session_ttl);
}

bool ConsoleServer::running() const { return impl_->running; }
uint16_t ConsoleServer::port() const { return impl_->port; }

}  // namespace shadowproxy::console
