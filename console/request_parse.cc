#include "console/request_parse.h"

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>
#include <set>

namespace shadowproxy::console {
namespace {

using nlohmann::json;

Status Bad(const std::string& message) {
  return Status(errc::kSyntax, "bad request: " + message, "42000");
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string Upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

bool ParseUint(const std::string& text, uint64_t max, uint64_t* out) {
  if (text.empty() || text.size() > 19) return false;
  uint64_t v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  if (v > max) return false;
  *out = v;
  return true;
}

Result<bool> ParseBoolParam(const std::string& name, const std::string& text) {
  const std::string v = Lower(text);
  if (v == "1" || v == "true" || v == "yes" || v == "") return true;
  if (v == "0" || v == "false" || v == "no") return false;
  return Bad(name + ": expected true or false, got '" + text + "'");
}

// A body that is empty counts as {}; anything else must be one JSON object.
Result<json> ParseObject(const std::string& body) {
  if (body.find_first_not_of(" \t\r\n") == std::string::npos) return json::object();
  json j = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return Bad("the body is not valid JSON");
  if (!j.is_object()) return Bad("the body must be a JSON object");
  return j;
}

// Fields not in `known` are refused, so a typo ("sufix") is not silently ignored.
Status CheckFields(const json& j, std::initializer_list<const char*> known) {
  for (auto it = j.begin(); it != j.end(); ++it) {
    bool ok = false;
    for (const char* k : known) ok = ok || it.key() == k;
    if (!ok) return Bad("unknown field '" + it.key() + "'");
  }
  return Status::Ok();
}

Status GetString(const json& j, const char* key, std::string* out, bool required = false) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) {
    if (required) return Bad(std::string("field '") + key + "' is required");
    return Status::Ok();
  }
  if (!it->is_string()) return Bad(std::string("field '") + key + "' must be a string");
  *out = it->get<std::string>();
  return Status::Ok();
}

Status GetStringList(const json& j, const char* key, std::vector<std::string>* out,
                     bool* present = nullptr) {
  auto it = j.find(key);
  if (present) *present = it != j.end() && !it->is_null();
  if (it == j.end() || it->is_null()) return Status::Ok();
  if (!it->is_array()) return Bad(std::string("field '") + key + "' must be a list of strings");
  out->clear();
  for (const auto& v : *it) {
    if (!v.is_string() || v.get<std::string>().empty())
      return Bad(std::string("field '") + key + "' must be a list of non-empty strings");
    out->push_back(v.get<std::string>());
  }
  return Status::Ok();
}

Status FillAnalysis(const json& j, tasks::AnalysisSpec* spec) {
  if (Status s = GetString(j, "database", &spec->database, true); !s.ok()) return s;
  if (spec->database.empty()) return Bad("field 'database' must not be empty");
  auto all = j.find("all_tables");
  if (all != j.end() && !all->is_null() && !all->is_boolean())
    return Bad("field 'all_tables' must be true or false");
  spec->all_tables = all != j.end() && all->is_boolean() && all->get<bool>();
  bool has_tables = false;
  if (Status s = GetStringList(j, "tables", &spec->tables, &has_tables); !s.ok()) return s;
  if (spec->all_tables == has_tables)
    return Bad("give either 'all_tables': true or a non-empty 'tables' list");
  if (has_tables && spec->tables.empty()) return Bad("field 'tables' must not be empty");
  std::string prefix, suffix;
  if (Status s = GetString(j, "prefix", &prefix); !s.ok()) return s;
  if (Status s = GetString(j, "suffix", &suffix); !s.ok()) return s;
  if (!prefix.empty() && !suffix.empty()) return Bad("give 'prefix' or 'suffix', not both");
  // The affix rule itself (ERR 7010) is the schema engine's, as for the statement.
  if (!prefix.empty() || !suffix.empty()) spec->naming = Naming{prefix, suffix};
  return Status::Ok();
}

Status FillSubmit(const json& j, tasks::ExecutionOptions* o) {
  std::string mode, at, on_error;
  if (Status s = GetString(j, "mode", &mode); !s.ok()) return s;
  if (Status s = GetString(j, "execute_at", &at); !s.ok()) return s;
  if (Status s = GetString(j, "on_error", &on_error); !s.ok()) return s;
  if (Status s = GetString(j, "remarks", &o->remarks); !s.ok()) return s;
  if (!mode.empty()) {
    std::string m = Upper(mode);
    if (m == "IMMEDIATELY") m = "IMMEDIATE";
    if (m == "MANUALLY") m = "MANUAL";
    auto parsed = tasks::ParseExecutionMode(m);
    if (!parsed) return Bad("field 'mode' must be IMMEDIATE, AT or MANUAL, got '" + mode + "'");
    o->mode = *parsed;
  }
  if (o->mode == tasks::ExecutionMode::kAt) {
    if (at.empty()) return Bad("mode AT needs 'execute_at' ('YYYY-MM-DD HH:MM:SS')");
    auto t = ParseTime(at);
    // As EXECUTE AT: an unparseable time is a bad schedule, not a syntax error.
    if (!t) return Status(errc::kBadSchedule, "bad EXECUTE AT time '" + at + "'");
    o->execute_at = *t;
  } else if (!at.empty()) {
    return Bad("'execute_at' is only for mode AT");
  }
  if (!on_error.empty()) {
    auto parsed = tasks::ParseErrorStrategy(Upper(on_error));
    if (!parsed) return Bad("field 'on_error' must be ABORT or CONTINUE, got '" + on_error + "'");
    o->error_strategy = *parsed;
  }
  return Status::Ok();
}

const std::set<std::string>& TextColumns() {
  static const std::set<std::string> k{"connection", "database", "creator", "status"};
  return k;
}

}  // namespace

Result<TaskListRequest> ParseTaskList(const Params& params) {
  TaskListRequest r;
  r.query.limit = kDefaultPageSize;
  // Equality values per column, in order: several make one IN.
  std::map<std::string, std::vector<std::string>> equal;
  for (const auto& [name, value] : params) {
    if (name == "all") {
      auto b = ParseBoolParam(name, value);
      if (!b.ok()) return b.status();
      r.all = *b;
    } else if (name == "limit") {
      uint64_t n = 0;
      if (!ParseUint(value, kMaxPageSize, &n) || n == 0)
        return Bad("limit: expected 1.." + std::to_string(kMaxPageSize) + ", got '" + value + "'");
      r.query.limit = n;
    } else if (name == "offset") {
      uint64_t n = 0;
      if (!ParseUint(value, 1000000000, &n))
        return Bad("offset: expected a number, got '" + value + "'");
      r.query.offset = n;
    } else if (name == "sort") {
      r.query.order.clear();
      size_t start = 0;
      while (start <= value.size()) {
        size_t end = value.find(',', start);
        if (end == std::string::npos) end = value.size();
        std::string key = value.substr(start, end - start);
        tasks::TaskSortKey k;
        if (!key.empty() && (key[0] == '-' || key[0] == '+')) {
          k.descending = key[0] == '-';
          key.erase(0, 1);
        }
        auto col = tasks::ParseTaskColumn(key);
        if (!col) return Bad("sort: unknown column '" + key + "'");
        k.column = *col;
        r.query.order.push_back(k);
        start = end + 1;
      }
    } else if (TextColumns().count(name)) {
      equal[name].push_back(value);
    } else {
      const size_t dot = name.find('.');
      const std::string column = name.substr(0, dot);
      const std::string op = dot == std::string::npos ? "" : name.substr(dot + 1);
      tasks::TaskCondition c;
      if (TextColumns().count(column) && (op == "ne" || op == "like")) {
        c.column = *tasks::ParseTaskColumn(column);
        c.op = op == "ne" ? tasks::CompareOp::kNe : tasks::CompareOp::kLike;
        c.values = {value};
      } else if (column == "created_at" && (op == "gt" || op == "ge" || op == "lt" || op == "le")) {
        auto t = ParseTime(value, TimeForm::kDateOrSeconds);
        if (!t) return Bad(name + ": expected 'YYYY-MM-DD[ HH:MM:SS]', got '" + value + "'");
        c.column = tasks::TaskColumn::kCreatedAt;
        c.op = op == "gt"   ? tasks::CompareOp::kGt
               : op == "ge" ? tasks::CompareOp::kGe
               : op == "lt" ? tasks::CompareOp::kLt
                            : tasks::CompareOp::kLe;
        c.values = {value};
        c.value_time = *t;
      } else {
        return Bad("unknown parameter '" + name + "'");
      }
      r.query.where.push_back(std::move(c));
    }
  }
  for (auto& [column, values] : equal) {
    tasks::TaskCondition c;
    c.column = *tasks::ParseTaskColumn(column);
    c.op = values.size() == 1 ? tasks::CompareOp::kEq : tasks::CompareOp::kIn;
    c.values = std::move(values);
    r.query.where.push_back(std::move(c));
  }
  if (Status s = tasks::ValidateQuery(r.query); !s.ok()) return Bad(s.message());
  return r;
}

Result<LogsRequest> ParseLogs(const Params& params) {
  LogsRequest r;
  for (const auto& [name, value] : params) {
    if (name == "level") {
      const std::string v = Lower(value);
      if (v == "alert")
        r.alert_only = true;
      else if (v != "all" && !v.empty())
        return Bad("level: expected all or alert, got '" + value + "'");
    } else if (name == "q") {
      r.q = value;
    } else {
      return Bad("unknown parameter '" + name + "'");
    }
  }
  return r;
}

bool LogMatches(const LogsRequest& filter, const tasks::TaskLog& line) {
  if (filter.alert_only && !line.IsAlert()) return false;
  if (filter.q.empty()) return true;
  auto it = std::search(line.message.begin(), line.message.end(), filter.q.begin(), filter.q.end(),
                        [](char a, char b) {
                          return std::tolower(static_cast<unsigned char>(a)) ==
                                 std::tolower(static_cast<unsigned char>(b));
                        });
  return it != line.message.end();
}

Result<tasks::AnalysisSpec> ParseAnalysis(const std::string& body) {
  auto j = ParseObject(body);
  if (!j.ok()) return j.status();
  if (Status s = CheckFields(*j, {"database", "all_tables", "tables", "prefix", "suffix"}); !s.ok())
    return s;
  tasks::AnalysisSpec spec;
  if (Status s = FillAnalysis(*j, &spec); !s.ok()) return s;
  return spec;
}

Result<std::vector<std::string>> ParseTables(const std::string& body) {
  auto j = ParseObject(body);
  if (!j.ok()) return j.status();
  if (Status s = CheckFields(*j, {"tables"}); !s.ok()) return s;
  std::vector<std::string> tables;
  bool present = false;
  if (Status s = GetStringList(*j, "tables", &tables, &present); !s.ok()) return s;
  if (tables.empty()) return Bad("field 'tables' must be a non-empty list");
  return tables;
}

Result<tasks::ExecutionOptions> ParseSubmit(const std::string& body) {
  auto j = ParseObject(body);
  if (!j.ok()) return j.status();
  if (Status s = CheckFields(*j, {"mode", "execute_at", "on_error", "remarks"}); !s.ok()) return s;
  tasks::ExecutionOptions o;
  if (Status s = FillSubmit(*j, &o); !s.ok()) return s;
  return o;
}

Result<std::string> ParseComment(const std::string& body) {
  auto j = ParseObject(body);
  if (!j.ok()) return j.status();
  if (Status s = CheckFields(*j, {"comment"}); !s.ok()) return s;
  std::string comment;
  if (Status s = GetString(*j, "comment", &comment); !s.ok()) return s;
  return comment;
}

Result<CreateTaskRequest> ParseCreateTask(const std::string& body) {
  auto j = ParseObject(body);
  if (!j.ok()) return j.status();
  if (Status s = CheckFields(*j, {"database", "all_tables", "tables", "prefix", "suffix", "skip",
                                  "mode", "execute_at", "on_error", "remarks"});
      !s.ok())
    return s;
  CreateTaskRequest r;
  if (Status s = FillAnalysis(*j, &r.spec); !s.ok()) return s;
  if (Status s = GetStringList(*j, "skip", &r.skip); !s.ok()) return s;
  if (Status s = FillSubmit(*j, &r.options); !s.ok()) return s;
  return r;
}

Result<SignInRequest> ParseSignIn(const std::string& body) {
  auto j = ParseObject(body);
  if (!j.ok()) return j.status();
  if (Status s = CheckFields(*j, {"user", "password"}); !s.ok()) return s;
  SignInRequest r;
  if (Status s = GetString(*j, "user", &r.user, true); !s.ok()) return s;
  if (Status s = GetString(*j, "password", &r.password); !s.ok()) return s;
  if (r.user.empty()) return Bad("field 'user' must not be empty");
  return r;
}

Result<int64_t> ParseId(const std::string& text) {
  uint64_t v = 0;
  if (!ParseUint(text, static_cast<uint64_t>(INT64_MAX), &v) || v == 0)
    return Status(errc::kUnknownId, "unknown id '" + text + "'");
  return static_cast<int64_t>(v);
}

}  // namespace shadowproxy::console
