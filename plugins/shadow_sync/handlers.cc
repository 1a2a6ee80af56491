#include "plugins/shadow_sync/handlers.h"

namespace shadowproxy::shadow_sync {
namespace {

// One entry per alternative of Statement, in its order (a missing one does not compile).
struct Table {
  const Request& r;
  Answer operator()(const AnalyzeStmt& s) { return HandleAnalyze(r, s); }
  Answer operator()(const ShowAnalysisStmt& s) { return HandleShowAnalysis(r, s); }
  Answer operator()(const SkipStmt& s) { return HandleSkip(r, s); }
  Answer operator()(const UnskipStmt& s) { return HandleUnskip(r, s); }
  Answer operator()(const PreviewStmt& s) { return HandlePreview(r, s); }
  Answer operator()(const SubmitStmt& s) { return HandleSubmit(r, s); }
  Answer operator()(const CreateTaskStmt& s) { return HandleCreateTask(r, s); }
  Answer operator()(const ShowTasksStmt& s) { return HandleShowTasks(r, s); }
  Answer operator()(const ShowTaskStmt& s) { return HandleShowTask(r, s); }
  Answer operator()(const ApproveStmt& s) { return HandleApprove(r, s); }
  Answer operator()(const RejectStmt& s) { return HandleReject(r, s); }
  Answer operator()(const AbortStmt& s) { return HandleAbort(r, s); }
  Answer operator()(const ExecuteStmt& s) { return HandleExecute(r, s); }
  Answer operator()(const RetryStmt& s) { return HandleRetry(r, s); }
  Answer operator()(const HelpStmt& s) { return HandleHelp(r, s); }
  Answer operator()(const SetSessionShadowStmt& s) {
    // The relay applies it; the plugin has checked that shadow routing covers the session.
    plugins::OkAnswer ok;
    ok.shadow_session = s.on;
    return ok;
  }
};

}  // namespace

Answer Dispatch(tasks::TaskService& service, const SessionContext& session,
                const Statement& statement) {
  const Request r{session, service, tasks::Actor{session.user, session.roles, session.cluster}};
  return std::visit(Table{r}, statement);
}

}  // namespace shadowproxy::shadow_sync
