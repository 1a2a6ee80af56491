#include "plugins/schema/script_order.h"

#include <algorithm>
#include <map>
#include <set>
#include <string>

#include "plugins/schema/ddl_generator.h"
#include "plugins/schema/differ_internal.h"
#include "plugins/schema/quoting.h"
#include "plugins/schema/sql_lexer.h"

namespace shadowproxy::schema {
namespace {

using internal::SameName;

bool StartsWithColumns(const Index& index, const std::vector<std::string>& columns) {
  if (index.parts.size() < columns.size()) return false;
  for (size_t i = 0; i < columns.size(); ++i)
    if (!SameName(index.parts[i].column, columns[i])) return false;
  return true;
}

std::string EngineOf(const Table& t) {
  const TableOption* o = t.FindOption("ENGINE");
  return o == nullptr ? "" : CanonicalSql(o->value);
}

bool Contains(const std::vector<std::string>& names, const std::string& name) {
  return std::any_of(names.begin(), names.end(),
                     [&](const std::string& n) { return SameName(n, name); });
}

bool SameDatabase(const ForeignKey& fk, const DiffContext& ctx) {
  return fk.ref_db.empty() || fk.ref_db == ctx.database;
}

// Where table t's statements of `phase` end (insert position keeping phases non-decreasing).
size_t EndOfPhase(const DiffResult& d, ScriptPhase phase) {
  size_t i = 0;
  while (i < d.phases.size() && d.phases[i] <= phase) ++i;
  return i;
}

void Insert(DiffResult& d, ScriptPhase phase, std::string sql) {
  size_t at = EndOfPhase(d, phase);
  d.statements.insert(d.statements.begin() + static_cast<long>(at), std::move(sql));
  d.phases.insert(d.phases.begin() + static_cast<long>(at), phase);
}

void AddNote(DiffResult& d, const std::string& line) {
  if (!d.note.empty()) d.note += "\n";
  d.note += line;
}

}  // namespace

bool DisturbsReference(const Table& have, const Table& want, bool recreated, const ForeignKey& fk) {
  if (recreated) return true;
  for (const std::string& c : fk.ref_columns) {
    const Column* h = have.FindColumn(c);
    const Column* w = want.FindColumn(c);
    if (h == nullptr) continue;  // the key is broken already; the parent's change cannot matter
    if (w == nullptr || CanonicalSql(ColumnClause(*h)) != CanonicalSql(ColumnClause(*w)))
      return true;
  }
  for (const Index& h : have.indexes) {
    if (!StartsWithColumns(h, fk.ref_columns)) continue;
    const Index* w = want.FindIndex(h.name);
    if (w == nullptr || CanonicalSql(w->definition) != CanonicalSql(h.definition)) return true;
  }
  return EngineOf(have) != EngineOf(want);
}

Status CoupleForeignKeys(const std::vector<ScriptTable>& tables, const DiffContext& ctx) {
  const size_t n = tables.size();
  std::vector<Table> want(n);
  std::map<std::string, size_t> by_shadow;
  for (size_t i = 0; i < n; ++i) {
    Result<Table> w = ShadowOf(*tables[i].source, ctx);
    if (!w.ok()) return w.status();
    want[i] = std::move(w).value();
    by_shadow[want[i].name] = i;
  }
  auto changes = [&](size_t i) { return tables[i].diff->action == Action::kUpdate; };

  // 1 and 2: existing shadows' keys in the way of another table's change.
  for (size_t c = 0; c < n; ++c) {
    const ScriptTable& child = tables[c];
    if (child.shadow == nullptr) continue;
    DiffResult& d = *child.diff;
    std::vector<std::string> readd;
    std::vector<std::string> parents;
    for (const ForeignKey& fk : child.shadow->foreign_keys) {
      if (!SameDatabase(fk, ctx) || fk.name.empty()) continue;
      auto p = by_shadow.find(fk.ref_table);
      if (p == by_shadow.end() || p->second == c || !changes(p->second)) continue;
      const ScriptTable& parent = tables[p->second];
      if (parent.shadow == nullptr) continue;
      if (d.recreated) {
        // Dropped with its table in kDropTables, children first; only in a cycle can the parent
        // go before.
        if (parent.diff->recreated && p->second > c)
          Insert(d, ScriptPhase::kDropForeignKeys,
                 AlterTable(want[c].name, {"DROP FOREIGN KEY " + QuoteIdent(fk.name)}));
        continue;
      }
      if (Contains(d.dropped_foreign_keys, fk.name)) continue;
      if (!DisturbsReference(*parent.shadow, want[p->second], parent.diff->recreated, fk)) continue;
      const ForeignKey* kept = nullptr;
      for (const ForeignKey& w : want[c].foreign_keys)
        if (SameName(w.name, fk.name)) kept = &w;
      if (kept == nullptr) continue;  // not dropped by the diff yet gone from want: cannot be
      Insert(d, ScriptPhase::kDropForeignKeys,
             AlterTable(want[c].name, {"DROP FOREIGN KEY " + QuoteIdent(fk.name)}));
      readd.push_back("ADD " + kept->definition);
      d.dropped_foreign_keys.push_back(fk.name);
      parents.push_back(QuoteIdent(fk.ref_table));
    }
    if (!readd.empty()) {
      Insert(d, ScriptPhase::kAddForeignKeys, AlterTable(want[c].name, readd));
      if (d.action == Action::kNoAction) d.action = Action::kUpdate;
      std::sort(parents.begin(), parents.end());
      parents.erase(std::unique(parents.begin(), parents.end()), parents.end());
      std::string list;
      for (const std::string& p : parents) {
        if (!list.empty()) list += ", ";
        list += p;
      }
      AddNote(d, "foreign keys dropped and added back around the change of " + list);
    }
  }

  // 3: CREATEs in kMain order. A shadow has its final keys from its kMain statements on, or all
  // along if it is kept and has none (a cycle member that is ALTERed later does not have them
  // yet).
  std::set<std::string> exists;
  for (size_t i = 0; i < n; ++i) {
    const DiffResult& d = *tables[i].diff;
    const bool main_changes =
        std::find(d.phases.begin(), d.phases.end(), ScriptPhase::kMain) != d.phases.end();
    if (tables[i].shadow != nullptr && !d.recreated && !main_changes) exists.insert(want[i].name);
  }
  for (size_t i = 0; i < n; ++i) {
    DiffResult& d = *tables[i].diff;
    const bool creates = d.action == Action::kCreate || d.recreated;
    if (creates) {
      Table without = want[i];
      std::vector<std::string> later;
      std::erase_if(without.foreign_keys, [&](const ForeignKey& fk) {
        if (!SameDatabase(fk, ctx) || fk.ref_table == without.name) return false;
        if (exists.count(fk.ref_table) != 0 || by_shadow.count(fk.ref_table) == 0) return false;
        later.push_back("ADD " + fk.definition);
        return true;
      });
      if (!later.empty()) {
        for (size_t k = 0; k < d.statements.size(); ++k)
          if (d.phases[k] == ScriptPhase::kMain) d.statements[k] = RenderCreateTable(without);
        Insert(d, ScriptPhase::kAddForeignKeys, AlterTable(without.name, later));
        AddNote(d, "foreign keys to shadows created after this one are added at the end");
      }
    }
    exists.insert(want[i].name);
  }
  return Status::Ok();
}

}  // namespace shadowproxy::schema
