#include "plugins/tasks/task_model.h"

#include <cstdio>
#include <ctime>

namespace shadowproxy::tasks {
namespace {

template <typename E, size_t N>
std::optional<E> ParseEnum(std::string_view text, const E (&values)[N]) {
  for (E v : values)
    if (text == ToString(v)) return v;
  return std::nullopt;
}

}  // namespace

const char* ToString(TaskStatus s) {
  switch (s) {
    case TaskStatus::kWaitForApproval:
      return "WAIT_FOR_APPROVAL";
    case TaskStatus::kWaitForExecution:
      return "WAIT_FOR_EXECUTION";
    case TaskStatus::kExecuting:
      return "EXECUTING";
    case TaskStatus::kExecutionSucceeded:
      return "EXECUTION_SUCCEEDED";
    case TaskStatus::kExecutionSucceededWithErrors:
      return "EXECUTION_SUCCEEDED_WITH_ERRORS";
    case TaskStatus::kExecutionFailed:
      return "EXECUTION_FAILED";
    case TaskStatus::kRejected:
      return "REJECTED";
    case TaskStatus::kApprovalExpired:
      return "APPROVAL_EXPIRED";
    case TaskStatus::kExecutionExpired:
      return "EXECUTION_EXPIRED";
    case TaskStatus::kCancelled:
      return "CANCELLED";
  }
  return "?";
}
std::optional<TaskStatus> ParseTaskStatus(std::string_view text) {
  return ParseEnum(text, kAllStatuses);
}
bool IsFinal(TaskStatus s) {
  return s != TaskStatus::kWaitForApproval && s != TaskStatus::kWaitForExecution &&
         s != TaskStatus::kExecuting;
}

const char* ToString(ExecutionMode m) {
  switch (m) {
    case ExecutionMode::kImmediate:
      return "IMMEDIATE";
    case ExecutionMode::kAt:
      return "AT";
    case ExecutionMode::kManual:
      return "MANUAL";
  }
  return "?";
}
std::optional<ExecutionMode> ParseExecutionMode(std::string_view text) {
  constexpr ExecutionMode kAll[] = {ExecutionMode::kImmediate, ExecutionMode::kAt,
                                    ExecutionMode::kManual};
  return ParseEnum(text, kAll);
}

const char* ToString(ErrorStrategy e) { return e == ErrorStrategy::kAbort ? "ABORT" : "CONTINUE"; }
std::optional<ErrorStrategy> ParseErrorStrategy(std::string_view text) {
  constexpr ErrorStrategy kAll[] = {ErrorStrategy::kAbort, ErrorStrategy::kContinue};
  return ParseEnum(text, kAll);
}

const char* ToString(StatementState s) {
  switch (s) {
    case StatementState::kPending:
      return "PENDING";
    case StatementState::kSucceeded:
      return "SUCCEEDED";
    case StatementState::kFailed:
      return "FAILED";
    case StatementState::kSkipped:
      return "SKIPPED";
  }
  return "?";
}
std::optional<StatementState> ParseStatementState(std::string_view text) {
  constexpr StatementState kAll[] = {StatementState::kPending, StatementState::kSucceeded,
                                     StatementState::kFailed, StatementState::kSkipped};
  return ParseEnum(text, kAll);
}

const char* ToString(TableResult r) {
  switch (r) {
    case TableResult::kCreate:
      return "CREATE";
    case TableResult::kUpdate:
      return "UPDATE";
    case TableResult::kNoAction:
      return "NO_ACTION";
    case TableResult::kDrop:
      return "DROP";
  }
  return "?";
}
std::optional<TableResult> ParseTableResult(std::string_view text) {
  constexpr TableResult kAll[] = {TableResult::kCreate, TableResult::kUpdate,
                                  TableResult::kNoAction, TableResult::kDrop};
  return ParseEnum(text, kAll);
}

const char* ToString(LogLevel l) {
  switch (l) {
    case LogLevel::kInfo:
      return "INFO";
    case LogLevel::kWarn:
      return "WARN";
    case LogLevel::kError:
      return "ERROR";
  }
  return "?";
}
std::optional<LogLevel> ParseLogLevel(std::string_view text) {
  constexpr LogLevel kAll[] = {LogLevel::kInfo, LogLevel::kWarn, LogLevel::kError};
  return ParseEnum(text, kAll);
}

std::vector<std::pair<std::string, std::string>> Analysis::Script() const {
  std::vector<const AnalysisTable*> run;
  std::vector<std::vector<schema::ScriptPhase>> phases;
  for (const auto& t : tables) {
    if (t.skipped || t.result == TableResult::kNoAction) continue;
    run.push_back(&t);
    phases.push_back(
        t.phases.size() == t.statements.size()
            ? t.phases
            : std::vector<schema::ScriptPhase>(t.statements.size(), schema::ScriptPhase::kMain));
  }
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& [t, k] : schema::ScriptOrder(phases))
    out.emplace_back(run[t]->source, run[t]->statements[k]);
  return out;
}

int Task::CountStatements(StatementState s) const {
  int n = 0;
  for (const auto& st : statements) n += st.state == s;
  return n;
}

std::vector<std::string> Task::SyncedTables() const {
  std::vector<std::string> out;
  for (const auto& t : tables)
    if (!t.skipped && t.result != TableResult::kNoAction) out.push_back(t.source);
  return out;
}

std::vector<std::string> Task::UnsyncedTables() const {
  std::vector<std::string> out;
  for (const auto& t : tables)
    if (t.skipped) out.push_back(t.source);
  return out;
}

std::string EncodeList(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) {
    out += std::to_string(item.size());
    out += ':';
    out += item;
  }
  return out;
}

std::optional<std::vector<std::string>> DecodeList(std::string_view text) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < text.size()) {
    size_t len = 0;
    size_t start = i;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
      len = len * 10 + static_cast<size_t>(text[i] - '0');
      if (len > text.size()) return std::nullopt;
      ++i;
    }
    if (i == start || i >= text.size() || text[i] != ':') return std::nullopt;
    ++i;
    if (text.size() - i < len) return std::nullopt;
    out.emplace_back(text.substr(i, len));
    i += len;
  }
  return out;
}

// A node is two encoded lists (roles, users); the nodes are a list of those.
std::string EncodeNodes(const std::vector<ApprovalNode>& nodes) {
  std::vector<std::string> items;
  for (const auto& n : nodes)
    items.push_back(EncodeList({EncodeList(n.roles), EncodeList(n.users)}));
  return EncodeList(items);
}

std::optional<std::vector<ApprovalNode>> DecodeNodes(std::string_view text) {
  auto items = DecodeList(text);
  if (!items) return std::nullopt;
  std::vector<ApprovalNode> out;
  for (const auto& item : *items) {
    auto pair = DecodeList(item);
    if (!pair || pair->size() != 2) return std::nullopt;
    auto roles = DecodeList((*pair)[0]);
    auto users = DecodeList((*pair)[1]);
    if (!roles || !users) return std::nullopt;
    out.push_back(ApprovalNode{std::move(*roles), std::move(*users)});
  }
  return out;
}

}  // namespace shadowproxy::tasks
