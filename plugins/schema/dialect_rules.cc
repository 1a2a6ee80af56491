// The dialects' own refusals (differ_internal.h): what MySQL 8 and OceanBase 4.x (MySQL mode)
// will not ALTER, so the shadow is re-created instead, and which OceanBase ALTERs run as offline
// DDL. Where each rule comes from is in docs/dialects.md; the recorded server answers behind them
// are quoted next to the rule.
#include <algorithm>
#include <cctype>
#include <set>
#include <string>

#include "plugins/schema/differ_internal.h"
#include "plugins/schema/quoting.h"
#include "plugins/schema/sql_lexer.h"

namespace shadowproxy::schema::internal {

namespace {

// Lower-cased names of `t`'s columns that appear as identifiers in `expression`.
void ColumnsIn(const std::string& expression, const Table& t, std::set<std::string>* out) {
  Result<TokenStream> ts = Lex(expression);
  if (!ts.ok()) return;
  for (const Token& tok : ts->tokens) {
    if (tok.kind != TokenKind::kWord && tok.kind != TokenKind::kQuotedIdent) continue;
    const Column* c = t.FindColumn(IdentValue(tok));
    if (c != nullptr) out->insert(LowerName(c->name));
  }
}

// The columns `t`'s partitioning depends on (KEY() without columns: the primary key's).
std::set<std::string> PartitionColumns(const Table& t) {
  std::set<std::string> out;
  if (!t.partitioning) return out;
  const Partitioning& p = *t.partitioning;
  ColumnsIn(p.expression, t, &out);
  ColumnsIn(p.sub_expression, t, &out);
  if (p.expression.empty() && p.method == "KEY") {
    const Index* pk = t.FindIndex("PRIMARY");
    if (pk != nullptr) {
      for (const IndexPart& part : pk->parts) out.insert(LowerName(part.column));
    }
  }
  return out;
}

// Lower-cased names of the columns an index, a foreign key or a check of `t` uses.
std::set<std::string> ConstrainedColumns(const Table& t) {
  std::set<std::string> out;
  for (const Index& i : t.indexes) {
    for (const IndexPart& part : i.parts) {
      if (!part.column.empty()) out.insert(LowerName(part.column));
      if (!part.expression.empty()) ColumnsIn(part.expression, t, &out);
    }
  }
  for (const ForeignKey& f : t.foreign_keys) {
    for (const std::string& c : f.columns) out.insert(LowerName(c));
  }
  return out;
}

int IntegerRank(const std::string& base_type) {
  static const char* const kRanks[] = {"tinyint", "smallint", "mediumint", "int", "bigint"};
  for (int i = 0; i < 5; ++i) {
    if (base_type == kRanks[i] || (i == 3 && base_type == "integer")) return i + 1;
  }
  return 0;
}

// The numbers of "10,2" / "255" (empty if not all numeric).
std::vector<long> Numbers(const std::string& args) {
  std::vector<long> out;
  std::string cur;
  for (char c : args + ",") {
    if (c == ',') {
      if (cur.empty()) return {};
      out.push_back(std::stol(cur));
      cur.clear();
    } else if (std::isdigit(static_cast<unsigned char>(c))) {
      cur += c;
    } else if (!std::isspace(static_cast<unsigned char>(c))) {
      return {};
    }
  }
  return out;
}

// Type arguments only grow: lengths and fractional-second precisions larger or equal, decimals
// keeping at least their integer digits and scale.
bool ArgsGrow(const Column& h, const Column& w) {
  if (h.type_args == w.type_args) return true;
  std::vector<long> a = Numbers(h.type_args);
  std::vector<long> b = Numbers(w.type_args);
  if (a.empty() || a.size() != b.size()) return false;
  if (a.size() == 1) return b[0] >= a[0];
  if (h.base_type == "decimal" || h.base_type == "numeric") {
    return b[1] >= a[1] && b[0] - b[1] >= a[0] - a[1];
  }
  return false;
}

bool SameTypeCore(const Column& h, const Column& w) {
  return h.base_type == w.base_type && h.type_args == w.type_args &&
         h.is_unsigned == w.is_unsigned && h.zerofill == w.zerofill &&
         LowerName(h.charset) == LowerName(w.charset) &&
         LowerName(h.collation) == LowerName(w.collation);
}

// OceanBase: "" if column `h` can become `w` by MODIFY, else why not. OceanBase converts types
// only within a family and mostly only upwards: lengths and precisions grow (online), integers
// widen; a column an index, key or foreign key uses keeps its type, and only grows in length
// (OMS "Incompatibilities of ALTER TABLE" / "Change the type of a constrained column").
std::string ObColumnChange(const Column& h, const Column& w, bool constrained) {
  const std::string col = "column " + QuoteIdent(w.name);
  if (h.srid != w.srid) {
    // geometry_ddl_mysql.result: "ERROR 0A000: alter geometry srid not supported".
    return "OceanBase cannot change the SRID of " + col;
  }
  if (h.generated != GeneratedKind::kNone || w.generated != GeneratedKind::kNone) {
    if (h.generated != w.generated ||
        CanonicalSql(h.generation_expression) != CanonicalSql(w.generation_expression)) {
      return "OceanBase cannot redefine the generated " + col + " by ALTER";
    }
  }
  if (SameTypeCore(h, w)) return "";
  const std::string from_to = " from " + h.type + " to " + w.type;
  if (h.is_unsigned != w.is_unsigned || h.zerofill != w.zerofill) {
    return "OceanBase cannot change " + col + from_to + " by ALTER";
  }
  if (LowerName(h.charset) != LowerName(w.charset) ||
      LowerName(h.collation) != LowerName(w.collation)) {
    if (constrained) {
      return "OceanBase cannot change the character set or collation of the indexed " + col;
    }
    if (h.base_type == w.base_type && h.type_args == w.type_args) return "";
  }
  if (h.base_type != w.base_type) {
    const int hr = IntegerRank(h.base_type);
    const int wr = IntegerRank(w.base_type);
    if (!constrained && hr > 0 && wr > hr) return "";
    return "OceanBase cannot change " + col + from_to + " by ALTER";
  }
  if (IntegerRank(h.base_type) > 0) return "";  // display width only
  if (ArgsGrow(h, w)) return "";
  return "OceanBase cannot shorten " + col + from_to + " by ALTER";
}

bool IsCharsetKey(const std::string& k) {
  return k == "DEFAULT CHARSET" || k == "CHARSET" || k == "DEFAULT CHARACTER SET" ||
         k == "CHARACTER SET" || k == "COLLATE" || k == "DEFAULT COLLATE";
}

// Table options OceanBase's ALTER TABLE takes (its MySQL-mode ALTER TABLE table_option list).
// Anything else it prints (REPLICA_NUM, ORGANIZATION, DUPLICATE_SCOPE, WITH COLUMN GROUP, ...)
// is set when a table is created; a shadow whose value differs is re-created.
bool ObAlterableOption(const std::string& key) {
  static const std::set<std::string> kKeys = {
      "COMMENT",    "COMPRESSION", "BLOCK_SIZE",       "ROW_FORMAT",
      "PCTFREE",    "TABLET_SIZE", "USE_BLOOM_FILTER", "PROGRESSIVE_MERGE_NUM",
      "TABLEGROUP", "TABLE_MODE",  "PARALLEL",         "AUTO_INCREMENT"};
  return IsCharsetKey(key) || kKeys.count(key) > 0;
}

std::string OceanBaseRecreateReason(const Table& want, const Table& have, const ColumnPlan& columns,
                                    const IndexPlan& indexes, const OptionPlan& options,
                                    const AlterPlan& plan) {
  if (plan.remove_partitioning) {
    // OceanBase's ALTER TABLE re-partitions (PARTITION BY, 4.0 and later) but has no REMOVE
    // PARTITIONING.
    return "OceanBase cannot turn a partitioned table into a non-partitioned one by ALTER";
  }
  for (const std::string& d : indexes.drops) {
    if (d == "DROP PRIMARY KEY") return "the primary key changes, which OceanBase does not ALTER";
  }
  for (const std::string& a : indexes.adds) {
    if (a.rfind("ADD PRIMARY KEY", 0) == 0) {
      return "the primary key changes, which OceanBase does not ALTER";
    }
  }
  if (!columns.moved.empty()) {
    return "OceanBase does not reorder existing columns by ALTER (column " +
           QuoteIdent(columns.moved.front()) + " moves)";
  }
  const std::set<std::string> partition_keys = PartitionColumns(have);
  const std::set<std::string> constrained = ConstrainedColumns(have);
  for (const Column& h : have.columns) {
    const Column* w = want.FindColumn(h.name);
    const bool key = partition_keys.count(LowerName(h.name)) > 0;
    if (w == nullptr) {
      // rename_column.result: "Column 'b' has a partitioning function dependency and cannot be
      // dropped or renamed."
      if (key) {
        return "OceanBase cannot drop column " + QuoteIdent(h.name) +
               ", which the partitioning depends on";
      }
      continue;
    }
    if (key && (w->name != h.name || !SameTypeCore(h, *w))) {
      return "OceanBase cannot change column " + QuoteIdent(h.name) +
             ", which the partitioning depends on";
    }
    std::string why = ObColumnChange(h, *w, constrained.count(LowerName(h.name)) > 0);
    if (!why.empty()) return why;
  }
  for (const Column& w : want.columns) {
    if (have.FindColumn(w.name) == nullptr && w.generated == GeneratedKind::kStored) {
      return "OceanBase cannot add the stored generated column " + QuoteIdent(w.name) + " by ALTER";
    }
  }
  if (!options.resets.empty()) {
    return "OceanBase cannot reset a table option by ALTER (" + options.resets.front() + ")";
  }
  for (const TableOption& w : want.options) {
    const TableOption* h = have.FindOption(w.key);
    if (h != nullptr && CanonicalSql(h->value) == CanonicalSql(w.value)) continue;
    if (!ObAlterableOption(w.key)) return "OceanBase cannot change table option " + w.key;
  }
  for (const TableOption& h : have.options) {
    if (want.FindOption(h.key) == nullptr && !ObAlterableOption(h.key)) {
      return "OceanBase cannot remove table option " + h.key;
    }
  }
  return "";
}

// MySQL 8 refuses an SRID change under a spatial index, and on any column that holds a geometry
// of another SRID (mysql-test/suite/gis/r/ddl.result: "The SRID specification on the column
// 'col1' cannot be changed because there is a spatial index on the column", "The SRID of the
// geometry does not match the SRID of the column"). A shadow holds test rows: re-create it.
std::string MySql8RecreateReason(const Table& want, const Table& have) {
  for (const Column& h : have.columns) {
    const Column* w = want.FindColumn(h.name);
    if (w == nullptr || w->srid == h.srid) continue;
    bool indexed = false;
    for (const Index& i : have.indexes) {
      for (const IndexPart& part : i.parts) {
        indexed = indexed || (i.kind == IndexKind::kSpatial && SameName(part.column, h.name));
      }
    }
    return "MySQL 8 cannot change the SRID of column " + QuoteIdent(w->name) +
           (indexed ? " under its spatial index" : " once it holds rows");
  }
  return "";
}

}  // namespace

std::string DialectRecreateReason(Dialect dialect, const Table& want, const Table& have,
                                  const ColumnPlan& columns, const IndexPlan& indexes,
                                  const OptionPlan& options, const AlterPlan& plan) {
  switch (dialect) {
    case Dialect::kOceanBase:
      return OceanBaseRecreateReason(want, have, columns, indexes, options, plan);
    case Dialect::kMySql80:
      return MySql8RecreateReason(want, have);
    case Dialect::kMariaDb:
    case Dialect::kMySql57:
      break;
  }
  return "";
}

std::string OceanBaseOfflineOperations(const Table& want, const Table& have,
                                       const ColumnPlan& columns) {
  std::vector<std::string> ops;
  for (const std::string& c : columns.added_inside) {
    ops.push_back("adds column " + QuoteIdent(c) + " before the last column");
  }
  for (const Column& h : have.columns) {
    const Column* w = want.FindColumn(h.name);
    if (w == nullptr) {
      ops.push_back("drops column " + QuoteIdent(h.name));
    } else if ((h.base_type != w->base_type &&
                (IntegerRank(h.base_type) == 0 || IntegerRank(w->base_type) == 0)) ||
               LowerName(h.charset) != LowerName(w->charset) ||
               LowerName(h.collation) != LowerName(w->collation)) {
      // Lengths, precisions and integer widths that grow are metadata changes (online).
      ops.push_back("converts column " + QuoteIdent(w->name) + " to " + w->type);
    }
  }
  std::string out;
  for (size_t i = 0; i < ops.size(); ++i) out += (i ? "; " : "") + ops[i];
  return out;
}

}  // namespace shadowproxy::schema::internal
