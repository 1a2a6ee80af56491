// Parser of SHOW CREATE TABLE output (MySQL 5.7/8.0, MariaDB 10.x, OceanBase MySQL mode) and of
// plain CREATE TABLE statements, into the schema model. Pure: no I/O. One grammar reads every
// dialect's layout, so a table parses the same whichever server printed it (dialect.h).
#pragma once

#include <string_view>

#include "base/status.h"
#include "plugins/schema/model.h"

namespace shadowproxy::schema {

// Parses one CREATE TABLE (or OceanBase CREATE MATERIALIZED VIEW) statement; leading comments
// and a trailing ';' are allowed. Failure: ERR 1064 naming the table and the byte position.
Result<Table> ParseCreateTable(std::string_view ddl);

}  // namespace shadowproxy::schema
