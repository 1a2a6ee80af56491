#include "plugins/shadow_sync/parser.h"

#include <charconv>
#include <ctime>
#include <utility>
#include <vector>

#include "plugins/shadow_sync/lexer.h"

namespace shadowproxy::shadow_sync {
namespace {

#define SP_RETURN_IF_ERROR(expr)                             \
  do {                                                       \
    if (Status sp_st_ = (expr); !sp_st_.ok()) return sp_st_; \
  } while (0)

#define SP_ASSIGN_OR_RETURN(lhs, expr)                                              \
  auto SP_CONCAT(sp_r_, __LINE__) = (expr);                                         \
  if (!SP_CONCAT(sp_r_, __LINE__).ok()) return SP_CONCAT(sp_r_, __LINE__).status(); \
  lhs = std::move(SP_CONCAT(sp_r_, __LINE__)).value()
#define SP_CONCAT_INNER(a, b) a##b
#define SP_CONCAT(a, b) SP_CONCAT_INNER(a, b)

bool IEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'a' && x <= 'z') x = static_cast<char>(x - 'a' + 'A');
    if (y >= 'a' && y <= 'z') y = static_cast<char>(y - 'a' + 'A');
    if (x != y) return false;
  }
  return true;
}

Status BadAffix(std::string_view kind, const std::string& value) {
  return Status(7010, "bad shadow naming: " + std::string(kind) + " '" + value +
                          "' must be 1 to 32 characters of [A-Za-z0-9_]");
}

Status CheckAffix(std::string_view kind, const std::string& value) {
  return ValidAffix(value) ? Status::Ok() : BadAffix(kind, value);
}

class Parser {
 public:
  explicit Parser(std::vector<Token> tokens) : t_(std::move(tokens)) {}

  Result<Statement> Parse() {
    SP_RETURN_IF_ERROR(ExpectKw("SHADOW"));
    SP_RETURN_IF_ERROR(ExpectKw("SYNC"));
    auto stmt = ParseBody();
    if (!stmt.ok()) return stmt;
    AcceptSym(";");
    if (Peek().kind != TokenKind::kEnd) return SyntaxError(Peek());
    return stmt;
  }

 private:
  // ---- token helpers ----
  const Token& Peek() const { return t_[k_]; }
  const Token& Take() {
    const Token& tok = t_[k_];
    if (tok.kind != TokenKind::kEnd) ++k_;
    return tok;
  }
  static bool IsKw(const Token& tok, std::string_view kw) {
    return tok.kind == TokenKind::kWord && IEquals(tok.value, kw);
  }
  bool AcceptKw(std::string_view kw) {
    if (!IsKw(Peek(), kw)) return false;
    Take();
    return true;
  }
  Status ExpectKw(std::string_view kw) {
    if (!AcceptKw(kw)) return SyntaxError(Peek());
    return Status::Ok();
  }
  bool AcceptSym(std::string_view sym) {
    if (Peek().kind != TokenKind::kSymbol || Peek().value != sym) return false;
    Take();
    return true;
  }
  Status ExpectSym(std::string_view sym) {
    if (!AcceptSym(sym)) return SyntaxError(Peek());
    return Status::Ok();
  }

  Result<uint64_t> ParseNumber() {
    const Token& tok = Peek();
    if (tok.kind != TokenKind::kNumber) return SyntaxError(tok);
    uint64_t v = 0;
    const char* b = tok.value.data();
    const char* e = b + tok.value.size();
    auto [p, ec] = std::from_chars(b, e, v);
    if (ec != std::errc() || p != e) return SyntaxError(tok);  // out of range
    Take();
    return v;
  }

  Result<std::string> ParseIdent() {
    const Token& tok = Peek();
    if (tok.kind != TokenKind::kWord && tok.kind != TokenKind::kQuotedIdent) {
      return SyntaxError(tok);
    }
    return Take().value;
  }

  Result<std::string> ParseString() {
    const Token& tok = Peek();
    if (tok.kind != TokenKind::kString) return SyntaxError(tok);
    return Take().value;
  }

  Result<std::vector<std::string>> ParseIdentList() {
    std::vector<std::string> out;
    do {
      SP_ASSIGN_OR_RETURN(std::string name, ParseIdent());
      out.push_back(std::move(name));
    } while (AcceptSym(","));
    return out;
  }

  // ---- statements ----
  Result<Statement> ParseBody() {
    const Token& tok = Peek();
    if (tok.kind != TokenKind::kWord) return SyntaxError(tok);
    if (AcceptKw("ANALYZE")) return ParseAnalyze();
    if (AcceptKw("SHOW")) return ParseShow();
    if (AcceptKw("SKIP")) return ParseSkipLike<SkipStmt>();
    if (AcceptKw("UNSKIP")) return ParseSkipLike<UnskipStmt>();
    if (AcceptKw("PREVIEW")) return ParseIdOnly<PreviewStmt>(&PreviewStmt::analysis_id);
    if (AcceptKw("SUBMIT")) return ParseSubmit();
    if (AcceptKw("CREATE")) return ParseCreateTask();
    if (AcceptKw("APPROVE")) return ParseWithComment<ApproveStmt>();
    if (AcceptKw("REJECT")) return ParseWithComment<RejectStmt>();
    if (AcceptKw("ABORT")) return ParseIdOnly<AbortStmt>(&AbortStmt::task_id);
    if (AcceptKw("EXECUTE")) return ParseIdOnly<ExecuteStmt>(&ExecuteStmt::task_id);
    if (AcceptKw("RETRY")) return ParseIdOnly<RetryStmt>(&RetryStmt::task_id);
    if (AcceptKw("HELP")) return Statement(HelpStmt{});
    if (AcceptKw("SET")) return ParseSetSessionShadow();
    return SyntaxError(tok);
  }

  Result<Statement> ParseSetSessionShadow() {
    SP_RETURN_IF_ERROR(ExpectKw("SESSION"));
    SP_RETURN_IF_ERROR(ExpectKw("SHADOW"));
    SP_RETURN_IF_ERROR(ExpectSym("="));
    SetSessionShadowStmt stmt;
    if (AcceptKw("ON")) {
      stmt.on = true;
    } else if (!AcceptKw("OFF")) {
      return SyntaxError(Peek());
    }
    return Statement(stmt);
  }

  template <typename T>
  Result<Statement> ParseIdOnly(Id T::*field) {
    T stmt;
    SP_ASSIGN_OR_RETURN(stmt.*field, ParseNumber());
    return Statement(std::move(stmt));
  }

  template <typename T>
  Result<Statement> ParseWithComment() {
    T stmt;
    SP_ASSIGN_OR_RETURN(stmt.task_id, ParseNumber());
    if (AcceptKw("COMMENT")) {
      SP_ASSIGN_OR_RETURN(stmt.comment, ParseString());
    }
    return Statement(std::move(stmt));
  }

  template <typename T>
  Result<Statement> ParseSkipLike() {
    T stmt;
    SP_ASSIGN_OR_RETURN(stmt.analysis_id, ParseNumber());
    SP_RETURN_IF_ERROR(ExpectKw("TABLES"));
    SP_ASSIGN_OR_RETURN(stmt.tables, ParseIdentList());
    return Statement(std::move(stmt));
  }

  Status ParseTableSelection(TableSelection* sel) {
    if (AcceptKw("DATABASE")) {
      SP_ASSIGN_OR_RETURN(sel->database, ParseIdent());
    }
    if (AcceptKw("ALL")) {
      SP_RETURN_IF_ERROR(ExpectKw("TABLES"));
      sel->all_tables = true;
      return Status::Ok();
    }
    SP_RETURN_IF_ERROR(ExpectKw("TABLES"));
    SP_ASSIGN_OR_RETURN(sel->tables, ParseIdentList());
    return Status::Ok();
  }

  // PREFIX 'p' | SUFFIX 's' (the keyword not yet taken). A second affix is a syntax error.
  Status ParseAffix(NamingChoice* naming) {
    const Token& kw = Peek();
    if (naming->has_value()) return SyntaxError(kw);
    const bool prefix = IsKw(kw, "PREFIX");
    Take();
    SP_ASSIGN_OR_RETURN(std::string value, ParseString());
    SP_RETURN_IF_ERROR(CheckAffix(prefix ? "PREFIX" : "SUFFIX", value));
    *naming = prefix ? Naming{std::move(value), ""} : Naming{"", std::move(value)};
    return Status::Ok();
  }

  Result<Statement> ParseAnalyze() {
    AnalyzeStmt stmt;
    SP_RETURN_IF_ERROR(ParseTableSelection(&stmt.target));
    while (IsKw(Peek(), "PREFIX") || IsKw(Peek(), "SUFFIX")) {
      SP_RETURN_IF_ERROR(ParseAffix(&stmt.naming));
    }
    return Statement(std::move(stmt));
  }

  // Execution options, plus naming and SKIP TABLES when given (CREATE TASK), in any order, each
  // at most once; a repeated option is a syntax error at its keyword.
  Status ParseOptions(ExecutionOptions* opts, NamingChoice* naming,
                      std::vector<std::string>* skip) {
    bool seen_exec = false, seen_error = false, seen_comment = false, seen_skip = false;
    while (true) {
      const Token& kw = Peek();
      if (IsKw(kw, "EXECUTE")) {
        if (seen_exec) return SyntaxError(kw);
        seen_exec = true;
        Take();
        SP_RETURN_IF_ERROR(ParseExecuteMode(opts));
      } else if (IsKw(kw, "ON")) {
        if (seen_error) return SyntaxError(kw);
        seen_error = true;
        Take();
        SP_RETURN_IF_ERROR(ExpectKw("ERROR"));
        if (AcceptKw("ABORT")) {
          opts->error_strategy = ErrorStrategy::kAbort;
        } else if (AcceptKw("CONTINUE")) {
          opts->error_strategy = ErrorStrategy::kContinue;
        } else {
          return SyntaxError(Peek());
        }
      } else if (IsKw(kw, "COMMENT")) {
        if (seen_comment) return SyntaxError(kw);
        seen_comment = true;
        Take();
        SP_ASSIGN_OR_RETURN(opts->remarks, ParseString());
      } else if (naming && (IsKw(kw, "PREFIX") || IsKw(kw, "SUFFIX"))) {
        SP_RETURN_IF_ERROR(ParseAffix(naming));
      } else if (skip && IsKw(kw, "SKIP")) {
        if (seen_skip) return SyntaxError(kw);
        seen_skip = true;
        Take();
        SP_RETURN_IF_ERROR(ExpectKw("TABLES"));
        SP_ASSIGN_OR_RETURN(*skip, ParseIdentList());
      } else {
        return Status::Ok();
      }
    }
  }

  Status ParseExecuteMode(ExecutionOptions* opts) {
    if (AcceptKw("IMMEDIATELY")) {
      opts->mode = ExecutionMode::kImmediate;
    } else if (AcceptKw("MANUALLY")) {
      opts->mode = ExecutionMode::kManual;
    } else if (AcceptKw("AT")) {
      SP_ASSIGN_OR_RETURN(std::string at, ParseString());
      auto time = ParseTime(at);
      if (!time) {
        return Status(7011,
                      "bad schedule: EXECUTE AT '" + at + "' is not a time 'YYYY-MM-DD HH:MM:SS'");
      }
      opts->mode = ExecutionMode::kAt;
      opts->execute_at = *time;
    } else {
      return SyntaxError(Peek());
    }
    return Status::Ok();
  }

  Result<Statement> ParseSubmit() {
    SubmitStmt stmt;
    SP_ASSIGN_OR_RETURN(stmt.analysis_id, ParseNumber());
    SP_RETURN_IF_ERROR(ParseOptions(&stmt.options, nullptr, nullptr));
    return Statement(std::move(stmt));
  }

  Result<Statement> ParseCreateTask() {
    SP_RETURN_IF_ERROR(ExpectKw("TASK"));
    CreateTaskStmt stmt;
    SP_RETURN_IF_ERROR(ParseTableSelection(&stmt.target));
    SP_RETURN_IF_ERROR(ParseOptions(&stmt.options, &stmt.naming, &stmt.skip_tables));
    return Statement(std::move(stmt));
  }

  Result<Statement> ParseShow() {
    if (AcceptKw("ANALYSIS")) {
      ShowAnalysisStmt stmt;
      SP_ASSIGN_OR_RETURN(stmt.analysis_id, ParseNumber());
      if (AcceptKw("TABLE")) {
        SP_ASSIGN_OR_RETURN(stmt.table, ParseIdent());
      }
      return Statement(std::move(stmt));
    }
    if (AcceptKw("ALL")) {
      SP_RETURN_IF_ERROR(ExpectKw("TASKS"));
      return ParseShowTasks(true);
    }
    if (AcceptKw("TASKS")) return ParseShowTasks(false);
    if (AcceptKw("TASK")) return ParseShowTask();
    return SyntaxError(Peek());
  }

  Result<Statement> ParseShowTask() {
    ShowTaskStmt stmt;
    SP_ASSIGN_OR_RETURN(stmt.task_id, ParseNumber());
    if (AcceptKw("TABLES")) {
      stmt.view = TaskView::kTables;
    } else if (AcceptKw("SQL")) {
      stmt.view = TaskView::kSql;
    } else if (AcceptKw("PROCESS")) {
      stmt.view = TaskView::kProcess;
    } else if (AcceptKw("LOGS")) {
      stmt.view = TaskView::kLogs;
      while (true) {
        const Token& kw = Peek();
        if (IsKw(kw, "ALERT")) {
          if (stmt.alert_only) return SyntaxError(kw);
          Take();
          stmt.alert_only = true;
        } else if (IsKw(kw, "LIKE")) {
          if (stmt.like) return SyntaxError(kw);
          Take();
          SP_ASSIGN_OR_RETURN(stmt.like, ParseString());
        } else {
          break;
        }
      }
    }
    return Statement(std::move(stmt));
  }

  Result<TaskColumn> ParseColumn() {
    const Token& tok = Peek();
    if (tok.kind == TokenKind::kWord || tok.kind == TokenKind::kQuotedIdent) {
      if (auto column = tasks::ParseTaskColumn(tok.value)) {
        Take();
        return *column;
      }
    }
    return SyntaxError(tok);
  }

  Result<std::string> ParseValue() {
    const Token& tok = Peek();
    if (tok.kind != TokenKind::kString && tok.kind != TokenKind::kNumber) return SyntaxError(tok);
    return Take().value;
  }

  Status ParseCondition(TaskCondition* f) {
    const Token& col_tok = Peek();
    SP_ASSIGN_OR_RETURN(f->column, ParseColumn());
    if (f->column == TaskColumn::kTaskId || f->column == TaskColumn::kTaskType) {
      return SyntaxError(col_tok);  // listed, but not filterable (SPEC.md §4.3)
    }
    const Token& op_tok = Peek();
    const bool time_col = f->column == TaskColumn::kCreatedAt;
    if (op_tok.kind == TokenKind::kSymbol) {
      const std::string& s = op_tok.value;
      if (s == "=") {
        f->op = CompareOp::kEq;
      } else if (s == "!=" || s == "<>") {
        f->op = CompareOp::kNe;
      } else if (s == "<") {
        f->op = CompareOp::kLt;
      } else if (s == "<=") {
        f->op = CompareOp::kLe;
      } else if (s == ">") {
        f->op = CompareOp::kGt;
      } else if (s == ">=") {
        f->op = CompareOp::kGe;
      } else {
        return SyntaxError(op_tok);
      }
    } else if (IsKw(op_tok, "LIKE")) {
      f->op = CompareOp::kLike;
    } else if (IsKw(op_tok, "IN")) {
      f->op = CompareOp::kIn;
    } else {
      return SyntaxError(op_tok);
    }
    const bool ordering = f->op == CompareOp::kLt || f->op == CompareOp::kLe ||
                          f->op == CompareOp::kGt || f->op == CompareOp::kGe;
    if (ordering != time_col) return SyntaxError(op_tok);
    Take();
    if (f->op == CompareOp::kIn) {
      SP_RETURN_IF_ERROR(ExpectSym("("));
      do {
        SP_ASSIGN_OR_RETURN(std::string v, ParseValue());
        f->values.push_back(std::move(v));
      } while (AcceptSym(","));
      return ExpectSym(")");
    }
    if (time_col) {
      const Token& val_tok = Peek();
      if (val_tok.kind != TokenKind::kString) return SyntaxError(val_tok);
      auto time = ParseTime(val_tok.value, TimeForm::kDateOrSeconds);
      if (!time) return SyntaxError(val_tok);
      Take();
      f->value_time = *time;
      f->values.push_back(FormatTime(*time));
      return Status::Ok();
    }
    SP_ASSIGN_OR_RETURN(std::string v, ParseValue());
    f->values.push_back(std::move(v));
    return Status::Ok();
  }

  Result<Statement> ParseShowTasks(bool all) {
    ShowTasksStmt stmt;
    stmt.all = all;
    if (AcceptKw("WHERE")) {
      do {
        TaskCondition f;
        SP_RETURN_IF_ERROR(ParseCondition(&f));
        stmt.filters.push_back(std::move(f));
      } while (AcceptKw("AND"));
    }
    if (AcceptKw("ORDER")) {
      SP_RETURN_IF_ERROR(ExpectKw("BY"));
      do {
        TaskSortKey o;
        SP_ASSIGN_OR_RETURN(o.column, ParseColumn());
        if (AcceptKw("DESC")) {
          o.descending = true;
        } else {
          AcceptKw("ASC");
        }
        stmt.order.push_back(o);
      } while (AcceptSym(","));
    }
    if (AcceptKw("LIMIT")) {
      SP_ASSIGN_OR_RETURN(uint64_t first, ParseNumber());
      if (AcceptSym(",")) {  // LIMIT offset, count
        stmt.offset = first;
        SP_ASSIGN_OR_RETURN(stmt.limit, ParseNumber());
      } else {
        stmt.limit = first;
        if (AcceptKw("OFFSET")) {
          SP_ASSIGN_OR_RETURN(stmt.offset, ParseNumber());
        }
      }
    }
    return Statement(std::move(stmt));
  }

  std::vector<Token> t_;
  size_t k_ = 0;
};

}  // namespace

Result<Statement> ParseStatement(std::string_view query, const sql::Dialect& dialect) {
  return Parser(Tokenize(query, dialect)).Parse();
}

}  // namespace shadowproxy::shadow_sync

#undef SP_RETURN_IF_ERROR
#undef SP_ASSIGN_OR_RETURN
#undef SP_CONCAT
#undef SP_CONCAT_INNER
