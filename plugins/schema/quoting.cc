// Identifier and literal quoting (see quoting.h).
#include "plugins/schema/quoting.h"

namespace shadowproxy::schema {

std::string UnquoteIdent(std::string_view quoted) {
  if (quoted.size() < 2 || quoted.front() != '`' || quoted.back() != '`') {
    return std::string(quoted);
  }
  std::string out;
  for (size_t i = 1; i + 1 < quoted.size(); ++i) {
    out += quoted[i];
    if (quoted[i] == '`' && i + 2 < quoted.size() && quoted[i + 1] == '`') ++i;
  }
  return out;
}

std::string UnquoteString(std::string_view quoted) {
  if (quoted.size() < 2) return std::string(quoted);
  const char q = quoted.front();
  std::string out;
  for (size_t i = 1; i + 1 < quoted.size(); ++i) {
    char c = quoted[i];
    if (c == '\\' && i + 2 < quoted.size()) {
      char n = quoted[++i];
      switch (n) {
        case '0':
          out += '\0';
          break;
        case 'n':
          out += '\n';
          break;
        case 'r':
          out += '\r';
          break;
        case 't':
          out += '\t';
          break;
        case 'b':
          out += '\b';
          break;
        case 'Z':
          out += '\x1a';
          break;
        default:
          out += n;  // \\ \' \" and unknown escapes: the character itself
      }
    } else if (c == q && i + 2 < quoted.size() && quoted[i + 1] == q) {
      out += q;
      ++i;
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace shadowproxy::schema
