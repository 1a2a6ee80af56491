// Quoting of MySQL identifiers and string literals: the one implementation every module uses
// for SQL it builds (generated DDL, metadb queries, canonical SHADOW SYNC text).
#pragma once

#include <string>
#include <string_view>

namespace shadowproxy::sql {

// `name` with every backtick doubled: safe for any content (quotes, `;`, unicode).
std::string QuoteIdentifier(std::string_view name);

// 'text' with \0, \n, \r, \Z (0x1a), \\ and \' escaped, as MySQL/MariaDB print them.
std::string QuoteString(std::string_view text);

}  // namespace shadowproxy::sql
