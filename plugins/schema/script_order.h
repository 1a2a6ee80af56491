// The whole script of an analysis across tables. Each table's diff is made alone; this is where
// one table's change reaches another through a foreign key: a parent's shadow that loses a
// referenced key or is re-created needs its children's foreign keys out of the way first and
// back last, and shadows that reference each other cannot all be created with their keys.
// Pure: works on parsed tables and diffs (analyzer.cc reads and calls it).
#pragma once

#include <vector>

#include "base/status.h"
#include "plugins/schema/differ.h"
#include "plugins/schema/model.h"

namespace shadowproxy::schema {

struct ScriptTable {
  const Table* source = nullptr;  // as read
  const Table* shadow = nullptr;  // the existing shadow as read; nullptr if there is none
  DiffResult* diff = nullptr;     // this table's statements, adjusted in place
};

// True if turning the parent shadow `have` into `want` (`recreated`: by DROP and CREATE)
// disturbs `fk`, another table's foreign key that references it: the parent is re-created, a
// referenced column goes or is re-defined, an index starting with the referenced columns goes
// or changes, or the engine changes.
bool DisturbsReference(const Table& have, const Table& want, bool recreated, const ForeignKey& fk);

// Adjusts the diffs of `tables` (parents first, as ScriptOrder runs them) so that the script
// runs with foreign_key_checks on:
//  1. a foreign key of an existing shadow that references another shadow of the analysis whose
//     change disturbs it, and that the table's own statements keep, is dropped in
//     kDropForeignKeys and added back in kAddForeignKeys; a NO_ACTION table becomes UPDATE, and
//     its note names the parent;
//  2. a re-created shadow with a foreign key to a shadow that is dropped before it (tables in a
//     cycle) drops that key first;
//  3. a CREATE TABLE whose foreign key names a shadow that does not exist yet, or is still to be
//     changed, at that point of kMain (tables in a cycle) is sent without it, and the key is
//     added in kAddForeignKeys.
Status CoupleForeignKeys(const std::vector<ScriptTable>& tables, const DiffContext& ctx);

}  // namespace shadowproxy::schema
