// SHOW CREATE TABLE outputs recorded from real MySQL 8 and OceanBase servers, for the dialect
// tests (no such server runs here). Each is copied verbatim from the file named above it: the
// servers' own mysqltest result files, where "show create table t1" prints what the server said.
// OceanBase's results mask some values (REPLICA_NUM = NUM, BLOCK_SIZE = SIZE) with mysqltest's
// --replace_result; they are kept as recorded.
#pragma once

namespace shadowproxy::schema::recorded {

// --- MySQL 8.0: github.com/mysql/mysql-server -------------------------------------------------

// mysql-test/r/check_constraints.result (commit 018fcd505e485c10a0510043536950e3ed11d6e7), the
// NOT ENFORCED case: after CREATE TABLE t1(f1 INT, f2 INT CHECK (f2 < 10), f3 INT CHECK (f3 <
// 10) NOT ENFORCED, CONSTRAINT ck CHECK (f1 > 10), CONSTRAINT CHECK (f1 > 10) NOT ENFORCED).
inline constexpr const char* kMy8Checks = R"SQL(CREATE TABLE `t1` (
  `f1` int DEFAULT NULL,
  `f2` int DEFAULT NULL,
  `f3` int DEFAULT NULL,
  CONSTRAINT `ck` CHECK ((`f1` > 10)),
  CONSTRAINT `t1_chk_1` CHECK ((`f2` < 10)),
  CONSTRAINT `t1_chk_2` CHECK ((`f3` < 10)) /*!80016 NOT ENFORCED */,
  CONSTRAINT `t1_chk_3` CHECK ((`f1` > 10)) /*!80016 NOT ENFORCED */
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_0900_ai_ci)SQL";

// Same file, the same table after ALTER TABLE t1 ALTER CHECK ck NOT ENFORCED.
inline constexpr const char* kMy8ChecksCkNotEnforced = R"SQL(CREATE TABLE `t1` (
  `f1` int DEFAULT NULL,
  `f2` int DEFAULT NULL,
  `f3` int DEFAULT NULL,
  CONSTRAINT `ck` CHECK ((`f1` > 10)) /*!80016 NOT ENFORCED */,
  CONSTRAINT `t1_chk_1` CHECK ((`f2` < 10)),
  CONSTRAINT `t1_chk_2` CHECK ((`f3` < 10)) /*!80016 NOT ENFORCED */,
  CONSTRAINT `t1_chk_3` CHECK ((`f1` > 10)) /*!80016 NOT ENFORCED */
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_0900_ai_ci)SQL";

// Same file: an expression default and a charset introducer in a check.
inline constexpr const char* kMy8ExpressionDefault = R"SQL(CREATE TABLE `t1` (
  `c1` varchar(1) CHARACTER SET ascii COLLATE ascii_general_ci DEFAULT NULL,
  `c2` varchar(1) CHARACTER SET ascii COLLATE ascii_general_ci DEFAULT (_utf8mb4'b'),
  CONSTRAINT `t1_chk_1` CHECK ((`c1` = _utf8mb4'a'))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_0900_ai_ci)SQL";

// mysql-test/r/functional_index.result (commit 0240b63d7be701a11a0ca4f9bce9e571e962c46a): the
// table before and after CREATE INDEX combined_index ON t1 ((int_col + int_col), string_col).
inline constexpr const char* kMy8FunctionalBefore = R"SQL(CREATE TABLE `t1` (
  `int_col` int(11) DEFAULT NULL,
  `string_col` varchar(255) DEFAULT NULL,
  KEY `int_func_index` ((abs(`int_col`))),
  KEY `string_func_index` ((substr(`string_col`,1,2)))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_0900_ai_ci)SQL";
inline constexpr const char* kMy8FunctionalAfter = R"SQL(CREATE TABLE `t1` (
  `int_col` int(11) DEFAULT NULL,
  `string_col` varchar(255) DEFAULT NULL,
  KEY `int_func_index` ((abs(`int_col`))),
  KEY `string_func_index` ((substr(`string_col`,1,2))),
  KEY `combined_index` (((`int_col` + `int_col`)),`string_col`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_0900_ai_ci)SQL";

// mysql-test/r/invisible_columns.result (commit 09484384365c5a255a53e68527e8f9f264a5709b): before
// and after ALTER TABLE t1 ADD COLUMN f4 INT AS (f1 + f2) INVISIBLE.
inline constexpr const char* kMy8InvisibleBefore = R"SQL(CREATE TABLE `t1` (
  `f1` int DEFAULT NULL,
  `f2` int DEFAULT NULL,
  `f3` int DEFAULT '8' /*!80023 INVISIBLE */
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_0900_ai_ci)SQL";
inline constexpr const char* kMy8InvisibleAfter = R"SQL(CREATE TABLE `t1` (
  `f1` int DEFAULT NULL,
  `f2` int DEFAULT NULL,
  `f3` int DEFAULT '8' /*!80023 INVISIBLE */,
  `f4` int GENERATED ALWAYS AS ((`f1` + `f2`)) VIRTUAL /*!80023 INVISIBLE */
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_0900_ai_ci)SQL";

// Same file: before and after ALTER TABLE t1 ALTER COLUMN f1 SET INVISIBLE.
inline constexpr const char* kMy8VisibleF1 = R"SQL(CREATE TABLE `t1` (
  `f1` int DEFAULT NULL,
  `f2` int DEFAULT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_0900_ai_ci)SQL";
inline constexpr const char* kMy8InvisibleF1 = R"SQL(CREATE TABLE `t1` (
  `f1` int DEFAULT NULL /*!80023 INVISIBLE */,
  `f2` int DEFAULT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_0900_ai_ci)SQL";

// mysql-test/suite/gis/r/ddl.result (commit 0722038b1ea8a25dc625ecba95069b1273964194): SRID
// attributes and a spatial index.
inline constexpr const char* kMy8Srid = R"SQL(CREATE TABLE `t1` (
  `col_no_srid` point NOT NULL,
  `col_srid_0` point NOT NULL /*!80003 SRID 0 */,
  `col_srid_2000` point NOT NULL,
  `col_srid_4326_generated` point GENERATED ALWAYS AS (st_srid(`col_srid_2000`,4326)) VIRTUAL /*!80003 SRID 4326 */,
  SPATIAL KEY `idx_0` (`col_srid_0`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_0900_ai_ci)SQL";

// --- OceanBase 4.x, MySQL mode: github.com/oceanbase/oceanbase ---------------------------------

// tools/deploy/mysql_test/test_suite/duplicate_table/r/mysql/test_4x_duplicate_table.result
// (commit 30d5ce3ba203b541240d66789476e835df54a853): a plain table and a duplicate table.
inline constexpr const char* kObPlain = R"SQL(CREATE TABLE `t1` (
  `c1` int(11) NOT NULL,
  `c2` int(11) NOT NULL,
  `c3` int(11) DEFAULT NULL,
  PRIMARY KEY (`c1`, `c2`)
) DEFAULT CHARSET = utf8mb4 COMPRESSION = 'lz4_1.0' REPLICA_NUM = NUM BLOCK_SIZE = SIZE USE_BLOOM_FILTER = FALSE ENABLE_MACRO_BLOCK_BLOOM_FILTER = FALSE TABLET_SIZE = SIZE PCTFREE = 10)SQL";
inline constexpr const char* kObDuplicate = R"SQL(CREATE TABLE `dup_t1` (
  `c1` int(11) NOT NULL,
  `c2` int(11) NOT NULL,
  `c3` int(11) DEFAULT NULL,
  PRIMARY KEY (`c1`, `c2`)
) DEFAULT CHARSET = utf8mb4 COMPRESSION = 'lz4_1.0' REPLICA_NUM = NUM BLOCK_SIZE = SIZE USE_BLOOM_FILTER = FALSE ENABLE_MACRO_BLOCK_BLOOM_FILTER = FALSE TABLET_SIZE = SIZE PCTFREE = 10 DUPLICATE_SCOPE = 'CLUSTER' DUPLICATE_READ_CONSISTENCY = 'STRONG')SQL";

// tools/deploy/mysql_test/test_suite/geometry/r/mysql/geometry_ddl_mysql.result (commit
// 068f3ebd4157bb0d669b6f041554c1fdfd113480): SRID attributes (printed in two places), LOCAL
// spatial indexes, ORGANIZATION INDEX.
inline constexpr const char* kObSrid = R"SQL(CREATE TABLE `t1` (
  `no_srid` point DEFAULT NULL,
  `srid_0` point /*!80003 SRID 0 */ DEFAULT NULL,
  `srid_4326` point /*!80003 SRID 4326 */ DEFAULT NULL
) ORGANIZATION INDEX DEFAULT CHARSET = utf8mb4 COMPRESSION = 'lz4_1.0' REPLICA_NUM = NUM BLOCK_SIZE = SIZE USE_BLOOM_FILTER = FALSE ENABLE_MACRO_BLOCK_BLOOM_FILTER = FALSE TABLET_SIZE = SIZE PCTFREE = 10)SQL";
inline constexpr const char* kObSpatial = R"SQL(CREATE TABLE `t1` (
  `col_no_srid` point NOT NULL,
  `col_srid_0` point NOT NULL /*!80003 SRID 0 */,
  `col_srid_4326` point NOT NULL /*!80003 SRID 4326 */,
  SPATIAL KEY `idx1` (`col_no_srid`) BLOCK_SIZE 16384 LOCAL,
  SPATIAL KEY `idx2` (`col_srid_0`) BLOCK_SIZE 16384 LOCAL,
  SPATIAL KEY `idx3` (`col_srid_4326`) BLOCK_SIZE 16384 LOCAL
) ORGANIZATION INDEX DEFAULT CHARSET = utf8mb4 COMPRESSION = 'lz4_1.0' REPLICA_NUM = NUM BLOCK_SIZE = SIZE USE_BLOOM_FILTER = FALSE ENABLE_MACRO_BLOCK_BLOOM_FILTER = FALSE TABLET_SIZE = SIZE PCTFREE = 10)SQL";

// test/mysql_test/test_suite/index/r/mysql/index.result (commit
// 0d0126f6bcd229cc0dcf7a7b07575c9bb388b801, an OceanBase 3.x recording; the layout is the one
// 4.x prints): a partitioned table whose GLOBAL indexes are partitioned too, lower-case
// partition clauses. Also sample 1 of tests/corpora/oceanbase/show-create-samples.txt.
inline constexpr const char* kObPartitioned = R"SQL(CREATE TABLE `t1` (
  `c1` int(11) NOT NULL,
  `c2` int(11) DEFAULT NULL,
  `c3` int(11) DEFAULT NULL,
  PRIMARY KEY (`c1`),
  UNIQUE KEY `t1_global_uk_c1` (`c1`) BLOCK_SIZE 16384 GLOBAL
 partition by hash(c1)
(partition p0),
  UNIQUE KEY `t1_local_uk_c1` (`c1`) BLOCK_SIZE 16384 LOCAL,
  UNIQUE KEY `t1_default_uk_c1` (`c1`) BLOCK_SIZE 16384 GLOBAL,
  KEY `t1_global_idx_c1` (`c1`) BLOCK_SIZE 16384 GLOBAL
 partition by key(c1)
(partition p0),
  KEY `t1_global_idx_c2` (`c2`) BLOCK_SIZE 16384 GLOBAL
 partition by range columns(c2)
(partition p0 values less than (10),
partition p1 values less than (20),
partition p2 values less than (30),
partition last values less than (MAXVALUE)),
  KEY `t1_global_idx_c3` (`c3`) BLOCK_SIZE 16384 GLOBAL
 partition by list columns(c3)
(partition p0 values in (1,2,3),
partition p1 values in (5,6),
partition p2 values in (DEFAULT)),
  KEY `t1_local_idx_c1` (`c1`) BLOCK_SIZE 16384 LOCAL,
  KEY `t1_default_idx_c1` (`c1`) BLOCK_SIZE 16384 GLOBAL
) DEFAULT CHARSET = utf8mb4 ROW_FORMAT = COMPACT COMPRESSION = 'zstd_1.3.8' REPLICA_NUM = 1 BLOCK_SIZE = 16384 USE_BLOOM_FILTER = FALSE TABLET_SIZE = 134217728 PCTFREE = 0
 partition by hash(c1)
(partition p0))SQL";

}  // namespace shadowproxy::schema::recorded
