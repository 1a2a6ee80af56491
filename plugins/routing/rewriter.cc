// The shadow routing rewriter (see rewriter.h and docs/shadow_routing.md for what is rewritten,
// what is refused and why). One pass over the statement's tokens finds every table reference
// by the place it stands in (after FROM / JOIN / ',' of a table list, the target of INSERT,
// REPLACE, UPDATE, DELETE); anything in a place it does not know how to read fails the
// statement, so what is not understood is never sent. A second step resolves the references
// against the catalog and edits the text.
#include "plugins/routing/rewriter.h"

#include <algorithm>
#include <set>
#include <unordered_set>

#include "base/sql_quote.h"
#include "plugins/schema/naming.h"

namespace shadowproxy::routing {
namespace {

using sql::EqualsKeyword;
using sql::Token;
using sql::TokenKind;

std::string Upper(std::string_view w) {
  std::string out(w);
  for (char& c : out)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  return out;
}

// Words that may stand right before '(' without being a call of a stored function: the
// server's built-in functions (what resolves to a built-in first; a stored function of the same
// name needs its database: db.f(), refused), type names of CAST, and keywords a parenthesis
// follows. Everything else followed by '(' is refused: an unknown name may be a stored function
// that reads production tables with its definer's rights.
const std::unordered_set<std::string>& ParenWords() {
  static const std::unordered_set<std::string> kWords = {
      // Keywords.
      "AGAINST", "ALL", "AND", "ANY", "AS", "BETWEEN", "BINARY", "BY", "CASE", "DISTINCT", "DIV",
      "ELSE", "ESCAPE", "EXCEPT", "EXISTS", "FROM", "HAVING", "IN", "INTERSECT", "INTERVAL", "IS",
      "LATERAL", "LIKE", "LIMIT", "MOD", "NOT", "OF", "OFFSET", "ON", "OR", "OVER", "REGEXP",
      "RETURNING", "RLIKE", "ROW", "SELECT", "SET", "SOME", "SOUNDS", "THEN", "UNION", "USING",
      "VALUE", "VALUES", "WHEN", "WHERE", "XOR", "KEY", "INDEX", "PARTITION", "SEPARATOR",
      "COLLATE", "DEFAULT",
      // Types (CAST, CONVERT).
      "BIGINT", "CHAR", "DATE", "DATETIME", "DEC", "DECIMAL", "DOUBLE", "FLOAT", "INT", "INTEGER",
      "NCHAR", "NUMERIC", "REAL", "SIGNED", "TIME", "TIMESTAMP", "UNSIGNED", "VARCHAR", "JSON",
      // Built-in functions.
      "ABS", "ACOS", "ADDDATE", "ADDTIME", "ADD_MONTHS", "AES_DECRYPT", "AES_ENCRYPT", "ASCII",
      "ASIN", "ATAN", "ATAN2", "AVG", "BIN", "BIT_AND", "BIT_COUNT", "BIT_LENGTH", "BIT_OR",
      "BIT_XOR", "CAST", "CEIL", "CEILING", "CHARACTER_LENGTH", "CHARSET", "CHAR_LENGTH", "CHR",
      "COALESCE", "COERCIBILITY", "COLLATION", "COMPRESS", "CONCAT", "CONCAT_WS", "CONNECTION_ID",
      "CONV", "CONVERT", "CONVERT_TZ", "COS", "COT", "COUNT", "CRC32", "CUME_DIST", "CURDATE",
      "CURRENT_DATE", "CURRENT_TIME", "CURRENT_TIMESTAMP", "CURRENT_USER", "CURTIME", "DATABASE",
      "DATEDIFF", "DATE_ADD", "DATE_FORMAT", "DATE_SUB", "DAY", "DAYNAME", "DAYOFMONTH",
      "DAYOFWEEK", "DAYOFYEAR", "DECODE", "DEGREES", "DENSE_RANK", "ELT", "ENCODE", "EXP",
      "EXPORT_SET", "EXTRACT", "FIELD", "FIND_IN_SET", "FIRST_VALUE", "FLOOR", "FORMAT",
      "FOUND_ROWS", "FROM_BASE64", "FROM_DAYS", "FROM_UNIXTIME", "GET_FORMAT", "GREATEST",
      "GROUP_CONCAT", "HEX", "HOUR", "IF", "IFNULL", "INET6_ATON", "INET6_NTOA", "INET_ATON",
      "INET_NTOA", "INSERT", "INSTR", "ISNULL", "JSON_ARRAY", "JSON_ARRAYAGG", "JSON_ARRAY_APPEND",
      "JSON_ARRAY_INSERT", "JSON_COMPACT", "JSON_CONTAINS", "JSON_CONTAINS_PATH", "JSON_DEPTH",
      "JSON_DETAILED", "JSON_EXISTS", "JSON_EXTRACT", "JSON_INSERT", "JSON_KEYS", "JSON_LENGTH",
      "JSON_MERGE", "JSON_MERGE_PATCH", "JSON_MERGE_PRESERVE", "JSON_OBJECT", "JSON_OBJECTAGG",
      "JSON_OVERLAPS", "JSON_QUERY", "JSON_QUOTE", "JSON_REMOVE", "JSON_REPLACE", "JSON_SEARCH",
      "JSON_SET", "JSON_TYPE", "JSON_UNQUOTE", "JSON_VALID", "JSON_VALUE", "LAG", "LAST_DAY",
      "LAST_INSERT_ID", "LAST_VALUE", "LCASE", "LEAD", "LEAST", "LEFT", "LENGTH", "LN", "LOCALTIME",
      "LOCALTIMESTAMP", "LOCATE", "LOG", "LOG10", "LOG2", "LOWER", "LPAD", "LTRIM", "MAKEDATE",
      "MAKETIME", "MAKE_SET", "MATCH", "MAX", "MD5", "MEDIAN", "MICROSECOND", "MID", "MIN",
      "MINUTE", "MONTH", "MONTHNAME", "NOW", "NTH_VALUE", "NTILE", "NULLIF", "NVL", "NVL2", "OCT",
      "OCTET_LENGTH", "ORD", "PERCENT_RANK", "PERIOD_ADD", "PERIOD_DIFF", "PI", "POSITION", "POW",
      "POWER", "QUARTER", "QUOTE", "RADIANS", "RAND", "RANK", "REGEXP_INSTR", "REGEXP_REPLACE",
      "REGEXP_SUBSTR", "REPEAT", "REPLACE", "REVERSE", "RIGHT", "ROUND", "ROW_COUNT", "ROW_NUMBER",
      "RPAD", "RTRIM", "SCHEMA", "SECOND", "SEC_TO_TIME", "SESSION_USER", "SHA", "SHA1", "SHA2",
      "SIGN", "SIN", "SOUNDEX", "SPACE", "SQRT", "STD", "STDDEV", "STDDEV_POP", "STDDEV_SAMP",
      "STRCMP", "STR_TO_DATE", "SUBDATE", "SUBSTR", "SUBSTRING", "SUBSTRING_INDEX", "SUBTIME",
      "SUM", "SYSDATE", "SYSTEM_USER", "TAN", "TIMEDIFF", "TIMESTAMPADD", "TIMESTAMPDIFF",
      "TIME_FORMAT", "TIME_TO_SEC", "TO_BASE64", "TO_DAYS", "TO_SECONDS", "TRIM", "TRUNCATE",
      "UCASE", "UNCOMPRESS", "UNHEX", "UNIX_TIMESTAMP", "UPPER", "USER", "UTC_DATE", "UTC_TIME",
      "UTC_TIMESTAMP", "UUID", "UUID_SHORT", "VARIANCE", "VAR_POP", "VAR_SAMP", "VERSION", "WEEK",
      "WEEKDAY", "WEEKOFYEAR", "WEIGHT_STRING", "YEAR", "YEARWEEK"};
  return kWords;
}

// Words that end a table factor instead of being its alias.
const std::unordered_set<std::string>& NotAlias() {
  static const std::unordered_set<std::string> kWords = {
      "AS",     "CROSS",         "EXCEPT",    "FETCH",     "FOR",       "FORCE",  "FULL",
      "GROUP",  "HAVING",        "IGNORE",    "INNER",     "INTERSECT", "INTO",   "JOIN",
      "LEFT",   "LIMIT",         "LOCK",      "MINUS",     "NATURAL",   "OFFSET", "ON",
      "ORDER",  "OUTER",         "PARTITION", "PROCEDURE", "RETURNING", "RIGHT",  "SELECT",
      "SET",    "STRAIGHT_JOIN", "TABLE",     "UNION",     "USE",       "USING",  "VALUE",
      "VALUES", "WHERE",         "WINDOW",    "WITH",      "DEFAULT",   "KEY",    "INDEX"};
  return kWords;
}

// Words after which a table list (or an ON condition in one) ends and the statement goes on.
const std::unordered_set<std::string>& ClauseWords() {
  static const std::unordered_set<std::string> kWords = {
      "WHERE",     "GROUP", "HAVING", "ORDER", "LIMIT", "WINDOW",    "UNION", "EXCEPT", "MINUS",
      "INTERSECT", "FOR",   "LOCK",   "INTO",  "SET",   "RETURNING", "FETCH", "OFFSET"};
  return kWords;
}

std::string Lower(std::string_view w) {
  std::string out(w);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

struct TableRef {
  size_t first = 0;        // token of the database (or of the name)
  size_t name = 0;         // token of the table name
  bool qualified = false;  // db.table
  size_t alias_after = 0;  // token after which an implicit alias goes
  bool has_alias = false;  // an alias was written
  std::string alias;       // what the reference is called in the statement
  bool no_alias = false;   // INSERT / REPLACE / single-table DELETE target
};

struct Qualifier {
  size_t token = 0;  // the `t` of t.col
  std::string name;
};

class Parser {
 public:
  Parser(const Input& in, const Catalog& catalog, const std::vector<Token>& tokens)
      : in_(in), catalog_(catalog), t_(tokens) {}

  Plan Run() {
    size_t i = 0;
    while (i < t_.size() && !failed_) {
      if (Sym(i, ';')) {
        ++i;
        continue;
      }
      // USE in a multi-statement query would change the database the statements after it
      // are read in without the rewriter knowing.
      if (Word(i, "USE") && (i > 0 || !OnlyStatement(i))) {
        Fail("statement", "USE is routed only as a query of its own");
        break;
      }
      size_t r = Statement(i);
      if (failed_) break;
      if (r < t_.size() && !Sym(r, ';'))
        Fail("unreadable", "cannot read the statement at " + Near(r));
      i = r;
    }
    if (failed_) return Refused();
    return Resolve();
  }

 private:
  // Nothing but ';' after the statement at i.
  bool OnlyStatement(size_t i) const {
    size_t j = i;
    while (j < t_.size() && !Sym(j, ';')) ++j;
    while (j < t_.size() && Sym(j, ';')) ++j;
    return j == t_.size();
  }

  // ---- tokens ----
  std::string_view Text(size_t i) const {
    const Token& t = t_[i];
    return in_.text.substr(t.begin, t.end - t.begin);
  }
  bool Word(size_t i, std::string_view upper) const {
    return i < t_.size() && t_[i].kind == TokenKind::kWord && EqualsKeyword(Text(i), upper);
  }
  bool IsWord(size_t i) const { return i < t_.size() && t_[i].kind == TokenKind::kWord; }
  bool Sym(size_t i, char c) const {
    return i < t_.size() && t_[i].kind == TokenKind::kSymbol && Text(i).size() == 1 &&
           Text(i)[0] == c;
  }
  bool Ident(size_t i) const {
    return i < t_.size() &&
           (t_[i].kind == TokenKind::kWord || t_[i].kind == TokenKind::kQuotedIdent);
  }
  std::string Name(size_t i) const {
    return t_[i].kind == TokenKind::kQuotedIdent ? sql::UnquoteIdentifier(Text(i))
                                                 : std::string(Text(i));
  }
  std::string Near(size_t i) const {
    if (i >= t_.size()) return "the end";
    return "'" + std::string(Text(i).substr(0, 40)) + "'";
  }

  void Fail(std::string kind, std::string reason) {
    if (failed_) return;
    failed_ = true;
    kind_ = std::move(kind);
    reason_ = std::move(reason);
  }
  Plan Refused() const {
    Plan o;
    o.outcome = Outcome::kRefused;
    o.reason = reason_;
    o.reason_kind = kind_;
    return o;
  }

  // ---- statements ----
  size_t Statement(size_t i) {
    size_t j = i;
    while (Sym(j, '(')) ++j;
    if (Word(j, "SELECT") || Word(j, "VALUES")) return Expr(i, Mode::kTop, false);
    if (Word(i, "WITH")) {
      if (!CteStart(i)) {
        Fail("unreadable", "cannot read the WITH clause");
        return i;
      }
      size_t k = Ctes(i);
      if (failed_) return k;
      if (Word(k, "UPDATE")) return Update(k);
      if (Word(k, "DELETE")) return Delete(k);
      size_t m = k;
      while (Sym(m, '(')) ++m;
      if (Word(m, "SELECT")) return Expr(k, Mode::kTop, true);
      Fail("unreadable", "cannot read what follows the WITH clause at " + Near(k));
      return k;
    }
    if (Word(i, "INSERT") || Word(i, "REPLACE")) return Insert(i);
    if (Word(i, "UPDATE")) return Update(i);
    if (Word(i, "DELETE")) return Delete(i);
    if (Word(i, "SET")) return Set(i);
    if (Word(i, "DO")) return Expr(i + 1, Mode::kTop, false);
    if (Word(i, "BEGIN") || (Word(i, "START") && Word(i + 1, "TRANSACTION")) || Word(i, "COMMIT") ||
        Word(i, "ROLLBACK") || Word(i, "SAVEPOINT") ||
        (Word(i, "RELEASE") && Word(i + 1, "SAVEPOINT")) || Word(i, "USE") || Word(i, "SHOW"))
      return Session(i);
    if (Word(i, "CREATE") || Word(i, "ALTER") || Word(i, "DROP") || Word(i, "RENAME") ||
        Word(i, "TRUNCATE")) {
      Fail("ddl", "DDL is not routed (shadow tables are changed through SHADOW SYNC)");
      return i;
    }
    if (Word(i, "CALL")) {
      Fail("routine", "a routine call (CALL) may read or write any table");
      return i;
    }
    Fail("statement", "a " + Upper(Text(i).substr(0, 20)) + " statement is not routed");
    return i;
  }

  // Statements that name no table and change only the session: passed as they are. SHOW is
  // limited to what drivers ask on connect.
  size_t Session(size_t i) {
    size_t e = i;
    while (e < t_.size() && !Sym(e, ';')) {
      if (Sym(e, '(')) {
        Fail("unreadable", "cannot read a " + Upper(Text(i)) + " statement with parentheses");
        return e;
      }
      ++e;
    }
    if (Word(i, "BEGIN") && e > i + 1 && !Word(i + 1, "WORK")) {
      Fail("statement", "a compound statement (BEGIN ...) is not routed");
      return i;
    }
    if (Word(i, "SHOW")) {
      size_t k = i + 1;
      if (Word(k, "SESSION") || Word(k, "LOCAL")) ++k;
      bool ok = Word(k, "WARNINGS") || Word(k, "ERRORS") || Word(k, "VARIABLES") ||
                Word(k, "COLLATION") || Word(k, "CHARSET") ||
                (Word(k, "CHARACTER") && Word(k + 1, "SET"));
      if (!ok) {
        Fail("statement",
             "SHOW other than WARNINGS, ERRORS, VARIABLES, COLLATION, CHARACTER "
             "SET is not routed");
        return i;
      }
    }
    return e;
  }

  size_t Set(size_t i) {
    size_t k = i + 1;
    if (Word(k, "GLOBAL") || Word(k, "PASSWORD") || Word(k, "ROLE") || Word(k, "DEFAULT") ||
        Word(k, "STATEMENT") || Word(k, "PERSIST") || Word(k, "PERSIST_ONLY")) {
      Fail("statement", "SET " + Upper(Text(k)) + " is not routed");
      return k;
    }
    for (size_t e = k; e < t_.size() && !Sym(e, ';'); ++e) {
      if (Word(e, "GLOBAL") && Sym(e - 1, '@')) {
        Fail("statement", "SET of a global variable is not routed");
        return e;
      }
    }
    return Expr(k, Mode::kTop, false);
  }

  // INSERT / REPLACE [modifiers] [INTO] name [PARTITION (...)] ... : the target cannot carry
  // an alias, so it becomes the shadow's name and t.col references to it follow.
  size_t Insert(size_t i) {
    ++i;
    while (Word(i, "LOW_PRIORITY") || Word(i, "DELAYED") || Word(i, "HIGH_PRIORITY") ||
           Word(i, "IGNORE"))
      ++i;
    if (Word(i, "INTO")) ++i;
    i = Target(i);
    if (failed_) return i;
    return Expr(i, Mode::kTop, false);
  }

  // name or db.name at i into *ref; returns the index after it.
  size_t TableName(size_t i, TableRef* ref) {
    if (!Ident(i) || (Sym(i + 1, '.') && !Ident(i + 2))) {
      Fail("unreadable", "cannot read a table reference at " + Near(i));
      return i;
    }
    ref->first = i;
    ref->qualified = Sym(i + 1, '.');
    ref->name = ref->qualified ? i + 2 : i;
    i = ref->name + 1;
    if (Sym(i, '.')) Fail("unreadable", "cannot read a table reference at " + Near(ref->first));
    return i;
  }

  // One table that is written without an alias.
  size_t Target(size_t i) {
    TableRef ref;
    ref.no_alias = true;
    i = TableName(i, &ref);
    if (failed_) return i;
    ref.alias = Name(ref.name);
    refs_.push_back(ref);
    if (Word(i, "PARTITION")) {
      if (!Sym(i + 1, '(')) {
        Fail("unreadable", "cannot read PARTITION at " + Near(i));
        return i;
      }
      i = Paren(i + 1);
    }
    return i;
  }

  size_t Update(size_t i) {
    ++i;
    while (Word(i, "LOW_PRIORITY") || Word(i, "IGNORE")) ++i;
    size_t r = TableList(i);
    if (failed_) return r;
    if (!Word(r, "SET")) {
      Fail("unreadable", "cannot read the UPDATE at " + Near(r));
      return r;
    }
    return Expr(r + 1, Mode::kTop, false);
  }

  // DELETE [modifiers] FROM t ...               single table: t is written without an alias
  // DELETE [modifiers] FROM a, b USING list ...  multi-table: a, b name references of `list`
  // DELETE [modifiers] a, b FROM list ...
  size_t Delete(size_t i) {
    ++i;
    while (Word(i, "LOW_PRIORITY") || Word(i, "QUICK") || Word(i, "IGNORE")) ++i;
    if (Word(i, "FROM")) {
      size_t k = i + 1;
      size_t n = 0;
      size_t after = DeleteTargets(k, &n, false);
      if (failed_) return after;
      if (Word(after, "USING")) {
        DeleteTargets(k, &n, true);
        if (failed_) return after;
        size_t r = TableList(after + 1);
        if (failed_) return r;
        return Expr(r, Mode::kTop, true);
      }
      if (n != 1) {
        Fail("unreadable", "cannot read the DELETE at " + Near(k));
        return k;
      }
      size_t r = Target(k);
      if (failed_) return r;
      if (!(r >= t_.size() || Sym(r, ';') || Word(r, "WHERE") || Word(r, "ORDER") ||
            Word(r, "LIMIT") || Word(r, "RETURNING"))) {
        Fail("unreadable", "cannot read the DELETE at " + Near(r));
        return r;
      }
      return Expr(r, Mode::kTop, false);
    }
    size_t n = 0;
    size_t after = DeleteTargets(i, &n, true);
    if (failed_) return after;
    if (!Word(after, "FROM")) {
      Fail("unreadable", "cannot read the DELETE at " + Near(after));
      return after;
    }
    size_t r = TableList(after + 1);
    if (failed_) return r;
    return Expr(r, Mode::kTop, true);
  }

  // name[.*] [, name[.*]]...: the tables a multi-table DELETE deletes from, which name
  // references of its table list (so their aliases, which stay). `strict`: a database-qualified
  // one is refused (its reference is renamed and aliased, so db.name no longer finds it).
  size_t DeleteTargets(size_t i, size_t* n, bool strict) {
    *n = 0;
    for (;;) {
      if (!Ident(i)) {
        Fail("unreadable", "cannot read the DELETE at " + Near(i));
        return i;
      }
      ++*n;
      ++i;
      if (Sym(i, '.') && Ident(i + 1)) {
        if (strict) {
          Fail("unreadable", "a database-qualified multi-table DELETE target is not routed");
          return i;
        }
        i += 2;
      }
      if (Sym(i, '.') && Sym(i + 1, '*')) i += 2;
      if (!Sym(i, ',')) return i;
      ++i;
    }
  }

  // ---- WITH ----
  bool CteStart(size_t i) const {
    return Word(i, "WITH") &&
           (Word(i + 1, "RECURSIVE") || (Ident(i + 1) && (Word(i + 2, "AS") || Sym(i + 2, '('))));
  }
  size_t Ctes(size_t i) {
    ++i;
    if (Word(i, "RECURSIVE")) ++i;
    for (;;) {
      if (!Ident(i)) {
        Fail("unreadable", "cannot read the WITH clause at " + Near(i));
        return i;
      }
      ctes_.insert(Name(i));
      ++i;
      if (Sym(i, '(')) {
        i = Paren(i);
        if (failed_) return i;
      }
      if (!Word(i, "AS") || !Sym(i + 1, '(')) {
        Fail("unreadable", "cannot read the WITH clause at " + Near(i));
        return i;
      }
      i = Paren(i + 1);
      if (failed_) return i;
      if (Word(i, "CYCLE")) {
        Fail("unreadable", "cannot read the CYCLE clause of a recursive WITH");
        return i;
      }
      if (!Sym(i, ',')) return i;
      ++i;
    }
  }

  // ---- expressions ----
  enum class Mode { kTop, kParen, kOn };

  // Where an ON condition ends: the next join, factor or clause of the table list.
  bool EndsOn(size_t i) const {
    size_t j;
    if (Sym(i, ',') || Join(i, &j) || Word(i, "ON")) return true;
    return IsWord(i) && ClauseWords().count(Upper(Text(i))) > 0;
  }

  // Scans one parenthesis level (or the statement's top level) up to its ')' / ';' / end
  // (kOn: also where the ON condition ends), returning that token's index. `query`: a SELECT
  // was seen at this level, so FROM starts a table list (not EXTRACT(x FROM y)).
  size_t Expr(size_t i, Mode mode, bool query) {
    while (!failed_ && i < t_.size()) {
      if (Sym(i, ';') || Sym(i, ')')) return i;
      if (mode == Mode::kOn && EndsOn(i)) return i;
      if (Sym(i, '(')) {
        i = Paren(i);
        continue;
      }
      if (Sym(i, '@')) {
        i = Variable(i);
        continue;
      }
      if (t_[i].kind == TokenKind::kWord) {
        if (Word(i, "SELECT")) {
          query = true;
          ++i;
          continue;
        }
        if (Word(i, "FROM") && query) {
          i = TableList(i + 1);
          continue;
        }
        if (Word(i, "WITH") && CteStart(i)) {
          i = Ctes(i);
          continue;
        }
        if (Word(i, "INTO") && query && (Word(i + 1, "OUTFILE") || Word(i + 1, "DUMPFILE"))) {
          Fail("statement", "SELECT ... INTO OUTFILE/DUMPFILE is not routed");
          return i;
        }
        if (Word(i, "TABLE") || Word(i, "DELETE") ||
            ((Word(i, "INSERT") || Word(i, "REPLACE")) && !Sym(i + 1, '(')) ||
            (Word(i, "UPDATE") && !(i > 0 && (Word(i - 1, "FOR") || Word(i - 1, "KEY"))))) {
          Fail("unreadable", "cannot read " + Near(i) + " inside a statement");
          return i;
        }
        if ((Word(i, "NEXT") || Word(i, "PREVIOUS")) && Word(i + 1, "VALUE")) {
          Fail("routine", "a sequence (NEXT VALUE FOR) is not routed");
          return i;
        }
      }
      if (Ident(i)) {
        i = IdentInExpr(i);
        continue;
      }
      if (t_[i].kind == TokenKind::kString && (Sym(i + 1, '(') || Sym(i + 1, '.'))) {
        // Under sql_mode ANSI_QUOTES "f"(...) calls a function and "t".c names a table.
        Fail("unreadable", "a double-quoted name (ANSI_QUOTES) is not routed");
        return i;
      }
      ++i;
    }
    return i;
  }

  // A name in an expression: a column, t.col, db.t.col (refused: db.t is renamed), a call.
  size_t IdentInExpr(size_t i) {
    if (Sym(i + 1, '.')) {
      if (!(Ident(i + 2) || Sym(i + 2, '*'))) {
        Fail("unreadable", "cannot read " + Near(i));
        return i;
      }
      if (Sym(i + 3, '.')) {
        Fail("unreadable", "a database.table.column reference is not routed");
        return i;
      }
      if (Sym(i + 3, '(')) {
        Fail("routine", "a call of the stored function " + Name(i) + "." + Name(i + 2) + "()");
        return i;
      }
      qualifiers_.push_back({i, Name(i)});
      return i + 3;
    }
    if (Sym(i + 1, '(')) {
      if (t_[i].kind == TokenKind::kQuotedIdent || !ParenWords().count(Upper(Text(i)))) {
        Fail("routine", "a call of " + Name(i) +
                            "(), which is not a known built-in function (a stored function?)");
        return i;
      }
    }
    return i + 1;
  }

  // @var, @'var', @@var, @@session.var: a variable, not a column.
  size_t Variable(size_t i) {
    ++i;
    if (Sym(i, '@')) ++i;
    if (i < t_.size() && (Ident(i) || t_[i].kind == TokenKind::kString)) ++i;
    if (Sym(i, '.') && Ident(i + 1)) i += 2;
    return i;
  }

  // At '(': a subquery, a list, a function's arguments. Returns the index after its ')'.
  size_t Paren(size_t i) {
    size_t r = Expr(i + 1, Mode::kParen, false);
    if (failed_) return r;
    if (!Sym(r, ')')) {
      Fail("unreadable", "cannot read the statement: unbalanced parentheses");
      return r;
    }
    return r + 1;
  }

  // ---- table lists ----
  // JOIN, STRAIGHT_JOIN, INNER/CROSS JOIN, LEFT/RIGHT [OUTER] JOIN, NATURAL [...] JOIN at i;
  // *after: the token after it.
  bool Join(size_t i, size_t* after) const {
    if (Word(i, "JOIN") || Word(i, "STRAIGHT_JOIN")) {
      *after = i + 1;
      return true;
    }
    size_t j = i;
    if (Word(j, "NATURAL")) ++j;
    if (Word(j, "INNER") || Word(j, "CROSS")) {
      ++j;
    } else if (Word(j, "LEFT") || Word(j, "RIGHT")) {
      ++j;
      if (Word(j, "OUTER")) ++j;
    }
    if (j > i && Word(j, "JOIN")) {
      *after = j + 1;
      return true;
    }
    return false;
  }

  // Table factors with their joins from i; returns the index of the token that ends the list.
  size_t TableList(size_t i) {
    for (;;) {
      i = Factor(i);
      if (failed_) return i;
      for (;;) {
        size_t j;
        if (Sym(i, ',')) {
          ++i;
          break;
        }
        if (Join(i, &j)) {
          i = j;
          break;
        }
        if (Word(i, "ON") && !Word(i + 1, "DUPLICATE")) {
          i = Expr(i + 1, Mode::kOn, true);
          if (failed_) return i;
          continue;
        }
        if (Word(i, "USING") && Sym(i + 1, '(')) {
          i = Paren(i + 1);
          if (failed_) return i;
          continue;
        }
        if (i >= t_.size() || Sym(i, ';') || Sym(i, ')') ||
            (Word(i, "ON") && Word(i + 1, "DUPLICATE")) ||
            (IsWord(i) && ClauseWords().count(Upper(Text(i))) &&
             !(Word(i, "FOR") && Word(i + 1, "SYSTEM_TIME")))) {
          return i;
        }
        Fail("unreadable", "cannot read the table list at " + Near(i));
        return i;
      }
    }
  }

  size_t Factor(size_t i) {
    if (Word(i, "LATERAL")) ++i;
    if (Sym(i, '(')) {
      size_t j = i;
      while (Sym(j, '(')) ++j;
      if (Word(j, "SELECT") || Word(j, "WITH") || Word(j, "VALUES")) {
        i = Paren(i);  // a derived table
        if (failed_) return i;
        if (Word(i, "AS")) ++i;
        if (Ident(i) && !(IsWord(i) && NotAlias().count(Upper(Text(i))))) {
          aliases_.insert(Name(i));
          ++i;
          if (Sym(i, '(')) i = Paren(i);  // its column names
        }
        return i;
      }
      size_t r = TableList(i + 1);  // a parenthesized join
      if (failed_) return r;
      if (!Sym(r, ')')) {
        Fail("unreadable", "cannot read the table list at " + Near(r));
        return r;
      }
      return r + 1;
    }
    if (Word(i, "DUAL") && !Sym(i + 1, '.')) return i + 1;
    TableRef ref;
    if (Ident(i) && Sym(i + 1, '(')) {
      Fail("routine", "a table function " + Name(i) + "() is not routed");
      return i;
    }
    i = TableName(i, &ref);
    if (failed_) return i;
    if (Sym(i, '(')) {
      Fail("routine", "a table function " + Name(ref.name) + "() is not routed");
      return i;
    }
    ref.alias_after = i - 1;
    if (Word(i, "PARTITION")) {
      if (!Sym(i + 1, '(')) {
        Fail("unreadable", "cannot read PARTITION at " + Near(i));
        return i;
      }
      i = Paren(i + 1);
      if (failed_) return i;
      ref.alias_after = i - 1;
    }
    if (Word(i, "FOR") && Word(i + 1, "SYSTEM_TIME")) {
      Fail("unreadable", "FOR SYSTEM_TIME is not routed");
      return i;
    }
    if (Word(i, "AS")) {
      if (!Ident(i + 1)) {
        Fail("unreadable", "cannot read the alias at " + Near(i + 1));
        return i;
      }
      ref.has_alias = true;
      ref.alias = Name(i + 1);
      i += 2;
    } else if (Ident(i) && !(IsWord(i) && NotAlias().count(Upper(Text(i))))) {
      ref.has_alias = true;
      ref.alias = Name(i);
      ++i;
    } else {
      ref.alias = Name(ref.name);
    }
    while (Word(i, "USE") || Word(i, "FORCE") || Word(i, "IGNORE")) {
      if (!(Word(i + 1, "INDEX") || Word(i + 1, "KEY"))) {
        Fail("unreadable", "cannot read the index hint at " + Near(i));
        return i;
      }
      i += 2;
      if (Word(i, "FOR")) {
        if (Word(i + 1, "JOIN")) {
          i += 2;
        } else if ((Word(i + 1, "ORDER") || Word(i + 1, "GROUP")) && Word(i + 2, "BY")) {
          i += 3;
        } else {
          Fail("unreadable", "cannot read the index hint at " + Near(i));
          return i;
        }
      }
      if (!Sym(i, '(')) {
        Fail("unreadable", "cannot read the index hint at " + Near(i));
        return i;
      }
      i = Paren(i);
      if (failed_) return i;
    }
    aliases_.insert(ref.alias);
    refs_.push_back(ref);
    return i;
  }

  // ---- resolution ----
  bool IsShared(const Rule& rule, const std::string& table) const {
    return std::find(rule.shared_tables.begin(), rule.shared_tables.end(), table) !=
           rule.shared_tables.end();
  }

  Plan Resolve() {
    Plan out;
    std::set<std::string> need;
    // Pass 1: what the catalog must know.
    for (const TableRef& ref : refs_) {
      std::string db = ref.qualified ? Name(ref.first) : std::string(in_.database);
      std::string name = Name(ref.name);
      if (db.empty()) {
        if (!ref.qualified && ctes_.count(name)) continue;
        Fail("no database", "no database selected for table " + sql::QuoteIdentifier(name));
        return Refused();
      }
      const Rule* rule = catalog_.RuleFor(db);
      if (!ref.qualified && ctes_.count(name)) {
        if (catalog_.Kind(db, name) == TableKind::kNotLoaded) need.insert(db);
        continue;
      }
      if (rule == nullptr) {
        Fail("no rule", "no shadow_routing rule matches database " + sql::QuoteIdentifier(db));
        return Refused();
      }
      if (IsShared(*rule, name)) continue;
      TableKind k = catalog_.Kind(db, name);
      if (k == TableKind::kNotLoaded ||
          (k == TableKind::kBaseTable &&
           catalog_.Kind(db, rule->naming.ShadowName(name)) == TableKind::kNotLoaded))
        need.insert(db);
    }
    if (!need.empty()) {
      out.outcome = Outcome::kNeedCatalog;
      out.databases.assign(need.begin(), need.end());
      return out;
    }
    // Pass 2: verdicts and edits.
    std::vector<Edit>& edits = out.edits;
    size_t shadowed = 0, shared = 0;
    for (const TableRef& ref : refs_) {
      std::string db = ref.qualified ? Name(ref.first) : std::string(in_.database);
      std::string name = Name(ref.name);
      if (!ref.qualified && ctes_.count(name)) {
        // Also in lower case: where the server folds table names (lower_case_table_names)
        // a CTE `ORDERS` still stands for `orders` outside its scope.
        if (!db.empty() && (catalog_.Kind(db, name) != TableKind::kMissing ||
                            catalog_.Kind(db, Lower(name)) != TableKind::kMissing)) {
          Fail("cte", "the WITH name " + sql::QuoteIdentifier(name) + " is also a table of " +
                          sql::QuoteIdentifier(db) +
                          " (which one a reference means depends on scope)");
          return Refused();
        }
        continue;
      }
      const Rule& rule = *catalog_.RuleFor(db);
      const std::string display = sql::QuoteIdentifier(db) + "." + sql::QuoteIdentifier(name);
      if (IsShared(rule, name)) {
        ++shared;
        continue;
      }
      TableKind k = catalog_.Kind(db, name);
      if (k == TableKind::kView) {
        Fail("view", "table " + display + " is a view");
        return Refused();
      }
      if (k == TableKind::kMissing) {
        Fail("missing table", "table " + display + " does not exist");
        return Refused();
      }
      if (schema::IsShadowName(name, rule.naming)) {  // named as the shadow already
        ++shadowed;
        continue;
      }
      const std::string shadow = rule.naming.ShadowName(name);
      if (catalog_.Kind(db, shadow) != TableKind::kBaseTable) {
        Fail("no shadow", "table " + display + " has no shadow " + sql::QuoteIdentifier(shadow));
        return Refused();
      }
      // The replacement could end a /*! */ early (a name holding "*/"); not worth reading.
      if (t_[ref.first].in_version || t_[ref.name].in_version) {
        Fail("unreadable", "table " + display + " is named inside a version comment");
        return Refused();
      }
      ++shadowed;
      Edit e;
      e.first = ref.first;
      e.last = ref.name;
      e.text = ref.qualified ? sql::QuoteIdentifier(db) + "." + sql::QuoteIdentifier(shadow)
                             : sql::QuoteIdentifier(shadow);
      if (ref.no_alias) {
        // t.col references to an unaliased target now say the shadow's name; when `t` also
        // names an aliased reference nobody can tell which one a t.col means.
        for (const Qualifier& q : qualifiers_) {
          if (q.name != name) continue;
          if (aliases_.count(name)) {
            Fail("unreadable", "the qualifier " + sql::QuoteIdentifier(name) +
                                   " may name the target or another reference of it");
            return Refused();
          }
          edits.push_back({q.token, q.token, false, sql::QuoteIdentifier(shadow)});
        }
        edits.push_back(std::move(e));
      } else if (ref.has_alias) {
        edits.push_back(std::move(e));
      } else if (ref.alias_after == ref.name) {
        e.text += " AS " + sql::QuoteIdentifier(name);
        edits.push_back(std::move(e));
      } else {  // PARTITION (...) comes between the name and the alias
        edits.push_back(std::move(e));
        edits.push_back(
            {ref.alias_after, ref.alias_after, true, " AS " + sql::QuoteIdentifier(name)});
      }
    }
    std::sort(edits.begin(), edits.end(), [](const Edit& a, const Edit& b) {
      return a.first < b.first || (a.first == b.first && !a.after && b.after);
    });
    out.outcome = shadowed > 0 ? Outcome::kRewritten
                  : shared > 0 ? Outcome::kPassedShared
                               : Outcome::kNoTables;
    return out;
  }

  const Input& in_;
  const Catalog& catalog_;
  const std::vector<Token>& t_;
  std::vector<TableRef> refs_;
  std::vector<Qualifier> qualifiers_;
  std::set<std::string> ctes_;
  std::set<std::string> aliases_;  // every name a reference is known by (alias or table name)
  bool failed_ = false;
  std::string kind_;
  std::string reason_;
};

}  // namespace

std::string_view OutcomeName(Outcome outcome) {
  switch (outcome) {
    case Outcome::kRewritten:
      return "rewritten";
    case Outcome::kPassedShared:
      return "passed_shared";
    case Outcome::kNoTables:
      return "no_tables";
    case Outcome::kRefused:
      return "refused";
    case Outcome::kNeedCatalog:
      return "need_catalog";
  }
  return "?";
}

// The key of a statement's shape: everything the plan depends on — the database, the catalog's
// version, the dialect, every token but the values of strings and numbers.
std::string ShapeKey(const Input& input, const std::vector<Token>& tokens) {
  std::string key;
  key.reserve(input.database.size() + input.text.size() + 24);
  key.append(input.database);
  key.push_back('\0');
  key.append(std::to_string(input.catalog_version));
  key.push_back(input.dialect.backslash_escapes ? 'b' : 'n');
  key.push_back(input.dialect.server == sql::Dialect::Server::kMariaDb ? 'm' : 'y');
  key.append(std::to_string(input.dialect.version));
  for (const Token& t : tokens) {
    key.push_back('\0');
    key.push_back(static_cast<char>('A' + static_cast<int>(t.kind) + (t.in_version ? 16 : 0)));
    if (t.kind != TokenKind::kString && t.kind != TokenKind::kNumber)
      key.append(input.text.substr(t.begin, t.end - t.begin));
  }
  return key;
}

Output Apply(const Input& input, const std::vector<Token>& tokens, const Plan& plan) {
  Output out;
  out.outcome = plan.outcome;
  out.reason = plan.reason;
  out.reason_kind = plan.reason_kind;
  out.databases = plan.databases;
  if (plan.outcome == Outcome::kRefused || plan.outcome == Outcome::kNeedCatalog) return out;
  out.text.reserve(input.text.size() + plan.edits.size() * 16);
  size_t at = 0;
  for (const Edit& e : plan.edits) {
    const size_t begin = e.after ? tokens[e.last].end : tokens[e.first].begin;
    const size_t end = tokens[e.last].end;
    out.text.append(input.text.substr(at, begin - at));
    out.text.append(e.text);
    at = end;
  }
  out.text.append(input.text.substr(at));
  return out;
}

Output Rewrite(const Input& input, const Catalog& catalog, RewriteCache* cache) {
  std::vector<Token> tokens;
  sql::Lexer lexer(input.text, input.dialect);
  for (;;) {
    Token t = lexer.Next();
    if (t.kind == TokenKind::kEnd) break;
    if (t.kind == TokenKind::kError) {
      Output o;
      o.outcome = Outcome::kRefused;
      o.reason_kind = "unreadable";
      o.reason = "cannot read the statement: an unterminated string, identifier or comment";
      return o;
    }
    tokens.push_back(t);
  }
  std::string key;
  if (cache != nullptr) {
    key = ShapeKey(input, tokens);
    if (auto plan = cache->Find(key)) return Apply(input, tokens, *plan);
  }
  Plan plan = Parser(input, catalog, tokens).Run();
  Output out = Apply(input, tokens, plan);
  if (cache != nullptr && plan.outcome != Outcome::kNeedCatalog)
    cache->Insert(std::move(key), std::make_shared<const Plan>(std::move(plan)));
  return out;
}

RewriteCache::RewriteCache(size_t capacity) : capacity_(std::max<size_t>(capacity, 1)) {}

std::shared_ptr<const Plan> RewriteCache::Find(const std::string& key) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = index_.find(key);
  if (it == index_.end()) {
    ++misses_;
    return nullptr;
  }
  ++hits_;
  lru_.splice(lru_.begin(), lru_, it->second);
  return it->second->second;
}

void RewriteCache::Insert(std::string key, std::shared_ptr<const Plan> plan) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = index_.find(key);
  if (it != index_.end()) {
    it->second->second = std::move(plan);
    lru_.splice(lru_.begin(), lru_, it->second);
    return;
  }
  lru_.emplace_front(std::move(key), std::move(plan));
  index_.emplace(lru_.front().first, lru_.begin());
  while (lru_.size() > capacity_) {
    index_.erase(lru_.back().first);
    lru_.pop_back();
  }
}

size_t RewriteCache::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return lru_.size();
}

std::string RefusalMessage(std::string_view reason) {
  return "shadow routing: " + std::string(reason);
}

}  // namespace shadowproxy::routing
