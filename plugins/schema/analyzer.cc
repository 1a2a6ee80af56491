#include "plugins/schema/analyzer.h"

#include <algorithm>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <thread>
#include <unordered_map>

#include "base/log.h"
#include "plugins/schema/naming.h"
#include "plugins/schema/quoting.h"
#include "plugins/schema/reader.h"
#include "plugins/schema/script_order.h"
#include "plugins/schema/show_create_parser.h"

namespace shadowproxy::schema {
namespace {

// One definition as read and parsed.
struct Slot {
  bool read = false;
  std::string ddl;
  Result<Table> table = Status(errc::kInternal, "not read");
};

// One source table on its way through the analysis.
struct Work {
  Slot source_slot;
  Slot shadow_slot;
  std::string source;
  std::string shadow;
  bool added_as_parent = false;
  bool added_as_child = false;
  bool shadow_exists = false;
  std::string source_ddl;
  std::string shadow_ddl;
  std::optional<Table> source_table;
  std::optional<Table> shadow_table;
  Result<DiffResult> diff = Status(errc::kInternal, "not analysed");
};

Status NotFound(const std::string& db, const std::string& table, const std::string& why = "") {
  return Status(errc::kNotFound, "table '" + db + "." + table + "' not found" +
                                     (why.empty() ? "" : " (" + why + ")"));
}

Status Prefixed(const std::string& table, const Status& s) {
  return Status(s.code(), "table '" + table + "': " + s.message(), s.sqlstate());
}

// Runs fn(i) for i in [0, n) on up to `threads` threads.
template <typename Fn>
void ParallelFor(size_t n, int threads, Fn fn) {
  size_t t = std::min<size_t>(static_cast<size_t>(std::max(threads, 1)), (n + 31) / 32);
  if (t <= 1) {
    for (size_t i = 0; i < n; ++i) fn(i);
    return;
  }
  std::vector<std::thread> pool;
  for (size_t k = 1; k < t; ++k)
    pool.emplace_back([&, k] {
      for (size_t i = n * k / t; i < n * (k + 1) / t; ++i) fn(i);
    });
  for (size_t i = 0; i < n / t; ++i) fn(i);
  for (std::thread& th : pool) th.join();
}

}  // namespace

std::string ChangeSql(const std::vector<std::string>& statements, bool recreated,
                      const std::string& note) {
  std::string out;
  // The differ's first statement of a re-creation starts with this line already.
  const bool said = !statements.empty() && statements[0].rfind("-- shadow re-created", 0) == 0;
  if (recreated && !said) {
    out += "-- shadow re-created";
    if (!note.empty()) {
      std::string one_line = note;
      std::replace(one_line.begin(), one_line.end(), '\n', ' ');
      out += ": " + one_line;
    }
    out += "\n";
  }
  for (size_t i = 0; i < statements.size(); ++i) {
    if (i > 0) out += ";\n";
    out += statements[i];
  }
  if (!statements.empty()) out += ";";
  return out;
}

Result<Analysis> Analyze(const sql::ClusterConnInfo& conn, const std::string& db,
                         const TableSelection& selection, const Naming& naming,
                         AnalyzeOptions options) {
  SchemaReader reader(
      conn, db,
      ReaderOptions{.parallelism = std::max(1, options.parallelism), .pool = options.pool});
  return AnalyzeFrom(reader, db, selection, naming, options);
}

// The analysis of selection.all / selection.tables (selection.drop is AnalyzeFrom's).
static Result<Analysis> AnalyzeSources(SchemaSource& reader, const std::string& db,
                                       const TableSelection& selection, const Naming& naming,
                                       AnalyzeOptions options) {
  if (Status s = ValidateNaming(naming); !s.ok()) return s;
  if (!selection.all && selection.tables.empty())
    return Status(errc::kNotFound, "no table selected in database '" + db + "'");

  // 0. The server's family decides the DDL dialect.
  Result<std::string> version = reader.ServerVersion();
  if (!version.ok()) return version.status();
  const Dialect dialect = DialectFromVersion(*version);

  // 1. Which tables exist: one query.
  std::map<std::string, TableKind> listing;
  std::vector<std::string> sources;
  if (selection.all) {
    auto all = reader.List(std::nullopt);
    if (!all.ok()) return all.status();
    listing = std::move(all).value();
    for (const auto& [name, kind] : listing)
      if (kind == TableKind::kBaseTable && !IsShadowName(name, naming)) sources.push_back(name);
  } else {
    std::set<std::string> seen;
    std::vector<std::string> wanted;
    for (const std::string& t : selection.tables) {
      if (!seen.insert(t).second) continue;
      sources.push_back(t);
      wanted.push_back(t);
      wanted.push_back(naming.ShadowName(t));
    }
    auto some = reader.List(wanted);
    if (!some.ok()) return some.status();
    listing = std::move(some).value();
    for (const std::string& t : sources) {
      auto it = listing.find(t);
      if (it == listing.end()) return NotFound(db, t);
      if (it->second != TableKind::kBaseTable) return NotFound(db, t, "not a base table");
    }
  }
  if (Status s = CheckShadowNames(sources, naming); !s.ok()) return s;

  // 2. Read and parse sources and existing shadows; then the parents their foreign keys need,
  // until nothing is missing.
  std::vector<Work> work;
  std::map<std::string, size_t> index;           // source name -> position in work
  std::map<std::string, std::string> needed_by;  // parent -> "child (fk)", for messages

  // Reads `batch` (sources known to exist) and their existing shadows into new Work items.
  auto read_batch = [&](const std::vector<std::string>& batch) -> Status {
    std::vector<std::string> to_read;
    size_t first = work.size();
    for (const std::string& t : batch) {
      Work w;
      w.source = t;
      w.shadow = naming.ShadowName(t);
      w.added_as_parent = needed_by.count(t) != 0;
      auto sh = listing.find(w.shadow);
      if (sh != listing.end()) {
        if (sh->second != TableKind::kBaseTable)
          return Status(errc::kBadNaming, "shadow name of table '" + t + "' is '" + w.shadow +
                                              "', which exists and is not a base table");
        w.shadow_exists = true;
        to_read.push_back(w.shadow);
      }
      to_read.push_back(t);
      index[t] = work.size();
      work.push_back(std::move(w));
    }
    // Each definition is parsed on the thread that read it, while the others are on the wire.
    // Every name has its own slot, so the reading threads never write the same memory.
    std::unordered_map<std::string, Slot*> slots;
    for (size_t i = first; i < work.size(); ++i) {
      slots[work[i].source] = &work[i].source_slot;
      if (work[i].shadow_exists) slots[work[i].shadow] = &work[i].shadow_slot;
    }
    Status read = reader.ReadCreateEach(to_read, [&](const std::string& name, std::string ddl) {
      auto it = slots.find(name);
      if (it == slots.end()) return;
      Slot& slot = *it->second;
      slot.read = true;
      slot.ddl = std::move(ddl);
      slot.table = ParseCreateTable(slot.ddl);
    });
    if (!read.ok()) return read;
    for (size_t i = first; i < work.size(); ++i) {
      Work& w = work[i];
      if (!w.source_slot.read) return NotFound(db, w.source, "dropped while being read");
      if (!w.source_slot.table.ok()) return Prefixed(w.source, w.source_slot.table.status());
      w.source_ddl = std::move(w.source_slot.ddl);
      w.source_table = std::move(w.source_slot.table).value();
      if (!w.shadow_exists) continue;
      if (!w.shadow_slot.read) {
        w.shadow_exists = false;  // dropped meanwhile: it will be created
        continue;
      }
      if (!w.shadow_slot.table.ok()) return Prefixed(w.shadow, w.shadow_slot.table.status());
      w.shadow_ddl = std::move(w.shadow_slot.ddl);
      w.shadow_table = std::move(w.shadow_slot.table).value();
    }
    return Status::Ok();
  };

  // Reads the parents that the items from `first` on reference and that are not read yet,
  // transitively.
  auto read_parents = [&](size_t first) -> Status {
    while (first < work.size()) {
      std::vector<std::string> parents;
      for (size_t i = first; i < work.size(); ++i) {
        for (const ForeignKey& fk : work[i].source_table->foreign_keys) {
          if (!fk.ref_db.empty() && fk.ref_db != db) continue;
          if (fk.ref_table == work[i].source || index.count(fk.ref_table) != 0) continue;
          if (needed_by.emplace(fk.ref_table, work[i].source + "." + fk.name).second)
            parents.push_back(fk.ref_table);
        }
      }
      if (parents.empty()) return Status::Ok();
      std::vector<std::string> unknown;
      for (const std::string& p : parents) {
        if (listing.count(p) == 0) unknown.push_back(p);
        if (listing.count(naming.ShadowName(p)) == 0) unknown.push_back(naming.ShadowName(p));
      }
      if (!unknown.empty() && !selection.all) {
        auto more = reader.List(unknown);
        if (!more.ok()) return more.status();
        listing.merge(more.value());
      }
      for (const std::string& p : parents) {
        auto it = listing.find(p);
        if (it == listing.end() || it->second != TableKind::kBaseTable)
          return NotFound(db, p, "referenced by foreign key " + needed_by[p]);
        sources.push_back(p);
      }
      if (Status s = CheckShadowNames(sources, naming); !s.ok()) return s;
      first = work.size();
      if (Status s = read_batch(parents); !s.ok()) return s;
    }
    return Status::Ok();
  };

  DiffContext ctx{naming, db, dialect};
  auto diff_from = [&](size_t first) -> Status {
    ParallelFor(work.size() - first, options.parallelism, [&](size_t k) {
      Work& w = work[first + k];
      w.diff = Diff(*w.source_table, w.shadow_table ? &*w.shadow_table : nullptr, ctx);
    });
    for (size_t i = first; i < work.size(); ++i)
      if (!work[i].diff.ok()) return Prefixed(work[i].source, work[i].diff.status());
    return Status::Ok();
  };

  if (Status s = read_batch(sources); !s.ok()) return s;
  if (Status s = read_parents(0); !s.ok()) return s;
  // 3. Diff every table.
  if (Status s = diff_from(0); !s.ok()) return s;

  // 3b. With a list, shadows outside it may reference a shadow that changes (ALL TABLES has them
  // all): such a child joins the analysis when the change disturbs its key, since its own source
  // changed with the parent's and only its own diff can say how the key comes back.
  if (!selection.all) {
    std::set<std::string> asked;
    size_t checked = 0;
    while (checked < work.size()) {
      std::vector<std::string> changing;
      for (size_t i = checked; i < work.size(); ++i)
        if (work[i].shadow_exists && work[i].diff->action == Action::kUpdate &&
            asked.insert(work[i].shadow).second)
          changing.push_back(work[i].shadow);
      checked = work.size();
      if (changing.empty()) break;
      auto refs = reader.ReferencesTo(changing);
      if (!refs.ok()) return refs.status();
      std::set<std::string> shadows;
      for (const Work& w : work) shadows.insert(w.shadow);
      std::vector<std::string> candidates;
      for (const auto& [child, parent] : refs.value()) {
        if (shadows.count(child) != 0 || !IsShadowName(child, naming)) continue;
        std::string source = child.substr(
            naming.prefix.size(), child.size() - naming.prefix.size() - naming.suffix.size());
        if (index.count(source) != 0 ||
            std::find(candidates.begin(), candidates.end(), source) != candidates.end())
          continue;
        candidates.push_back(source);
      }
      if (candidates.empty()) break;
      std::vector<std::string> names = candidates;
      for (const std::string& c : candidates) names.push_back(naming.ShadowName(c));
      auto more = reader.List(names);
      if (!more.ok()) return more.status();
      listing.merge(more.value());
      std::vector<std::string> found;
      for (const std::string& c : candidates) {
        auto it = listing.find(c);
        if (it != listing.end() && it->second == TableKind::kBaseTable) found.push_back(c);
      }
      if (found.empty()) break;
      const size_t first = work.size();
      if (Status s = read_batch(found); !s.ok()) return s;
      // Keep only the children whose shadow key a change disturbs.
      std::map<std::string, size_t> by_shadow;
      for (size_t i = 0; i < first; ++i) by_shadow[work[i].shadow] = i;
      std::vector<Work> kept;
      for (size_t i = first; i < work.size(); ++i) {
        Work& w = work[i];
        bool disturbed = false;
        const std::vector<ForeignKey> none;
        for (const ForeignKey& fk : w.shadow_table ? w.shadow_table->foreign_keys : none) {
          auto p = by_shadow.find(fk.ref_table);
          if (p == by_shadow.end() || (!fk.ref_db.empty() && fk.ref_db != db)) continue;
          Work& parent = work[p->second];
          if (!parent.shadow_table || parent.diff->action != Action::kUpdate) continue;
          Result<Table> want = ShadowOf(*parent.source_table, ctx);
          if (!want.ok()) return Prefixed(parent.source, want.status());
          if (DisturbsReference(*parent.shadow_table, *want, parent.diff->recreated, fk)) {
            disturbed = true;
            break;
          }
        }
        index.erase(w.source);
        if (!disturbed) continue;
        w.added_as_child = true;
        kept.push_back(std::move(w));
      }
      work.resize(first);
      for (Work& w : kept) {
        index[w.source] = work.size();
        sources.push_back(w.source);
        work.push_back(std::move(w));
      }
      if (Status s = CheckShadowNames(sources, naming); !s.ok()) return s;
      if (Status s = read_parents(first); !s.ok()) return s;
      if (Status s = diff_from(first); !s.ok()) return s;
    }
  }

  // 4. Parents before children, and the statements one table's change needs from another.
  Analysis out;
  out.database = db;
  out.naming = naming;
  out.dialect = dialect;
  out.server_version = *version;
  std::vector<const Table*> tables;
  for (const Work& w : work) tables.push_back(&*w.source_table);
  std::vector<size_t> order = OrderByForeignKeys(tables, db, &out.order_note);
  std::vector<ScriptTable> planned;
  for (size_t i : order) {
    Work& w = work[i];
    planned.push_back(
        ScriptTable{&*w.source_table, w.shadow_table ? &*w.shadow_table : nullptr, &*w.diff});
  }
  if (Status s = CoupleForeignKeys(planned, ctx); !s.ok()) return s;

  std::set<std::string> shadows;
  std::vector<std::vector<ScriptPhase>> phases;
  for (size_t i : order) {
    Work& w = work[i];
    DiffResult& d = w.diff.value();
    TableAnalysis t;
    t.source_table = w.source;
    t.shadow_table = w.shadow;
    t.result = d.action;
    t.source_ddl = std::move(w.source_ddl);
    t.shadow_ddl = std::move(w.shadow_ddl);
    t.statements = std::move(d.statements);
    t.phases = std::move(d.phases);
    t.recreated = d.recreated;
    t.note = std::move(d.note);
    t.added_as_parent = w.added_as_parent;
    t.added_as_child = w.added_as_child;
    t.change_sql = ChangeSql(t.statements, t.recreated, t.note);
    shadows.insert(t.shadow_table);
    phases.push_back(t.phases);
    out.tables.push_back(std::move(t));
  }
  for (const auto& [t, k] : ScriptOrder(phases)) out.script.push_back(out.tables[t].statements[k]);

  // 5. Nothing but shadows may be touched (ERR 7020).
  if (Status s = CheckTouchesOnlyShadows(out.script, shadows); !s.ok()) return s;
  out.round_trips = reader.round_trips();
  return out;
}

// The shadows of `gone` sources that exist, to be dropped (DROP TABLE in kDropTables), after
// the tables `analysed` already has. A source that exists again, or has no shadow: NO_ACTION.
static Status AddDrops(SchemaSource& reader, const std::vector<std::string>& gone,
                       const Naming& naming, Analysis* analysed) {
  std::set<std::string> have;
  for (const TableAnalysis& t : analysed->tables) have.insert(t.source_table);
  std::vector<std::string> sources, wanted;
  for (const std::string& t : gone) {
    if (!have.insert(t).second) continue;
    sources.push_back(t);
    wanted.push_back(t);
    wanted.push_back(naming.ShadowName(t));
  }
  if (sources.empty()) return Status::Ok();
  auto listing = reader.List(wanted);
  if (!listing.ok()) return listing.status();
  std::vector<std::string> to_read;
  std::vector<TableAnalysis> drops;
  for (const std::string& source : sources) {
    TableAnalysis t;
    t.source_table = source;
    t.shadow_table = naming.ShadowName(source);
    auto shadow = listing->find(t.shadow_table);
    if (listing->count(source) != 0) {
      t.note = "the source exists: its shadow is kept";
    } else if (shadow == listing->end() || shadow->second != TableKind::kBaseTable) {
      t.note = "no shadow table to drop";
    } else {
      t.result = Action::kDrop;
      t.statements = {"DROP TABLE " + QuoteIdent(t.shadow_table)};
      t.phases = {ScriptPhase::kDropTables};
      t.note = "the source is gone: its shadow is dropped";
      t.change_sql = ChangeSql(t.statements, false, "");
      to_read.push_back(t.shadow_table);
    }
    drops.push_back(std::move(t));
  }
  std::mutex mu;
  std::map<std::string, std::string> ddl;
  Status read = reader.ReadCreateEach(to_read, [&](const std::string& name, std::string text) {
    std::lock_guard<std::mutex> lock(mu);
    ddl[name] = std::move(text);
  });
  if (!read.ok()) return read;
  for (TableAnalysis& t : drops) {
    if (t.result == Action::kDrop) t.shadow_ddl = ddl[t.shadow_table];
    analysed->tables.push_back(std::move(t));
  }
  return Status::Ok();
}

Result<Analysis> AnalyzeFrom(SchemaSource& reader, const std::string& db,
                             const TableSelection& selection, const Naming& naming,
                             AnalyzeOptions options) {
  if (selection.drop.empty()) return AnalyzeSources(reader, db, selection, naming, options);
  Analysis out;
  if (selection.all || !selection.tables.empty()) {
    TableSelection sources = selection;
    sources.drop.clear();
    auto analysed = AnalyzeSources(reader, db, sources, naming, options);
    if (!analysed.ok()) return analysed.status();
    out = std::move(analysed).value();
  } else {
    if (Status s = ValidateNaming(naming); !s.ok()) return s;
    Result<std::string> version = reader.ServerVersion();
    if (!version.ok()) return version.status();
    out.database = db;
    out.naming = naming;
    out.dialect = DialectFromVersion(*version);
    out.server_version = *version;
  }
  if (Status s = AddDrops(reader, selection.drop, naming, &out); !s.ok()) return s;
  std::set<std::string> shadows;
  std::vector<std::vector<ScriptPhase>> phases;
  for (const TableAnalysis& t : out.tables) {
    shadows.insert(t.shadow_table);
    phases.push_back(t.phases);
  }
  out.script.clear();
  for (const auto& [t, k] : ScriptOrder(phases)) out.script.push_back(out.tables[t].statements[k]);
  if (Status s = CheckTouchesOnlyShadows(out.script, shadows); !s.ok()) return s;
  out.round_trips = reader.round_trips();
  return out;
}

Status ExecuteScript(const sql::ClusterConnInfo& conn, const std::string& db,
                     const std::vector<std::string>& statements) {
  Result<sql::MysqlConn> c = sql::MysqlConn::Connect(conn, db);
  if (!c.ok()) return c.status();
  for (size_t i = 0; i < statements.size(); ++i) {
    Status s = c->Execute(statements[i]);
    if (!s.ok())
      return Status(
          s.code(),
          "statement " + std::to_string(i + 1) + " failed: " + s.message() + "\n  " + statements[i],
          s.sqlstate());
  }
  return Status::Ok();
}

}  // namespace shadowproxy::schema
