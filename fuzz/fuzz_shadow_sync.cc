// Fuzzes the SHADOW SYNC grammar: whatever parses prints back (ToSql) to text that parses to the
// same statement, and that text is a fixed point. The first byte picks how the text is read
// (server kind and version, NO_BACKSLASH_ESCAPES); ToSql's canonical text is read the default way.
#include <string>

#include "base/sql_lexer.h"
#include "fuzz/fuzz_util.h"
#include "plugins/shadow_sync/ast.h"
#include "plugins/shadow_sync/parser.h"

using namespace shadowproxy;
using shadowproxy::fuzz::AsText;
using shadowproxy::fuzz::Input;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Input in(data, size);
  const uint8_t mode = in.Byte();
  const std::string_view text = AsText(in.Rest());
  sql::Dialect dialect = (mode & 2) ? sql::Dialect::FromServerVersion("8.0.36")
                                    : sql::Dialect::FromServerVersion("10.11.6-MariaDB");
  dialect.backslash_escapes = (mode & 1) == 0;
  auto first = shadow_sync::ParseStatement(text, dialect);
  if (!first.ok()) {
    SP_FUZZ_CHECK(first.status().code() == 1064 || first.status().code() == 7010 ||
                  first.status().code() == 7011);
    return 0;
  }
  const std::string sql = shadow_sync::ToSql(*first);
  auto again = shadow_sync::ParseStatement(sql);
  if (!again.ok())
    std::fprintf(stderr, "ToSql: %s\n%s\n", sql.c_str(), again.status().ToString().c_str());
  SP_FUZZ_CHECK(again.ok());
  if (!(*again == *first)) std::fprintf(stderr, "ToSql: %s\n", sql.c_str());
  SP_FUZZ_CHECK(*again == *first);
  SP_FUZZ_CHECK(shadow_sync::ToSql(*again) == sql);
  return 0;
}
