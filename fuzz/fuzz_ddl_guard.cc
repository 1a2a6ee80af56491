// Fuzzes the ERR 7020 guard against an independent reading of each statement by the shared
// lexer (ddl_guard_check.h): a statement the guard passes names only the allowed shadows in
// every way a server can read it. Any disagreement aborts.
#include <cstdio>
#include <set>
#include <string>

#include "fuzz/ddl_guard_check.h"
#include "fuzz/fuzz_util.h"

using shadowproxy::fuzz::AsText;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::set<std::string> kAllowed = {"s_shadow", "p_shadow", "c_shadow"};
  const std::string_view text = AsText({data, size});
  const std::string problem = shadowproxy::fuzz::GuardDisagreement(text, kAllowed);
  if (!problem.empty()) std::fprintf(stderr, "%s\n", problem.c_str());
  SP_FUZZ_CHECK(problem.empty());
  return 0;
}
