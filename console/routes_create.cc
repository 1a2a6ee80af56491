// The create flow: POST /api/v1/analyses, its tables' views, skip / unskip, preview, submit;
// and POST /api/v1/tasks, the one-call CREATE TASK.
#include "console/request_parse.h"
#include "console/routes.h"
#include "console/task_json.h"

namespace shadowproxy::console {
namespace {

void Analyze(Context& ctx, const httplib::Request& req, httplib::Response& res) {
  auto s = Authenticate(ctx, req, res, true);
  if (!s) return;
  auto spec = ParseAnalysis(req.body);
  if (!spec.ok()) return SendError(res, spec.status());
  auto a = ctx.service->Analyze(ActorOf(ctx, *s), *spec);
  if (!a.ok()) return SendError(res, a.status());
  SendJson(res, 200, AnalysisJson(*a));
}

// GET /analyses/{id}[/tables/{name} | /preview].
void Show(Context& ctx, const httplib::Request& req, httplib::Response& res, const char* right) {
  auto s = Authenticate(ctx, req, res, false);
  if (!s) return;
  auto id = ParseId(req.matches[1]);
  if (!id.ok()) return SendError(res, id.status());
  auto a = ctx.service->GetAnalysis(ActorOf(ctx, *s), *id, right);
  if (!a.ok()) return SendError(res, a.status());
  if (req.matches.size() > 2) return SendResult(res, AnalysisTableJson(*a, req.matches[2]));
  SendJson(res, 200, std::string(right) == "PREVIEW" ? PreviewJson(*a) : AnalysisJson(*a));
}

void Skip(Context& ctx, const httplib::Request& req, httplib::Response& res, bool skipped) {
  auto s = Authenticate(ctx, req, res, true);
  if (!s) return;
  auto id = ParseId(req.matches[1]);
  if (!id.ok()) return SendError(res, id.status());
  auto tables = ParseTables(req.body);
  if (!tables.ok()) return SendError(res, tables.status());
  auto n = ctx.service->SetSkipped(ActorOf(ctx, *s), *id, *tables, skipped);
  if (!n.ok()) return SendError(res, n.status());
  SendJson(res, 200, ChangedJson(*n));
}

void Submit(Context& ctx, const httplib::Request& req, httplib::Response& res) {
  auto s = Authenticate(ctx, req, res, true);
  if (!s) return;
  auto id = ParseId(req.matches[1]);
  if (!id.ok()) return SendError(res, id.status());
  auto options = ParseSubmit(req.body);
  if (!options.ok()) return SendError(res, options.status());
  auto t = ctx.service->Submit(ActorOf(ctx, *s), *id, *options);
  if (!t.ok()) return SendError(res, t.status());
  SendJson(res, 200, TaskIdStatusJson(*t, true));
}

void CreateTask(Context& ctx, const httplib::Request& req, httplib::Response& res) {
  auto s = Authenticate(ctx, req, res, true);
  if (!s) return;
  auto r = ParseCreateTask(req.body);
  if (!r.ok()) return SendError(res, r.status());
  auto created = ctx.service->CreateTask(ActorOf(ctx, *s), r->spec, r->skip, r->options);
  if (!created.ok()) return SendError(res, created.status());
  SendJson(res, 200, CreatedTaskJson(*created));
}

}  // namespace

void AddCreateRoutes(httplib::Server& server, Context& ctx) {
  using Req = const httplib::Request&;
  using Res = httplib::Response&;
  server.Post("/api/v1/analyses", [&ctx](Req req, Res res) { Analyze(ctx, req, res); });
  server.Get(R"(/api/v1/analyses/([^/]+))",
             [&ctx](Req req, Res res) { Show(ctx, req, res, "VIEW"); });
  // The table name is the rest of the path (URL-decoded), so any name can be asked for.
  server.Get(R"(/api/v1/analyses/([^/]+)/tables/(.+))",
             [&ctx](Req req, Res res) { Show(ctx, req, res, "VIEW"); });
  server.Get(R"(/api/v1/analyses/([^/]+)/preview)",
             [&ctx](Req req, Res res) { Show(ctx, req, res, "PREVIEW"); });
  server.Post(R"(/api/v1/analyses/([^/]+)/skip)",
              [&ctx](Req req, Res res) { Skip(ctx, req, res, true); });
  server.Post(R"(/api/v1/analyses/([^/]+)/unskip)",
              [&ctx](Req req, Res res) { Skip(ctx, req, res, false); });
  server.Post(R"(/api/v1/analyses/([^/]+)/submit)",
              [&ctx](Req req, Res res) { Submit(ctx, req, res); });
  server.Post("/api/v1/tasks", [&ctx](Req req, Res res) { CreateTask(ctx, req, res); });
}

}  // namespace shadowproxy::console
