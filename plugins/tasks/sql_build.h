// Internal helpers of the metadb store: building statements with quoted values, reading
// result columns, transactions. Not part of the task center's API.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "base/sql_quote.h"
#include "plugins/tasks/sql_link.h"
#include "plugins/tasks/task_model.h"

namespace shadowproxy::tasks::sqlbuild {

inline std::string QuoteName(std::string_view name) { return sql::QuoteIdentifier(name); }

inline std::string Str(const std::optional<std::string>& v) { return v.value_or(""); }
inline int64_t Int(const std::optional<std::string>& v) { return v ? std::stoll(*v) : 0; }
inline std::optional<TimePoint> Time(const std::optional<std::string>& v) {
  if (!v) return std::nullopt;
  return ParseTime(*v);
}

class Sql {  // builds one statement with quoted values
 public:
  explicit Sql(const SqlLink& link) : link_(link) {}
  Sql& operator<<(std::string_view raw) {
    text_ += raw;
    return *this;
  }
  Sql& Q(std::string_view value) {
    text_ += link_.Quote(value);
    return *this;
  }
  Sql& N(int64_t v) {
    text_ += std::to_string(v);
    return *this;
  }
  Sql& T(std::optional<TimePoint> t) {
    text_ += t ? "'" + FormatTime(*t, true) + "'" : "NULL";
    return *this;
  }
  const std::string& str() const { return text_; }

 private:
  const SqlLink& link_;
  std::string text_;
};

inline Status UnknownTask(int64_t id) {
  return Status(errc::kUnknownId, "unknown task " + std::to_string(id));
}
inline Status UnknownAnalysis(int64_t id) {
  return Status(errc::kUnknownId, "unknown analysis " + std::to_string(id));
}

// ER_LOCK_DEADLOCK, ER_LOCK_WAIT_TIMEOUT: the server rolled the transaction back (or may
// have); running it again is the documented answer.
inline bool IsTransient(const Status& s) { return s.code() == 1213 || s.code() == 1205; }

// Runs body inside a transaction: COMMIT if it returns OK, ROLLBACK otherwise. A deadlock or
// lock-wait timeout runs it again (a few times), so body must set everything it reports from
// scratch on each run.
template <typename Body>
Status InTransaction(SqlLink& link, Body body) {
  Status s;
  for (int attempt = 0; attempt < 5; ++attempt) {
    if (s = link.Execute("START TRANSACTION"); !s.ok()) return s;
    s = body();
    if (s.ok()) s = link.Execute("COMMIT");
    if (s.ok()) return s;
    (void)link.Execute("ROLLBACK");
    if (!IsTransient(s)) return s;
  }
  return s;
}

}  // namespace shadowproxy::tasks::sqlbuild
