// Schema model: one table as printed by SHOW CREATE TABLE (MySQL 5.7/8.0, MariaDB 10.x,
// OceanBase MySQL mode). Every element keeps its verbatim definition text (valid SQL as the
// server printed it) beside the parsed fields; the differ compares and regenerates from both.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/naming.h"

namespace shadowproxy::schema {

enum class DefaultKind { kNone, kNull, kString, kNumber, kExpression };

struct DefaultValue {
  DefaultKind kind = DefaultKind::kNone;
  std::string text;  // exactly as printed (e.g. "'it''s'", "0", "current_timestamp()", "(`a` + 1)")
};

enum class GeneratedKind { kNone, kVirtual, kStored };  // MariaDB PERSISTENT == kStored

struct Column {
  std::string name;
  std::string type;       // normalized lower-case full type: "int(11) unsigned zerofill"
  std::string base_type;  // lower-case type word(s): "int", "varchar", "double precision"
  std::string type_args;  // text inside the type's parentheses, verbatim ("10,2", "'a','b'")
  bool is_unsigned = false;
  bool zerofill = false;
  std::string charset;  // as printed (utf8/utf8mb3 spelling kept)
  std::string collation;
  bool nullable = true;
  DefaultValue default_value;
  std::string on_update;  // expression text, empty if none
  bool auto_increment = false;
  std::optional<std::string> comment;  // unescaped value
  GeneratedKind generated = GeneratedKind::kNone;
  std::string generation_expression;  // text inside AS ( ... )
  std::string generated_keyword;      // VIRTUAL / STORED / PERSISTENT as printed (may be empty)
  bool invisible = false;
  std::optional<uint32_t> srid;
  std::vector<std::string> extra_options;  // verbatim: COLUMN_FORMAT x, COMPRESSED, CHECK (...)...
  std::string definition;                  // verbatim text after the column name
  size_t position = 0;                     // ordinal among the body elements as printed
};

enum class IndexKind { kPrimary, kUnique, kKey, kFulltext, kSpatial };

struct IndexPart {
  std::string column;      // empty for a functional part
  std::string expression;  // text inside ( ... ) for a functional part
  std::optional<uint32_t> prefix_length;
  bool descending = false;
};

struct Index {
  IndexKind kind = IndexKind::kKey;
  std::string name;  // "PRIMARY" for the primary key
  std::vector<IndexPart> parts;
  std::string using_algorithm;  // BTREE / HASH / RTREE, empty if not printed
  std::optional<std::string> comment;
  std::string visibility;  // "", "INVISIBLE", "IGNORED"
  std::string key_block_size;
  std::string parser;                      // WITH PARSER x
  std::string scope;                       // OceanBase LOCAL / GLOBAL
  std::string block_size;                  // OceanBase BLOCK_SIZE n
  std::string partition;                   // OceanBase index partition clause, verbatim
  std::vector<std::string> extra_options;  // anything else, verbatim
  std::string definition;                  // verbatim "UNIQUE KEY `n` (`a`,`b`) COMMENT 'x'"
  size_t position = 0;
};

struct Check {
  std::string name;
  std::string expression;  // text inside CHECK ( ... )
  bool enforced = true;
  std::string definition;  // verbatim "CONSTRAINT `n` CHECK (...)"
  size_t position = 0;
};

// A byte range inside a definition text (for renaming without re-rendering).
struct Span {
  size_t begin = 0;
  size_t end = 0;
};

struct ForeignKey {
  std::string name;
  std::vector<std::string> columns;
  std::string ref_db;  // empty when not qualified
  std::string ref_table;
  std::vector<std::string> ref_columns;
  std::string on_delete;  // e.g. "CASCADE", "SET NULL"; empty if not printed
  std::string on_update;
  std::string definition;  // verbatim "CONSTRAINT `n` FOREIGN KEY (...) REFERENCES `t` (...)"
  std::optional<Span> name_span;  // of the quoted name inside `definition`
  Span ref_table_span;            // of the table name (not the db) inside `definition`
  size_t position = 0;
};

struct PartitionDef {
  std::string name;
  std::string values;   // normalized "LESS THAN (10)" / "IN (1,2)" / "" for hash/key
  std::string options;  // normalized remaining options (ENGINE, COMMENT, ...)
  std::vector<PartitionDef> subpartitions;
};

struct Partitioning {
  std::string method;  // HASH, KEY, RANGE, LIST, RANGE COLUMNS, LIST COLUMNS, SYSTEM_TIME
  bool linear = false;
  std::string algorithm;   // KEY ALGORITHM = n
  std::string expression;  // normalized text inside the parentheses
  std::optional<uint32_t> partitions;
  std::string sub_method;
  bool sub_linear = false;
  std::string sub_expression;
  std::optional<uint32_t> subpartitions;
  std::vector<PartitionDef> subpartition_template;  // OceanBase SUBPARTITION TEMPLATE (...)
  std::vector<PartitionDef> definitions;
  std::string text;             // verbatim clause, without a version-comment wrapper
  std::string version_comment;  // "/*!50100" when printed inside one, else ""
  std::string canonical;        // normalized clause: equal iff same definition
};

struct TableOption {
  std::string key;    // upper-case, single-spaced: "DEFAULT CHARSET", "ENGINE", "BLOCK_SIZE"
  std::string value;  // verbatim value text ("utf8mb4", "'zstd_1.3.8'", "(all columns)")
  std::string text;   // verbatim option as printed ("DEFAULT CHARSET=utf8mb4")
};

enum class ObjectKind { kTable, kMaterializedView };

struct Table {
  ObjectKind kind = ObjectKind::kTable;
  std::string schema;  // db qualifier if the DDL printed one
  std::string name;
  std::vector<Column> columns;  // in order
  std::vector<Index> indexes;   // in printed order; PRIMARY included
  std::vector<Check> checks;
  std::vector<ForeignKey> foreign_keys;
  std::optional<Partitioning> partitioning;
  std::vector<TableOption> options;  // in printed order
  std::string tail;                  // verbatim text after the partition clause (views: AS ...)
  std::string raw;                   // the original DDL

  const Column* FindColumn(std::string_view name) const;
  const Index* FindIndex(std::string_view name) const;
  const TableOption* FindOption(std::string_view key) const;
};

const char* IndexKindName(IndexKind kind);

}  // namespace shadowproxy::schema
