#include "plugins/approval/approval.h"

#include <algorithm>

namespace shadowproxy::approval {
namespace {

constexpr char kForbiddenState[] = "42000";

std::string Quoted(std::string_view s) {
  std::string quoted(1, '\'');  // appended: see sql::MysqlConn::Quote (GCC bug 105329)
  quoted += s;
  quoted += '\'';
  return quoted;
}

Status Refuse(std::string_view user, std::string_view right, int64_t task_id,
              const std::string& needs) {
  return Status(errc::kNotAllowed,
                "user " + Quoted(user) + " lacks the right " + std::string(right) + " on task " +
                    std::to_string(task_id) + " (" + needs + ")",
                kForbiddenState);
}

}  // namespace

bool AnyGlob(const std::vector<std::string>& patterns, std::string_view text) {
  return std::any_of(patterns.begin(), patterns.end(),
                     [&](const std::string& p) { return GlobMatch(p, text); });
}

bool GlobMatch(std::string_view pattern, std::string_view text) {
  size_t p = 0, t = 0;
  size_t star = std::string_view::npos, mark = 0;
  while (t < text.size()) {
    if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == text[t])) {
      ++p;
      ++t;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

const ProcessConfig* MatchProcess(const Config& config, std::string_view cluster,
                                  std::string_view database) {
  const auto& processes = config.shadow_sync.processes;
  if (processes.empty()) return &DefaultProcess();
  const ProcessConfig* best = nullptr;
  for (const auto& p : processes) {
    if (!AnyGlob(p.match.clusters, cluster) || !AnyGlob(p.match.databases, database)) continue;
    if (best == nullptr || p.priority < best->priority) best = &p;
  }
  return best;
}

bool HasRole(const std::vector<std::string>& roles, std::string_view role) {
  return std::find(roles.begin(), roles.end(), role) != roles.end();
}

bool NodeAccepts(const ApprovalNode& node, std::string_view user,
                 const std::vector<std::string>& roles) {
  if (std::find(node.users.begin(), node.users.end(), user) != node.users.end()) return true;
  return std::any_of(node.roles.begin(), node.roles.end(),
                     [&](const std::string& r) { return HasRole(roles, r); });
}

std::string DescribeNode(const ApprovalNode& node) {
  std::string out;
  auto add = [&](const char* kind, const std::string& name) {
    if (!out.empty()) out += " or ";
    out += kind;
    out += ' ';
    out += name;
  };
  for (const auto& r : node.roles) add("role", r);
  for (const auto& u : node.users) add("user", u);
  return out.empty() ? "nobody" : out;
}

Status CanView(const TaskFacts& task, std::string_view user, const std::vector<std::string>& roles,
               std::string_view process_name, const std::vector<ApprovalNode>& nodes) {
  if (user == task.creator || HasRole(roles, "admin")) return Status::Ok();
  for (const auto& node : nodes)
    if (NodeAccepts(node, user, roles)) return Status::Ok();
  return Refuse(
      user, "VIEW", task.id,
      "needs to be its creator, an approver of process " + Quoted(process_name) + " or role admin");
}

Status CanApprove(const TaskFacts& task, const ApprovalNode& node, std::string_view user,
                  const std::vector<std::string>& roles, bool allow_self, std::string_view right) {
  if (!NodeAccepts(node, user, roles))
    return Refuse(user, right, task.id, "needs " + DescribeNode(node));
  if (user == task.creator && !allow_self)
    return Refuse(user, right, task.id,
                  "the creator may not approve their own task: allow_self_approval is off");
  return Status::Ok();
}

Status CanAbortOrExecute(const TaskFacts& task, std::string_view user,
                         const std::vector<std::string>& roles, std::string_view right) {
  if (user == task.creator || HasRole(roles, "admin")) return Status::Ok();
  return Refuse(user, right, task.id, "needs to be its creator or role admin");
}

}  // namespace shadowproxy::approval
