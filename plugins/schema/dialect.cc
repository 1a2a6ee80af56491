// Dialect detection from the server version string (see dialect.h).
#include "plugins/schema/dialect.h"

#include <cctype>

namespace shadowproxy::schema {

namespace {

bool ContainsNoCase(std::string_view haystack, std::string_view needle) {
  if (needle.size() > haystack.size()) return false;
  for (size_t i = 0; i + needle.size() <= haystack.size(); ++i) {
    size_t k = 0;
    while (k < needle.size() && std::tolower(static_cast<unsigned char>(haystack[i + k])) ==
                                    std::tolower(static_cast<unsigned char>(needle[k]))) {
      ++k;
    }
    if (k == needle.size()) return true;
  }
  return false;
}

// The leading decimal number of `s` (0 if none).
int LeadingNumber(std::string_view s) {
  int n = 0;
  for (char c : s) {
    if (!std::isdigit(static_cast<unsigned char>(c))) break;
    n = n * 10 + (c - '0');
    if (n > 100000) break;
  }
  return n;
}

}  // namespace

const char* DialectName(Dialect dialect) {
  switch (dialect) {
    case Dialect::kMariaDb:
      return "MariaDB";
    case Dialect::kMySql57:
      return "MySQL 5.7";
    case Dialect::kMySql80:
      return "MySQL 8.0";
    case Dialect::kOceanBase:
      return "OceanBase";
  }
  return "MariaDB";
}

Dialect DialectFromVersion(std::string_view version) {
  // OceanBase answers as MySQL 5.7.25 with its own version after "-v" (obproxy passes the same
  // string through), so the vendor names are tested before any number.
  if (ContainsNoCase(version, "OceanBase")) return Dialect::kOceanBase;
  if (ContainsNoCase(version, "MariaDB")) return Dialect::kMariaDb;
  const int major = LeadingNumber(version);
  if (major >= 8) return Dialect::kMySql80;
  if (major == 5) return Dialect::kMySql57;
  return Dialect::kMariaDb;
}

bool CheckNamesAreDatabaseScoped(Dialect dialect) {
  return dialect == Dialect::kMySql80 || dialect == Dialect::kOceanBase;
}

}  // namespace shadowproxy::schema
