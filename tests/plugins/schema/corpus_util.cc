#include "tests/plugins/schema/corpus_util.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

namespace shadowproxy::schema::testing {
namespace {

bool IsBlankOrComment(const std::string& s) {
  size_t i = 0;
  while (i < s.size()) {
    char c = s[i];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      ++i;
    } else if (c == '#' || (c == '-' && i + 1 < s.size() && s[i + 1] == '-')) {
      while (i < s.size() && s[i] != '\n') ++i;
    } else if (c == '/' && i + 1 < s.size() && s[i + 1] == '*' &&
               (i + 2 >= s.size() || s[i + 2] != '!')) {
      size_t e = s.find("*/", i + 2);
      if (e == std::string::npos) return true;
      i = e + 2;
    } else {
      return false;
    }
  }
  return true;
}

const char* const kSystemDbs[] = {"mysql", "information_schema", "performance_schema", "sys"};

bool IsSystemDb(const std::string& db) {
  for (const char* s : kSystemDbs)
    if (db == s) return true;
  return false;
}

}  // namespace

std::vector<std::string> SplitSqlStatements(const std::string& text) {
  std::vector<std::string> out;
  std::string delimiter = ";";
  std::string cur;
  size_t i = 0;
  bool at_line_start = true;
  auto flush = [&] {
    if (!IsBlankOrComment(cur)) out.push_back(cur);
    cur.clear();
  };
  while (i < text.size()) {
    char c = text[i];
    if (at_line_start) {
      size_t j = i;
      while (j < text.size() && (text[j] == ' ' || text[j] == '\t')) ++j;
      if (text.compare(j, 10, "DELIMITER ") == 0 || text.compare(j, 10, "delimiter ") == 0) {
        size_t e = text.find('\n', j);
        if (e == std::string::npos) e = text.size();
        std::string d = text.substr(j + 10, e - j - 10);
        while (!d.empty() && (d.back() == ' ' || d.back() == '\r')) d.pop_back();
        flush();
        if (!d.empty()) delimiter = d;
        i = e;
        continue;
      }
    }
    if (at_line_start) {
      // The mariadb client takes "USE db" on a line of its own as a command, without ';'.
      size_t e = text.find('\n', i);
      if (e == std::string::npos) e = text.size();
      std::string line = text.substr(i, e - i);
      size_t k = 0;
      while (k < line.size()) {
        if (line[k] == ' ' || line[k] == '\t')
          ++k;
        else if (line.compare(k, 2, "/*") == 0 && line.find("*/", k) != std::string::npos)
          k = line.find("*/", k) + 2;
        else
          break;
      }
      if (line.size() > k + 4 &&
          (line.compare(k, 4, "use ") == 0 || line.compare(k, 4, "USE ") == 0) &&
          IsBlankOrComment(cur)) {
        std::string db = line.substr(k + 4);
        size_t stop = db.find_first_of("#;");
        if (stop != std::string::npos) db.resize(stop);
        while (!db.empty() && (db.back() == ' ' || db.back() == '\r')) db.pop_back();
        cur.clear();
        out.push_back("USE " + db);
        i = e;
        continue;
      }
    }
    at_line_start = false;
    if (c == '\n') at_line_start = true;
    if (c == '\'' || c == '"' || c == '`') {
      size_t j = i + 1;
      while (j < text.size()) {
        if (text[j] == '\\' && c != '`') {
          j += 2;
          continue;
        }
        if (text[j] == c) {
          if (j + 1 < text.size() && text[j + 1] == c) {
            j += 2;
            continue;
          }
          break;
        }
        ++j;
      }
      j = std::min(j + 1, text.size());
      cur.append(text, i, j - i);
      i = j;
      continue;
    }
    if (c == '#' || (c == '-' && text.compare(i, 3, "-- ") == 0)) {
      size_t e = text.find('\n', i);
      if (e == std::string::npos) e = text.size();
      cur.append(text, i, e - i);
      i = e;
      continue;
    }
    if (c == '/' && i + 1 < text.size() && text[i + 1] == '*') {
      size_t e = text.find("*/", i + 2);
      e = e == std::string::npos ? text.size() : e + 2;
      cur.append(text, i, e - i);
      i = e;
      continue;
    }
    if (text.compare(i, delimiter.size(), delimiter) == 0) {
      flush();
      i += delimiter.size();
      continue;
    }
    cur += c;
    ++i;
  }
  flush();
  return out;
}

std::string ReadTextFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<QualifiedTable> ListUserTables(sql::MysqlConn& conn) {
  std::vector<QualifiedTable> out;
  Result<sql::Rows> r = conn.Query(
      "SELECT TABLE_SCHEMA, TABLE_NAME FROM information_schema.TABLES WHERE TABLE_TYPE IN ('BASE "
      "TABLE', 'SYSTEM VERSIONED') AND TABLE_SCHEMA NOT IN "
      "('mysql','information_schema','performance_schema','sys')"
      " ORDER BY TABLE_SCHEMA, TABLE_NAME");
  if (!r.ok()) return out;
  for (const sql::Row& row : *r) out.push_back(QualifiedTable{*row[0], *row[1]});
  return out;
}

void DropUserDatabases(sql::MysqlConn& conn) {
  Result<sql::Rows> dbs = conn.Query("SHOW DATABASES");
  if (!dbs.ok()) return;
  (void)conn.Execute("SET SESSION foreign_key_checks=0");
  for (const sql::Row& row : *dbs)
    if (!IsSystemDb(*row[0]))
      (void)conn.Execute("DROP DATABASE " + sql::MysqlConn::QuoteName(*row[0]));
}

std::vector<QualifiedTable> LoadFixture(sql::MysqlConn& conn, const std::string& path,
                                        LoadStats* stats) {
  DropUserDatabases(conn);
  (void)conn.Execute("CREATE DATABASE testing");
  (void)conn.Execute("USE testing");
  (void)conn.Execute("SET SESSION foreign_key_checks=1");
  for (const std::string& stmt : SplitSqlStatements(ReadTextFile(path))) {
    ++stats->statements;
    if (!conn.Execute(stmt).ok()) ++stats->refused;
  }
  (void)conn.Execute("USE testing");
  return ListUserTables(conn);
}

std::string StripAutoIncrement(const std::string& ddl) {
  static const std::regex kAutoInc(R"( AUTO_INCREMENT=[0-9]+)");
  // Only in the table options, i.e. after the last line that closes the body.
  size_t body_end = ddl.rfind("\n)");
  if (body_end == std::string::npos) return ddl;
  return ddl.substr(0, body_end) + std::regex_replace(ddl.substr(body_end), kAutoInc, "");
}

std::vector<std::string> FixtureFiles(const std::string& corpora_dir) {
  std::vector<std::string> files;
  for (const char* folder : {"/shadowproxy", "/skeema"})
    for (const auto& e : std::filesystem::directory_iterator(corpora_dir + folder))
      if (e.path().extension() == ".sql") files.push_back(e.path().string());
  std::sort(files.begin(), files.end());
  return files;
}

std::string ExpectedShadowDdl(const std::string& source_ddl, const Naming& naming) {
  static const std::regex kHead(R"(^CREATE TABLE `((?:[^`]|``)+)`)");
  static const std::regex kConstraint(R"(CONSTRAINT `((?:[^`]|``)+)` FOREIGN KEY)");
  static const std::regex kReferences(R"(REFERENCES `((?:[^`]|``)+)` \()");
  auto rename = [&](const std::string& text, const std::regex& re, const std::string& before,
                    const std::string& after) {
    std::string out;
    auto begin = std::sregex_iterator(text.begin(), text.end(), re);
    size_t last = 0;
    for (auto it = begin; it != std::sregex_iterator(); ++it) {
      const std::smatch& m = *it;
      out.append(text, last, m.position(0) - last);
      out += before + naming.prefix + m[1].str() + naming.suffix + after;
      last = m.position(0) + m.length(0);
    }
    out.append(text, last, std::string::npos);
    return out;
  };
  std::string s = StripAutoIncrement(source_ddl);
  s = rename(s, kHead, "CREATE TABLE `", "`");
  s = rename(s, kConstraint, "CONSTRAINT `", "` FOREIGN KEY");
  s = rename(s, kReferences, "REFERENCES `", "` (");
  return s;
}

std::string ShowCreate(sql::MysqlConn& conn, const std::string& db, const std::string& table) {
  Result<sql::Rows> r = conn.Query("SHOW CREATE TABLE " + sql::MysqlConn::QuoteName(db) + "." +
                                   sql::MysqlConn::QuoteName(table));
  if (!r.ok() || r->empty() || (*r)[0].size() < 2 || !(*r)[0][1]) return "";
  return *(*r)[0][1];
}

}  // namespace shadowproxy::schema::testing
