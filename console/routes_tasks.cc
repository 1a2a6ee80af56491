// /api/v1/tasks...: the task list, one task's views, its log download, and the actions
// (approve, reject, abort, execute, retry). Each is one TaskService call; rights and statuses
// are the service's, exactly as for the SHADOW SYNC statements.
#include "console/request_parse.h"
#include "console/routes.h"
#include "console/task_json.h"

namespace shadowproxy::console {
namespace {

using S = tasks::TaskStore;
using Handler = std::function<void(const httplib::Request&, httplib::Response&)>;

// Reads the task of the path's id with `parts` and answers `render(task)`.
template <typename Render>
Handler View(Context& ctx, unsigned parts, Render render) {
  return [&ctx, parts, render](const httplib::Request& req, httplib::Response& res) {
    auto s = Authenticate(ctx, req, res, false);
    if (!s) return;
    auto id = ParseId(req.matches[1]);
    if (!id.ok()) return SendError(res, id.status());
    tasks::Actor actor = ActorOf(ctx, *s);
    auto task = ctx.service->GetTask(actor, *id, parts);
    if (!task.ok()) return SendError(res, task.status());
    render(req, res, actor, *task);
  };
}

// POST /tasks/{id}/<action>: `act(actor, id, body)` returns the task after it.
template <typename Act>
Handler Action(Context& ctx, Act act) {
  return [&ctx, act](const httplib::Request& req, httplib::Response& res) {
    auto s = Authenticate(ctx, req, res, true);
    if (!s) return;
    auto id = ParseId(req.matches[1]);
    if (!id.ok()) return SendError(res, id.status());
    Result<tasks::Task> task = act(ActorOf(ctx, *s), *id, req.body);
    if (!task.ok()) return SendError(res, task.status());
    SendJson(res, 200, TaskIdStatusJson(*task, false));
  };
}

using WithComment = Result<tasks::Task> (tasks::TaskService::*)(const tasks::Actor&, int64_t,
                                                                const std::string&);
using Plain = Result<tasks::Task> (tasks::TaskService::*)(const tasks::Actor&, int64_t);

// APPROVE / REJECT: the body may hold a comment.
Handler Decision(Context& ctx, WithComment call) {
  return Action(ctx,
                [&ctx, call](const tasks::Actor& a, int64_t id,
                             const std::string& body) -> Result<tasks::Task> {
                  auto comment = ParseComment(body);
                  if (!comment.ok()) return comment.status();
                  return (ctx.service->*call)(a, id, *comment);
                });
}

// ABORT / EXECUTE / RETRY: no fields (an empty body or {}).
Handler Command(Context& ctx, Plain call) {
  return Action(ctx,
                [&ctx, call](const tasks::Actor& a, int64_t id,
                             const std::string& body) -> Result<tasks::Task> {
                  if (auto none = ParseComment(body); !none.ok() || !none->empty())
                    return none.ok() ? Status(errc::kSyntax,
                                              "bad request: this action takes no fields", "42000")
                                     : none.status();
                  return (ctx.service->*call)(a, id);
                });
}

void List(Context& ctx, const httplib::Request& req, httplib::Response& res) {
  auto s = Authenticate(ctx, req, res, false);
  if (!s) return;
  auto parsed = ParseTaskList(req.params);
  if (!parsed.ok()) return SendError(res, parsed.status());
  const uint64_t limit = *parsed->query.limit;
  parsed->query.limit = limit + 1;  // one more tells whether there is a next page
  auto rows = ctx.service->ListTasks(ActorOf(ctx, *s), parsed->query, parsed->all);
  if (!rows.ok()) return SendError(res, rows.status());
  SendJson(res, 200, TaskListJson(*rows, limit, parsed->query.offset));
}

}  // namespace

void AddTaskRoutes(httplib::Server& server, Context& ctx) {
  server.Get("/api/v1/tasks",
             [&ctx](const httplib::Request& req, httplib::Response& res) { List(ctx, req, res); });
  server.Get(R"(/api/v1/tasks/([^/]+))", View(ctx, S::kTables | S::kStatements,
                                              [](const httplib::Request&, httplib::Response& res,
                                                 const tasks::Actor& actor, const tasks::Task& t) {
                                                SendJson(res, 200,
                                                         TaskInfoJson(t, ActionsFor(t, actor)));
                                              }));
  server.Get(R"(/api/v1/tasks/([^/]+)/tables)",
             View(ctx, S::kTables,
                  [](const httplib::Request&, httplib::Response& res, const tasks::Actor&,
                     const tasks::Task& t) { SendJson(res, 200, TaskTablesJson(t)); }));
  server.Get(R"(/api/v1/tasks/([^/]+)/sql)",
             View(ctx, S::kStatements,
                  [](const httplib::Request&, httplib::Response& res, const tasks::Actor&,
                     const tasks::Task& t) { SendJson(res, 200, TaskSqlJson(t)); }));
  server.Get(R"(/api/v1/tasks/([^/]+)/process)",
             View(ctx, S::kSteps,
                  [](const httplib::Request&, httplib::Response& res, const tasks::Actor&,
                     const tasks::Task& t) { SendJson(res, 200, TaskProcessJson(t)); }));
  server.Get(R"(/api/v1/tasks/([^/]+)/logs)",
             View(ctx, S::kLogs,
                  [](const httplib::Request& req, httplib::Response& res, const tasks::Actor&,
                     const tasks::Task& t) {
                    auto filter = ParseLogs(req.params);
                    if (!filter.ok()) return SendError(res, filter.status());
                    SendJson(res, 200, TaskLogsJson(t, *filter));
                  }));
  server.Get(R"(/api/v1/tasks/([^/]+)/logs/download)",
             View(ctx, S::kLogs,
                  [](const httplib::Request& req, httplib::Response& res, const tasks::Actor&,
                     const tasks::Task& t) {
                    auto filter = ParseLogs(req.params);
                    if (!filter.ok()) return SendError(res, filter.status());
                    res.set_header("Content-Disposition", "attachment; filename=\"task-" +
                                                              std::to_string(t.id) + "-logs.txt\"");
                    res.set_content(TaskLogsText(t, *filter), "text/plain; charset=utf-8");
                  }));

  server.Post(R"(/api/v1/tasks/([^/]+)/approve)", Decision(ctx, &tasks::TaskService::Approve));
  server.Post(R"(/api/v1/tasks/([^/]+)/reject)", Decision(ctx, &tasks::TaskService::Reject));
  server.Post(R"(/api/v1/tasks/([^/]+)/abort)", Command(ctx, &tasks::TaskService::Abort));
  server.Post(R"(/api/v1/tasks/([^/]+)/execute)", Command(ctx, &tasks::TaskService::Execute));
  // The answer is the new task.
  server.Post(R"(/api/v1/tasks/([^/]+)/retry)", Command(ctx, &tasks::TaskService::Retry));
}

}  // namespace shadowproxy::console
