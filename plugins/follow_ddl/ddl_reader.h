// Recognising followed DDL (docs/follow_ddl.md): which statements of a relayed query are
// CREATE TABLE, ALTER TABLE, RENAME TABLE, CREATE INDEX, DROP INDEX or DROP TABLE, and which
// tables they name, read with the one SQL lexer (base/sql_lexer.h) as the backend reads the
// text. What it cannot read for sure (a compound statement, an unterminated string, an odd
// shape after a DDL keyword) ends the reading there: nothing after it is attributed.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/sql_lexer.h"

namespace shadowproxy::follow_ddl {

enum class DdlKind : uint8_t {
  kCreateTable,
  kAlterTable,
  kRenameTable,
  kCreateIndex,
  kDropIndex,
  kDropTable,
};
// "CREATE TABLE", "ALTER TABLE", ... (what the remarks and logs print).
std::string_view KindName(DdlKind kind);

struct TableRef {
  std::string database;  // "" = the session's current database
  std::string table;
  bool operator==(const TableRef&) const = default;
};

struct DdlStatement {
  DdlKind kind = DdlKind::kAlterTable;
  uint32_t index = 0;  // the statement's place in the query, 0-based
  // False after a statement that may answer with more than one result (CALL, EXECUTE): the
  // index can no longer be matched to the backend's results, so the statement is followed only
  // when the whole query succeeded.
  bool index_known = true;
  std::vector<TableRef> tables;   // what exists after it: the created, altered, renamed-to ones
  std::vector<TableRef> dropped;  // DROP TABLE's tables, RENAME's old names
  std::string summary;            // "ALTER TABLE orders ..."
};

struct ReadResult {
  std::vector<DdlStatement> ddl;
  // Why the text was not read to its end ("" when it was): for the DEBUG line.
  std::string unreadable;
};

// Reads every statement of `text` (a COM_QUERY or COM_STMT_PREPARE text), as `dialect` reads
// it. Allocates nothing for a query without DDL keywords.
ReadResult ReadDdl(std::string_view text, const sql::Dialect& dialect);

}  // namespace shadowproxy::follow_ddl
