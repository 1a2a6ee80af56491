// Internal helpers of the metadb store: building statements with quoted values, reading
// result columns, transactions. Not part of the task center's API.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "base/mysql_conn.h"
#include "base/sql_quote.h"
#include "plugins/tasks/task_model.h"

namespace shadowproxy::tasks::sqlbuild {

using Row = sql::Row;

inline std::string QuoteName(std::string_view name) { return sql::QuoteIdentifier(name); }

inline std::string Str(const std::optional<std::string>& v) { return v.value_or(""); }
inline int64_t Int(const std::optional<std::string>& v) { return v ? std::stoll(*v) : 0; }
inline std::optional<TimePoint> Time(const std::optional<std::string>& v) {
  if (!v) return std::nullopt;
  return ParseTime(*v, TimeForm::kFraction);
}

class Sql {  // builds one statement with quoted values
 public:
  explicit Sql(const sql::MysqlConn& link) : link_(link) {}
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
    if (!t) {
      text_ += "NULL";
      return *this;
    }
    text_ += '\'';  // appended: see sql::MysqlConn::Quote (GCC bug 105329)
    text_ += FormatTime(*t, true);
    text_ += '\'';
    return *this;
  }
  const std::string& str() const { return text_; }
  bool empty() const { return text_.empty(); }
  void clear() { text_.clear(); }

 private:
  const sql::MysqlConn& link_;
  std::string text_;
};

// Rows written as multi-row INSERTs: `head` ("INSERT INTO t VALUES ") followed by rows
// "(...)", sent before the text would pass kBytes (well under max_allowed_packet; a single row
// larger than that goes alone), so writing thousands of rows costs a few round trips. Use
// inside the caller's transaction. first_id() + k is the id of the k-th row of the last
// statement sent (consecutive with auto_increment_increment 1; callers use log ids only as
// "stored" markers).
class InsertBatch {
 public:
  static constexpr size_t kBytes = 1 << 20;
  InsertBatch(sql::MysqlConn& link, std::string_view head) : link_(link), head_(head), row_(link) {}
  // The builder of the next row's values (without the parentheses); then call Add().
  Sql& row() { return row_; }
  Status Add() {
    // Sent first if this row would take the statement over kBytes.
    if (!text_.empty() && text_.size() + row_.str().size() + 3 > kBytes) {
      if (Status s = Flush(); !s.ok()) return s;
    }
    text_ += text_.empty() ? head_ : ",";
    text_ += "(";
    text_ += row_.str();
    text_ += ")";
    row_.clear();
    ++pending_;
    return Status::Ok();
  }
  // Sends what is pending. first_id(): the AUTO_INCREMENT id of the first row of the last
  // statement sent (rows of one INSERT ... VALUES get consecutive ids).
  Status Flush() {
    if (text_.empty()) return Status::Ok();
    Status s = link_.Execute(text_);
    text_.clear();
    first_id_ = static_cast<int64_t>(link_.insert_id());
    sent_ = pending_;
    pending_ = 0;
    return s;
  }
  int64_t first_id() const { return first_id_; }
  // How many rows the last statement sent carried, once (0 until the next one is sent).
  size_t TakeSent() { return std::exchange(sent_, 0); }

 private:
  sql::MysqlConn& link_;
  std::string head_;
  Sql row_;
  std::string text_;
  size_t pending_ = 0;
  size_t sent_ = 0;
  int64_t first_id_ = 0;
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
Status InTransaction(sql::MysqlConn& link, Body body) {
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
