// Helpers for the corpus tests: split SQL scripts into statements, load fixture files into a
// server, and the test's own oracle of what a shadow's SHOW CREATE TABLE must look like.
#pragma once

#include <string>
#include <vector>

#include "base/mysql_conn.h"
#include "plugins/schema/model.h"

namespace shadowproxy::schema::testing {

// Splits a script on ';' (or the DELIMITER in force) outside quotes and comments. Comment-only
// pieces are dropped; DELIMITER lines are consumed.
std::vector<std::string> SplitSqlStatements(const std::string& text);

std::string ReadTextFile(const std::string& path);

// The fixture scripts loaded table by table: the project's own (`corpora_dir`/shadowproxy) and
// skeema's (`corpora_dir`/skeema), every *.sql file, sorted.
std::vector<std::string> FixtureFiles(const std::string& corpora_dir);

struct QualifiedTable {
  std::string db;
  std::string name;
};

struct LoadStats {
  int statements = 0;
  int refused = 0;  // statements the server refused (other vendors' syntax, bad on purpose)
};

// Drops every non-system database, creates `testing`, runs the file's statements one by one
// on `conn` (refusals are counted, not fatal) and returns the base tables now present.
std::vector<QualifiedTable> LoadFixture(sql::MysqlConn& conn, const std::string& path,
                                        LoadStats* stats);

// Every base table of every non-system database.
std::vector<QualifiedTable> ListUserTables(sql::MysqlConn& conn);
void DropUserDatabases(sql::MysqlConn& conn);

// The oracle (independent of the engine): the source's SHOW CREATE TABLE with the table name,
// the foreign key constraint names and same-database REFERENCES renamed under `naming`, and the
// AUTO_INCREMENT=n table option removed.
std::string ExpectedShadowDdl(const std::string& source_ddl, const Naming& naming);
std::string StripAutoIncrement(const std::string& ddl);

// SHOW CREATE TABLE db.table, or "" if it fails.
std::string ShowCreate(sql::MysqlConn& conn, const std::string& db, const std::string& table);

}  // namespace shadowproxy::schema::testing
