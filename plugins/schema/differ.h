// The schema differ: given a source table and its existing shadow (both parsed from SHOW CREATE
// TABLE of the same server) say CREATE / UPDATE / NO_ACTION and produce the ordered DDL that
// makes the shadow's SHOW CREATE TABLE equal the source's under the shadow naming (SPEC.md §5).
#pragma once

#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "plugins/schema/dialect.h"
#include "plugins/schema/model.h"
#include "plugins/schema/script_phase.h"

namespace shadowproxy::schema {

struct DiffContext {
  Naming naming;
  // The database of source and shadow. A foreign key whose REFERENCES names no database, or
  // this one, points at the shadow of its parent; one naming another database is kept as is.
  std::string database;
  // The server's family: which ALTERs may be emitted and how (docs/dialects.md). Where CHECK
  // names are database-scoped (MySQL 8, OceanBase) a shadow's checks get the naming too.
  Dialect dialect = Dialect::kMariaDb;
};

// kDrop: the source is gone and its shadow is dropped (only when asked: TableSelection::drop).
enum class Action { kCreate, kUpdate, kNoAction, kDrop };
const char* ActionName(Action action);  // "CREATE", "UPDATE", "NO_ACTION", "DROP"

struct DiffResult {
  Action action = Action::kNoAction;
  std::string shadow_table;
  std::vector<std::string> statements;  // in execution order, no trailing ';'
  std::vector<ScriptPhase> phases;      // phases[i]: where statements[i] runs in the whole script
  bool recreated = false;               // the shadow is dropped and created again
  std::string note;                     // why it is re-created (the statements say it too)
  // Foreign keys of the existing shadow that the statements drop (all of them when re-created);
  // the ones they add back have their own ADD in kAddForeignKeys.
  std::vector<std::string> dropped_foreign_keys;
};

// The source as its shadow should look: table name, FK names and same-db FK targets renamed,
// AUTO_INCREMENT=n removed. Fails (ERR 7010) if a renamed FK name exceeds 64 characters.
Result<Table> ShadowOf(const Table& source, const DiffContext& ctx);

// A canonical text of a table for comparison: whitespace, keyword case, identifier/string
// quoting, `current_timestamp()`/`CURRENT_TIMESTAMP`, utf8mb3/utf8, quoted numeric defaults
// normalized; AUTO_INCREMENT=n dropped; foreign keys sorted by name, and so are checks where
// their names get the shadow naming (MySQL 8 prints them by name: a suffix may reorder them).
std::string CanonicalText(const Table& table, Dialect dialect = Dialect::kMariaDb);

// True iff the shadow's SHOW CREATE TABLE equals the source's under the naming.
bool SameUnderNaming(const Table& source, const Table& shadow, const DiffContext& ctx);

// The CREATE TABLE statement of the shadow of `source` (no trailing ';').
Result<std::string> ShadowCreateStatement(const Table& source, const DiffContext& ctx);

// The decision and the statements. `shadow` is nullptr when the shadow does not exist.
Result<DiffResult> Diff(const Table& source, const Table* shadow, const DiffContext& ctx);

// Convenience: parse both texts, then Diff. `shadow_ddl` empty = no shadow.
Result<DiffResult> DiffDdl(std::string_view source_ddl, std::optional<std::string_view> shadow_ddl,
                           const DiffContext& ctx);

// Refuses (ERR 7020, naming the table) any CREATE/ALTER/DROP/RENAME/TRUNCATE statement that
// names a table outside `allowed_tables` (as its target, RENAME TO, ... TABLE t, UNION = (...)),
// and any REFERENCES to a same-database table outside it (a db-qualified REFERENCES to another
// database is allowed), in any way a MariaDB or MySQL server can read the statement (version
// comments, NO_BACKSLASH_ESCAPES: sql::AllReadings). Names compare exactly.
Status CheckTouchesOnlyShadows(const std::vector<std::string>& statements,
                               const std::set<std::string>& allowed_tables);

// Orders tables parents-first by their same-database foreign keys (self references ignored).
// Returns a permutation of indexes into `tables`; on a cycle the tables in it keep their input
// order (after everything that can be ordered) and `note` says which ones.
std::vector<size_t> OrderByForeignKeys(const std::vector<const Table*>& tables,
                                       const std::string& database, std::string* note);

}  // namespace shadowproxy::schema
