// The schema differ (see differ.h). Decision: canonical texts equal -> NO_ACTION. Otherwise an
// AlterPlan is built family by family (columns, indexes, checks, foreign keys, partitioning,
// options); if a family cannot be expressed as ALTER, or the plan comes out empty although the
// texts differ, the shadow is dropped and re-created and the note says why.
#include "plugins/schema/differ.h"

#include <strings.h>

#include <algorithm>

#include "plugins/schema/ddl_generator.h"
#include "plugins/schema/differ_internal.h"
#include "plugins/schema/quoting.h"
#include "plugins/schema/show_create_parser.h"
#include "plugins/schema/sql_lexer.h"

namespace shadowproxy::schema {

const char* ActionName(Action action) {
  switch (action) {
    case Action::kCreate:
      return "CREATE";
    case Action::kUpdate:
      return "UPDATE";
    case Action::kNoAction:
      return "NO_ACTION";
    case Action::kDrop:
      return "DROP";
  }
  return "NO_ACTION";
}

namespace internal {

bool SameName(std::string_view a, std::string_view b) {
  return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

bool IsAutoIncrementOption(const TableOption& o) { return o.key == "AUTO_INCREMENT"; }

bool RefersToSameDatabase(const ForeignKey& fk, const DiffContext& ctx) {
  return fk.ref_db.empty() || fk.ref_db == ctx.database;
}

std::string Splice(const std::string& text, Span span, const std::string& replacement) {
  return text.substr(0, span.begin) + replacement + text.substr(span.end);
}

Result<ForeignKey> RenameForeignKey(const ForeignKey& fk, const DiffContext& ctx) {
  ForeignKey out = fk;
  const bool rename_target = RefersToSameDatabase(fk, ctx);
  const std::string new_name = fk.name.empty() ? "" : ctx.naming.ShadowName(fk.name);
  if (new_name.size() > 64) {
    return Status(errc::kBadNaming, "shadow foreign key name " + QuoteIdent(new_name) +
                                        " is longer than 64 characters");
  }
  // Splice the later span first so the earlier one's offsets stay valid.
  if (rename_target) {
    out.ref_table = ctx.naming.ShadowName(fk.ref_table);
    const std::string quoted = QuoteIdent(out.ref_table);
    out.definition = Splice(out.definition, fk.ref_table_span, quoted);
    out.ref_table_span.end = fk.ref_table_span.begin + quoted.size();
  }
  if (fk.name_span) {
    const std::string quoted = QuoteIdent(new_name);
    const long delta = static_cast<long>(quoted.size()) -
                       static_cast<long>(fk.name_span->end - fk.name_span->begin);
    out.definition = Splice(out.definition, *fk.name_span, quoted);
    out.name_span = Span{fk.name_span->begin, fk.name_span->begin + quoted.size()};
    out.ref_table_span.begin += delta;
    out.ref_table_span.end += delta;
  } else if (!new_name.empty()) {
    out.definition = "CONSTRAINT " + QuoteIdent(new_name) + " " + out.definition;
  }
  out.name = new_name;
  return out;
}

std::string CanonFk(const ForeignKey& fk) { return CanonicalSql(fk.definition); }

Result<Check> RenameCheck(const Check& ck, const DiffContext& ctx) {
  Check out = ck;
  if (ck.name.empty()) return out;
  out.name = ctx.naming.ShadowName(ck.name);
  if (out.name.size() > 64) {
    return Status(errc::kBadNaming, "shadow check constraint name " + QuoteIdent(out.name) +
                                        " is longer than 64 characters");
  }
  // "CONSTRAINT `name` CHECK (...)": the name is the token after CONSTRAINT.
  Result<TokenStream> ts = Lex(ck.definition);
  if (ts.ok() && ts->tokens.size() > 2 && IsWord(ts->tokens[0], "CONSTRAINT") &&
      !IsWord(ts->tokens[1], "CHECK")) {
    const Token& name = ts->tokens[1];
    out.definition = Splice(ck.definition, Span{name.begin, name.end}, QuoteIdent(out.name));
  } else {
    out.definition = "CONSTRAINT " + QuoteIdent(out.name) + " " + ck.definition;
  }
  return out;
}

}  // namespace internal

using internal::SameName;

Result<Table> ShadowOf(const Table& source, const DiffContext& ctx) {
  Table t = source;
  t.name = ctx.naming.ShadowName(source.name);
  t.schema.clear();
  t.options.erase(
      std::remove_if(t.options.begin(), t.options.end(), internal::IsAutoIncrementOption),
      t.options.end());
  for (ForeignKey& fk : t.foreign_keys) {
    Result<ForeignKey> renamed = internal::RenameForeignKey(fk, ctx);
    if (!renamed.ok()) return renamed.status();
    fk = std::move(*renamed);
  }
  if (CheckNamesAreDatabaseScoped(ctx.dialect)) {
    for (Check& ck : t.checks) {
      Result<Check> renamed = internal::RenameCheck(ck, ctx);
      if (!renamed.ok()) return renamed.status();
      ck = std::move(*renamed);
    }
  }
  return t;
}

std::string CanonicalText(const Table& t, Dialect dialect) {
  std::string out = std::string(t.kind == ObjectKind::kTable ? "TABLE " : "MATERIALIZED VIEW ") +
                    QuoteIdent(t.name) + "\n";
  for (const Column& c : t.columns) out += "C " + CanonicalSql(ColumnClause(c)) + "\n";
  for (const Index& i : t.indexes) out += "I " + CanonicalSql(i.definition) + "\n";
  std::vector<std::string> fks;
  for (const ForeignKey& f : t.foreign_keys) fks.push_back("F " + internal::CanonFk(f) + "\n");
  std::sort(fks.begin(), fks.end());  // servers print them by name; a suffix may reorder
  for (const std::string& f : fks) out += f;
  std::vector<std::string> checks;
  for (const Check& c : t.checks) checks.push_back("K " + CanonicalSql(c.definition) + "\n");
  if (CheckNamesAreDatabaseScoped(dialect)) std::sort(checks.begin(), checks.end());
  for (const std::string& c : checks) out += c;
  for (const TableOption& o : t.options) {
    if (!internal::IsAutoIncrementOption(o)) out += "O " + CanonicalSql(o.text) + "\n";
  }
  if (t.partitioning) out += "P " + t.partitioning->canonical + "\n";
  if (!t.tail.empty()) out += "T " + CanonicalSql(t.tail) + "\n";
  return out;
}

bool SameUnderNaming(const Table& source, const Table& shadow, const DiffContext& ctx) {
  Result<Table> want = ShadowOf(source, ctx);
  return want.ok() && CanonicalText(*want, ctx.dialect) == CanonicalText(shadow, ctx.dialect);
}

Result<std::string> ShadowCreateStatement(const Table& source, const DiffContext& ctx) {
  if (source.kind != ObjectKind::kTable) {
    return Status(errc::kInternal, QuoteIdent(source.name) +
                                       " is a materialized view: shadows are made for tables only");
  }
  Result<Table> shadow = ShadowOf(source, ctx);
  if (!shadow.ok()) return shadow.status();
  return RenderCreateTable(*shadow);
}

namespace {

Result<DiffResult> Recreate(const Table& source, const Table& shadow,
                            const std::string& shadow_name, const std::string& reason,
                            const DiffContext& ctx) {
  Result<std::string> create = ShadowCreateStatement(source, ctx);
  if (!create.ok()) return create.status();
  DiffResult r;
  r.action = Action::kUpdate;
  r.shadow_table = shadow_name;
  r.recreated = true;
  r.note = reason;
  std::string reason_line = reason;
  std::replace(reason_line.begin(), reason_line.end(), '\n', ' ');
  r.statements.push_back("-- shadow re-created: " + reason_line + "\n" + DropTable(shadow_name));
  r.statements.push_back(*create);
  r.phases = {ScriptPhase::kDropTables, ScriptPhase::kMain};
  for (const ForeignKey& fk : shadow.foreign_keys) r.dropped_foreign_keys.push_back(fk.name);
  return r;
}

// First line where two canonical texts differ (for notes).
std::string FirstDifference(const std::string& a, const std::string& b) {
  size_t i = 0;
  while (i < a.size() && i < b.size() && a[i] == b[i]) ++i;
  size_t line = a.rfind('\n', i == 0 ? 0 : i - 1);
  line = line == std::string::npos ? 0 : line + 1;
  size_t end = a.find('\n', line);
  return a.substr(line, end == std::string::npos ? std::string::npos : end - line);
}

}  // namespace

Result<DiffResult> Diff(const Table& source, const Table* shadow, const DiffContext& ctx) {
  Result<Table> want = ShadowOf(source, ctx);
  if (!want.ok()) return want.status();
  if (source.kind != ObjectKind::kTable) {
    return Status(errc::kInternal, QuoteIdent(source.name) +
                                       " is a materialized view: shadows are made for tables only");
  }
  DiffResult r;
  r.shadow_table = want->name;
  if (shadow == nullptr) {
    r.action = Action::kCreate;
    r.statements.push_back(RenderCreateTable(*want));
    r.phases = {ScriptPhase::kMain};
    return r;
  }
  const std::string want_text = CanonicalText(*want, ctx.dialect);
  const std::string have_text = CanonicalText(*shadow, ctx.dialect);
  if (want_text == have_text) {
    r.action = Action::kNoAction;
    return r;
  }
  internal::AlterPlan plan = internal::PlanAlter(*want, *shadow, ctx.dialect);
  if (!plan.recreate_reason.empty()) {
    return Recreate(source, *shadow, want->name, plan.recreate_reason, ctx);
  }
  std::vector<ScriptPhase> phases;
  std::vector<std::string> statements = internal::PlanStatements(plan, want->name, &phases);
  if (statements.empty()) {
    return Recreate(source, *shadow, want->name,
                    "difference not expressible as ALTER: " + FirstDifference(want_text, have_text),
                    ctx);
  }
  r.action = Action::kUpdate;
  r.statements = std::move(statements);
  r.phases = std::move(phases);
  r.dropped_foreign_keys = std::move(plan.dropped_fks);
  return r;
}

Result<DiffResult> DiffDdl(std::string_view source_ddl, std::optional<std::string_view> shadow_ddl,
                           const DiffContext& ctx) {
  Result<Table> source = ParseCreateTable(source_ddl);
  if (!source.ok()) return source.status();
  if (!shadow_ddl || shadow_ddl->empty()) return Diff(*source, nullptr, ctx);
  Result<Table> shadow = ParseCreateTable(*shadow_ddl);
  if (!shadow.ok()) return shadow.status();
  return Diff(*source, &*shadow, ctx);
}

}  // namespace shadowproxy::schema
