-- The project's own schema fixtures: one table per feature the analysis must carry over to a
-- shadow, written for MariaDB 10.11 (loaded into the database `testing`). The corpus and
-- mutation tests read every *.sql file of this folder next to the other corpora.

-- Column types, one of each family.
CREATE TABLE types_numeric (
  id bigint unsigned NOT NULL AUTO_INCREMENT PRIMARY KEY,
  ti tinyint, si smallint unsigned, mi mediumint zerofill, i int(11) NOT NULL DEFAULT 0,
  b bit(5) DEFAULT b'101', dec1 decimal(12,4) DEFAULT 1.5000, f float, d double(10,3),
  yes_no boolean DEFAULT TRUE
) AUTO_INCREMENT=42;

CREATE TABLE types_text (
  id int PRIMARY KEY,
  c char(3) CHARACTER SET ascii, vc varchar(200) COLLATE utf8mb4_bin NOT NULL DEFAULT '',
  t text, mt mediumtext COMMENT 'long ''quoted'' comment', lt longtext,
  bin binary(4), vb varbinary(16), bl blob, e enum('a','b','it''s') DEFAULT 'b',
  s set('x','y','z') DEFAULT 'x,z', j json, u uuid, ip inet6
) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE types_time (
  id int PRIMARY KEY,
  dt datetime(3) DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
  ts timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP,
  d date DEFAULT '2026-01-01', tm time(2), y year
);

-- Expression defaults, generated and invisible columns.
CREATE TABLE computed (
  id int PRIMARY KEY,
  price decimal(10,2) NOT NULL DEFAULT (1 + 1),
  qty int NOT NULL DEFAULT 1,
  total decimal(12,2) AS (price * qty) STORED,
  label varchar(40) AS (concat('#', id)) VIRTUAL,
  secret varchar(10) INVISIBLE DEFAULT 'hidden',
  KEY k_total (total)
);

-- CHECK constraints: column and table level, named and unnamed.
CREATE TABLE checked (
  id int PRIMARY KEY,
  age int CHECK (age >= 0),
  lo int, hi int,
  CONSTRAINT range_ok CHECK (lo <= hi),
  CONSTRAINT name_ok CHECK (id > 0)
);

-- Indexes: composite, prefix, descending, unique, fulltext, spatial, comments, invisible.
CREATE TABLE indexed (
  id int NOT NULL,
  a varchar(100) NOT NULL, b int, c text, g point NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY u_ab (a, b),
  KEY k_prefix (a(10)),
  KEY k_desc (b DESC, id),
  KEY k_comment (b) COMMENT 'why this index',
  KEY k_ignored (id, b) IGNORED,
  FULLTEXT KEY ft_c (c),
  SPATIAL KEY sp_g (g)
);

-- Foreign keys: a chain grand <- parent <- child, a self reference, actions, composite keys.
CREATE TABLE fk_grand (id int PRIMARY KEY, code char(3) NOT NULL, UNIQUE KEY u_code (code));
CREATE TABLE fk_parent (
  id int NOT NULL, tenant int NOT NULL, g char(3),
  PRIMARY KEY (tenant, id),
  KEY k_g (g),
  CONSTRAINT fk_parent_grand FOREIGN KEY (g) REFERENCES fk_grand (code) ON UPDATE CASCADE
);
CREATE TABLE fk_child (
  id int PRIMARY KEY, tenant int, parent_id int, up int,
  KEY k_parent (tenant, parent_id), KEY k_up (up),
  CONSTRAINT fk_child_parent FOREIGN KEY (tenant, parent_id) REFERENCES fk_parent (tenant, id)
    ON DELETE CASCADE,
  CONSTRAINT fk_child_up FOREIGN KEY (up) REFERENCES fk_child (id) ON DELETE SET NULL
);

-- A cycle: each table references the other.
CREATE TABLE cycle_a (id int PRIMARY KEY, b_id int, KEY k_b (b_id));
CREATE TABLE cycle_b (id int PRIMARY KEY, a_id int, KEY k_a (a_id),
  CONSTRAINT fk_b_a FOREIGN KEY (a_id) REFERENCES cycle_a (id));
ALTER TABLE cycle_a ADD CONSTRAINT fk_a_b FOREIGN KEY (b_id) REFERENCES cycle_b (id);

-- Partitions of each kind.
CREATE TABLE part_range (id int NOT NULL, d date NOT NULL, PRIMARY KEY (id, d))
  PARTITION BY RANGE (year(d)) (
    PARTITION p2025 VALUES LESS THAN (2026),
    PARTITION p2026 VALUES LESS THAN (2027) COMMENT 'this year',
    PARTITION pmax VALUES LESS THAN MAXVALUE);
CREATE TABLE part_range_columns (a int NOT NULL, b varchar(5) NOT NULL, PRIMARY KEY (a, b))
  PARTITION BY RANGE COLUMNS (a, b) (
    PARTITION p0 VALUES LESS THAN (10, 'm'), PARTITION p1 VALUES LESS THAN (MAXVALUE, MAXVALUE));
CREATE TABLE part_list (id int NOT NULL, region int NOT NULL, PRIMARY KEY (id, region))
  PARTITION BY LIST (region) (
    PARTITION east VALUES IN (1, 2), PARTITION west VALUES IN (3, 4),
    PARTITION other DEFAULT);
CREATE TABLE part_hash (id int NOT NULL PRIMARY KEY) PARTITION BY HASH (id) PARTITIONS 4;
CREATE TABLE part_key (id int NOT NULL, k varchar(10) NOT NULL, PRIMARY KEY (id, k))
  PARTITION BY KEY (k) PARTITIONS 3;
CREATE TABLE part_sub (id int NOT NULL, d date NOT NULL, PRIMARY KEY (id, d))
  PARTITION BY RANGE (year(d)) SUBPARTITION BY HASH (id) SUBPARTITIONS 2 (
    PARTITION p0 VALUES LESS THAN (2026), PARTITION p1 VALUES LESS THAN MAXVALUE);

-- Table options, engines, system versioning.
CREATE TABLE options_innodb (id int PRIMARY KEY, v varchar(10))
  ENGINE=InnoDB ROW_FORMAT=DYNAMIC STATS_PERSISTENT=1 PACK_KEYS=1 COMMENT='table ''comment''';
CREATE TABLE options_compressed (id int PRIMARY KEY, v varchar(10))
  ENGINE=InnoDB ROW_FORMAT=COMPRESSED KEY_BLOCK_SIZE=8;
CREATE TABLE options_aria (id int PRIMARY KEY, v varchar(10)) ENGINE=Aria TRANSACTIONAL=1;
CREATE TABLE options_myisam (id int PRIMARY KEY, v varchar(10)) ENGINE=MyISAM CHECKSUM=1
  DELAY_KEY_WRITE=1;
CREATE TABLE versioned (id int PRIMARY KEY, v varchar(10)) WITH SYSTEM VERSIONING;

-- Quoting: identifiers that need back quotes, reserved words, non-ASCII names.
CREATE TABLE `select` (`from` int PRIMARY KEY, `a b` varchar(5), `it``s` int, `名前` varchar(10),
  KEY `key with space` (`a b`));
