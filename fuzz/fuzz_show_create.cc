// Fuzzes the SHOW CREATE TABLE parser against the DDL generator's printer: parse -> render ->
// parse is a fixed point (show_create_check.h). Any difference aborts.
#include <cstdio>
#include <string>

#include "fuzz/fuzz_util.h"
#include "fuzz/show_create_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string problem =
      shadowproxy::fuzz::ShowCreateFixedPointProblem(shadowproxy::fuzz::AsText({data, size}));
  if (!problem.empty()) std::fprintf(stderr, "%s\n", problem.c_str());
  SP_FUZZ_CHECK(problem.empty());
  return 0;
}
