// The property fuzz_show_create checks, for the fuzzer and for the unit tests that replay what
// it found (tests/plugins/schema/fuzz_findings_test.cc): what ParseCreateTable accepts,
// RenderCreateTable (the DDL generator's printer) prints to text that parses to the same model
// (every field but the raw text), and printing that gives the same text again: parse -> render
// -> parse is a fixed point.
#pragma once

#include <cstdio>
#include <optional>
#include <string>
#include <string_view>

#include "plugins/schema/ddl_generator.h"
#include "plugins/schema/show_create_parser.h"

namespace shadowproxy::fuzz {

namespace show_create_check {

using namespace shadowproxy::schema;

inline void Field(std::string* out, std::string_view name, std::string_view value) {
  out->append(name).append("=[").append(value).append("] ");
}
inline std::string Opt(const std::optional<std::string>& v) { return v ? "'" + *v + "'" : "-"; }
inline std::string Opt(const std::optional<uint32_t>& v) { return v ? std::to_string(*v) : "-"; }

inline void Describe(const PartitionDef& d, std::string* out) {
  Field(out, "name", d.name);
  Field(out, "values", d.values);
  Field(out, "options", d.options);
  for (const PartitionDef& s : d.subpartitions) {
    out->append("{ ");
    Describe(s, out);
    out->append("} ");
  }
}

// Every parsed field of the model, except `raw` (the text it came from).
inline std::string Describe(const Table& t) {
  std::string out;
  Field(&out, "kind", std::to_string(static_cast<int>(t.kind)));
  Field(&out, "schema", t.schema);
  Field(&out, "name", t.name);
  for (const Column& c : t.columns) {
    out += "\nCOLUMN ";
    Field(&out, "name", c.name);
    Field(&out, "type", c.type);
    Field(&out, "base", c.base_type);
    Field(&out, "args", c.type_args);
    Field(&out, "flags",
          std::to_string(c.is_unsigned) + std::to_string(c.zerofill) + std::to_string(c.nullable) +
              std::to_string(c.auto_increment) + std::to_string(c.invisible));
    Field(&out, "charset", c.charset);
    Field(&out, "collation", c.collation);
    Field(&out, "default",
          std::to_string(static_cast<int>(c.default_value.kind)) + ":" + c.default_value.text);
    Field(&out, "on_update", c.on_update);
    Field(&out, "comment", Opt(c.comment));
    Field(&out, "generated",
          std::to_string(static_cast<int>(c.generated)) + ":" + c.generation_expression + ":" +
              c.generated_keyword);
    Field(&out, "srid", Opt(c.srid));
    for (const std::string& e : c.extra_options) Field(&out, "extra", e);
    Field(&out, "definition", c.definition);
    Field(&out, "position", std::to_string(c.position));
  }
  for (const Index& i : t.indexes) {
    out += "\nINDEX ";
    Field(&out, "kind", IndexKindName(i.kind));
    Field(&out, "name", i.name);
    for (const IndexPart& p : i.parts) {
      Field(&out, "part",
            p.column + "|" + p.expression + "|" + Opt(p.prefix_length) + "|" +
                std::to_string(p.descending));
    }
    Field(&out, "using", i.using_algorithm);
    Field(&out, "comment", Opt(i.comment));
    Field(&out, "visibility", i.visibility);
    Field(&out, "kbs", i.key_block_size);
    Field(&out, "parser", i.parser);
    Field(&out, "scope", i.scope);
    Field(&out, "block_size", i.block_size);
    Field(&out, "partition", i.partition);
    for (const std::string& e : i.extra_options) Field(&out, "extra", e);
    Field(&out, "definition", i.definition);
    Field(&out, "position", std::to_string(i.position));
  }
  for (const Check& c : t.checks) {
    out += "\nCHECK ";
    Field(&out, "name", c.name);
    Field(&out, "expression", c.expression);
    Field(&out, "enforced", std::to_string(c.enforced));
    Field(&out, "definition", c.definition);
    Field(&out, "position", std::to_string(c.position));
  }
  for (const ForeignKey& f : t.foreign_keys) {
    out += "\nFK ";
    Field(&out, "name", f.name);
    for (const std::string& c : f.columns) Field(&out, "column", c);
    Field(&out, "ref", f.ref_db + "." + f.ref_table);
    for (const std::string& c : f.ref_columns) Field(&out, "ref_column", c);
    Field(&out, "on", f.on_delete + "/" + f.on_update);
    Field(&out, "definition", f.definition);
    if (f.name_span) {
      Field(&out, "name_span",
            std::to_string(f.name_span->begin) + "-" + std::to_string(f.name_span->end));
    }
    Field(&out, "ref_span",
          std::to_string(f.ref_table_span.begin) + "-" + std::to_string(f.ref_table_span.end));
    Field(&out, "position", std::to_string(f.position));
  }
  if (t.partitioning) {
    const Partitioning& p = *t.partitioning;
    out += "\nPARTITION ";
    Field(&out, "method", p.method);
    Field(&out, "linear", std::to_string(p.linear) + std::to_string(p.sub_linear));
    Field(&out, "algorithm", p.algorithm);
    Field(&out, "expression", p.expression);
    Field(&out, "partitions", Opt(p.partitions));
    Field(&out, "sub", p.sub_method + ":" + p.sub_expression + ":" + Opt(p.subpartitions));
    for (const PartitionDef& d : p.definitions) {
      out += "{ ";
      Describe(d, &out);
      out += "} ";
    }
    Field(&out, "text", p.text);
    Field(&out, "version_comment", p.version_comment);
    Field(&out, "canonical", p.canonical);
  }
  for (const TableOption& o : t.options) {
    out += "\nOPTION ";
    Field(&out, "key", o.key);
    Field(&out, "value", o.value);
    Field(&out, "text", o.text);
  }
  Field(&out, "\ntail", t.tail);
  return out;
}

// For messages: the text with control bytes as \xNN.
inline std::string Printable(std::string_view s) {
  std::string out;
  for (unsigned char c : s) {
    if (c < 0x20 && c != '\n') {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "\\x%02x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

}  // namespace show_create_check

// "" when `text` does not parse or is a fixed point; otherwise what differs.
inline std::string ShowCreateFixedPointProblem(std::string_view text) {
  using namespace show_create_check;
  Result<Table> first = ParseCreateTable(text);
  if (!first.ok()) return "";
  const std::string rendered = RenderCreateTable(*first);
  Result<Table> again = ParseCreateTable(rendered);
  if (!again.ok()) {
    return "the rendered text does not parse: " + again.status().ToString() + "\nrendered:\n" +
           Printable(rendered);
  }
  const std::string a = Describe(*first), b = Describe(*again);
  if (a != b) {
    return "the rendered text parses to another model\nrendered:\n" + Printable(rendered) +
           "\nfirst:" + Printable(a) + "\nagain:" + Printable(b);
  }
  if (RenderCreateTable(*again) != rendered) return "rendering again gives another text";
  return "";
}

}  // namespace shadowproxy::fuzz
