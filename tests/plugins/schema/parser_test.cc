// Tests of the SHOW CREATE TABLE parser on tricky definitions (outputs of a real MariaDB 10.11,
// MySQL 8 / 5.7 shapes) and on the renderer round-trip.
#include <gtest/gtest.h>

#include <cctype>

#include "plugins/schema/ddl_generator.h"
#include "plugins/schema/partition_parser.h"
#include "plugins/schema/show_create_parser.h"

namespace shadowproxy::schema {
namespace {

const char* kWeird = R"SQL(
CREATE TABLE `we``ird 'n"ame` (
  `i``d` int(10) unsigned zerofill NOT NULL AUTO_INCREMENT COMMENT 'it''s a \\ back\nslash',
  `x``y` int(11) DEFAULT NULL,
  `j` longtext CHARACTER SET utf8mb4 COLLATE utf8mb4_bin DEFAULT NULL CHECK (json_valid(`j`)),
  `g` varchar(20) GENERATED ALWAYS AS (concat(`x``y`,'x')) STORED,
  `v` int(11) GENERATED ALWAYS AS (`x``y` + 1) VIRTUAL,
  `inv` int(11) INVISIBLE DEFAULT 3,
  `d` datetime(3) DEFAULT current_timestamp(3) ON UPDATE current_timestamp(3),
  `e` date DEFAULT (curdate() + interval 1 day),
  `f` double DEFAULT -1.5,
  `b` bit(2) DEFAULT b'1',
  `en` enum('a','b''c') DEFAULT 'b''c',
  `pt` point NOT NULL,
  `t` text /*M!100301 COMPRESSED*/ DEFAULT NULL,
  `t2` text DEFAULT NULL,
  PRIMARY KEY (`i``d`),
  UNIQUE KEY `u1` (`inv`) USING HASH,
  KEY `k1` (`g`(5),`v` DESC) COMMENT 'idx '' c',
  SPATIAL KEY `sp` (`pt`),
  KEY `k2` (`f`) IGNORED,
  FULLTEXT KEY `ft` (`t2`),
  CONSTRAINT `c``k` CHECK (`f` > -10)
) ENGINE=InnoDB AUTO_INCREMENT=100 DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci ROW_FORMAT=DYNAMIC COMMENT='tab''le \\ c'
)SQL";
const char* kSubpart = R"SQL(
CREATE TABLE `pr` (
  `id` int(11) NOT NULL,
  `cid` int(11) NOT NULL,
  PRIMARY KEY (`id`,`cid`)
) ENGINE=InnoDB DEFAULT CHARSET=latin1 COLLATE=latin1_swedish_ci
 PARTITION BY RANGE (`cid`)
SUBPARTITION BY HASH (`id`)
SUBPARTITIONS 2
(PARTITION `p0` VALUES LESS THAN (10) COMMENT = 'x' ENGINE = InnoDB,
 PARTITION `p1` VALUES LESS THAN MAXVALUE ENGINE = InnoDB)
)SQL";
const char* kListCols = R"SQL(
CREATE TABLE `pl` (
  `a` int(11) DEFAULT NULL,
  `b` varchar(5) DEFAULT NULL
) ENGINE=InnoDB DEFAULT CHARSET=latin1 COLLATE=latin1_swedish_ci
 PARTITION BY LIST  COLUMNS(`a`,`b`)
(PARTITION `p0` VALUES IN ((1,'a'),(2,'b')) ENGINE = InnoDB,
 PARTITION `p1` VALUES IN ((3,'c')) ENGINE = InnoDB)
)SQL";

// MySQL 8.0 shape: hidden display widths, version-commented INVISIBLE / NOT ENFORCED /
// partition clause, functional and descending index parts, SRID, WITH PARSER.
const char* kMysql8 = R"SQL(CREATE TABLE `m8` (
  `id` int NOT NULL AUTO_INCREMENT,
  `name` varchar(50) COLLATE utf8mb4_bin DEFAULT NULL,
  `geo` geometry NOT NULL /*!80003 SRID 4326 */,
  `hid` int DEFAULT NULL /*!80023 INVISIBLE */,
  `ts` timestamp NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
  `amount` decimal(10,2) NOT NULL DEFAULT '0.00',
  `body` text,
  PRIMARY KEY (`id`),
  KEY `fx` (((`id` * 2)) DESC,`name`(10)) /*!80000 INVISIBLE */,
  SPATIAL KEY `g` (`geo`),
  FULLTEXT KEY `ftb` (`body`) /*!50100 WITH PARSER `ngram` */ ,
  CONSTRAINT `m8_chk_1` CHECK ((`id` > 0)) /*!80016 NOT ENFORCED */
) ENGINE=InnoDB AUTO_INCREMENT=7 DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_0900_ai_ci
/*!50100 PARTITION BY HASH (`id`)
PARTITIONS 4 */)SQL";

Table MustParse(std::string_view ddl) {
  Result<Table> t = ParseCreateTable(ddl);
  EXPECT_TRUE(t.ok()) << t.status().ToString();
  return t.ok() ? *t : Table{};
}

std::string NoSpace(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (!std::isspace(static_cast<unsigned char>(c))) out += c;
  }
  return out;
}

TEST(Parser, WeirdNamesQuotesAndColumnAttributes) {
  Table t = MustParse(kWeird);
  EXPECT_EQ(t.name, "we`ird 'n\"ame");
  ASSERT_EQ(t.columns.size(), 14u);
  const Column& id = t.columns[0];
  EXPECT_EQ(id.name, "i`d");
  EXPECT_EQ(id.type, "int(10) unsigned zerofill");
  EXPECT_TRUE(id.is_unsigned);
  EXPECT_TRUE(id.zerofill);
  EXPECT_FALSE(id.nullable);
  EXPECT_TRUE(id.auto_increment);
  ASSERT_TRUE(id.comment.has_value());
  EXPECT_EQ(*id.comment, "it's a \\ back\nslash");
  const Column& j = t.columns[2];
  EXPECT_EQ(j.base_type, "longtext");
  EXPECT_EQ(j.charset, "utf8mb4");
  EXPECT_EQ(j.collation, "utf8mb4_bin");
  EXPECT_EQ(j.default_value.kind, DefaultKind::kNull);
  ASSERT_EQ(j.extra_options.size(), 1u);
  EXPECT_EQ(j.extra_options[0], "CHECK (json_valid(`j`))");
  EXPECT_EQ(t.columns[3].generated, GeneratedKind::kStored);
  EXPECT_EQ(t.columns[3].generation_expression, "concat(`x``y`,'x')");
  EXPECT_EQ(t.columns[4].generated, GeneratedKind::kVirtual);
  EXPECT_TRUE(t.columns[5].invisible);
  EXPECT_EQ(t.columns[5].default_value.kind, DefaultKind::kNumber);
  EXPECT_EQ(t.columns[6].default_value.text, "current_timestamp(3)");
  EXPECT_EQ(t.columns[6].on_update, "current_timestamp(3)");
  EXPECT_EQ(t.columns[7].default_value.kind, DefaultKind::kExpression);
  EXPECT_EQ(t.columns[7].default_value.text, "(curdate() + interval 1 day)");
  EXPECT_EQ(t.columns[8].default_value.text, "-1.5");
  EXPECT_EQ(t.columns[9].default_value.text, "b'1'");
  EXPECT_EQ(t.columns[10].type, "enum('a','b''c')");
  EXPECT_EQ(t.columns[10].default_value.text, "'b''c'");
  EXPECT_EQ(t.columns[12].definition, "text /*M!100301 COMPRESSED*/ DEFAULT NULL");
  ASSERT_EQ(t.columns[12].extra_options.size(), 1u);
  EXPECT_EQ(t.columns[12].extra_options[0], "/*M!100301 COMPRESSED*/");

  ASSERT_EQ(t.indexes.size(), 6u);
  EXPECT_EQ(t.indexes[0].kind, IndexKind::kPrimary);
  EXPECT_EQ(t.indexes[0].parts[0].column, "i`d");
  EXPECT_EQ(t.indexes[1].kind, IndexKind::kUnique);
  EXPECT_EQ(t.indexes[1].using_algorithm, "HASH");
  const Index& k1 = t.indexes[2];
  ASSERT_EQ(k1.parts.size(), 2u);
  EXPECT_EQ(k1.parts[0].prefix_length, 5u);
  EXPECT_TRUE(k1.parts[1].descending);
  EXPECT_EQ(*k1.comment, "idx ' c");
  EXPECT_EQ(t.indexes[3].kind, IndexKind::kSpatial);
  EXPECT_EQ(t.indexes[4].visibility, "IGNORED");
  EXPECT_EQ(t.indexes[5].kind, IndexKind::kFulltext);
  ASSERT_EQ(t.checks.size(), 1u);
  EXPECT_EQ(t.checks[0].name, "c`k");
  EXPECT_EQ(t.checks[0].expression, "`f` > -10");

  ASSERT_EQ(t.options.size(), 6u);
  EXPECT_EQ(t.options[0].key, "ENGINE");
  EXPECT_EQ(t.options[1].key, "AUTO_INCREMENT");
  EXPECT_EQ(t.options[2].key, "DEFAULT CHARSET");
  EXPECT_EQ(t.options[2].value, "utf8mb4");
  EXPECT_EQ(t.options[5].value, "'tab''le \\\\ c'");
  EXPECT_EQ(NoSpace(RenderCreateTable(t)), NoSpace(kWeird));
}

TEST(Parser, SubpartitionsParsedByDefinition) {
  Table t = MustParse(kSubpart);
  ASSERT_TRUE(t.partitioning.has_value());
  const Partitioning& p = *t.partitioning;
  EXPECT_EQ(p.method, "RANGE");
  EXPECT_EQ(p.expression, "`cid`");
  EXPECT_EQ(p.sub_method, "HASH");
  EXPECT_EQ(p.subpartitions, 2u);
  ASSERT_EQ(p.definitions.size(), 2u);
  EXPECT_EQ(p.definitions[0].name, "p0");
  EXPECT_EQ(p.definitions[0].values, "LESS THAN ( 10 )");
  EXPECT_EQ(p.definitions[1].values, "LESS THAN MAXVALUE");
  EXPECT_EQ(p.version_comment, "");
  EXPECT_EQ(NoSpace(RenderCreateTable(t)), NoSpace(kSubpart));
}

TEST(Parser, ListColumnsAndCanonicalComparesBounds) {
  Table t = MustParse(kListCols);
  ASSERT_TRUE(t.partitioning.has_value());
  EXPECT_EQ(t.partitioning->method, "LIST COLUMNS");
  ASSERT_EQ(t.partitioning->definitions.size(), 2u);
  auto a = ParsePartitionText("PARTITION BY RANGE (`a`) (PARTITION p0 VALUES LESS THAN (10))");
  auto b = ParsePartitionText("partition by range(`a`)\n(partition p0 values less than (20))");
  auto c = ParsePartitionText("PARTITION BY RANGE  (`a`)(PARTITION p0 VALUES LESS THAN (10))");
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  EXPECT_NE(a->canonical, b->canonical);  // same names, other bound
  EXPECT_EQ(a->canonical, c->canonical);
}

TEST(Parser, Mysql8VersionCommentsAndFunctionalParts) {
  Table t = MustParse(kMysql8);
  ASSERT_EQ(t.columns.size(), 7u);
  EXPECT_EQ(t.columns[0].type, "int");
  EXPECT_EQ(t.columns[1].collation, "utf8mb4_bin");
  EXPECT_EQ(t.columns[2].srid, 4326u);
  EXPECT_TRUE(t.columns[3].invisible);
  EXPECT_EQ(t.columns[5].default_value.kind, DefaultKind::kString);
  ASSERT_EQ(t.indexes.size(), 4u);
  EXPECT_EQ(t.indexes[1].parts[0].expression, "(`id` * 2)");
  EXPECT_TRUE(t.indexes[1].parts[0].descending);
  EXPECT_EQ(t.indexes[1].parts[1].prefix_length, 10u);
  EXPECT_EQ(t.indexes[1].visibility, "INVISIBLE");
  EXPECT_EQ(t.indexes[3].parser, "ngram");
  ASSERT_EQ(t.checks.size(), 1u);
  EXPECT_FALSE(t.checks[0].enforced);
  ASSERT_TRUE(t.partitioning.has_value());
  EXPECT_EQ(t.partitioning->version_comment, "/*!50100");
  EXPECT_EQ(t.partitioning->text, "PARTITION BY HASH (`id`)\nPARTITIONS 4");
  EXPECT_EQ(t.partitioning->partitions, 4u);
  EXPECT_EQ(NoSpace(RenderCreateTable(t)), NoSpace(kMysql8));
}

TEST(Parser, ForeignKeysWithSpans) {
  Table t = MustParse(
      "CREATE TABLE `c` (\n  `a` int NOT NULL,\n  `b` int,\n  KEY `fk1` (`a`),\n"
      "  CONSTRAINT `fk1` FOREIGN KEY (`a`, `b`) REFERENCES `other`.`p` (`x`, `y`) "
      "ON DELETE SET NULL ON UPDATE CASCADE,\n"
      "  CONSTRAINT `fk2` FOREIGN KEY (`b`) REFERENCES `p` (`y`)\n) ENGINE=InnoDB");
  ASSERT_EQ(t.foreign_keys.size(), 2u);
  const ForeignKey& f = t.foreign_keys[0];
  EXPECT_EQ(f.name, "fk1");
  EXPECT_EQ(f.columns, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(f.ref_db, "other");
  EXPECT_EQ(f.ref_table, "p");
  EXPECT_EQ(f.ref_columns, (std::vector<std::string>{"x", "y"}));
  EXPECT_EQ(f.on_delete, "SET NULL");
  EXPECT_EQ(f.on_update, "CASCADE");
  ASSERT_TRUE(f.name_span.has_value());
  EXPECT_EQ(f.definition.substr(f.name_span->begin, f.name_span->end - f.name_span->begin),
            "`fk1`");
  EXPECT_EQ(
      f.definition.substr(f.ref_table_span.begin, f.ref_table_span.end - f.ref_table_span.begin),
      "`p`");
  EXPECT_EQ(t.foreign_keys[1].ref_db, "");
}

TEST(Parser, ErrorsNameTableAndPosition) {
  Result<Table> t = ParseCreateTable("CREATE TABLE `bad` (\n  `a` int,\n  PRIMARY KEY `x`\n)");
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), 1064);
  EXPECT_NE(t.status().message().find("`bad`"), std::string::npos) << t.status().message();
  EXPECT_NE(t.status().message().find("position"), std::string::npos) << t.status().message();
  EXPECT_FALSE(ParseCreateTable("CREATE TABLE t (a int").ok());
  EXPECT_FALSE(ParseCreateTable("CREATE TABLE t LIKE u").ok());
  EXPECT_FALSE(ParseCreateTable("SELECT 1").ok());
}

TEST(Parser, HandWrittenCreateTable) {
  Table t = MustParse(
      "create table if not exists uhoh . `tbl3` (id int unsigned not null primary key, "
      "name varchar(10) character set utf8 default 'x' comment 'c', "
      "index (name)) engine=InnoDB, default charset latin1;");
  EXPECT_EQ(t.schema, "uhoh");
  EXPECT_EQ(t.name, "tbl3");
  ASSERT_EQ(t.columns.size(), 2u);
  EXPECT_EQ(t.columns[0].extra_options, (std::vector<std::string>{"primary key"}));
  EXPECT_EQ(t.columns[1].charset, "utf8");
  ASSERT_EQ(t.indexes.size(), 1u);
  EXPECT_EQ(t.indexes[0].name, "");
  EXPECT_EQ(t.options.size(), 2u);
}

}  // namespace
}  // namespace shadowproxy::schema
