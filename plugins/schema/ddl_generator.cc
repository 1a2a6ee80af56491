// DDL text generation (see ddl_generator.h).
#include "plugins/schema/ddl_generator.h"

#include <algorithm>
#include <utility>

#include "plugins/schema/quoting.h"

namespace shadowproxy::schema {

std::string ColumnClause(const Column& c) { return QuoteIdent(c.name) + " " + c.definition; }

std::vector<std::string> RenderBodyElements(const Table& t) {
  std::vector<std::pair<size_t, std::string>> items;
  for (const Column& c : t.columns) items.emplace_back(c.position, ColumnClause(c));
  for (const Index& i : t.indexes) items.emplace_back(i.position, i.definition);
  for (const ForeignKey& f : t.foreign_keys) items.emplace_back(f.position, f.definition);
  for (const Check& c : t.checks) items.emplace_back(c.position, c.definition);
  std::stable_sort(items.begin(), items.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<std::string> out;
  out.reserve(items.size());
  for (auto& [pos, text] : items) out.push_back(std::move(text));
  return out;
}

std::string RenderCreateTable(const Table& t) {
  std::string out =
      t.kind == ObjectKind::kMaterializedView ? "CREATE MATERIALIZED VIEW " : "CREATE TABLE ";
  if (!t.schema.empty()) out += QuoteIdent(t.schema) + ".";
  out += QuoteIdent(t.name);
  std::vector<std::string> body = RenderBodyElements(t);
  if (!body.empty() || t.kind == ObjectKind::kTable) {
    out += " (\n";
    for (size_t i = 0; i < body.size(); ++i) {
      out += "  " + body[i] + (i + 1 < body.size() ? ",\n" : "\n");
    }
    out += ")";
  }
  for (const TableOption& o : t.options) out += " " + o.text;
  if (t.partitioning) {
    const Partitioning& p = *t.partitioning;
    out += "\n";
    out += p.version_comment.empty() ? p.text : p.version_comment + " " + p.text + " */";
  }
  if (!t.tail.empty()) out += "\n " + t.tail;
  return out;
}

std::string AlterTable(const std::string& table, const std::vector<std::string>& clauses) {
  std::string out = "ALTER TABLE " + QuoteIdent(table);
  for (size_t i = 0; i < clauses.size(); ++i) {
    out += (i == 0 ? "\n  " : ",\n  ") + clauses[i];
  }
  return out;
}

std::string DropTable(const std::string& table) { return "DROP TABLE " + QuoteIdent(table); }

std::string PartitionClause(const Partitioning& p) { return p.text; }

}  // namespace shadowproxy::schema
