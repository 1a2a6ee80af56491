// Differ unit tests on hand-written SHOW CREATE shapes: dialect traps (what one server may
// print differently for equal definitions), naming of FKs, OceanBase options, the ERR 7020
// guard with hostile identifiers, and parents-first ordering.
#include "plugins/schema/differ.h"

#include <gtest/gtest.h>

#include "plugins/schema/differ_internal.h"
#include "plugins/schema/show_create_parser.h"

namespace shadowproxy::schema {
namespace {

DiffContext Ctx(std::string prefix = "s_", std::string suffix = "") {
  DiffContext ctx;
  ctx.naming.prefix = std::move(prefix);
  ctx.naming.suffix = std::move(suffix);
  ctx.database = "app";
  return ctx;
}

DiffResult MustDiff(std::string_view source, std::string_view shadow,
                    const DiffContext& ctx = Ctx()) {
  Result<DiffResult> r = DiffDdl(source, shadow, ctx);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : DiffResult{};
}

TEST(DifferTraps, EquivalentSpellingsAreNoAction) {
  const char* src =
      "CREATE TABLE `t` (\n  `a` int(11) NOT NULL DEFAULT '0',\n"
      "  `ts` timestamp NOT NULL DEFAULT current_timestamp() ON UPDATE current_timestamp(),\n"
      "  `c` varchar(5) CHARACTER SET utf8mb3 COLLATE utf8mb3_bin DEFAULT NULL\n"
      ") ENGINE=InnoDB AUTO_INCREMENT=99 DEFAULT CHARSET=utf8mb3";
  const char* shadow =
      "CREATE TABLE `s_t` (\n  `a` int(11) NOT NULL DEFAULT 0,\n"
      "  `ts` timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,\n"
      "  `c` varchar(5) CHARACTER SET utf8 COLLATE utf8_bin DEFAULT NULL\n"
      ") ENGINE=InnoDB AUTO_INCREMENT=3 DEFAULT CHARSET=utf8";
  DiffResult r = MustDiff(src, shadow);
  EXPECT_EQ(r.action, Action::kNoAction);
  EXPECT_TRUE(r.statements.empty());
}

TEST(DifferTraps, RealDifferencesAreNeverHidden) {
  // Display width, a quoted non-numeric default, a comment's case: all real differences.
  EXPECT_EQ(MustDiff("CREATE TABLE `t` (`a` int(11))", "CREATE TABLE `s_t` (`a` int(10))").action,
            Action::kUpdate);
  EXPECT_EQ(MustDiff("CREATE TABLE `t` (`a` int)", "CREATE TABLE `s_t` (`a` int(11))").action,
            Action::kUpdate);
  EXPECT_EQ(MustDiff("CREATE TABLE `t` (`a` varchar(3) DEFAULT 'a')",
                     "CREATE TABLE `s_t` (`a` varchar(3) DEFAULT 'A')")
                .action,
            Action::kUpdate);
  EXPECT_EQ(
      MustDiff("CREATE TABLE `t` (`a` int COMMENT 'x')", "CREATE TABLE `s_t` (`a` int COMMENT 'X')")
          .statements,
      (std::vector<std::string>{"ALTER TABLE `s_t`\n  MODIFY COLUMN `a` int COMMENT 'x'"}));
}

TEST(DifferTraps, UnexpressibleDifferenceRecreatesAndSaysSo) {
  // Same options in another order: no ALTER can reorder them, so the shadow is re-created.
  DiffResult r = MustDiff("CREATE TABLE `t` (`a` int) ENGINE=InnoDB COMMENT='x'",
                          "CREATE TABLE `s_t` (`a` int) COMMENT='x' ENGINE=InnoDB");
  EXPECT_EQ(r.action, Action::kUpdate);
  EXPECT_TRUE(r.recreated);
  ASSERT_EQ(r.statements.size(), 2u);
  EXPECT_EQ(r.statements[0].rfind("-- shadow re-created: ", 0), 0u) << r.statements[0];
  EXPECT_NE(r.statements[0].find("DROP TABLE `s_t`"), std::string::npos);
  EXPECT_EQ(r.statements[1], "CREATE TABLE `s_t` (\n  `a` int\n) ENGINE=InnoDB COMMENT='x'");
}

TEST(DifferTraps, UnknownVendorOptionRemovalRecreates) {
  DiffResult r = MustDiff("CREATE TABLE `t` (`a` int) ENGINE=InnoDB",
                          "CREATE TABLE `s_t` (`a` int) ENGINE=InnoDB SECONDARY_ENGINE=x");
  EXPECT_TRUE(r.recreated);
  EXPECT_NE(r.note.find("SECONDARY_ENGINE"), std::string::npos) << r.note;
}

TEST(DifferTraps, OceanBaseOptionsCopiedVerbatim) {
  DiffResult r = MustDiff(
      "CREATE TABLE `t` (\n  `c1` int(11) NOT NULL,\n  PRIMARY KEY (`c1`)\n) DEFAULT CHARSET = "
      "utf8mb4 COMPRESSION = 'zstd_1.3.8' BLOCK_SIZE = 16384 PCTFREE = 0",
      "CREATE TABLE `s_t` (\n  `c1` int(11) NOT NULL,\n  PRIMARY KEY (`c1`)\n) DEFAULT CHARSET = "
      "utf8mb4 COMPRESSION = 'lz4_1.0' BLOCK_SIZE = 16384 PCTFREE = 10");
  EXPECT_EQ(r.statements, (std::vector<std::string>{
                              "ALTER TABLE `s_t`\n  COMPRESSION = 'zstd_1.3.8',\n  PCTFREE = 0"}));
}

TEST(DifferTraps, Mysql8VersionCommentedPartitionComparedByDefinition) {
  const char* src =
      "CREATE TABLE `t` (\n  `id` int NOT NULL,\n  PRIMARY KEY (`id`)\n) ENGINE=InnoDB\n"
      "/*!50100 PARTITION BY RANGE (`id`)\n(PARTITION p0 VALUES LESS THAN (10) ENGINE = InnoDB,\n"
      " PARTITION p1 VALUES LESS THAN MAXVALUE ENGINE = InnoDB) */";
  std::string same = std::string(src).replace(13, 3, "`s_t`");
  EXPECT_EQ(MustDiff(src, same).action, Action::kNoAction);
  std::string other = same;
  other.replace(other.find("(10)"), 4, "(11)");
  DiffResult r = MustDiff(src, other);
  ASSERT_EQ(r.statements.size(), 1u);
  EXPECT_EQ(r.statements[0],
            "ALTER TABLE `s_t`\n  PARTITION BY RANGE (`id`)\n(PARTITION p0 VALUES LESS THAN (10) "
            "ENGINE = InnoDB,\n PARTITION p1 VALUES LESS THAN MAXVALUE ENGINE = InnoDB)");
}

TEST(DifferNaming, ForeignKeysPointAtShadowParentsWithSuffix) {
  const char* src =
      "CREATE TABLE `child` (\n  `id` int NOT NULL,\n  `p` int DEFAULT NULL,\n  `q` int DEFAULT "
      "NULL,\n  KEY `a` (`p`),\n  KEY `a_b` (`q`),\n"
      "  CONSTRAINT `a` FOREIGN KEY (`p`) REFERENCES `parent` (`id`),\n"
      "  CONSTRAINT `a_b` FOREIGN KEY (`q`) REFERENCES `other`.`parent` (`id`)\n) ENGINE=InnoDB";
  Result<Table> t = ParseCreateTable(src);
  ASSERT_TRUE(t.ok());
  Result<std::string> create = ShadowCreateStatement(*t, Ctx("", "_sh"));
  ASSERT_TRUE(create.ok());
  EXPECT_NE(create->find("CREATE TABLE `child_sh`"), std::string::npos);
  EXPECT_NE(create->find("CONSTRAINT `a_sh` FOREIGN KEY (`p`) REFERENCES `parent_sh` (`id`)"),
            std::string::npos)
      << *create;
  // Another database's parent stays as is; the constraint name still gets the suffix.
  EXPECT_NE(create->find("CONSTRAINT `a_b_sh` FOREIGN KEY (`q`) REFERENCES `other`.`parent` "),
            std::string::npos)
      << *create;
  // The server prints FKs sorted by name; with a suffix "a_b_sh" < "a_sh" reorders them.
  std::string shadow =
      "CREATE TABLE `child_sh` (\n  `id` int NOT NULL,\n  `p` int DEFAULT NULL,\n  `q` int "
      "DEFAULT NULL,\n  KEY `a` (`p`),\n  KEY `a_b` (`q`),\n"
      "  CONSTRAINT `a_b_sh` FOREIGN KEY (`q`) REFERENCES `other`.`parent` (`id`),\n"
      "  CONSTRAINT `a_sh` FOREIGN KEY (`p`) REFERENCES `parent_sh` (`id`)\n) ENGINE=InnoDB";
  EXPECT_EQ(MustDiff(src, shadow, Ctx("", "_sh")).action, Action::kNoAction);
}

TEST(DifferNaming, TooLongForeignKeyNameIs7010) {
  std::string fk(60, 'f');
  std::string src =
      "CREATE TABLE `c` (`p` int, CONSTRAINT `" + fk + "` FOREIGN KEY (`p`) REFERENCES `x` (`id`))";
  Result<DiffResult> r = DiffDdl(src, std::nullopt, Ctx("shadow_"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), errc::kBadNaming);
}

TEST(DifferNaming, Mysql8CheckNamesGetTheNaming) {
  const char* src =
      "CREATE TABLE `t` (\n  `a` int DEFAULT NULL,\n  CONSTRAINT `t_chk_1` CHECK ((`a` > 0)),\n"
      "  CONSTRAINT `pos` CHECK ((`a` < 9)) /*!80016 NOT ENFORCED */\n) ENGINE=InnoDB";
  Result<Table> t = ParseCreateTable(src);
  ASSERT_TRUE(t.ok());
  DiffContext ctx = Ctx();
  Result<std::string> plain = ShadowCreateStatement(*t, ctx);
  ASSERT_TRUE(plain.ok());
  EXPECT_NE(plain->find("CONSTRAINT `t_chk_1` CHECK"), std::string::npos) << *plain;
  ctx.dialect = Dialect::kMySql80;
  Result<std::string> renamed = ShadowCreateStatement(*t, ctx);
  ASSERT_TRUE(renamed.ok());
  EXPECT_NE(renamed->find("CONSTRAINT `s_t_chk_1` CHECK ((`a` > 0))"), std::string::npos)
      << *renamed;
  EXPECT_NE(renamed->find("CONSTRAINT `s_pos` CHECK ((`a` < 9)) /*!80016 NOT ENFORCED */"),
            std::string::npos)
      << *renamed;
  // Under that naming the renamed shadow is a no-op, the unrenamed one is not.
  EXPECT_EQ(MustDiff(src, *renamed, ctx).action, Action::kNoAction);
  EXPECT_EQ(MustDiff(src, *plain, ctx).action, Action::kUpdate);
}

TEST(DifferInternal, LongestIncreasing) {
  std::vector<size_t> seq = {1, 0, 4, 3, 5, 2};
  std::vector<size_t> lis = internal::LongestIncreasing(seq);
  ASSERT_EQ(lis.size(), 3u);
  for (size_t i = 1; i < lis.size(); ++i) EXPECT_LT(seq[lis[i - 1]], seq[lis[i]]);
  EXPECT_TRUE(internal::LongestIncreasing({}).empty());
}

TEST(Guard, AllowsOnlyShadowTables) {
  const std::set<std::string> allowed = {"s_t", "s_p"};
  EXPECT_TRUE(
      CheckTouchesOnlyShadows(
          {"CREATE TABLE `s_t` (`a` int, CONSTRAINT `s_f` FOREIGN KEY (`a`) "
           "REFERENCES `s_p` (`id`))",
           "ALTER TABLE `s_t` ADD COLUMN `b` int", "-- shadow re-created: x\nDROP TABLE `s_t`",
           "ALTER TABLE `s_t` ADD CONSTRAINT `f` FOREIGN KEY (`a`) REFERENCES "
           "`otherdb`.`parent` (`id`)"},
          allowed)
          .ok());
  Status s = CheckTouchesOnlyShadows({"ALTER TABLE `t` ADD COLUMN `b` int"}, allowed);
  EXPECT_EQ(s.code(), errc::kTouchesNonShadow);
  EXPECT_NE(s.message().find("`t`"), std::string::npos);
  EXPECT_FALSE(CheckTouchesOnlyShadows({"DROP TABLE `s_t`, `t`"}, allowed).ok());
  EXPECT_FALSE(CheckTouchesOnlyShadows({"RENAME TABLE `s_t` TO `t`"}, allowed).ok());
  EXPECT_FALSE(CheckTouchesOnlyShadows({"ALTER TABLE `s_t` RENAME TO `t`"}, allowed).ok());
  EXPECT_FALSE(CheckTouchesOnlyShadows({"TRUNCATE TABLE t"}, allowed).ok());
  EXPECT_FALSE(CheckTouchesOnlyShadows({"CREATE TABLE `db`.`s_t` (a int)"}, allowed).ok());
  EXPECT_FALSE(CheckTouchesOnlyShadows(
                   {"CREATE TABLE `s_t` (a int, FOREIGN KEY (a) REFERENCES `t` (id))"}, allowed)
                   .ok());
  EXPECT_FALSE(CheckTouchesOnlyShadows({"DELETE FROM `t`"}, allowed).ok());
  EXPECT_FALSE(
      CheckTouchesOnlyShadows({"ALTER TABLE `s_t` ADD c int; DROP TABLE t"}, allowed).ok());
}

TEST(Guard, HostileIdentifiersStayInsideTheirQuotes) {
  const std::string hostile = "x`; DROP TABLE t; --";
  std::string src =
      "CREATE TABLE `x``; DROP TABLE t; --` (\n  `a``; DROP TABLE t; --` int "
      "DEFAULT NULL COMMENT '`; DROP TABLE t; --\\'',\n  KEY `k` (`a``; DROP TABLE "
      "t; --`)\n) ENGINE=InnoDB";
  Result<Table> t = ParseCreateTable(src);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->name, hostile);
  DiffContext ctx = Ctx();
  Result<DiffResult> created = Diff(*t, nullptr, ctx);
  ASSERT_TRUE(created.ok());
  const std::string shadow = ctx.naming.ShadowName(hostile);
  EXPECT_TRUE(CheckTouchesOnlyShadows(created->statements, {shadow}).ok())
      << created->statements[0];
  // The same statements are refused when the hostile shadow is not in the allowed set.
  Status s = CheckTouchesOnlyShadows(created->statements, {"t"});
  EXPECT_EQ(s.code(), errc::kTouchesNonShadow);
  // An update against a shadow that lacks the column.
  std::string shadow_ddl = "CREATE TABLE `s_x``; DROP TABLE t; --` (\n  `b` int\n)";
  Result<DiffResult> updated = DiffDdl(src, shadow_ddl, ctx);
  ASSERT_TRUE(updated.ok());
  EXPECT_TRUE(CheckTouchesOnlyShadows(updated->statements, {shadow}).ok());
  // A broken quoting (what a generator bug would produce) is caught.
  EXPECT_FALSE(
      CheckTouchesOnlyShadows({"ALTER TABLE `s_x`; DROP TABLE t; --` ADD c int"}, {shadow, "s_x"})
          .ok());
}

TEST(Ordering, ParentsFirstAndCyclesNoted) {
  auto parse = [](const char* ddl) {
    Result<Table> t = ParseCreateTable(ddl);
    EXPECT_TRUE(t.ok());
    return *t;
  };
  Table c =
      parse("CREATE TABLE `c` (`p` int, CONSTRAINT `f` FOREIGN KEY (`p`) REFERENCES `b` (`id`))");
  Table b =
      parse("CREATE TABLE `b` (`p` int, CONSTRAINT `f` FOREIGN KEY (`p`) REFERENCES `a` (`id`))");
  Table a =
      parse("CREATE TABLE `a` (`id` int, CONSTRAINT `s` FOREIGN KEY (`id`) REFERENCES `a` (`id`))");
  Table x = parse(
      "CREATE TABLE `x` (`p` int, CONSTRAINT `f` FOREIGN KEY (`p`) REFERENCES `o`.`c` (`id`))");
  std::string note;
  std::vector<size_t> order = OrderByForeignKeys({&c, &b, &x, &a}, "app", &note);
  EXPECT_EQ(order, (std::vector<size_t>{2, 3, 1, 0}));
  EXPECT_TRUE(note.empty());
  Table y =
      parse("CREATE TABLE `y` (`p` int, CONSTRAINT `f` FOREIGN KEY (`p`) REFERENCES `z` (`id`))");
  Table z =
      parse("CREATE TABLE `z` (`p` int, CONSTRAINT `f` FOREIGN KEY (`p`) REFERENCES `y` (`id`))");
  order = OrderByForeignKeys({&y, &a, &z}, "app", &note);
  EXPECT_EQ(order, (std::vector<size_t>{1, 0, 2}));
  EXPECT_NE(note.find("`y`"), std::string::npos);
  EXPECT_NE(note.find("`z`"), std::string::npos);
}

}  // namespace
}  // namespace shadowproxy::schema

namespace shadowproxy::schema {
namespace {

// Every statement has a phase; a table's phases never go backwards; foreign keys are dropped
// in the first phase and added in the last; a re-creation drops in kDropTables.
TEST(ScriptPhases, DiffGivesEachStatementItsPhase) {
  using P = ScriptPhase;
  DiffResult fk = MustDiff(
      "CREATE TABLE `c` (\n  `id` int(11) NOT NULL,\n  `p` bigint(20) DEFAULT NULL,\n"
      "  PRIMARY KEY (`id`),\n  KEY `k` (`p`),\n  CONSTRAINT `f` FOREIGN KEY (`p`) REFERENCES `t` "
      "(`id`)\n) ENGINE=InnoDB",
      "CREATE TABLE `s_c` (\n  `id` int(11) NOT NULL,\n  `p` int(11) DEFAULT NULL,\n"
      "  PRIMARY KEY (`id`),\n  KEY `k` (`p`),\n  CONSTRAINT `s_f` FOREIGN KEY (`p`) REFERENCES "
      "`s_t` (`id`)\n) ENGINE=InnoDB");
  ASSERT_EQ(fk.statements.size(), 3u);
  EXPECT_EQ(fk.phases, (std::vector<P>{P::kDropForeignKeys, P::kMain, P::kAddForeignKeys}));
  EXPECT_EQ(fk.dropped_foreign_keys, std::vector<std::string>{"s_f"});
  DiffResult create = MustDiff("CREATE TABLE `c` (`id` int)", "");
  EXPECT_EQ(create.phases, std::vector<P>{P::kMain});
  DiffResult again = MustDiff(
      "CREATE TABLE `c` (\n  `id` int(11) NOT NULL,\n  `g` int(11) DEFAULT NULL\n) ENGINE=InnoDB",
      "CREATE TABLE `s_c` (\n  `id` int(11) NOT NULL,\n  `g` int(11) GENERATED ALWAYS AS (`id` "
      "+ 1) STORED\n) ENGINE=InnoDB");
  EXPECT_TRUE(again.recreated);
  EXPECT_EQ(again.phases, (std::vector<P>{P::kDropTables, P::kMain}));
}

// Phase by phase; re-created shadows are dropped children (later tables) first.
TEST(ScriptPhases, ScriptOrderRunsPhaseByPhase) {
  using P = ScriptPhase;
  std::vector<std::vector<P>> phases = {
      {P::kDropTables, P::kMain},                           // parent, re-created
      {P::kDropForeignKeys, P::kMain, P::kAddForeignKeys},  // child
      {P::kDropTables, P::kMain},                           // grandchild, re-created
  };
  std::vector<std::pair<size_t, size_t>> want = {{1, 0}, {2, 0}, {0, 0}, {0, 1},
                                                 {1, 1}, {2, 1}, {1, 2}};
  EXPECT_EQ(ScriptOrder(phases), want);
  EXPECT_EQ(EncodePhases(phases[1]), "023");
  EXPECT_EQ(DecodePhases("023", 3), phases[1]);
  EXPECT_FALSE(DecodePhases("02", 3));
  EXPECT_FALSE(DecodePhases("0x3", 3));
}

}  // namespace
}  // namespace shadowproxy::schema
