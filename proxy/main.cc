// shadowproxy entry point: parses the command line (SPEC.md §1).
#include <cstdio>
#include <cstring>

int main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--version") == 0) {
      std::printf("shadowproxy %s\n", SHADOWPROXY_VERSION);
      return 0;
    }
  }
  std::fprintf(stderr, "usage: shadowproxy --config FILE [--check-config] [--log-level LEVEL]\n");
  return 2;
}
