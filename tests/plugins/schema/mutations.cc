#include "tests/plugins/schema/mutations.h"

#include <vector>

#include "base/mysql_conn.h"

namespace shadowproxy::schema::testing {
namespace {

using Q = sql::MysqlConn;

template <typename T>
const T& Pick(std::mt19937& rng, const std::vector<T>& v) {
  return v[std::uniform_int_distribution<size_t>(0, v.size() - 1)(rng)];
}

bool Coin(std::mt19937& rng) { return std::uniform_int_distribution<int>(0, 1)(rng) == 1; }

std::string Position(std::mt19937& rng, const Table& t, const std::string& except) {
  std::vector<std::string> others;
  for (const Column& c : t.columns)
    if (c.name != except) others.push_back(c.name);
  if (others.empty() || std::uniform_int_distribution<int>(0, 3)(rng) == 0) return " FIRST";
  return " AFTER " + Q::QuoteName(Pick(rng, others));
}

bool IsTextLike(const Column& c) {
  return c.base_type.find("text") != std::string::npos ||
         c.base_type.find("blob") != std::string::npos || c.base_type == "json" ||
         c.base_type.find("geometry") != std::string::npos || c.base_type == "point" ||
         c.base_type.find("polygon") != std::string::npos ||
         c.base_type.find("linestring") != std::string::npos;
}

std::string WithoutComment(const std::string& def) {
  size_t p = def.rfind(" COMMENT '");
  return p == std::string::npos ? def : def.substr(0, p);
}

const std::vector<std::string> kTypes = {"bigint(20)",    "varchar(300)",
                                         "text",          "int(10) unsigned",
                                         "decimal(12,3)", "datetime",
                                         "char(5)",       "tinyint(1)",
                                         "double",        "varchar(40) CHARACTER SET latin1",
                                         "mediumint(9)",  "timestamp NULL"};

const std::vector<std::string> kLiterals = {"0", "'x''y\\\\z'", "'7'", "NULL", "'\xC3\xBC`\"'"};

const std::vector<std::string> kTableOptions = {
    "COMMENT='new ''comment'' \\\\ `x`'",
    "COMMENT=''",
    "ROW_FORMAT=COMPACT",
    "ROW_FORMAT=REDUNDANT",
    "ROW_FORMAT=DYNAMIC",
    "ENGINE=Aria",
    "ENGINE=MyISAM",
    "DEFAULT CHARSET=latin1",
    "DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci",
    "STATS_PERSISTENT=0",
    "CHECKSUM=1",
    "AUTO_INCREMENT=77777",
    "PACK_KEYS=1",
    "KEY_BLOCK_SIZE=8",
};

}  // namespace

Mutation RandomMutation(std::mt19937& rng, const std::string& db, const Table& t, int serial) {
  const std::string alter = "ALTER TABLE " + Q::QuoteName(db) + "." + Q::QuoteName(t.name) + " ";
  const std::string n = std::to_string(serial);
  std::vector<const Column*> plain;  // not generated
  for (const Column& c : t.columns)
    if (c.generated == GeneratedKind::kNone) plain.push_back(&c);
  std::vector<const Index*> secondary;
  const Index* primary = nullptr;
  for (const Index& i : t.indexes) {
    if (i.kind == IndexKind::kPrimary)
      primary = &i;
    else
      secondary.push_back(&i);
  }
  int kind = std::uniform_int_distribution<int>(0, 16)(rng);
  switch (kind) {
    case 0:
      if (t.columns.size() < 2) return {};
      return {"drop_column", alter + "DROP COLUMN " + Q::QuoteName(Pick(rng, t.columns).name)};
    case 1: {
      std::string type = Pick(rng, kTypes);
      std::string extra = Coin(rng) ? " NOT NULL" : " NULL DEFAULT NULL";
      if (type == "text" || type == "timestamp NULL") extra = "";
      return {"add_column", alter + "ADD COLUMN " + Q::QuoteName("zz_" + n) + " " + type + extra +
                                Position(rng, t, "")};
    }
    case 2: {
      if (plain.empty()) return {};
      const Column& c = *Pick(rng, plain);
      return {"reorder_column", alter + "MODIFY COLUMN " + Q::QuoteName(c.name) + " " +
                                    c.definition + Position(rng, t, c.name)};
    }
    case 3: {
      if (plain.empty()) return {};
      const Column& c = *Pick(rng, plain);
      return {"change_type",
              alter + "MODIFY COLUMN " + Q::QuoteName(c.name) + " " + Pick(rng, kTypes)};
    }
    case 4: {
      if (plain.empty()) return {};
      const Column& c = *Pick(rng, plain);
      std::string def = c.definition;
      size_t p;
      if ((p = def.find(" NOT NULL")) != std::string::npos)
        def.replace(p, 9, " NULL");
      else if ((p = def.find(" DEFAULT NULL")) != std::string::npos)
        def.replace(p, 13, " NOT NULL");
      else
        def += " NOT NULL";
      return {"toggle_null", alter + "MODIFY COLUMN " + Q::QuoteName(c.name) + " " + def};
    }
    case 5: {
      if (plain.empty()) return {};
      const Column& c = *Pick(rng, plain);
      if (Coin(rng))
        return {"drop_default", alter + "ALTER COLUMN " + Q::QuoteName(c.name) + " DROP DEFAULT"};
      return {"set_default", alter + "ALTER COLUMN " + Q::QuoteName(c.name) + " SET DEFAULT " +
                                 Pick(rng, kLiterals)};
    }
    case 6: {
      if (plain.empty()) return {};
      const Column& c = *Pick(rng, plain);
      std::string comment = Coin(rng) ? " COMMENT 'it''s a \\\\ `c` \xE2\x82\xAC'" : "";
      return {"column_comment", alter + "MODIFY COLUMN " + Q::QuoteName(c.name) + " " +
                                    WithoutComment(c.definition) + comment};
    }
    case 7: {
      if (plain.empty()) return {};
      const Column& c = *Pick(rng, plain);
      std::string part = Q::QuoteName(c.name) + (IsTextLike(c) ? "(10)" : "");
      std::string kw = Coin(rng) ? "UNIQUE INDEX " : "INDEX ";
      std::string comment = Coin(rng) ? " COMMENT 'ix ''q'''" : "";
      return {"add_index",
              alter + "ADD " + kw + Q::QuoteName("zz_ix_" + n) + " (" + part + ")" + comment};
    }
    case 8: {
      if (secondary.empty()) return {};
      return {"drop_index", alter + "DROP INDEX " + Q::QuoteName(Pick(rng, secondary)->name)};
    }
    case 9: {
      if (secondary.empty() || plain.empty()) return {};
      const Index& i = *Pick(rng, secondary);
      const Column& c = *Pick(rng, plain);
      std::string part = Q::QuoteName(c.name) + (IsTextLike(c) ? "(12)" : "");
      int how = std::uniform_int_distribution<int>(0, 2)(rng);
      if (how == 0)
        return {"alter_index", alter + "DROP INDEX " + Q::QuoteName(i.name) + ", ADD INDEX " +
                                   Q::QuoteName(i.name) + " (" + part + ")"};
      if (how == 1)
        return {"rename_index", alter + "RENAME INDEX " + Q::QuoteName(i.name) + " TO " +
                                    Q::QuoteName("zz_rn_" + n)};
      return {"ignore_index", alter + "ALTER INDEX " + Q::QuoteName(i.name) +
                                  (i.visibility.empty() ? " IGNORED" : " NOT IGNORED")};
    }
    case 10: {
      if (plain.empty()) return {};
      const Column& c = *Pick(rng, plain);
      if (IsTextLike(c)) return {};
      if (primary != nullptr)
        return {"change_pk",
                alter + "DROP PRIMARY KEY, ADD PRIMARY KEY (" + Q::QuoteName(c.name) + ")"};
      return {"add_pk", alter + "ADD PRIMARY KEY (" + Q::QuoteName(c.name) + ")"};
    }
    case 11:
      if (primary == nullptr) return {};
      return {"drop_pk", alter + "DROP PRIMARY KEY"};
    case 12:
      return {"table_option", alter + Pick(rng, kTableOptions)};
    case 13: {
      if (t.partitioning) {
        int how = std::uniform_int_distribution<int>(0, 2)(rng);
        if (how == 0) return {"remove_partitioning", alter + "REMOVE PARTITIONING"};
        if (how == 1 && !t.partitioning->definitions.empty() &&
            (t.partitioning->method == "HASH" || t.partitioning->method == "KEY"))
          return {"coalesce_partition", alter + "COALESCE PARTITION 1"};
        return {"repartition", alter + "PARTITION BY KEY() PARTITIONS 3"};
      }
      if (primary == nullptr) return {};
      return {"add_partitioning",
              alter + "PARTITION BY KEY() PARTITIONS " + std::to_string(2 + serial % 3)};
    }
    case 14: {
      if (!t.checks.empty() && Coin(rng))
        return {"drop_check", alter + "DROP CONSTRAINT " + Q::QuoteName(Pick(rng, t.checks).name)};
      if (plain.empty()) return {};
      return {"add_check", alter + "ADD CONSTRAINT " + Q::QuoteName("zz_ck_" + n) + " CHECK (" +
                               Q::QuoteName(Pick(rng, plain)->name) + " IS NOT NULL OR 1 = 1)"};
    }
    case 15: {
      if (t.foreign_keys.empty()) return {};
      return {"drop_fk",
              alter + "DROP FOREIGN KEY " + Q::QuoteName(Pick(rng, t.foreign_keys).name)};
    }
    default: {
      // Several columns at once: add one and drop another.
      if (t.columns.size() < 2) return {};
      return {"add_and_drop", alter + "ADD COLUMN " + Q::QuoteName("zz_" + n) +
                                  " varchar(12) DEFAULT 'd'" + Position(rng, t, "") +
                                  ", DROP COLUMN " + Q::QuoteName(Pick(rng, t.columns).name)};
    }
  }
}

}  // namespace shadowproxy::schema::testing
