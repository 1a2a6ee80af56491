// DDL text generation from the schema model: CREATE TABLE rendering (also used for the parser
// round-trip) and the small builders the differ assembles ALTER TABLE statements from.
#pragma once

#include <string>
#include <vector>

#include "plugins/schema/model.h"

namespace shadowproxy::schema {

// CREATE TABLE text of `t`: body elements in their printed order, each from its verbatim
// definition, then the table options, the partition clause and any tail.
std::string RenderCreateTable(const Table& t);

// The body element texts of `t` in printed order ("`c` int(11) NOT NULL", "PRIMARY KEY (...)").
std::vector<std::string> RenderBodyElements(const Table& t);

// "`c` <definition>"
std::string ColumnClause(const Column& c);

// "ALTER TABLE `t`\n  clause1,\n  clause2" (no trailing ';').
std::string AlterTable(const std::string& table, const std::vector<std::string>& clauses);

// "DROP TABLE `t`"
std::string DropTable(const std::string& table);

// The partition clause as it should be sent in ALTER TABLE (no version-comment wrapper).
std::string PartitionClause(const Partitioning& p);

}  // namespace shadowproxy::schema
