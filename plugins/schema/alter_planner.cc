// The ALTER plan of one shadow update, family by family (see differ_internal.h).
#include <strings.h>

#include <algorithm>
#include <cctype>

#include "plugins/schema/ddl_generator.h"
#include "plugins/schema/differ_internal.h"
#include "plugins/schema/quoting.h"
#include "plugins/schema/sql_lexer.h"

namespace shadowproxy::schema::internal {

std::string LowerName(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

namespace {

bool IsTextual(const Column& c) {
  static const std::set<std::string> kText = {"char",       "varchar",  "tinytext", "text",
                                              "mediumtext", "longtext", "enum",     "set"};
  return kText.count(c.base_type) > 0;
}

const char* GeneratedName(GeneratedKind k) {
  switch (k) {
    case GeneratedKind::kNone:
      return "not generated";
    case GeneratedKind::kVirtual:
      return "VIRTUAL";
    case GeneratedKind::kStored:
      return "STORED";
  }
  return "";
}

}  // namespace

std::vector<size_t> LongestIncreasing(const std::vector<size_t>& seq) {
  // O(n log n) patience sorting with back-links.
  std::vector<size_t> tails;  // positions in seq
  std::vector<long> prev(seq.size(), -1);
  for (size_t i = 0; i < seq.size(); ++i) {
    auto it = std::lower_bound(tails.begin(), tails.end(), seq[i],
                               [&](size_t pos, size_t v) { return seq[pos] < v; });
    if (it != tails.begin()) prev[i] = static_cast<long>(*(it - 1));
    if (it == tails.end()) {
      tails.push_back(i);
    } else {
      *it = i;
    }
  }
  std::vector<size_t> out;
  for (long p = tails.empty() ? -1 : static_cast<long>(tails.back()); p >= 0; p = prev[p]) {
    out.push_back(static_cast<size_t>(p));
  }
  std::reverse(out.begin(), out.end());
  return out;
}

ColumnPlan PlanColumns(const Table& want, const Table& have, bool reassert_text_columns) {
  ColumnPlan plan;
  for (const Column& h : have.columns) {
    if (want.FindColumn(h.name) == nullptr)
      plan.drops.push_back("DROP COLUMN " + QuoteIdent(h.name));
  }
  // Survivors in the shadow's order, as indexes into want; the longest increasing run stays.
  std::vector<size_t> seq;
  for (const Column& h : have.columns) {
    for (size_t i = 0; i < want.columns.size(); ++i) {
      if (SameName(want.columns[i].name, h.name)) seq.push_back(i);
    }
  }
  std::set<size_t> stable;
  for (size_t p : LongestIncreasing(seq)) stable.insert(seq[p]);
  // In want's order, each misplaced column goes right after its predecessor, which by then is
  // in place (stable, or positioned earlier in this same ALTER).
  for (size_t i = 0; i < want.columns.size(); ++i) {
    const Column& w = want.columns[i];
    const std::string pos = i == 0 ? "FIRST" : "AFTER " + QuoteIdent(want.columns[i - 1].name);
    const Column* h = have.FindColumn(w.name);
    if (h == nullptr) {
      const bool last = i + 1 == want.columns.size();
      plan.changes.push_back("ADD COLUMN " + ColumnClause(w) + (last ? "" : " " + pos));
      if (!last) plan.added_inside.push_back(w.name);
      continue;
    }
    if (h->generated != w.generated) {
      plan.recreate_reason = "column " + QuoteIdent(w.name) + " changes from " +
                             GeneratedName(h->generated) + " to " + GeneratedName(w.generated);
      return plan;
    }
    const bool changed = CanonicalSql(ColumnClause(*h)) != CanonicalSql(ColumnClause(w)) ||
                         (reassert_text_columns && IsTextual(w));
    const bool moved = stable.count(i) == 0;
    if (!changed && !moved) continue;
    std::string clause = h->name == w.name
                             ? "MODIFY COLUMN " + ColumnClause(w)
                             : "CHANGE COLUMN " + QuoteIdent(h->name) + " " + ColumnClause(w);
    if (moved) {
      clause += " " + pos;
      plan.moved.push_back(w.name);
    }
    plan.changes.push_back(clause);
    plan.modified.insert(LowerName(w.name));
  }
  return plan;
}

namespace {

// Shared by indexes and checks: keep the longest prefix of want's list that the shadow already
// has identically and in the same order; drop everything else of the shadow's, add the rest.
// (Servers print indexes sorted by kind, then creation order: re-adding the suffix in want's
// order reproduces want's order exactly.)
template <typename T, typename DropFn>
IndexPlan PlanOrderedList(const std::vector<T>& want, const std::vector<T>& have, DropFn drop) {
  IndexPlan plan;
  std::vector<const T*> same;  // have's elements identical to want's, in have's order
  for (const T& h : have) {
    for (const T& w : want) {
      if (SameName(w.name, h.name) && CanonicalSql(w.definition) == CanonicalSql(h.definition)) {
        same.push_back(&h);
      }
    }
  }
  size_t kept = 0;
  while (kept < want.size() && kept < same.size() && !want[kept].name.empty() &&
         SameName(want[kept].name, same[kept]->name)) {
    ++kept;
  }
  for (const T& h : have) {
    bool keep = false;
    for (size_t k = 0; k < kept; ++k) keep = keep || SameName(want[k].name, h.name);
    if (keep) continue;
    if (h.name.empty()) {
      plan.recreate_reason = "an unnamed index or constraint cannot be dropped by ALTER";
      return plan;
    }
    plan.drops.push_back(drop(h));
  }
  for (size_t k = kept; k < want.size(); ++k) plan.adds.push_back("ADD " + want[k].definition);
  return plan;
}

}  // namespace

IndexPlan PlanIndexes(const Table& want, const Table& have) {
  return PlanOrderedList(want.indexes, have.indexes, [](const Index& i) {
    return i.kind == IndexKind::kPrimary ? std::string("DROP PRIMARY KEY")
                                         : "DROP INDEX " + QuoteIdent(i.name);
  });
}

IndexPlan PlanChecks(const Table& want, const Table& have, Dialect dialect) {
  if (!CheckNamesAreDatabaseScoped(dialect)) {
    return PlanOrderedList(want.checks, have.checks,
                           [](const Check& c) { return "DROP CONSTRAINT " + QuoteIdent(c.name); });
  }
  // The server prints checks sorted by name, so their order is not ours to keep: drop what
  // differs, add what is missing.
  IndexPlan plan;
  auto same = [](const Check& a, const Check& b) {
    return SameName(a.name, b.name) && CanonicalSql(a.definition) == CanonicalSql(b.definition);
  };
  for (const Check& h : have.checks) {
    if (std::any_of(want.checks.begin(), want.checks.end(),
                    [&](const Check& w) { return same(w, h); })) {
      continue;
    }
    if (h.name.empty()) {
      plan.recreate_reason = "an unnamed index or constraint cannot be dropped by ALTER";
      return plan;
    }
    plan.drops.push_back("DROP CHECK " + QuoteIdent(h.name));
  }
  for (const Check& w : want.checks) {
    if (std::none_of(have.checks.begin(), have.checks.end(),
                     [&](const Check& h) { return same(w, h); })) {
      plan.adds.push_back("ADD " + w.definition);
    }
  }
  return plan;
}

namespace {

bool IsCharsetKey(const std::string& k) {
  return k == "DEFAULT CHARSET" || k == "CHARSET" || k == "DEFAULT CHARACTER SET" ||
         k == "CHARACTER SET";
}
bool IsCollateKey(const std::string& k) { return k == "COLLATE" || k == "DEFAULT COLLATE"; }

// The clause that removes option `key` (absent from the source), or "" if none exists.
std::string ResetClause(const std::string& key, const Table& want) {
  static const std::set<std::string> kZero = {"KEY_BLOCK_SIZE", "MAX_ROWS", "MIN_ROWS",
                                              "AVG_ROW_LENGTH", "CHECKSUM", "DELAY_KEY_WRITE",
                                              "TABLE_CHECKSUM"};
  static const std::set<std::string> kDefault = {
      "ROW_FORMAT",         "PACK_KEYS",       "STATS_PERSISTENT",       "STATS_AUTO_RECALC",
      "STATS_SAMPLE_PAGES", "PAGE_COMPRESSED", "PAGE_COMPRESSION_LEVEL", "ENCRYPTED",
      "ENCRYPTION_KEY_ID",  "IETF_QUOTES",     "TRANSACTIONAL",          "PAGE_CHECKSUM"};
  if (key == "COMMENT") return "COMMENT=''";
  if (kZero.count(key)) return key + "=0";
  if (kDefault.count(key)) return key + "=DEFAULT";
  if (IsCollateKey(key)) {
    for (const TableOption& o : want.options) {
      if (IsCharsetKey(o.key)) return o.text;  // a charset alone resets to its default collation
    }
  }
  return "";
}

}  // namespace

OptionPlan PlanOptions(const Table& want, const Table& have) {
  OptionPlan plan;
  for (const TableOption& w : want.options) {
    if (IsAutoIncrementOption(w)) continue;
    const TableOption* h = have.FindOption(w.key);
    if (h != nullptr && CanonicalSql(h->value) == CanonicalSql(w.value)) continue;
    if (IsCharsetKey(w.key) || IsCollateKey(w.key)) plan.charset_changed = true;
    plan.clauses.push_back(w.text);
  }
  for (const TableOption& h : have.options) {
    if (IsAutoIncrementOption(h) || want.FindOption(h.key) != nullptr) continue;
    std::string reset = ResetClause(h.key, want);
    if (reset.empty()) {
      plan.recreate_reason = "table option " + h.key + " cannot be removed by ALTER";
      return plan;
    }
    if (IsCollateKey(h.key)) {
      plan.charset_changed = true;
      if (std::find(plan.clauses.begin(), plan.clauses.end(), reset) == plan.clauses.end()) {
        plan.clauses.push_back(reset);
      }
      continue;
    }
    plan.resets.push_back(reset);
  }
  if (plan.charset_changed) {
    // Send charset and collation together, charset first: a charset alone resets the collation.
    std::vector<std::string> cs, rest;
    for (const TableOption& w : want.options) {
      if (IsCharsetKey(w.key) || IsCollateKey(w.key)) cs.push_back(w.text);
    }
    for (const std::string& c : plan.clauses) {
      if (std::find(cs.begin(), cs.end(), c) == cs.end()) rest.push_back(c);
    }
    cs.insert(cs.end(), rest.begin(), rest.end());
    plan.clauses = cs;
  }
  return plan;
}

AlterPlan PlanAlter(const Table& want, const Table& have, Dialect dialect) {
  AlterPlan plan;
  // MariaDB refuses ALTER TABLE of a system-versioned table unless the session sets
  // system_versioning_alter_history=KEEP (ERROR 4119); a shadow's history is test data.
  if (have.FindOption("WITH SYSTEM VERSIONING") != nullptr) {
    plan.recreate_reason = "a system-versioned table cannot be altered (ERROR 4119)";
    return plan;
  }
  OptionPlan options = PlanOptions(want, have);
  ColumnPlan columns = PlanColumns(want, have, options.charset_changed);
  IndexPlan indexes = PlanIndexes(want, have);
  IndexPlan checks = PlanChecks(want, have, dialect);
  // MariaDB: indexes built under a table KEY_BLOCK_SIZE keep it (printed per index) when the
  // table option changes; rebuilding every index in the same ALTER clears it (schema-io).
  // (OceanBase has no KEY_BLOCK_SIZE; its per-index BLOCK_SIZE is part of each definition.)
  const TableOption* want_kbs = want.FindOption("KEY_BLOCK_SIZE");
  const TableOption* have_kbs = have.FindOption("KEY_BLOCK_SIZE");
  if (dialect != Dialect::kOceanBase && indexes.recreate_reason.empty() &&
      ((want_kbs == nullptr) != (have_kbs == nullptr) ||
       (want_kbs != nullptr && CanonicalSql(want_kbs->value) != CanonicalSql(have_kbs->value)))) {
    IndexPlan all;
    for (const Index& h : have.indexes) {
      if (h.kind != IndexKind::kPrimary && h.name.empty()) {
        all.recreate_reason = "an unnamed index cannot be rebuilt by ALTER";
        break;
      }
      all.drops.push_back(h.kind == IndexKind::kPrimary ? std::string("DROP PRIMARY KEY")
                                                        : "DROP INDEX " + QuoteIdent(h.name));
    }
    for (const Index& w : want.indexes) all.adds.push_back("ADD " + w.definition);
    indexes = all;
  }
  for (const std::string* reason : {&options.recreate_reason, &columns.recreate_reason,
                                    &indexes.recreate_reason, &checks.recreate_reason}) {
    if (!reason->empty()) {
      plan.recreate_reason = *reason;
      return plan;
    }
  }
  // Foreign keys: dropped first when changed, gone, or when an index they may rely on is
  // dropped or one of their columns is re-defined; added last, after their indexes exist.
  const bool index_dropped = !indexes.drops.empty();
  // MariaDB keeps an index's IGNORED flag when one ALTER drops it and adds it back with the same
  // parts: clear the flag first (schema-io).
  for (const Index& h : have.indexes) {
    const Index* w = want.FindIndex(h.name);
    if (h.visibility == "IGNORED" && w != nullptr && w->visibility.empty())
      plan.drop_first.push_back("ALTER INDEX " + QuoteIdent(h.name) + " NOT IGNORED");
  }
  std::set<std::string> dropped_fks;
  for (const ForeignKey& h : have.foreign_keys) {
    const ForeignKey* w = nullptr;
    for (const ForeignKey& f : want.foreign_keys) {
      if (SameName(f.name, h.name)) w = &f;
    }
    bool touches_modified = false;
    for (const std::string& c : h.columns) {
      touches_modified = touches_modified || columns.modified.count(LowerName(c)) > 0;
    }
    if (w == nullptr || CanonicalSql(w->definition) != CanonicalSql(h.definition) ||
        index_dropped || touches_modified) {
      if (h.name.empty()) {
        plan.recreate_reason = "an unnamed foreign key cannot be dropped by ALTER";
        return plan;
      }
      plan.drop_first.push_back("DROP FOREIGN KEY " + QuoteIdent(h.name));
      plan.dropped_fks.push_back(h.name);
      dropped_fks.insert(LowerName(h.name));
    }
  }
  for (const ForeignKey& w : want.foreign_keys) {
    const ForeignKey* h = nullptr;
    for (const ForeignKey& f : have.foreign_keys) {
      if (SameName(f.name, w.name)) h = &f;
    }
    if (h == nullptr || dropped_fks.count(LowerName(w.name))) {
      plan.add_last.push_back("ADD " + w.definition);
    }
  }
  plan.drop_first.insert(plan.drop_first.end(), checks.drops.begin(), checks.drops.end());
  // Main ALTER: drop indexes, drop columns, add/modify columns in order, add indexes, checks,
  // table options.
  for (const auto* part : {&indexes.drops, &columns.drops, &columns.changes, &indexes.adds,
                           &checks.adds, &options.clauses}) {
    plan.main.insert(plan.main.end(), part->begin(), part->end());
  }
  const bool engine_changes =
      std::any_of(options.clauses.begin(), options.clauses.end(), [](const std::string& c) {
        return c.size() >= 6 && strncasecmp(c.c_str(), "ENGINE", 6) == 0;
      });
  auto& resets_into = engine_changes ? plan.option_resets : plan.main;
  resets_into.insert(resets_into.end(), options.resets.begin(), options.resets.end());
  // Partitioning, compared by definition.
  const std::string want_p = want.partitioning ? want.partitioning->canonical : "";
  const std::string have_p = have.partitioning ? have.partitioning->canonical : "";
  if (want_p != have_p) {
    if (want.partitioning) {
      plan.partition_by = PartitionClause(*want.partitioning);
      plan.remove_partitioning =
          have.partitioning && !plan.main.empty() && dialect != Dialect::kOceanBase;
    } else {
      plan.remove_partitioning = true;
    }
  }
  plan.recreate_reason =
      DialectRecreateReason(dialect, want, have, columns, indexes, options, plan);
  if (!plan.recreate_reason.empty()) return plan;
  if (dialect == Dialect::kOceanBase) {
    const std::string offline = OceanBaseOfflineOperations(want, have, columns);
    if (!offline.empty()) plan.main_comment = "-- OceanBase runs this as offline DDL: " + offline;
    if (!plan.partition_by.empty()) {
      plan.partition_comment = "-- OceanBase runs this as offline DDL: re-partitions the table";
    }
  }
  return plan;
}

std::vector<std::string> PlanStatements(const AlterPlan& plan, const std::string& table,
                                        std::vector<ScriptPhase>* phases) {
  auto commented = [](const std::string& comment, std::string statement) {
    return comment.empty() ? statement : comment + "\n" + statement;
  };
  std::vector<std::string> out;
  std::vector<ScriptPhase> at;
  auto add = [&](ScriptPhase phase, std::string sql) {
    out.push_back(std::move(sql));
    at.push_back(phase);
  };
  if (!plan.drop_first.empty())
    add(ScriptPhase::kDropForeignKeys, AlterTable(table, plan.drop_first));
  if (plan.remove_partitioning) add(ScriptPhase::kMain, AlterTable(table, {"REMOVE PARTITIONING"}));
  if (!plan.main.empty())
    add(ScriptPhase::kMain, commented(plan.main_comment, AlterTable(table, plan.main)));
  if (!plan.option_resets.empty()) add(ScriptPhase::kMain, AlterTable(table, plan.option_resets));
  if (!plan.partition_by.empty())
    add(ScriptPhase::kMain,
        commented(plan.partition_comment, AlterTable(table, {plan.partition_by})));
  if (!plan.add_last.empty()) add(ScriptPhase::kAddForeignKeys, AlterTable(table, plan.add_last));
  if (phases != nullptr) *phases = std::move(at);
  return out;
}

}  // namespace shadowproxy::schema::internal
