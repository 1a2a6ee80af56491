// Internals of the differ, exposed for unit tests: the ALTER plan and its families (columns,
// indexes, checks, foreign keys, partitioning, table options). Not a public API.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "base/status.h"
#include "plugins/schema/differ.h"
#include "plugins/schema/model.h"

namespace shadowproxy::schema::internal {

bool SameName(std::string_view a, std::string_view b);
std::string LowerName(std::string_view s);  // names compare case-insensitively
bool IsAutoIncrementOption(const TableOption& o);
Result<ForeignKey> RenameForeignKey(const ForeignKey& fk, const DiffContext& ctx);
Result<Check> RenameCheck(const Check& ck, const DiffContext& ctx);

// Statements of one shadow update, by phase. `want` is the source under the shadow naming.
struct AlterPlan {
  std::vector<std::string> drop_first;  // DROP FOREIGN KEY / DROP CONSTRAINT|CHECK (checks)
  // REMOVE PARTITIONING before the main ALTER: the source is not partitioned, or a
  // repartitioning goes through "not partitioned" so key changes never meet a partitioning
  // function they do not fit (not on OceanBase, which has no REMOVE PARTITIONING).
  bool remove_partitioning = false;
  std::vector<std::string> main;  // indexes dropped, columns, indexes added, checks, options
  std::vector<std::string> option_resets;  // own ALTER after main (see OptionPlan::resets)
  std::string partition_by;                // PARTITION BY ... after the main ALTER
  std::vector<std::string> add_last;       // ADD FOREIGN KEY, after the indexes they need
  std::vector<std::string> dropped_fks;    // names of the foreign keys drop_first drops
  // Comment lines put before the main / the PARTITION BY statement (OceanBase: which of its
  // operations run as offline DDL).
  std::string main_comment;
  std::string partition_comment;
  std::string recreate_reason;  // non-empty: ALTER cannot do it
};

AlterPlan PlanAlter(const Table& want, const Table& have, Dialect dialect);
// The plan's statements, each with its phase: the drop_first ALTER in kDropForeignKeys,
// add_last in kAddForeignKeys, the rest in kMain.
std::vector<std::string> PlanStatements(const AlterPlan& plan, const std::string& table,
                                        std::vector<ScriptPhase>* phases = nullptr);

// Positions (into `seq`) of one longest strictly increasing subsequence.
std::vector<size_t> LongestIncreasing(const std::vector<size_t>& seq);

// Column clauses (DROP / ADD / MODIFY / CHANGE with FIRST/AFTER) so the final order equals
// want's; `modified` receives the lower-cased names of columns whose definition is re-sent.
struct ColumnPlan {
  std::vector<std::string> drops;
  std::vector<std::string> changes;
  std::set<std::string> modified;
  std::vector<std::string> moved;         // existing columns repositioned (FIRST / AFTER)
  std::vector<std::string> added_inside;  // new columns that do not go last
  std::string recreate_reason;
};
ColumnPlan PlanColumns(const Table& want, const Table& have, bool reassert_text_columns);

struct IndexPlan {
  std::vector<std::string> drops;
  std::vector<std::string> adds;
  std::string recreate_reason;
};
IndexPlan PlanIndexes(const Table& want, const Table& have);
// MariaDB drops a check with DROP CONSTRAINT and keeps checks in creation order. MySQL 8 (before
// 8.0.19) and OceanBase only know DROP CHECK, and MySQL 8 prints checks sorted by name, so there
// they are compared as a set.
IndexPlan PlanChecks(const Table& want, const Table& have, Dialect dialect);

struct OptionPlan {
  std::vector<std::string> clauses;
  // Removals of options the source lacks. Sent in their own ALTER after an ENGINE change (the
  // new engine would otherwise make the old engine's implicit values explicit).
  std::vector<std::string> resets;
  bool charset_changed = false;
  std::string recreate_reason;
};
OptionPlan PlanOptions(const Table& want, const Table& have);

// The dialect's own refusals, checked on a plan before it is used: why the shadow must be
// re-created instead ("" if the plan can run). MySQL 8: an SRID change under a spatial index.
// OceanBase: see dialect_rules.cc.
std::string DialectRecreateReason(Dialect dialect, const Table& want, const Table& have,
                                  const ColumnPlan& columns, const IndexPlan& indexes,
                                  const OptionPlan& options, const AlterPlan& plan);

// OceanBase: the plan's operations that OceanBase runs as offline DDL (the table is locked and
// its data rewritten), for the comment before the main ALTER; "" if none.
std::string OceanBaseOfflineOperations(const Table& want, const Table& have,
                                       const ColumnPlan& columns);

}  // namespace shadowproxy::schema::internal
