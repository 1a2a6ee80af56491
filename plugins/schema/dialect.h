// The server families the schema engine writes DDL for, told apart by the version string the
// server sends in its greeting. The parser reads every family's SHOW CREATE TABLE with one grammar;
// what a dialect changes is which ALTERs the planner may emit and how (docs/dialects.md).
#pragma once

#include <string>
#include <string_view>

namespace shadowproxy::schema {

enum class Dialect {
  kMariaDb,    // MariaDB 10.x / 11.x: the dialect every other rule is measured against
  kMySql57,    // MySQL 5.x (no CHECK constraints, no functional indexes)
  kMySql80,    // MySQL 8.0 and later
  kOceanBase,  // OceanBase 4.x in MySQL mode
};

// "MariaDB", "MySQL 5.7", "MySQL 8.0", "OceanBase".
const char* DialectName(Dialect dialect);

// The dialect of a server from its version string as the greeting (or mysql_get_server_info())
// gives it: "5.7.25-OceanBase-v4.2.1.0" and "5.7.25-OceanBase_CE-v4.2.1.2" are OceanBase,
// "10.11.6-MariaDB" and "5.5.5-10.11.6-MariaDB-log" MariaDB, "8.0.36" and "8.4.0-log" MySQL 8.0,
// "5.7.44" MySQL 5.7. Anything else is MariaDB, whose rules are the ones the engine was built on.
Dialect DialectFromVersion(std::string_view version);

// MySQL 8 and OceanBase scope CHECK constraint names to the database (like foreign key names), so
// a shadow's checks cannot reuse its source's names; MariaDB scopes them to the table.
bool CheckNamesAreDatabaseScoped(Dialect dialect);

}  // namespace shadowproxy::schema
