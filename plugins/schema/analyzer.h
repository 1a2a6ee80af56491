// The analysis facade the task center calls: read the selected source tables (plus the parents
// their foreign keys need, and the children whose shadow keys a change disturbs) and their
// shadows from a live server, diff each, and return per table CREATE / UPDATE / NO_ACTION with
// the DDL (DROP for the shadows of gone sources, when asked), plus the whole script in execution
// order.
// Thread-safe: every call opens its own connections and shares nothing.
#pragma once

#include <string>
#include <vector>

#include "base/mysql_conn.h"
#include "base/mysql_pool.h"
#include "base/status.h"
#include "plugins/schema/differ.h"
#include "plugins/schema/model.h"
#include "plugins/schema/reader.h"

namespace shadowproxy::schema {

// ALL TABLES, or a list.
struct TableSelection {
  bool all = false;
  std::vector<std::string> tables;
  // Sources that are gone (dropped or renamed away, follow_ddl's drop_shadows): each existing
  // shadow is dropped (DROP). NO_ACTION when there is no shadow, or the source exists again.
  std::vector<std::string> drop = {};

  static TableSelection All() { return TableSelection{true, {}}; }
  static TableSelection List(std::vector<std::string> tables) {
    return TableSelection{false, std::move(tables)};
  }
};

struct TableAnalysis {
  std::string source_table;
  std::string shadow_table;
  Action result = Action::kNoAction;
  std::string source_ddl;               // SHOW CREATE TABLE of the source
  std::string shadow_ddl;               // of the existing shadow; empty if none
  std::vector<std::string> statements;  // this table's DDL, in order, no trailing ';'
  std::vector<ScriptPhase> phases;      // phases[i]: where statements[i] runs in the script
  std::string change_sql;               // statements joined with ";\n" (+ a re-creation comment)
  bool recreated = false;               // the shadow is dropped and created again
  bool added_as_parent = false;         // not selected: the parent a selected table's FK needs
  // Not selected: its shadow's foreign key points at a shadow whose change disturbs the key.
  bool added_as_child = false;
  std::string note;  // remarks from the differ
};

struct Analysis {
  std::string database;
  Naming naming;
  Dialect dialect = Dialect::kMariaDb;  // of the server read, from its version string
  std::string server_version;
  std::vector<TableAnalysis> tables;  // parents before children
  // Every statement of every table in execution order (ScriptOrder over the tables' phases):
  // foreign keys that a later statement could trip over are dropped at the start, shadows that
  // are re-created are dropped children first, then the CREATEs and ALTERs run parents first,
  // and the foreign keys are added at the end (script_order.h).
  std::vector<std::string> script;
  std::string order_note;  // set when a foreign-key cycle kept some tables in input order
  int round_trips = 0;     // reading round trips used (all connections together)
};

struct AnalyzeOptions {
  int parallelism = 4;  // connections used for reading (shadow_sync.workers)
  // The cluster's connection pool (multi-statements on) to read with; null: own connections.
  sql::ConnectionPool* pool = nullptr;
};

// Validates the naming (7010), reads, diffs. Errors: 7005 missing database/table (named),
// 7010 naming, 7020 a statement would touch a non-shadow table, 7030 server unreachable, or the
// differ's own error prefixed with the table it concerns. Never a partial analysis.
Result<Analysis> Analyze(const sql::ClusterConnInfo& conn, const std::string& db,
                         const TableSelection& selection, const Naming& naming,
                         AnalyzeOptions options = {});

// The same over any source of definitions (the live reader, or recorded SHOW CREATE outputs in
// tests); `options.pool` and `options.parallelism` only matter to the live reader.
Result<Analysis> AnalyzeFrom(SchemaSource& source, const std::string& db,
                             const TableSelection& selection, const Naming& naming,
                             AnalyzeOptions options = {});

// Runs `statements` one by one in `db` over one connection; stops at the first failure and
// returns it prefixed with the statement's index. For tests and tools: the task center has its
// own executor.
Status ExecuteScript(const sql::ClusterConnInfo& conn, const std::string& db,
                     const std::vector<std::string>& statements);

// "-- shadow re-created: <note>\n" (if recreated) + statements joined with ";\n" + ";".
std::string ChangeSql(const std::vector<std::string>& statements, bool recreated,
                      const std::string& note);

}  // namespace shadowproxy::schema
